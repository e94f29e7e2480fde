using Op = ArmSmmu.BroadcastTlbiOperation;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Broadcast TLB maintenance on an SMMU without IDR0.Hyp (IHI0070 §3.17.2, §3.17.5): it holds no EL2 entries, so the
/// EL2 forms and the VHE host's EL2&amp;0 forms remove nothing and leave the EL1 entries; a malformed message is refused.
/// </summary>
public class BroadcastWithoutHypTests
{
    private const uint Sid = 4;
    private const ushort Asid = 6;
    private const ulong Va = 0x0080_0000;
    private const ulong OldPa = 0x5000_0000;
    private const ulong NewPa = 0x5800_0000;

    // An EL1 stage-1 translation cached in the TLB, its page then remapped: only a removed entry shows NewPa.
    private static DeviceHarness CachedEl1Stream()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { Hyp = false });
        h.Reset();
        h.SetCr2(0x2); // RECINVSID, PTM = 0: the SMMU takes part in broadcast TLB maintenance (§6.3.12)
        ulong root = h.NewTable();
        h.Map4K(root, Va, OldPa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(Asid, root).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        Assert.Equal(OldPa, h.Read(Sid, Va).PhysicalAddress);
        h.Map4K(root, Va, NewPa, DeviceHarness.S1ReadWrite);
        return h;
    }

    public static TheoryData<BroadcastInvalidation> El2Forms => new()
    {
        new BroadcastInvalidation(Op.ALLE2IS, IssuedFrom: ExceptionLevel.EL2),
        new BroadcastInvalidation(Op.VAE2IS, Va, Asid: Asid, IssuedFrom: ExceptionLevel.EL2),
        new BroadcastInvalidation(Op.VAE1IS, Va, Asid: Asid, IssuedFrom: ExceptionLevel.EL2, HostE2H: true),
        new BroadcastInvalidation(Op.VAAE1IS, Va, IssuedFrom: ExceptionLevel.EL2, HostE2H: true),
        new BroadcastInvalidation(Op.VMALLE1IS, IssuedFrom: ExceptionLevel.EL2, HostE2H: true),
        new BroadcastInvalidation(Op.ASIDE1IS, Asid: Asid, IssuedFrom: ExceptionLevel.EL2, HostE2H: true),
    };

    [Theory]
    [MemberData(nameof(El2Forms))]
    public void Section_3_17_5_el2_forms_remove_nothing_without_hyp(BroadcastInvalidation message)
    {
        var h = CachedEl1Stream();

        Assert.Equal(0, h.Smmu.ReceiveBroadcastInvalidation(message));
        Assert.Equal(OldPa, h.Read(Sid, Va).PhysicalAddress);
    }

    [Fact]
    public void Section_3_17_2_the_el1_form_still_removes_the_el1_entry()
    {
        var h = CachedEl1Stream();

        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.VAE1IS, Va, Asid: Asid)));
        Assert.Equal(NewPa, h.Read(Sid, Va).PhysicalAddress);
    }

    // DDI0487 D8.16: FEAT_TTL hints levels 0-3 only.
    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void A_ttl_hint_outside_levels_0_to_3_is_refused(int level)
    {
        var h = CachedEl1Stream();

        Assert.Throws<ArgumentException>(() => h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.VAE1IS, Va, Asid: Asid, LastLevel: level)));
        Assert.Equal(OldPa, h.Read(Sid, Va).PhysicalAddress);
    }
}
