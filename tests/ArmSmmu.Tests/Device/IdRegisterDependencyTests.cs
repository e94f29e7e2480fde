namespace ArmSmmu.Tests.Device;

/// <summary>ID register fields whose value depends on other features: the RES0 dependencies of IHI0070 §6.3.1-§6.3.6.</summary>
public class IdRegisterDependencyTests
{
    private static uint Read(SmmuFeatures features, ulong offset) => new SmmuV3(new SparseMemory(), features).ReadRegister32(offset);

    private static bool Bit(uint value, int bit) => ((value >> bit) & 1) != 0;

    [Fact]
    public void Section_6_3_1_fields_that_need_stage_2_read_zero_without_it()
    {
        uint idr0 = Read(SmmuFeatures.Default with { Stage2 = false }, SmmuRegister.IDR0);
        Assert.False(Bit(idr0, 17)); // VMW: RES0 when S2P == 0
        Assert.False(Bit(idr0, 9));  // Hyp: RES0 when S1P == 0 or S2P == 0
        Assert.False(Bit(idr0, 11)); // NS1ATS: RES0 when ATS, S1P or S2P is 0
        Assert.True(Bit(Read(SmmuFeatures.Default, SmmuRegister.IDR0), 17));
    }

    [Fact]
    public void Section_6_3_1_fields_that_need_ATS_read_zero_without_it()
    {
        uint idr0 = Read(SmmuFeatures.Default with { Ats = false, AtsRecordErrors = true }, SmmuRegister.IDR0);
        Assert.False(Bit(idr0, 16)); // PRI: RES0 when ATS == 0
        Assert.False(Bit(idr0, 23)); // ATSRECERR: RES0 when ATS == 0
        Assert.False(Bit(idr0, 11)); // NS1ATS
        Assert.True(Bit(Read(SmmuFeatures.Default with { AtsRecordErrors = true }, SmmuRegister.IDR0), 23));
    }

    [Fact]
    public void Section_6_3_1_Hyp_needs_stage_1_too()
    {
        Assert.False(Bit(Read(SmmuFeatures.Default with { Stage1 = false }, SmmuRegister.IDR0), 9));
        Assert.True(Bit(Read(SmmuFeatures.Default, SmmuRegister.IDR0), 9));
    }

    [Fact]
    public void Section_6_3_4_HAD_is_zero_without_stage_1()
    {
        Assert.False(Bit(Read(SmmuFeatures.Default with { Stage1 = false }, SmmuRegister.IDR3), 2));
        Assert.True(Bit(Read(SmmuFeatures.Default, SmmuRegister.IDR3), 2));
    }

    [Fact]
    public void Section_6_3_6_STALL_MAX_is_RES0_when_the_stall_model_is_not_supported()
    {
        Assert.Equal(0u, Read(SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, SmmuRegister.IDR5) >> 16);
        Assert.Equal(256u, Read(SmmuFeatures.Default, SmmuRegister.IDR5) >> 16);
    }
}
