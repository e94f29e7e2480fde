using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// The ATTR and SH fields of a successful SMMU_GATOS_PAR (IHI0070 §6.3.40): the MAIR-format attribute byte of the
/// translation (DDI0487 D8.6: Device 0b0000dd00, Normal nibbles WB 0b11RW, WT 0b10RW, transient 0b01RW / 0b00RW) and
/// its shareability, Outer Shareable for any Device type; and stage 1 skipped by STE.S1DSS (§9.1.3).
/// </summary>
public class AtosAttributeTests
{
    private const uint Sid = 2;
    private const ulong Va = 0x4000_0000;
    private const ulong Pa = 0x8000_0000;

    private static GatosParRegister AtosStage1(DeviceHarness h, ulong address)
    {
        // GATOS_ADDR: TYPE [11:10] = 0b01 (stage 1), RnW [8] = 1 (read); GATOS_CTRL.RUN starts it (§6.3.37-§6.3.39).
        h.Smmu.WriteRegister64(SmmuRegister.GATOS_SID, Sid);
        h.Smmu.WriteRegister64(SmmuRegister.GATOS_ADDR, (address & ~0xFFFUL) | (1UL << 10) | (1UL << 8));
        h.Smmu.WriteRegister32(SmmuRegister.GATOS_CTRL, 1);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GATOS_CTRL));
        return new GatosParRegister(h.Smmu.ReadRegister64(SmmuRegister.GATOS_PAR));
    }

    // A stage-1 page whose AttrIndx 1 selects <paramref name="mairByte"/> and whose descriptor SH[9:8] is <paramref name="sh"/>.
    private static DeviceHarness PageWith(byte mairByte, uint sh)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong root = h.NewTable();
        ulong leaf = (DeviceHarness.S1ReadWrite & ~(3UL << 8)) | ((ulong)sh << 8); // AttrIndx 1
        h.Map4K(root, Va, Pa, leaf);
        var cd = DeviceHarness.LinuxCd(1, root) with { MAIR = 0xF404_0044UL | ((ulong)mairByte << 8) };
        Assert.True(cd.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        return h;
    }

    [Theory]
    [InlineData(0x00, 0b11, 0x00, 0b10)] // Device-nGnRnE: SH reads Outer Shareable whatever the descriptor says
    [InlineData(0x04, 0b00, 0x04, 0b10)] // Device-nGnRE
    [InlineData(0x0C, 0b11, 0x0C, 0b10)] // Device-GRE
    [InlineData(0xBB, 0b10, 0xBB, 0b10)] // Normal write-through read/write-allocate, Outer Shareable
    [InlineData(0x77, 0b11, 0x77, 0b11)] // Normal write-back transient read/write-allocate, Inner Shareable
    [InlineData(0x33, 0b11, 0x33, 0b11)] // Normal write-through transient read/write-allocate
    [InlineData(0xFF, 0b00, 0xFF, 0b00)] // Normal write-back, Non-shareable
    [InlineData(0x4F, 0b11, 0x4F, 0b11)] // outer Non-cacheable, inner write-back
    public void Section_6_3_40_par_attr_is_the_mair_byte_and_sh_the_shareability_of_the_translation(byte mairByte, uint descriptorSh, byte attr, uint sh)
    {
        var par = AtosStage1(PageWith(mairByte, descriptorSh), Va + 0x10);

        Assert.False(par.Fault);
        Assert.Equal(Pa, par.OutputAddress);
        Assert.Equal(attr, par.Attr);
        Assert.Equal(sh, par.SH);
    }

    // IHI0070 §9.1.3: with S1DSS = 0b01 a request without a SubstreamID bypasses stage 1: the input address, 4 KB,
    // Normal write-back Inner Shareable; an input address beyond IAS is a stage-1 address size fault.
    [Fact]
    public void Section_9_1_3_stage_1_bypassed_by_s1dss_returns_the_input_address_as_normal_write_back()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 1, s1dss: 1));

        var par = AtosStage1(h, 0x1234_5678_9000);
        Assert.False(par.Fault);
        Assert.Equal(0x1234_5678_9000UL, par.OutputAddress);
        Assert.Equal(12, par.SizeShift);
        Assert.Equal(0xFF, par.Attr);
        Assert.Equal(0b11u, par.SH);

        var tooWide = AtosStage1(h, 1UL << h.Smmu.Features.InputAddressBits);
        Assert.True(tooWide.Fault);
        Assert.Equal((byte)EventType.FAddrSize, tooWide.FaultCode);
    }
}
