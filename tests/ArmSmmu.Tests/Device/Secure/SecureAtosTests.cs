using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Secure;

/// <summary>
/// Secure address translation operations, SMMU_S_GATOS_* (IHI0070 §6.3.83-§6.3.86, §9.1): SSEC selects the Secure or
/// the Non-secure Stream table, RUN needs S_CR0.SMMUEN, S_GATOS_PAR reports the output PA space in NS [10].
/// </summary>
public class SecureAtosTests
{
    private const uint Sid = 5;
    private const ushort Asid = 7;
    private const ulong Va = 0x4000_0000;
    private const ulong SecurePa = 0x7_0000_0000;
    private const ulong NonSecurePa = 0x8_0000_0000;
    private const ulong Ssec = 1UL << 53;          // S_GATOS_SID.SSEC
    private const ulong Stage1Read = (0b01UL << 10) | (1UL << 8); // S_GATOS_ADDR TYPE = stage 1, RnW = read
    private const ulong LeafNs = 1UL << 5;         // stage-1 block/page descriptor NS

    private static SecureHarness TwoStreams(ulong secureLeafExtra = 0)
    {
        var h = new SecureHarness();
        h.Ns.Map4K(h.Stage1Stream(secure: true, Sid, Asid), Va, SecurePa, DeviceHarness.S1ReadWrite | secureLeafExtra);
        h.Ns.Map4K(h.Stage1Stream(secure: false, Sid, Asid), Va, NonSecurePa, DeviceHarness.S1ReadWrite);
        return h;
    }

    private static GatosParRegister RunSecure(SecureHarness h, ulong sid, ulong addr)
    {
        h.Smmu.WriteRegister64(SecureHarness.SGatosSid, sid);
        h.Smmu.WriteRegister64(SecureHarness.SGatosAddr, addr);
        h.Smmu.WriteRegister32(SecureHarness.SGatosCtrl, 1);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SecureHarness.SGatosCtrl)); // RUN is clear once PAR holds the result
        return new GatosParRegister(h.Smmu.ReadRegister64(SecureHarness.SGatosPar));
    }

    [Fact]
    public void Section_9_1_2_s_gatos_ssec_selects_the_secure_or_the_non_secure_stream_table()
    {
        var h = TwoStreams();

        var secure = RunSecure(h, Sid | Ssec, Va + 0x123 | Stage1Read);
        Assert.False(secure.Fault);
        Assert.Equal(SecurePa, secure.OutputAddress);
        Assert.False(secure.NS); // §6.3.86: a Secure walk with NS = 0 outputs Secure

        var nonSecure = RunSecure(h, Sid, Va | Stage1Read);
        Assert.False(nonSecure.Fault);
        Assert.Equal(NonSecurePa, nonSecure.OutputAddress);
        Assert.True(nonSecure.NS); // a Non-secure stream's output is Non-secure

        // The Non-secure group sees the Non-secure stream only and has no NS bit (RES0 in GATOS_PAR), nor SSEC.
        h.Smmu.WriteRegister64(SmmuRegister.GATOS_SID, Sid | Ssec);
        Assert.Equal((ulong)Sid, h.Smmu.ReadRegister64(SmmuRegister.GATOS_SID));
        h.Smmu.WriteRegister64(SmmuRegister.GATOS_ADDR, Va | Stage1Read);
        h.Smmu.WriteRegister32(SmmuRegister.GATOS_CTRL, 1);
        var viaNs = new GatosParRegister(h.Smmu.ReadRegister64(SmmuRegister.GATOS_PAR));
        Assert.Equal(NonSecurePa, viaNs.OutputAddress);
        Assert.Equal(0UL, viaNs.Value & (1UL << 10));

        // Operations record no event on either side (§9).
        Assert.Empty(h.Ns.DrainEvents());
        Assert.Empty(h.DrainSecureEvents());
    }

    [Fact]
    public void S_gatos_registers_survive_save_and_restore_format_4()
    {
        var h = TwoStreams(secureLeafExtra: LeafNs);
        var par = RunSecure(h, Sid | Ssec, Va | Stage1Read);
        var snapshot = new MemoryStream();
        h.Smmu.SaveState(snapshot);

        var restored = new SmmuV3(h.Memory, h.Smmu.Features);
        snapshot.Position = 0;
        restored.RestoreState(snapshot);
        Assert.Equal(Sid | Ssec, restored.ReadRegister64(SecureHarness.SGatosSid));
        Assert.Equal(Va | Stage1Read, restored.ReadRegister64(SecureHarness.SGatosAddr));
        Assert.Equal(par.Value, restored.ReadRegister64(SecureHarness.SGatosPar));
        Assert.True(new GatosParRegister(restored.ReadRegister64(SecureHarness.SGatosPar)).NS);
    }

    [Fact]
    public void Section_6_3_86_s_gatos_par_ns_is_the_final_ns_of_a_secure_walk()
    {
        var h = TwoStreams(secureLeafExtra: LeafNs);
        var par = RunSecure(h, Sid | Ssec, Va | Stage1Read);
        Assert.Equal(SecurePa, par.OutputAddress);
        Assert.True(par.NS);
        Assert.True(h.Read(secure: true, Sid, Va).Attributes.NonSecure); // the same answer a transaction gets
    }

    [Theory]
    [InlineData(0b10UL)] // stage 2
    [InlineData(0b11UL)] // stage 1 and 2
    public void Section_9_1_3_a_stage_2_request_for_a_secure_streamid_is_inv_stage_without_sel2(ulong type)
    {
        var h = TwoStreams();
        var par = RunSecure(h, Sid | Ssec, Va | (type << 10) | (1UL << 8));
        Assert.True(par.Fault);
        Assert.Equal(AtosFaultCode.InvalidStage, par.FaultCode);
    }

    [Fact]
    public void Section_6_3_83_s_gatos_run_needs_s_cr0_smmuen_and_a_non_secure_streamid_also_smmu_cr0_smmuen()
    {
        var h = TwoStreams();
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xC); // S_CR0.SMMUEN = 0
        Assert.Equal(AtosFaultCode.InternalError, RunSecure(h, Sid | Ssec, Va | Stage1Read).FaultCode);
        Assert.Equal(AtosFaultCode.InternalError, RunSecure(h, Sid, Va | Stage1Read).FaultCode);

        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xD);
        h.Smmu.WriteRegister32(SmmuRegister.CR0, h.Smmu.ReadRegister32(SmmuRegister.CR0) & ~1u); // SMMU_CR0.SMMUEN = 0
        Assert.Equal(AtosFaultCode.InternalError, RunSecure(h, Sid, Va | Stage1Read).FaultCode); // §9.1.1 note
        Assert.Equal(SecurePa, RunSecure(h, Sid | Ssec, Va | Stage1Read).OutputAddress);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Section_6_3_83_without_idr0_atos_or_secure_impl_the_s_gatos_registers_are_res0(bool secure, bool atos)
    {
        var h = new SecureHarness(SmmuFeatures.Default with { Secure = secure, Atos = atos });
        h.Smmu.WriteRegister64(SecureHarness.SGatosSid, Sid | Ssec);
        h.Smmu.WriteRegister64(SecureHarness.SGatosAddr, Va | Stage1Read);
        h.Smmu.WriteRegister32(SecureHarness.SGatosCtrl, 1);
        Assert.Equal(0UL, h.Smmu.ReadRegister64(SecureHarness.SGatosSid));
        Assert.Equal(0UL, h.Smmu.ReadRegister64(SecureHarness.SGatosAddr));
        Assert.Equal(0UL, h.Smmu.ReadRegister64(SecureHarness.SGatosPar));
    }
}
