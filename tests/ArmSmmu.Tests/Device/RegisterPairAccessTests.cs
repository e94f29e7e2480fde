namespace ArmSmmu.Tests.Device;

/// <summary>
/// A 64-bit write at the offset of a 32-bit register acts as two 32-bit writes, low word first, to it and the register
/// above it (IHI0070 §6.2; SmmuV3.WriteRegister64), each with its own access rules.
/// </summary>
public class RegisterPairAccessTests
{
    [Fact]
    public void Section_6_2_a_64_bit_write_to_irq_ctrl_writes_irq_ctrl_and_leaves_the_read_only_ack_to_the_smmu()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);

        // IRQ_CTRL (0x50) low, IRQ_CTRLACK (0x54, read-only) high.
        h.Smmu.WriteRegister64(SmmuRegister.IRQ_CTRL, 0x0000_0003_0000_0004UL);

        Assert.Equal(0x4u, h.Smmu.ReadRegister32(SmmuRegister.IRQ_CTRL));
        Assert.Equal(0x4u, h.Smmu.ReadRegister32(SmmuRegister.IRQ_CTRLACK)); // the ack of the write, not the 0x3 written to it
    }

    [Fact]
    public void Section_6_3_24_a_64_bit_write_to_strtab_base_cfg_sets_it_and_not_the_reserved_word_above()
    {
        var h = new DeviceHarness(); // SMMUEN = 0: STRTAB_BASE_CFG is writable

        h.Smmu.WriteRegister64(SmmuRegister.STRTAB_BASE_CFG, 0xFFFF_FFFF_0000_0008UL);

        Assert.Equal(0x8u, h.Smmu.ReadRegister32(SmmuRegister.STRTAB_BASE_CFG)); // FMT 0b00 (linear), LOG2SIZE 8
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.STRTAB_BASE_CFG + 4));       // 0x8C is reserved: RAZ/WI
    }
}
