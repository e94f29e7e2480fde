using ArmSmmu.Memory;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// <see cref="SmmuV3.Explain"/> on a translation fault names the event, the stage, the CLASS and what the fault
/// configuration of IHI0070 §5.5 makes of it (CD.A/R/S at stage 1, STE.S2S/S2R at stage 2), and agrees with
/// what the device then does.
/// </summary>
public class FaultExplainTests
{
    private const uint Sid = 0x10;
    private const ulong Unmapped = 0x7000;

    private static DeviceHarness Stage1(Func<ContextDescriptor, ContextDescriptor> cd, bool stallDisabled = true, SparseMemory? memory = null) =>
        Stage1(cd, out _, stallDisabled, memory);

    private static DeviceHarness Stage1(Func<ContextDescriptor, ContextDescriptor> cd, out ulong pgd, bool stallDisabled = true, SparseMemory? memory = null)
    {
        var h = new DeviceHarness(memory: memory);
        h.Reset();
        pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(cd(DeviceHarness.LinuxCd(1, pgd)).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = stallDisabled });
        return h;
    }

    private static string FaultNote(DeviceHarness h, ulong address) =>
        Assert.Single(
            h.Smmu.Explain(new TranslationRequest(Sid, address, AccessKind.Read)).Steps,
            s => s.Stage == "result" && s.Text.StartsWith("F_", StringComparison.Ordinal)).Text;

    [Fact]
    public void A_stage1_fault_with_cd_a_and_r_is_an_abort_that_is_recorded()
    {
        var h = Stage1(cd => cd); // Linux's CD: A = 1, R = 1, S = 0
        Assert.Equal("F_TRANSLATION at stage 1, CLASS IN: abort, recorded (CD.A/R/S, IHI0070 §5.5)", FaultNote(h, Unmapped));
        var result = h.Read(Sid, Unmapped);
        Assert.Equal((Termination.Abort, true), (result.Termination, result.FaultRecorded));
    }

    [Fact]
    public void A_stage1_fault_without_cd_a_and_r_is_raz_wi_and_not_recorded()
    {
        var h = Stage1(cd => cd with { A = false, R = false });
        Assert.Equal("F_TRANSLATION at stage 1, CLASS IN: RAZ/WI, not recorded (CD.A/R/S, IHI0070 §5.5)", FaultNote(h, Unmapped));
        var result = h.Read(Sid, Unmapped);
        Assert.Equal((Termination.RazWi, false), (result.Termination, result.FaultRecorded));
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void A_stage1_fault_with_cd_s_stalls_and_is_recorded()
    {
        var h = Stage1(cd => cd with { S = true, R = false }, stallDisabled: false);
        Assert.Equal("F_TRANSLATION at stage 1, CLASS IN: stall, recorded (CD.A/R/S, IHI0070 §5.5)", FaultNote(h, Unmapped));
        Assert.Equal(TranslationOutcome.Stalled, h.Read(Sid, Unmapped).Outcome);
    }

    [Fact]
    public void A_stage2_fault_follows_s2r()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        h.InstallSte(Sid, DeviceHarness.Stage2Ste(s2, vmid: 3));
        Assert.Equal("F_TRANSLATION at stage 2, CLASS IN: abort, recorded (STE.S2S/S2R, IHI0070 §5.5)", FaultNote(h, Unmapped));

        h.InstallSte(Sid, DeviceHarness.Stage2Ste(s2, vmid: 3) with { S2R = false });
        Assert.Equal("F_TRANSLATION at stage 2, CLASS IN: abort, not recorded (STE.S2S/S2R, IHI0070 §5.5)", FaultNote(h, Unmapped));
        Assert.False(h.Read(Sid, Unmapped).FaultRecorded);
    }

    [Fact]
    public void An_external_abort_on_the_walk_is_always_an_abort_and_recorded_whatever_the_cd_says()
    {
        // IHI0070 §5.5: F_WALK_EABT is not one of the four configurable faults.
        var memory = new SparseMemory();
        var h = Stage1(cd => cd with { A = false, R = false }, out ulong pgd, memory: memory);
        memory.AddAbortRange(pgd, 0x1000);
        Assert.Equal("F_WALK_EABT at stage 1, CLASS TT: abort, recorded", FaultNote(h, Unmapped));
        var result = h.Read(Sid, Unmapped);
        Assert.Equal((EventType.FWalkEabt, Termination.Abort, true), (result.Fault, result.Termination, result.FaultRecorded));
    }
}
