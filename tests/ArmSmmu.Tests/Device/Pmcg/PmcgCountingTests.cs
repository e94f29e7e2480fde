namespace ArmSmmu.Tests.Device.Pmcg;

/// <summary>What the PMCG counts (IHI0070 §10.2-§10.4): the architected events of each transaction, enables, filters.</summary>
public class PmcgCountingTests
{
    [Fact]
    public void Section_10_5_2_14_nothing_counts_until_CR_E_and_the_counters_CNTEN_bit_are_both_set()
    {
        var h = new PmcgHarness();
        h.Pmcg.WriteRegister32(PmcgRegister.EVTYPER0, (uint)PmcgEvent.Transactions | (1u << 29));
        h.Pmcg.WriteRegister32(PmcgRegister.SMR0, 0xFFFF_FFFF);
        h.Translate(0x42, 3);
        h.Pmcg.WriteRegister64(PmcgRegister.CNTENSET0, 1); // CNTEN without E
        h.Translate(0x42, 3);
        Assert.Equal(0UL, h.Read(0));

        h.Pmcg.WriteRegister32(PmcgRegister.CR, 1);
        h.Translate(0x42, 3);
        Assert.Equal(3UL, h.Read(0));

        h.Pmcg.WriteRegister64(PmcgRegister.CNTENCLR0, 1);
        h.Translate(0x42, 3);
        Assert.Equal(3UL, h.Read(0)); // values do not change while disabled
    }

    [Fact]
    public void Section_10_3_each_event_of_a_first_and_a_second_translation()
    {
        var h = new PmcgHarness();
        PmcgEvent[] events = [.. Enum.GetValues<PmcgEvent>()];
        foreach (var e in events)
        {
            h.Count((int)e, e);
        }

        // First translation: STE and CD miss the configuration cache and are read (linear table, S1CDMax 0), the TLB
        // misses and a 4-level stage-1 walk (T0SZ 16, 4K granule) reads 4 descriptors.
        h.Translate(0x42);
        Assert.Equal([1UL, 1, 1, 2, 4, 2, 0, 0], events.Select(e => h.Read((int)e)));

        // Second: everything is cached, so only the clock and the transaction count.
        h.Translate(0x42);
        Assert.Equal([2UL, 2, 1, 2, 4, 2, 0, 0], events.Select(e => h.Read((int)e)));
        Assert.Equal(h.Device.Smmu.Statistics.DescriptorReads, (long)h.Read((int)PmcgEvent.TableWalkAccesses));
    }

    [Fact]
    public void Section_10_3_faulting_transactions_count_as_transactions_and_their_walks_count()
    {
        var h = new PmcgHarness();
        h.Count(0, PmcgEvent.Transactions);
        h.Count(1, PmcgEvent.TableWalkAccesses);
        var result = h.Device.Read(0x42, 0x7000_0000); // unmapped: F_TRANSLATION after the level-0 descriptor
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(1UL, h.Read(0));
        Assert.Equal((ulong)h.Device.Smmu.Statistics.DescriptorReads, h.Read(1));
        Assert.True(h.Read(1) > 0);
    }

    [Fact]
    public void Section_10_4_ExactSID_counts_one_StreamID()
    {
        var h = new PmcgHarness(streams: [0x42, 0x43]);
        h.Count(0, PmcgEvent.Transactions, smr: 0x42, span: false);
        h.Translate(0x42, 2);
        h.Translate(0x43, 5);
        Assert.Equal(2UL, h.Read(0));
    }

    [Theory]
    [InlineData(0x42u, new uint[] { 0x42, 0x43 })]                    // Linux's example: filter_span=1, filter_stream_id=0x42
    [InlineData(0x47u, new uint[] { 0x40, 0x41, 0x42, 0x43, 0x44 })]  // 0b0100_0111: the low 4 bits are ignored
    [InlineData(0x45u, new uint[] { 0x44, 0x45 })]                    // 0b0100_0101: the low bit only
    public void Section_10_4_PartialSID_ignores_the_bits_up_to_the_lowest_zero(uint smr, uint[] matching)
    {
        uint[] streams = [0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x50, 0x52];
        var h = new PmcgHarness(streams: streams);
        h.Count(0, PmcgEvent.Transactions, smr, span: true);
        foreach (uint sid in streams)
        {
            h.Translate(sid);
        }

        // Independently: the spec's rule, STREAMID[Y-1] = 0 and STREAMID[Y-2:0] all ones, Y bits ignored.
        int y = System.Numerics.BitOperations.TrailingZeroCount(~smr) + 1;
        ulong expected = (ulong)streams.Count(sid => (sid >> y) == (smr >> y));
        Assert.Equal(expected, h.Read(0));
        Assert.All(matching, sid => Assert.Equal(smr >> y, sid >> y));
    }

