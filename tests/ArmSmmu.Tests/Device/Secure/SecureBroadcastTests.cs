using ArmSmmu.Structures;
using Op = ArmSmmu.BroadcastTlbiOperation;

namespace ArmSmmu.Tests.Device.Secure;

/// <summary>
/// Broadcast TLB maintenance and the Secure side (IHI0070 §3.17.2, §3.17.4, §6.3.60 SMMU_S_CR2.PTM): Secure EL1
/// TLBIs reach StreamWorld Secure entries, EL3 TLBIs StreamWorld EL3 entries, Non-secure TLBIs neither.
/// </summary>
public class SecureBroadcastTests
{
    private const uint Sid = 5;   // a Secure (S-EL1) and a Non-secure stream with this StreamID
    private const uint El3Sid = 1; // a Secure stream with STRW 0b01 (EL3)
    private const ushort Asid = 7; // the same ASID on both sides
    private const ulong Va = 0x4000_0000;
    private const ulong SecurePa = 0x7_0000_0000;
    private const ulong El3Pa = 0x7_1000_0000;
    private const ulong NonSecurePa = 0x8_0000_0000;

    // The three entries cached, then unmapped: an entry still translates to its PA while cached and faults once removed.
    private static SecureHarness ThreeCachedEntries()
    {
        var h = new SecureHarness();
        h.Ns.SetCr2(0x2); // SMMU_CR2.PTM = 0: the Non-secure side takes part too
        ulong sRoot = h.Stage1Stream(secure: true, Sid, Asid);
        ulong el3Root = h.Stage1Stream(secure: true, El3Sid, 0, strw: 0b01);
        ulong nsRoot = h.Stage1Stream(secure: false, Sid, Asid);
        h.Ns.Map4K(sRoot, Va, SecurePa, DeviceHarness.S1ReadWrite);
        h.Ns.Map4K(el3Root, Va, El3Pa, DeviceHarness.S1ReadWrite);
        h.Ns.Map4K(nsRoot, Va, NonSecurePa, DeviceHarness.S1ReadWrite);
        Assert.Equal(SecurePa, h.Read(secure: true, Sid, Va).PhysicalAddress);
        Assert.Equal(El3Pa, h.Read(secure: true, El3Sid, Va).PhysicalAddress);
        Assert.Equal(NonSecurePa, h.Read(secure: false, Sid, Va).PhysicalAddress);
        h.Ns.Unmap4K(sRoot, Va);
        h.Ns.Unmap4K(el3Root, Va);
        h.Ns.Unmap4K(nsRoot, Va);
        return h;
    }

    // Which of (S-EL1, EL3, Non-secure) still translate from the TLB.
    private static (bool Secure, bool El3, bool NonSecure) Cached(SecureHarness h) =>
        (h.Read(secure: true, Sid, Va).IsSuccess, h.Read(secure: true, El3Sid, Va).IsSuccess, h.Read(secure: false, Sid, Va).IsSuccess);

    public static TheoryData<Op, ExceptionLevel> SecureEl1Operations => new()
    {
        { Op.VAE1IS, ExceptionLevel.EL1 },
        { Op.VALE1IS, ExceptionLevel.EL1 },
        { Op.VAAE1IS, ExceptionLevel.EL1 },
        { Op.VAALE1IS, ExceptionLevel.EL1 },
        { Op.ASIDE1IS, ExceptionLevel.EL1 },
        { Op.VMALLE1IS, ExceptionLevel.EL1 },
        { Op.RVAE1IS, ExceptionLevel.EL1 },
        { Op.RVAAE1IS, ExceptionLevel.EL1 },
        { Op.VMALLE1IS, ExceptionLevel.EL3 },    // EL3 with SCR_EL3.NS = 0 targets Secure EL1&0
        { Op.ALLE1IS, ExceptionLevel.EL3 },
        { Op.VMALLS12E1IS, ExceptionLevel.EL3 }, // no Secure EL2: stage 1, VMID 0 (§3.17.2.1)
    };

