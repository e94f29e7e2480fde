using ArmSmmu.Memory;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Configuration;

/// <summary>
/// <see cref="SmmuV3.Explain"/> on the configuration stage (IHI0070 §3.3): every decision of the stream-table and
/// CD lookup appears as a step, with the structure's address and first word, in the order the SMMU takes them.
/// </summary>
public class ConfigurationExplainTests
{
    private const uint Sid = 0x10;

    private static DeviceHarness Stage1(StreamTableEntry ste, SparseMemory? memory = null, SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features, memory);
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        for (uint cd = 0; cd < 4; cd++)
        {
            Assert.True(DeviceHarness.LinuxCd((ushort)(cd + 1), pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase + (cd * 64)));
        }

        h.InstallSte(Sid, ste);
        return h;
    }

    private static IReadOnlyList<ExplanationStep> Explain(DeviceHarness h, uint sid, uint? ssid = null) =>
        h.Smmu.Explain(new TranslationRequest(sid, 0x1234, AccessKind.Read) { SubstreamId = ssid }).Steps;

    private static ExplanationStep Step(IReadOnlyList<ExplanationStep> steps, string text) =>
        Assert.Single(steps, s => s.Text == text);

    [Fact]
    public void A_substream_walks_ste_then_the_cd_it_selects_each_with_address_and_first_word()
    {
        // IHI0070 §3.3.3: in a linear CD table (S1Fmt 0b00) SubstreamID 3 selects the CD at S1ContextPtr + 3 × 64.
        var ste = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2);
        var h = Stage1(ste);
        var steps = Explain(h, Sid, ssid: 3);

        var fetched = Step(steps, ste.ToString());
        Assert.Equal(("STE", h.SteAddress(Sid), ste.Dw0), (fetched.Stage, fetched.Address, fetched.Value));
        Assert.Equal("STE", Step(steps, "valid: Config Stage1Translate, StreamWorld NsEl1, VMID 0").Stage);
        Assert.Equal("substream", Step(steps, "S1CDMax 2: SubstreamID 0x3 selects CD 3").Stage);

        Assert.True(ContextDescriptor.TryRead(h.Memory, DeviceHarness.CdTableBase + (3 * 64), out var cd));
        var cdStep = Step(steps, "CD 3: " + cd);
        Assert.Equal(("CD", DeviceHarness.CdTableBase + (3 * 64), cd.Dw0), (cdStep.Stage, cdStep.Address, cdStep.Value));
        Assert.Equal(4, cd.ASID); // the fourth CD written, so the index was not taken as 0
        var order = steps.ToList();
        Assert.True(order.IndexOf(fetched) < order.IndexOf(cdStep));
    }

    [Fact]
    public void Traffic_without_a_substream_names_s1cdmax_and_s1dss()
    {
        // IHI0070 §5.2 S1DSS 0b10: traffic without a SubstreamID uses CD 0.
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2, s1dss: 2));
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read));
        Assert.Equal("substream", Step(explanation.Steps, "no SubstreamID: S1CDMax 2, S1DSS 2 selects CD 0").Stage);
        Assert.Equal(0x8000_0234UL, explanation.Result.PhysicalAddress);
    }

    [Theory]
    [InlineData(0u, null, "refused: F_STREAM_DISABLED")]  // S1DSS 0b00 terminates traffic without a substream
    [InlineData(2u, 0u, "refused: F_STREAM_DISABLED")]     // S1DSS 0b10 reserves SubstreamID 0
    [InlineData(2u, 4u, "refused: C_BAD_SUBSTREAMID")]     // 4 >= 2^S1CDMax
    public void A_refused_substream_names_the_event(uint s1dss, uint? ssid, string text)
    {
        // IHI0070 §5.2 S1DSS, S1CDMax.
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2, s1dss: s1dss));
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read) { SubstreamId = ssid });
        Assert.Equal("substream", Step(explanation.Steps, text).Stage);
        Assert.DoesNotContain(explanation.Steps, s => s.Stage == "CD");
    }

    [Fact]
    public void S1dss_bypass_is_named_for_traffic_without_a_substream()
    {
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2, s1dss: 1));
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read));
        Step(explanation.Steps, "no SubstreamID and S1DSS = 0b01: stage 1 is bypassed for this traffic");
        Assert.Equal(0x1234UL, explanation.Result.PhysicalAddress);
    }

    [Fact]
    public void A_substream_on_a_stage2_only_stream_is_explained_as_c_bad_substreamid()
    {
        // IHI0070 §3.9: a SubstreamID on a stream whose stage 1 does not translate.
        var h = new DeviceHarness();
        h.Reset();
        h.InstallSte(Sid, DeviceHarness.Stage2Ste(h.NewTable(), vmid: 7));
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read) { SubstreamId = 1 });
        Assert.Equal(EventType.CBadSubstreamId, explanation.Result.Fault);
        Step(explanation.Steps, "valid: Config Stage2Translate, StreamWorld NsEl1, VMID 7");
        Step(explanation.Steps, "a SubstreamID with stage 1 not translating: C_BAD_SUBSTREAMID (Config 0b0xx aborts first)");
    }

    [Fact]
    public void An_aborting_config_is_named_as_aborting_without_an_event()
    {
        // IHI0070 §5.2: Config 0b000 aborts every transaction and records nothing.
        var h = new DeviceHarness();
        h.Reset(); // every STE V = 1, Config 0b000
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read));
        Assert.Equal(TranslationOutcome.Faulted, explanation.Result.Outcome);
        Assert.Equal("STE", Step(explanation.Steps, "Config 0b0xx: every transaction is aborted, without an event (IHI0070 §5.2)").Stage);
    }

    [Fact]
    public void A_streamid_beyond_the_table_names_the_effective_size()
    {
        // IHI0070 §6.3.24: with LOG2SIZE 8 the table holds StreamIDs 0-0xFF.
        var h = new DeviceHarness();
        h.Reset(sidBits: 8);
        var steps = Explain(h, 0x100);
        Assert.Equal("stream table", Step(steps, "StreamID 0x100 is beyond the 8-bit table (min(STRTAB_BASE_CFG.LOG2SIZE 8, IDR1.SIDSIZE)): C_BAD_STREAMID").Stage);
    }

    [Fact]
    public void A_two_level_lookup_shows_the_l1std_and_the_ste_it_leads_to()
    {
        // IHI0070 §3.3.2: SPLIT 8, StreamID 0x305 reads L1STD[3] at STRTAB_BASE + 3 × 8, then STE 5 of its L2 array.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true);
        ulong l2 = h.AllocatePage(0x4000);
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (5 * 64)));
        var l1 = new L1StreamTableDescriptor { Span = 9, L2Ptr = l2 };
        ulong l1Address = DeviceHarness.StreamTableBase + (3 * 8);
        Assert.True(l1.TryWrite(h.Memory, l1Address));

        var steps = Explain(h, 0x305);
        var l1Step = Step(steps, $"2-level, SPLIT 8: L1STD[3] has Span 9, L2Ptr 0x{l2:X}");
        Assert.Equal(("stream table", l1Address, l1.Value), (l1Step.Stage, l1Step.Address, l1Step.Value));
        var steStep = Step(steps, StreamTableEntry.BypassEntry.ToString());
        Assert.Equal(l2 + (5 * 64), steStep.Address);

        // StreamID 0x405: L1STD[4] is zero (Span 0).
        Step(Explain(h, 0x405), "the L1STD does not cover StreamID 0x405 (Span 0, reserved, above SPLIT+1, or index 5 beyond 2^(Span-1)): C_BAD_STREAMID");
    }

    [Fact]
    public void Fetch_aborts_name_the_structure_and_its_address()
    {
        // IHI0070 §7.3.4: F_STE_FETCH for the L1STD and for the STE.
        var memory = new SparseMemory();
        var h = new DeviceHarness(memory: memory);
        h.Reset(sidBits: 16, twoLevel: true);
        ulong l1std = DeviceHarness.StreamTableBase + (0x12 * 8);
        memory.AddAbortRange(l1std, 8);
        var l1Step = Step(Explain(h, 0x1234), "L1STD fetch aborted: F_STE_FETCH");
        Assert.Equal(("stream table", l1std), (l1Step.Stage, l1Step.Address));

        ulong l2 = h.AllocatePage(0x4000);
        Assert.True(new L1StreamTableDescriptor { Span = 9, L2Ptr = l2 }.TryWrite(memory, DeviceHarness.StreamTableBase + (0x13 * 8)));
        memory.AddAbortRange(l2 + (0x34 * 64), 64);
        var steStep = Step(Explain(h, 0x1334), "STE fetch aborted: F_STE_FETCH");
        Assert.Equal(("STE", l2 + (0x34 * 64)), (steStep.Stage, steStep.Address));
    }

    [Fact]
    public void An_illegal_ste_and_an_invalid_cd_name_the_rule_and_the_event()
    {
        // IHI0070 §5.2.2 (S1CDMax above IDR1.SSIDSIZE) and §5.4.2 (CD.V = 0).
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 21));
        Assert.Equal("STE", Step(Explain(h, Sid), "invalid (IHI0070 §5.2.2): S1CDMax 21 exceeds IDR1.SSIDSIZE 20: C_BAD_STE").Stage);

        h.Memory.WriteUInt64(DeviceHarness.CdTableBase + (2 * 64), 0); // CD 2: V = 0
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2));
        Assert.Equal("CD", Step(Explain(h, Sid, ssid: 2), "invalid (IHI0070 §5.4.2): V = 0: C_BAD_CD").Stage);
    }

    [Fact]
    public void A_two_level_cd_table_shows_the_l1cd_its_validity_and_the_cd()
    {
        // IHI0070 §5.4: S1Fmt 0b01, leaves of 64 CDs; SubstreamID 0x45 reads L1CD[1], then CD 5 of its leaf.
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        ulong l1Table = h.AllocatePage();
        ulong leaf = h.AllocatePage();
        Assert.True(DeviceHarness.LinuxCd(9, h.NewTable()).TryWrite(h.Memory, leaf + (5 * 64)));
        var l1 = new L1ContextDescriptor { V = true, L2Ptr = leaf };
        Assert.True(l1.TryWrite(h.Memory, l1Table + 8));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(l1Table, s1CdMax: 8) with { S1Fmt = CdTableFormat.TwoLevel4K });

        var steps = Explain(h, Sid, ssid: 0x45);
        var l1Step = Step(steps, $"2-level CD table (S1Fmt 1): L1CD[1] V 1, L2Ptr 0x{leaf:X}");
        Assert.Equal(("CD", l1Table + 8, l1.Value), (l1Step.Stage, l1Step.Address, l1Step.Value));
        Assert.Single(steps, s => s.Text.StartsWith("CD 69: CD V=1 ASID=9 ", StringComparison.Ordinal) && s.Address == leaf + (5 * 64));

        // L1CD[2] is zero: SubstreamID 0x80 is refused.
        Assert.Equal("CD", Step(Explain(h, Sid, ssid: 0x80), "the L1CD is invalid: C_BAD_SUBSTREAMID").Stage);
    }

    [Fact]
    public void Cd_and_l1cd_fetch_aborts_name_f_cd_fetch_and_the_address()
    {
        // IHI0070 §7.3.6: an external abort on the CD or L1CD fetch is F_CD_FETCH.
        var memory = new SparseMemory();
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2), memory);
        memory.AddAbortRange(DeviceHarness.CdTableBase + 64, 64);
        var cdStep = Step(Explain(h, Sid, ssid: 1), "CD 1 fetch aborted: F_CD_FETCH");
        Assert.Equal(("CD", DeviceHarness.CdTableBase + 64), (cdStep.Stage, cdStep.Address));

        ulong l1Table = h.AllocatePage();
        memory.AddAbortRange(l1Table, 8);
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(l1Table, s1CdMax: 10) with { S1Fmt = CdTableFormat.TwoLevel64K });
        var l1Step = Step(Explain(h, Sid, ssid: 0x3FF), "L1CD fetch aborted: F_CD_FETCH"); // 0x3FF >> 10: L1CD[0]
        Assert.Equal(("CD", l1Table), (l1Step.Stage, l1Step.Address));
    }

    [Theory]
    [InlineData(2, EventType.CBadSubstreamId)]
    [InlineData(0, EventType.FCdFetch)]
    public void A_leaf_pointer_beyond_the_oas_names_the_oas(int archMinorRevision, EventType expected)
    {
        // IHI0070 §3.4.3: without stage 2, a CD address beyond the 48-bit OAS that L1CD.L2Ptr supplies is
        // C_BAD_SUBSTREAMID (SMMUv3.1 and later); SMMUv3.0 may report F_CD_FETCH. SubstreamID 0x41 is CD 1 of L1CD[1].
        var h = Stage1(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase), features: new SmmuFeatures { ArchitectureMinorRevision = archMinorRevision });
        ulong l1Table = h.AllocatePage();
        Assert.True(new L1ContextDescriptor { V = true, L2Ptr = 1UL << 48 }.TryWrite(h.Memory, l1Table + 8));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(l1Table, s1CdMax: 8) with { S1Fmt = CdTableFormat.TwoLevel4K });

        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read) { SubstreamId = 0x41 });
        Assert.Equal(expected, explanation.Result.Fault);
        Assert.Equal("CD", Step(explanation.Steps, "fetch address 0x1000000000040 is beyond the 48-bit OAS (IHI0070 §3.4.3)").Stage);
    }

    [Fact]
    public void A_nested_cd_fetch_shows_its_stage2_walk_as_a_cd_access()
    {
        // IHI0070 §3.4.3: with stage 2 on, S1ContextPtr is an IPA: four stage-2 descriptors (4K, SL0 2 = level 0)
        // are read for the CD fetch before the CD itself.
        var h = new DeviceHarness();
        h.Reset();
        ulong s2Root = h.NewTable();
        ulong pgd = h.NewTable();
        h.IdentityMapS2(s2Root, DeviceHarness.CdTableBase, DeviceHarness.CdTableBase + 0x1000);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        var s2 = DeviceHarness.Stage2Ste(s2Root, vmid: 3);
        h.InstallSte(Sid, s2 with { Config = SteConfig.Nested, S1ContextPtr = DeviceHarness.CdTableBase, S1CIR = 1, S1COR = 1, S1CSH = 3 });

        var steps = Explain(h, Sid);
        var cdWalk = steps.Where(s => s.Text.Contains("for a CD access", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["stage 2 level 0 descriptor read for a CD access: table", "stage 2 level 1 descriptor read for a CD access: table",
             "stage 2 level 2 descriptor read for a CD access: table", "stage 2 level 3 descriptor read for a CD access: page"],
            cdWalk.Select(s => s.Text));
        Assert.Equal(s2Root, cdWalk[0].Address);
        var cdStep = Assert.Single(steps, s => s.Stage == "CD" && s.Address == DeviceHarness.CdTableBase);
        var order = steps.ToList();
        Assert.True(order.IndexOf(cdWalk[3]) < order.IndexOf(cdStep));
    }
}
