using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>Stream table lookup: linear and 2-level tables, L1STD Span rules, invalid StreamIDs, STE fetch aborts (IHI0070 §3.3.1, §5.1, §6.3.24, §7.3).</summary>
public class StreamTableTests
{
    private const ulong L1Table = 0x1400_0000;

    private static EventRecord BadStreamId(uint sid) => new() { Type = EventType.CBadStreamId, StreamId = sid };

    [Fact]
    public void Linear_table_entry_is_indexed_by_streamid()
    {
        // IHI0070 §3.3.1: STE address = STRTAB_BASE + 64 * StreamID.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(0x21, StreamTableEntry.BypassEntry);

        var result = h.Read(0x21, 0x1234_5678);
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Equal(0x1234_5678UL, result.PhysicalAddress);
        Assert.False(h.Read(0x20, 0x1000).IsSuccess); // its neighbour still aborts (Config 0b000)
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void StreamId_at_or_above_two_to_the_log2size_is_c_bad_streamid_with_the_whole_record()
    {
        // IHI0070 §6.3.24, §7.3.3: StreamID >= 2^LOG2SIZE is C_BAD_STREAMID (SSV and SubstreamID included).
        var h = new DeviceHarness();
        h.Reset(sidBits: 8);

        var result = h.Read(0x100, 0x1000, ssid: 5);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.CBadStreamId, result.Fault);
        Assert.True(result.FaultRecorded);
        Assert.Equal(Termination.Abort, result.Termination);
        var expected = BadStreamId(0x100) with { SSV = true, SubstreamId = 5 };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
        Assert.Equal(0x0000_0100_0000_5802UL, expected.Dw0);
    }

