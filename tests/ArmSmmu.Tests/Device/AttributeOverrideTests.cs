using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>STE attribute overrides on bypassed and stage-2-only traffic (IHI0070 §5.2 MTCFG..INSTCFG, §13.5).</summary>
public class AttributeOverrideTests
{
    private const uint Sid = 0x30;

    private static TransactionAttributes Bypass(StreamTableEntry ste, AccessKind access = AccessKind.Read, bool privileged = false, SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetSte(Sid, ste);
        var result = h.Smmu.Translate(new TranslationRequest(Sid, 0x4242_0000, access, Privileged: privileged));
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Equal(0x4242_0000UL, result.PhysicalAddress);
        return result.Attributes;
    }

    private static StreamTableEntry Ste => new() { V = true, Config = SteConfig.Bypass, SHCFG = 1 };

    [Fact]
    public void Without_overrides_the_incoming_attributes_pass_through()
    {
        // IHI0070 §13.5 bypass column: SHCFG 0b01 = incoming; MTCFG 0 = incoming type; the model's incoming is Normal WB ISH RA WA.
        var a = Bypass(Ste);
        Assert.Equal(MemoryAttributes.NormalWriteBack, a.Memory);
        Assert.False(a.Privileged);
        Assert.False(a.Instruction);
    }

    [Theory]
    [InlineData(0b0001u, MemoryType.DeviceNGnRE)]
    [InlineData(0b0011u, MemoryType.DeviceGRE)]
    [InlineData(0b0100u, MemoryType.DeviceNGnRnE)] // reserved, behaves as Device-nGnRnE
    [InlineData(0b1000u, MemoryType.DeviceNGnRnE)]
    [InlineData(0b1100u, MemoryType.DeviceNGnRnE)]
    public void Mtcfg_memattr_device_types_are_osh_and_never_allocate(uint memAttr, MemoryType type)
    {
        // IHI0070 §5.2 MemAttr/SHCFG/ALLOCCFG: Device is OSH, allocation hints have no effect.
        var a = Bypass(Ste with { MTCFG = true, MemAttr = memAttr, SHCFG = 0, ALLOCCFG = 0b1111 });
        Assert.Equal(new MemoryAttributes(type, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable, false, false), a.Memory);
    }

    [Fact]
    public void Mtcfg_normal_write_back_takes_shcfg_and_alloccfg()
    {
        // IHI0070 §5.2: MemAttr 0b1111 = Normal iWB oWB; SHCFG 0b00 = NSH; ALLOCCFG 0b1010 = RA 0, WA 1, TR 0.
        var a = Bypass(Ste with { MTCFG = true, MemAttr = 0b1111, SHCFG = 0, ALLOCCFG = 0b1010 });
        Assert.Equal(new MemoryAttributes(MemoryType.Normal, Cacheability.WriteBack, Cacheability.WriteBack, Shareability.NonShareable, false, true, false), a.Memory);
    }

    [Fact]
    public void Mtcfg_write_through_inner_with_transient_hint()
    {
        // MemAttr 0b1110 = outer WB, inner WT; SHCFG 0b10 = OSH; ALLOCCFG 0b1101 = RA 1, WA 0, TR 1.
        var a = Bypass(Ste with { MTCFG = true, MemAttr = 0b1110, SHCFG = 2, ALLOCCFG = 0b1101 });
        Assert.Equal(new MemoryAttributes(MemoryType.Normal, Cacheability.WriteThrough, Cacheability.WriteBack, Shareability.OuterShareable, true, false, true), a.Memory);
    }

    [Fact]
    public void Normal_non_cacheable_is_osh_and_ignores_shcfg_and_alloccfg()
    {
        // IHI0070 §5.2 SHCFG / ALLOCCFG: no effect on types other than Normal WB/WT; Normal iNC-oNC is OSH.
        var a = Bypass(Ste with { MTCFG = true, MemAttr = 0b0101, SHCFG = 3, ALLOCCFG = 0b1111 });
        Assert.Equal(new MemoryAttributes(MemoryType.Normal, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable, false, false), a.Memory);
    }

    [Fact]
    public void Alloccfg_0xxx_keeps_the_incoming_hints()
    {
        var a = Bypass(Ste with { ALLOCCFG = 0b0110 });
        Assert.True(a.Memory.ReadAllocate);
        Assert.True(a.Memory.WriteAllocate);
        Assert.False(a.Memory.Transient);
    }

