using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Two stage-1 streams whose translation faults stall (IHI0070 §5.5: CD.S = 1 with STE.S1STALLD = 0); page 0x1000
/// is mapped, <see cref="Unmapped"/> is not. Records every <see cref="SmmuV3.StallResolved"/>.
/// </summary>
internal sealed class StallFixture
{
    public const uint Sid = 0x10;
    public const uint OtherSid = 0x11;
    public const ulong Unmapped = 0x7000;

    public StallFixture(SmmuFeatures? features = null)
    {
        H = new DeviceHarness(features);
        H.Reset();
        H.Smmu.StallResolved += (_, e) => Resolved.Add(e);
        ulong pgd = H.NewTable();
        H.Map4K(pgd, 0x1000, 0x8000_1000, DeviceHarness.S1ReadWrite);
        var cd = DeviceHarness.LinuxCd(1, pgd) with { S = true };
        Assert.True(cd.TryWrite(H.Memory, DeviceHarness.CdTableBase));
        var ste = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = false };
        H.InstallSte(Sid, ste);
        H.InstallSte(OtherSid, ste);
    }

    public DeviceHarness H { get; }

    public List<StallResolvedEventArgs> Resolved { get; } = [];

    public TranslationResult Stall(uint sid = Sid) => H.Read(sid, Unmapped);

    /// <summary>Turns CR0.EVENTQEN off (records of stalls are then held) or on, keeping SMMUEN and CMDQEN.</summary>
    public void EventQueue(bool on) =>
        H.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN | (on ? Cr0Flags.EVENTQEN : 0)), SmmuRegister.CR0ACK);
}
