namespace ArmSmmu.Tests.Device.Secure;

/// <summary>S_IDR2-S_IDR4 (IHI0070 §6.3.45-§6.3.48): read-only, and zero on an SMMU without Secure EL2 or the later Secure features.</summary>
public class SecureIdRegisterTests
{
    [Theory]
    [InlineData(0x8008UL)] // S_IDR2
    [InlineData(0x800CUL)] // S_IDR3
    [InlineData(0x8010UL)] // S_IDR4
    public void Section_6_3_s_idr2_to_4_read_zero_and_ignore_writes(ulong offset)
    {
        var h = new SecureHarness();
        h.Smmu.WriteRegister32(offset, 0xFFFF_FFFF);

        Assert.Equal(0u, h.Smmu.ReadRegister32(offset));
        Assert.NotEqual(0u, h.Smmu.ReadRegister32(SecureHarness.SIdr1)); // the implemented S_IDR1 is not zero
    }
}