    [Theory]
    [MemberData(nameof(SecureEl1Operations))]
    public void Section_3_17_2_secure_el1_broadcasts_reach_secure_entries_only(Op operation, ExceptionLevel from)
    {
        var h = ThreeCachedEntries();
        var message = new BroadcastInvalidation(operation, Va, Asid, Vmid: 3, IssuedFrom: from, Security: SecurityState.Secure)
        {
            RangeGranule = operation is Op.RVAE1IS or Op.RVAAE1IS ? RangeGranule.Size4K : RangeGranule.None,
        };

        // The VMID operand does not scope a Secure EL1 invalidation with S_IDR1.SEL2 = 0 (§3.17.2.1).
        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(message));
        Assert.Equal((false, true, true), Cached(h));
        Assert.Equal(1, h.Smmu.Statistics.BroadcastInvalidations);
    }

    [Theory]
    [InlineData(Op.VAE3IS)]
    [InlineData(Op.VALE3IS)]
    [InlineData(Op.ALLE3IS)]
    public void Section_3_17_2_el3_broadcasts_reach_el3_entries_only(Op operation)
    {
        var h = ThreeCachedEntries();
        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(operation, Va, IssuedFrom: ExceptionLevel.EL3, Security: SecurityState.Secure)));
        Assert.Equal((true, false, true), Cached(h));

        // §3.17.4: an EL3 TLBI need not reach S-EL1 entries, nor a Secure EL1 TLBI EL3 ones (the Secure VMALLE1IS above).
        Assert.Throws<ArgumentException>(() => h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(operation, Va, IssuedFrom: ExceptionLevel.EL2)));
    }

    [Theory]
    [InlineData(Op.VAE1IS, ExceptionLevel.EL1)]
    [InlineData(Op.VAAE1IS, ExceptionLevel.EL1)]
    [InlineData(Op.ASIDE1IS, ExceptionLevel.EL1)]
    [InlineData(Op.VMALLE1IS, ExceptionLevel.EL1)]
    [InlineData(Op.ALLE1IS, ExceptionLevel.EL2)]
    [InlineData(Op.VMALLS12E1IS, ExceptionLevel.EL2)]
    public void Section_3_17_non_secure_broadcasts_never_reach_secure_or_el3_entries(Op operation, ExceptionLevel from)
    {
        var h = ThreeCachedEntries();
        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(operation, Va, Asid, IssuedFrom: from)));
        Assert.Equal((true, true, false), Cached(h));
    }

    [Theory]
    [InlineData(Op.IPAS2E1IS, ExceptionLevel.EL3, false)] // Secure stage 2: S_IDR1.SEL2 = 0
    [InlineData(Op.ALLE2IS, ExceptionLevel.EL3, false)]   // Secure EL2: not implemented
    [InlineData(Op.VAE1IS, ExceptionLevel.EL2, false)]    // from Secure EL2 (SCR_EL3.EEL2 = 1): not required (§3.17.2.1)
    [InlineData(Op.VAE1IS, ExceptionLevel.EL2, true)]     // a Secure EL2&0 host
    public void Section_3_17_2_1_secure_broadcasts_for_secure_el2_or_stage_2_affect_nothing_without_sel2(Op operation, ExceptionLevel from, bool e2h)
    {
        var h = ThreeCachedEntries();
        var message = new BroadcastInvalidation(operation, Va, Asid, IssuedFrom: from, Security: SecurityState.Secure, HostE2H: e2h);
        Assert.Equal(0, h.Smmu.ReceiveBroadcastInvalidation(message));
        Assert.Equal((true, true, true), Cached(h));
    }

    [Fact]
    public void Section_6_3_60_s_cr2_ptm_ignores_secure_and_el3_broadcasts_and_cr2_ptm_only_non_secure_ones()
    {
        var h = ThreeCachedEntries();

        // S_CR2 is written with S_CR0.SMMUEN = 0 (§6.3.60), PTM [2] = 1.
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xC);
        h.Smmu.WriteRegister32(SecureHarness.SCr2, 0x4);
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xD);
        Assert.Equal(0x4u, h.Smmu.ReadRegister32(SecureHarness.SCr2) & 0x4);

        Assert.Equal(0, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.VMALLE1IS, Security: SecurityState.Secure)));
        Assert.Equal(0, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.ALLE3IS, IssuedFrom: ExceptionLevel.EL3)));
        Assert.Equal(2, h.Smmu.Statistics.BroadcastInvalidationsIgnored);
        Assert.Equal((true, true, true), Cached(h));

        // SMMU_CR2.PTM = 0 still lets the Non-secure side take part.
        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.VMALLE1IS)));
        Assert.Equal((true, true, false), Cached(h));

        // And the other way round: CR2.PTM = 1 leaves Secure broadcasts to S_CR2.PTM.
        h.Ns.SetCr2(0x6);
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xC);
        h.Smmu.WriteRegister32(SecureHarness.SCr2, 0);
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xD);
        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.ALLE3IS, IssuedFrom: ExceptionLevel.EL3)));
        Assert.Equal((true, false, false), Cached(h));
    }

    [Fact]
    public void Section_3_17_without_a_secure_side_secure_broadcasts_are_ignored()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { Secure = false });
        h.Reset();
        h.SetCr2(0x2);
        Assert.Equal(0, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.ALLE3IS, IssuedFrom: ExceptionLevel.EL3)));
        Assert.Equal(0, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(Op.VMALLE1IS, Security: SecurityState.Secure)));

        // Ignored messages are counted as ignored, not as applied invalidations that happened to match nothing.
        Assert.Equal((0L, 2L), (h.Smmu.Statistics.BroadcastInvalidations, h.Smmu.Statistics.BroadcastInvalidationsIgnored));
    }
}
