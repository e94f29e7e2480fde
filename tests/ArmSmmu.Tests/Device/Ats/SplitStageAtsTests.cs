using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>Split-stage ATS, STE.EATS = 0b10 (IHI0070 §5.2 EATS, §13.6.3): completions carry IPAs, Translated traffic is stage-2 translated.</summary>
public class SplitStageAtsTests
{
    private const uint Sid = 0x20;
    private const ulong Va = 0x4000_0000;
    private const ulong Ipa = 0x6000_0000;
    private const ulong Pa = 0x8800_0000;
    private const ulong UnmappedIpa = 0x6000_1000;

    private static (DeviceHarness H, StreamTableEntry Ste) Nested(SmmuFeatures features, AtsEnable eats)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        ulong s1 = h.NewTable();
        ulong s2 = h.NewTable();
        h.Map4K(s1, Va, Ipa, DeviceHarness.S1ReadWrite);
        h.Map4K(s1, Va + 0x1000, UnmappedIpa, DeviceHarness.S1ReadWrite);
        h.Map4K(s2, Ipa, Pa, DeviceHarness.S2ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, s1).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.IdentityMapS2(s2, DeviceHarness.CdTableBase, DeviceHarness.CdTableBase + 0x1000);
        h.IdentityMapS2(s2, 0x2000_0000, h.AllocationMark);
        var ste = DeviceHarness.Stage2Ste(s2, vmid: 3) with
        {
            Config = SteConfig.Nested,
            S1ContextPtr = DeviceHarness.CdTableBase,
            S1CIR = 1,
            S1COR = 1,
            S1CSH = 3,
            S1STALLD = true,
            EATS = eats,
        };
        h.SetSte(Sid, ste);
        return (h, ste);
    }

    private static readonly SmmuFeatures SplitStage = SmmuFeatures.Default with { SplitStageAts = true };

    [Fact]
    public void Nsats_advertises_split_stage_support()
    {
        // IHI0070 §6.3.1: IDR0.NS1ATS (bit 11) = 1 means split-stage ATS is NOT supported.
        Assert.NotEqual(0u, SmmuFeatures.Default.Idr0 & (1u << 11));
        Assert.Equal(0u, SplitStage.Idr0 & (1u << 11));
    }

    [Fact]
    public void The_completion_carries_the_stage_one_ipa()
    {
        var (h, _) = Nested(SplitStage, AtsEnable.SplitStage);
        h.WriteAndPoll(SmmuRegister.CR0, 0xD | (uint)Cr0Flags.ATSCHK, SmmuRegister.CR0ACK);
        var c = h.Smmu.RequestAtsTranslation(new TranslationRequest(Sid, Va + 0x10, AccessKind.Write));

        // IHI0070 §13.6.3: the IPA stage 1 produced; permissions from both stages.
        Assert.Equal(AtsCompletionStatus.Success, c.Status);
        Assert.Equal(Ipa, c.TranslatedAddress);
        Assert.True(c.Read && c.Write);
    }

    [Fact]
    public void Full_ats_on_the_same_nested_stream_returns_the_pa()
    {
        var (h, _) = Nested(SplitStage, AtsEnable.Full);
        var c = h.Smmu.RequestAtsTranslation(new TranslationRequest(Sid, Va, AccessKind.Read));
        Assert.Equal(Pa, c.TranslatedAddress);
    }

    [Fact]
    public void Translated_ipas_are_translated_by_stage_two_and_its_faults_recorded()
    {
        var (h, _) = Nested(SplitStage, AtsEnable.SplitStage);
        h.WriteAndPoll(SmmuRegister.CR0, 0xD | (uint)Cr0Flags.ATSCHK, SmmuRegister.CR0ACK);

        var ok = h.Smmu.Translate(new TranslationRequest(Sid, Ipa + 0x44, AccessKind.Write, Kind: TransactionKind.AtsTranslated));
        Assert.Equal(TranslationOutcome.Translated, ok.Outcome);
        Assert.Equal(Pa + 0x44, ok.PhysicalAddress);

        // IHI0070 §3.9.1.3: a stage-2 fault of a Translated transaction is recorded like an ordinary one.
        var bad = h.Smmu.Translate(new TranslationRequest(Sid, UnmappedIpa, AccessKind.Read, Kind: TransactionKind.AtsTranslated));
        Assert.Equal(EventType.FTranslation, bad.Fault);
        var e = Assert.Single(h.DrainEvents());
        Assert.True(e.S2);
        Assert.Equal(UnmappedIpa, e.InputAddress);
    }

    [Fact]
    public void Without_atschk_split_stage_behaves_as_eats_zero()
    {
        var (h, _) = Nested(SplitStage, AtsEnable.SplitStage);

        // IHI0070 §5.2 EATS: 0b10 with ATSCHK = 0 behaves as 0b00: UR + F_BAD_ATS_TREQ.
        var c = h.Smmu.RequestAtsTranslation(new TranslationRequest(Sid, Va, AccessKind.Read));
        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, c.Status);
        Assert.Equal(EventType.FBadAtsTreq, Assert.Single(h.DrainEvents()).Type);
    }

    [Fact]
    public void Split_stage_is_illegal_when_ns1ats_is_one()
    {
        var (h, _) = Nested(SmmuFeatures.Default, AtsEnable.SplitStage);

        // IHI0070 §5.2 EATS: NS1ATS = 1 makes EATS = 0b10 ILLEGAL: C_BAD_STE for traffic, CA for a Translation Request.
        Assert.Equal(EventType.CBadSte, h.Read(Sid, Va).Fault);
        Assert.Equal(AtsCompletionStatus.CompleterAbort, h.Smmu.RequestAtsTranslation(new TranslationRequest(Sid, Va, AccessKind.Read)).Status);
    }

    [Fact]
    public void Split_stage_is_illegal_without_both_stages_even_when_supported()
    {
        var h = new DeviceHarness(SplitStage);
        h.Reset();
        h.SetSte(Sid, DeviceHarness.Stage2Ste(h.NewTable(), 1) with { EATS = AtsEnable.SplitStage });

        // IHI0070 §5.2 EATS: 0b10 needs Config = 0b111.
        Assert.Equal(EventType.CBadSte, h.Read(Sid, 0x1000).Fault);
    }

    [Fact]
    public void Eats_is_ignored_for_a_bypass_ste()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, StreamTableEntry.BypassEntry with { EATS = AtsEnable.SplitStage });

        // IHI0070 §5.2: EATS is IGNORED when Config[1:0] = 0b00, so the STE is legal and bypasses.
        Assert.Equal(TranslationOutcome.Bypassed, h.Read(Sid, 0x1000).Outcome);
    }
}