    [Theory]
    [InlineData(0xFFFF_FFFFu)] // AllSIDManySECSID: all implemented bits set
    [InlineData(0x0000_7FFFu)] // AllSIDOneSECSID with a 16-bit StreamID: all but the top implemented bit
    public void Section_10_4_the_match_all_encodings_count_every_StreamID(uint smr)
    {
        var h = new PmcgHarness(streams: [0x00, 0x42, 0xFF]);
        h.Count(0, PmcgEvent.Transactions, smr, span: true);
        h.Translate(0x00);
        h.Translate(0x42);
        h.Translate(0xFF);
        Assert.Equal(3UL, h.Read(0));
    }

    [Fact]
    public void Section_10_4_with_SID_FILTER_TYPE_1_every_counter_uses_the_filter_of_counter_0()
    {
        var h = new PmcgHarness(new SmmuPmcgFeatures { GlobalFilter = true }, streams: [0x42, 0x43]);
        h.Count(0, PmcgEvent.Transactions, smr: 0x43, span: false);
        h.Count(1, PmcgEvent.ConfigStructureAccesses, smr: 0xFFFF_FFFF, span: true); // SMR1 and SPAN are RES0 here
        h.Translate(0x42);
        h.Translate(0x43);
        Assert.Equal(1UL, h.Read(0));
        Assert.Equal(2UL, h.Read(1)); // only 0x43's STE and CD
    }

    [Fact]
    public void Section_10_4_per_counter_filters_are_independent()
    {
        var h = new PmcgHarness(streams: [0x42, 0x43]);
        h.Count(0, PmcgEvent.Transactions, smr: 0x42, span: false);
        h.Count(1, PmcgEvent.Transactions, smr: 0x43, span: false);
        h.Translate(0x42, 2);
        h.Translate(0x43, 3);
        Assert.Equal(2UL, h.Read(0));
        Assert.Equal(3UL, h.Read(1));
    }

    [Fact]
    public void Section_10_3_cycles_are_not_filtered_and_Secure_transactions_are_not_observed()
    {
        var h = new PmcgHarness(streams: [0x42, 0x43]);
        h.Count(0, PmcgEvent.Cycles, smr: 0x42, span: false); // the filter of event 0 is ignored
        h.Count(1, PmcgEvent.Transactions);                   // match-all, but SCR.SO = 0: Non-secure only
        h.Translate(0x42);
        h.Translate(0x43);
        h.Device.Smmu.Translate(new TranslationRequest(0x42, PmcgHarness.Va, AccessKind.Read, Secure: true));
        Assert.Equal(3UL, h.Read(0));
        Assert.Equal(2UL, h.Read(1));
    }

    [Fact]
    public void Section_10_5_2_2_an_event_the_group_does_not_implement_counts_nothing()
    {
        var h = new PmcgHarness(features: SmmuFeatures.Default with { Ats = false, Pri = false });
        h.Count(0, (PmcgEvent)0xFFFF); // Linux's HiSilicon quirk writes 0xFFFF to stop a counter
        h.Count(1, PmcgEvent.AtsTranslationRequests);
        h.Translate(0x42, 3);
        Assert.Equal(0UL, h.Read(0));
        Assert.Equal(0UL, h.Read(1));
    }

    [Fact]
    public void Section_10_5_2_1_counting_is_exact_under_concurrent_translations()
    {
        var h = new PmcgHarness();
        h.Count(0, PmcgEvent.Transactions);
        h.Translate(0x42); // warm the caches
        const int PerThread = 20_000;
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                h.Translate(0x42);
            }
        });
        Assert.Equal(1UL + (4 * PerThread), h.Read(0));
    }

    [Fact]
    public void Reset_returns_the_pmcg_to_its_reset_state()
    {
        var h = new PmcgHarness();
        h.Count(0, PmcgEvent.Transactions);
        h.Translate(0x42);
        h.Device.Smmu.Reset();
        Assert.Equal(0UL, h.Pmcg.ReadCounter(0));
        Assert.Equal(0u, h.Pmcg.ReadRegister32(PmcgRegister.CR));
        Assert.Equal(0UL, h.Pmcg.ReadRegister64(PmcgRegister.CNTENSET0));
    }
}