    [Theory]
    [InlineData(0u, true, true)]
    [InlineData(1u, true, true)]   // reserved, behaves as 0b00
    [InlineData(2u, true, false)]
    [InlineData(3u, false, true)]
    public void Privcfg_overrides_the_privilege(uint privcfg, bool incoming, bool expected)
    {
        // IHI0070 §5.2 PRIVCFG: 00 incoming, 01 reserved (= 00), 10 unprivileged, 11 privileged.
        Assert.Equal(expected, Bypass(Ste with { PRIVCFG = privcfg }, privileged: incoming).Privileged);
    }

    [Theory]
    [InlineData(3u, AccessKind.Read, true)]
    [InlineData(3u, AccessKind.Write, false)]   // writes are always data
    [InlineData(2u, AccessKind.Execute, false)]
    [InlineData(1u, AccessKind.Execute, true)]  // reserved, behaves as 0b00
    [InlineData(0u, AccessKind.Execute, true)]
    public void Instcfg_overrides_instruction_or_data_for_reads(uint instcfg, AccessKind access, bool expected)
    {
        // IHI0070 §5.2 INSTCFG: 10 data, 11 instruction; only read transactions can be instruction fetches.
        Assert.Equal(expected, Bypass(Ste with { INSTCFG = instcfg }, access).Instruction);
    }

    [Fact]
    public void Overrides_are_res0_without_attr_types_ovr_and_attr_perms_ovr()
    {
        // IHI0070 §5.2: MTCFG/SHCFG/ALLOCCFG need IDR1.ATTR_TYPES_OVR; PRIVCFG/INSTCFG need IDR1.ATTR_PERMS_OVR.
        var features = SmmuFeatures.Default with { AttributeTypesOverride = false, AttributePermissionsOverride = false };
        var a = Bypass(Ste with { MTCFG = true, MemAttr = 1, SHCFG = 0, ALLOCCFG = 0b1000, PRIVCFG = 3, INSTCFG = 3 }, features: features);
        Assert.Equal(MemoryAttributes.NormalWriteBack, a.Memory);
        Assert.False(a.Privileged);
        Assert.False(a.Instruction);
    }

    [Fact]
    public void Stage2_only_combines_the_ste_override_with_the_stage2_attributes()
    {
        // IHI0070 §13.5 stage-2-only column: MT = Combine(STE.{MemAttr,MTCFG}, S2 MemAttr); SH = Combine(SHCFG, S2 SH).
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        h.Map4K(s2, 0x8000_0000, 0x9000_0000, DeviceHarness.S2ReadWrite); // Normal WB ISH
        h.SetSte(Sid, DeviceHarness.Stage2Ste(s2, 1) with { MTCFG = true, MemAttr = 0b0001, SHCFG = 1 });
        h.SetSte(Sid + 1, DeviceHarness.Stage2Ste(s2, 1) with { MTCFG = true, MemAttr = 0b1111, SHCFG = 2, ALLOCCFG = 0b1100 });

        var device = h.Read(Sid, 0x8000_0010);
        Assert.Equal(0x9000_0010UL, device.PhysicalAddress);
        Assert.Equal(MemoryType.DeviceNGnRE, device.Attributes.Memory.Type);

        var normal = h.Read(Sid + 1, 0x8000_0010).Attributes.Memory;
        Assert.Equal(new MemoryAttributes(MemoryType.Normal, Cacheability.WriteBack, Cacheability.WriteBack, Shareability.OuterShareable, true, false, false), normal);
    }

    [Fact]
    public void Privcfg_applies_to_stage1_permission_checks()
    {
        // IHI0070 §13.5 note / §5.2 PRIVCFG: the overridden PRIV attribute is the one checked against AP[1].
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        const ulong privilegedOnly = DeviceHarness.S1ReadWrite & ~(1UL << 6); // AP[1] = 0: EL0 has no access
        h.Map4K(pgd, 0x5000, 0x6000_5000, privilegedOnly);
        Assert.True(DeviceHarness.LinuxCd(2, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { PRIVCFG = 3 });

        var result = h.Read(Sid, 0x5000);
        Assert.Equal(0x6000_5000UL, result.PhysicalAddress);
        Assert.True(result.Attributes.Privileged);
    }
}