    [Fact]
    public void Invalid_streamid_without_recinvsid_aborts_silently()
    {
        // IHI0070 §6.3.12 CR2.RECINVSID = 0: C_BAD_STREAMID is not recorded, the transaction still aborts.
        var h = new DeviceHarness();
        h.Reset(sidBits: 8);
        h.SetCr2(0x4);

        var result = h.Read(0x300, 0x1000);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.False(result.FaultRecorded);
        Assert.Empty(h.DrainEvents());
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(10)]
    public void Two_level_table_splits_the_streamid_at_split(int split)
    {
        // IHI0070 §3.3.2, §5.1: L1 index = SID[LOG2SIZE-1:SPLIT], L2 index = SID[SPLIT-1:0]; Span = SPLIT + 1 covers 2^SPLIT STEs.
        var h = new DeviceHarness();
        h.Reset();
        h.SetStreamTable(L1Table, (1u << 16) | ((uint)split << 6) | 16);
        ulong l2 = h.AllocatePage(64UL << split);
        uint lastIndex = (1u << split) - 1;
        uint sid = (3u << split) | lastIndex;
        Assert.True(new L1StreamTableDescriptor { Span = (uint)split + 1, L2Ptr = l2 }.TryWrite(h.Memory, L1Table + (3 * 8)));
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (lastIndex * 64UL)));

        var result = h.Read(sid, 0xABC_D000);
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Equal(0xABC_D000UL, result.PhysicalAddress);

        // The next L1 slot is still zero (Span 0): every StreamID it covers is invalid.
        uint other = 4u << split;
        Assert.Equal(EventType.CBadStreamId, h.Read(other, 0).Fault);
        Assert.Equal(BadStreamId(other), Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData(0u, 0u)]   // Span 0: invalid descriptor
    [InlineData(10u, 0u)]  // Span > SPLIT + 1
    [InlineData(12u, 0u)]  // Span 12..31 reserved, behaves as 0
    [InlineData(31u, 0u)]
    [InlineData(2u, 2u)]   // Span 2 = 2 STEs: index 2 is beyond the span
    [InlineData(1u, 1u)]   // Span 1 = 1 STE
    public void L1std_span_rules_make_the_streamid_invalid(uint span, uint index)
    {
        // IHI0070 §5.1 (digest 2.4): an invalid L1STD or an index >= 2^(Span-1) is C_BAD_STREAMID, always aborting.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true); // SPLIT 8
        ulong l2 = h.AllocatePage(0x4000);
        for (uint i = 0; i < 256; i++)
        {
            Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (i * 64UL)));
        }

        Assert.True(new L1StreamTableDescriptor { Span = span, L2Ptr = l2 }.TryWrite(h.Memory, DeviceHarness.StreamTableBase + (5 * 8)));
        uint sid = (5u << 8) | index;

        var result = h.Read(sid, 0x1000);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.CBadStreamId, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(BadStreamId(sid), Assert.Single(h.DrainEvents()));

        // Without RECINVSID the same StreamID still aborts, silently.
        h.SetCr2(0x4);
        var silent = h.Read(sid, 0x1000);
        Assert.Equal(TranslationOutcome.Faulted, silent.Outcome);
        Assert.False(silent.FaultRecorded);
        Assert.Empty(h.DrainEvents());
    }

    [Theory]
    [InlineData(1u, 0u)]
    [InlineData(2u, 1u)]
    [InlineData(9u, 255u)]
    public void L1std_span_within_rules_reaches_the_ste(uint span, uint index)
    {
        // IHI0070 §5.1: L2 array of 2^(Span-1) STEs, Span <= SPLIT + 1.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true);
        ulong l2 = h.AllocatePage(0x4000);
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (index * 64UL)));
        Assert.True(new L1StreamTableDescriptor { Span = span, L2Ptr = l2 }.TryWrite(h.Memory, DeviceHarness.StreamTableBase + (7 * 8)));

        Assert.Equal(TranslationOutcome.Bypassed, h.Read((7u << 8) | index, 0x5000).Outcome);
    }

    [Theory]
    [InlineData(7u)]   // reserved SPLIT values behave as 6 (IHI0070 §5.1)
    [InlineData(0u)]
    [InlineData(11u)]
    public void Reserved_split_values_split_the_streamid_at_6(uint split)
    {
        var h = new DeviceHarness();
        h.Reset();
        h.SetStreamTable(L1Table, (1u << 16) | (split << 6) | 16);
        ulong l2 = h.AllocatePage();
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (0x3F * 64UL)));
        Assert.True(new L1StreamTableDescriptor { Span = 7, L2Ptr = l2 }.TryWrite(h.Memory, L1Table + (5 * 8)));

        // StreamID 0x17F = L1 index 5, L2 index 0x3F when split at bit 6.
        Assert.Equal(TranslationOutcome.Bypassed, h.Read(0x17F, 0x4000).Outcome);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void L2ptr_bits_below_the_l2_array_size_are_ignored()
    {
        // IHI0070 §5.1: the L2 array of 2^(Span-1) STEs is aligned to its size; L2Ptr's lower bits are treated as 0.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true); // SPLIT 8
        ulong l2 = h.AllocatePage();
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (2 * 64UL)));
        Assert.True(new L1StreamTableDescriptor { Span = 3, L2Ptr = l2 + 0xC0 }.TryWrite(h.Memory, DeviceHarness.StreamTableBase + (9 * 8)));

        // Span 3: four STEs, 256 bytes, so L2Ptr's 0xC0 is dropped and STE 2 is at l2 + 0x80.
        Assert.Equal(TranslationOutcome.Bypassed, h.Read((9u << 8) | 2, 0x4000).Outcome);
    }

    [Fact]
    public void The_table_size_is_the_smaller_of_log2size_and_sidsize()
    {
        // IHI0070 §6.3.24: LOG2SIZE 20 on an SMMU with 16-bit StreamIDs covers only StreamIDs below 2^16.
        var h = new DeviceHarness(new SmmuFeatures { StreamIdBits = 16 });
        h.Reset();
        h.SetStreamTable(L1Table, (1u << 16) | (8u << 6) | 20);
        Assert.Equal(EventType.CBadStreamId, h.Read(0x1_0000, 0x1000).Fault);
        Assert.Equal(BadStreamId(0x1_0000), Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void A_linear_ste_beyond_the_oas_is_f_ste_fetch()
    {
        // IHI0070 §3.3.1, §7.3.4: an STE address the SMMU cannot issue (beyond the 48-bit OAS) fails the fetch.
        var h = new DeviceHarness();
        h.Reset();
        h.SetStreamTable(0xFFFF_FFFF_0000, 16); // STE 0x400 at 0xFFFF_FFFF_0000 + 0x10000 = 2^48
        ulong steAddress = 0x1_0000_0000_0000;
        Assert.Equal(EventType.FSteFetch, h.Read(0x400, 0x1000).Fault);
        Assert.Equal(new EventRecord { Type = EventType.FSteFetch, StreamId = 0x400, FetchAddress = steAddress }, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Ste_fetch_abort_is_f_ste_fetch_with_the_fetch_address()
    {
        // IHI0070 §7.3.4: an external abort fetching the STE is F_STE_FETCH; FetchAddr = the STE address.
        var mem = new SparseMemory();
        var h = new DeviceHarness(memory: mem);
        h.Reset();
        mem.AddAbortRange(h.SteAddress(7), 64);

        var result = h.Read(7, 0x2000);
        Assert.Equal(EventType.FSteFetch, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        var expected = new EventRecord { Type = EventType.FSteFetch, StreamId = 7, FetchAddress = h.SteAddress(7) };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
        Assert.Equal(h.SteAddress(7), expected.Dw3); // FetchAddr[55:3] in place (digest §5.1)
    }

    [Fact]
    public void L1std_fetch_abort_is_f_ste_fetch_with_the_l1std_address()
    {
        // IHI0070 §7.3.4: the L1STD is part of the STE fetch; its address is reported.
        var mem = new SparseMemory();
        var h = new DeviceHarness(memory: mem);
        h.Reset(sidBits: 16, twoLevel: true);
        ulong l1std = DeviceHarness.StreamTableBase + (0x12 * 8);
        mem.AddAbortRange(l1std, 8);

        var result = h.Read(0x1234, 0x2000);
        Assert.Equal(EventType.FSteFetch, result.Fault);
        var expected = new EventRecord { Type = EventType.FSteFetch, StreamId = 0x1234, FetchAddress = l1std };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void L1std_written_without_cfgi_becomes_visible_as_linux_expects()
    {
        // digest 9.2 / IHI0070 §3.21: Linux installs a new L1STD without CFGI_STE(Leaf=0); an invalid L1STD must not stick.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true);
        const uint sid = 0x305;
        Assert.Equal(EventType.CBadStreamId, h.Read(sid, 0x1000).Fault);

        ulong l2 = h.AllocatePage(0x4000);
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (5 * 64)));
        Assert.True(new L1StreamTableDescriptor { Span = 9, L2Ptr = l2 }.TryWrite(h.Memory, DeviceHarness.StreamTableBase + (3 * 8)));

        Assert.Equal(TranslationOutcome.Bypassed, h.Read(sid, 0x1000).Outcome);
        Assert.Single(h.DrainEvents()); // only the first attempt was recorded
    }

    [Fact]
    public void Secure_transaction_is_f_uut_with_the_incoming_attributes()
    {
        // IHI0070 §7.3.2: no Secure programming interface, so a Secure transaction is unsupported (F_UUT).
        var h = new DeviceHarness(SmmuFeatures.Default with { Secure = false });
        h.Reset();
        h.SetSte(3, StreamTableEntry.BypassEntry);

        var result = h.Smmu.Translate(new TranslationRequest(3, 0x7777_0000, AccessKind.Write, Privileged: true, Secure: true));
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.FUut, result.Fault);
        var expected = new EventRecord { Type = EventType.FUut, StreamId = 3, PnU = true, RnW = false, InD = false, InputAddress = 0x7777_0000 };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
    }
}
