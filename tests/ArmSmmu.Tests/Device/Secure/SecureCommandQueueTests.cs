using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Secure;

/// <summary>
/// The Secure command queue's TLB invalidations and its illegal commands (IHI0070 §4.1.6, §4.4.2, §3.17.2): NH_* act
/// on Secure EL1 entries, EL3_* on EL3 ones, the Non-secure-only TLBIs on the Non-secure side; ATC_INV and PRI_RESP
/// have no Secure form.
/// </summary>
public class SecureCommandQueueTests
{
    private const ushort Asid = 7;
    private const ushort OtherAsid = 8;
    private const ulong Va = 0x4000_0000;
    private const ulong Va2 = 0x4000_1000;
    private const ulong SecurePa = 0x7_0000_0000;
    private const ulong NonSecurePa = 0x8_0000_0000;

    // S_CMDQ_CONS.ERR is bits [30:24] (IHI0070 §6.3.40, §4.5).
    private static uint SecureCommandError(SecureHarness h) => (h.Smmu.ReadRegister32(SecureHarness.SCmdqCons) >> 24) & 0x7F;

    /// <summary>
    /// Secure EL1 streams 1 (ASID 7) and 2 (ASID 8), each mapping Va and Va2; an EL3 stream 3 mapping Va; a Non-secure
    /// stream 1 with ASID 7 mapping Va. All translated once (cached), then unmapped: a translation that still succeeds
    /// comes from the TLB, one that faults was invalidated.
    /// </summary>
    private static SecureHarness CachedAndUnmapped()
    {
        var h = new SecureHarness();
        var roots = new[]
        {
            h.Stage1Stream(secure: true, 1, Asid),
            h.Stage1Stream(secure: true, 2, OtherAsid),
            h.Stage1Stream(secure: true, 3, 0, strw: 0b01), // STRW 0b01: EL3 (IHI0070 §5.2)
        };
        ulong nsRoot = h.Stage1Stream(secure: false, 1, Asid);
        for (int i = 0; i < roots.Length; i++)
        {
            h.Ns.Map4K(roots[i], Va, SecurePa + ((ulong)i * 0x10000), DeviceHarness.S1ReadWrite);
            h.Ns.Map4K(roots[i], Va2, SecurePa + ((ulong)i * 0x10000) + 0x1000, DeviceHarness.S1ReadWrite);
        }

        h.Ns.Map4K(nsRoot, Va, NonSecurePa, DeviceHarness.S1ReadWrite);
        foreach (uint sid in new uint[] { 1, 2, 3 })
        {
            Assert.True(h.Read(secure: true, sid, Va).IsSuccess);
            Assert.True(h.Read(secure: true, sid, Va2).IsSuccess);
        }

        Assert.True(h.Read(secure: false, 1, Va).IsSuccess);
        foreach (ulong root in roots)
        {
            h.Ns.Unmap4K(root, Va);
            h.Ns.Unmap4K(root, Va2);
        }

        h.Ns.Unmap4K(nsRoot, Va);
        return h;
    }

    private static bool Cached(SecureHarness h, bool secure, uint sid, ulong va) => h.Read(secure, sid, va).IsSuccess;

    [Fact]
    public void Section_4_4_2_2_secure_tlbi_nh_asid_removes_the_secure_entries_of_that_asid_only()
    {
        var h = CachedAndUnmapped();
        h.SubmitSecure(Command.TlbiNhAsid(0, Asid));

        Assert.Equal(0u, SecureCommandError(h));
        Assert.False(Cached(h, secure: true, 1, Va));
        Assert.False(Cached(h, secure: true, 1, Va2));
        Assert.True(Cached(h, secure: true, 2, Va));  // another ASID
        Assert.True(Cached(h, secure: true, 3, Va));  // EL3 (§3.17.4)
        Assert.True(Cached(h, secure: false, 1, Va)); // the Non-secure ASID 7
    }

    [Fact]
    public void Section_4_4_2_3_secure_tlbi_nh_va_removes_one_page_of_one_asid()
    {
        var h = CachedAndUnmapped();
        h.SubmitSecure(Command.TlbiNhVa(0, Asid, Va, leaf: true));

        Assert.Equal(0u, SecureCommandError(h));
        Assert.False(Cached(h, secure: true, 1, Va));
        Assert.True(Cached(h, secure: true, 1, Va2));
        Assert.True(Cached(h, secure: true, 2, Va));
        Assert.True(Cached(h, secure: true, 3, Va));
        Assert.True(Cached(h, secure: false, 1, Va));
    }

    [Fact]
    public void Section_4_4_2_4_secure_tlbi_nh_vaa_removes_the_page_of_every_secure_el1_asid()
    {
        var h = CachedAndUnmapped();
        h.SubmitSecure(Command.TlbiNhVaa(0, Va, leaf: true));

        Assert.Equal(0u, SecureCommandError(h));
        Assert.False(Cached(h, secure: true, 1, Va));
        Assert.False(Cached(h, secure: true, 2, Va));
        Assert.True(Cached(h, secure: true, 1, Va2));
        Assert.True(Cached(h, secure: true, 3, Va));  // EL3 entries are not Secure EL1 ones
        Assert.True(Cached(h, secure: false, 1, Va));
    }

    [Fact]
    public void Section_4_4_2_13_secure_tlbi_el3_va_removes_the_el3_page_only()
    {
        var h = CachedAndUnmapped();
        h.SubmitSecure(new Command { Opcode = CommandOpcode.TlbiEl3Va, Address = Va, Leaf = true });

        Assert.Equal(0u, SecureCommandError(h));
        Assert.False(Cached(h, secure: true, 3, Va));
        Assert.True(Cached(h, secure: true, 3, Va2));
        Assert.True(Cached(h, secure: true, 1, Va));
        Assert.True(Cached(h, secure: true, 2, Va));
    }

    [Fact]
    public void Section_4_4_2_11_tlbi_nsnh_all_on_the_secure_queue_acts_on_the_non_secure_side()
    {
        var h = CachedAndUnmapped();
        h.SubmitSecure(Command.TlbiNsnhAll());

        Assert.Equal(0u, SecureCommandError(h));
        Assert.False(Cached(h, secure: false, 1, Va));
        Assert.True(Cached(h, secure: true, 1, Va));
        Assert.True(Cached(h, secure: true, 3, Va));
    }

    [Fact]
    public void Section_4_2_prefetch_on_the_secure_queue_is_accepted_and_consumed()
    {
        var h = new SecureHarness();
        h.SubmitSecure(Command.PrefetchConfig(1), Command.PrefetchConfig(2) with { SSec = true });

        Assert.Equal(0u, SecureCommandError(h));
        Assert.False(h.CommandErrorActive);
        Assert.Equal(3u, h.Smmu.ReadRegister32(SecureHarness.SCmdqCons)); // both prefetches and the CMD_SYNC
    }

    // IHI0070 §4.1.6, §4.5: commands without a Secure form stop the Secure queue with CERROR_ILL; CONS stays on them.
    [Theory]
    [InlineData(CommandOpcode.AtcInv)]
    [InlineData(CommandOpcode.PriResp)]
    public void Section_4_1_6_ats_and_pri_commands_on_the_secure_queue_are_cerror_ill(CommandOpcode opcode)
    {
        var h = new SecureHarness();
        h.SubmitSecure(new Command { Opcode = opcode, StreamId = 1 });

        Assert.Equal((uint)CommandError.Ill, SecureCommandError(h));
        Assert.True(h.CommandErrorActive); // S_GERROR.CMDQ_ERR
        Assert.Equal(0u, h.Smmu.ReadRegister32(SecureHarness.SCmdqCons) & 0x7F);
        Assert.Equal(0u, (h.Smmu.ReadRegister32(SmmuRegister.GERROR) ^ h.Smmu.ReadRegister32(SmmuRegister.GERRORN)) & 1);
    }

    // IHI0070 §4.4.1.1: with TG = 0 (no range), NUM and SCALE are RES0; a non-zero NUM is CERROR_ILL and invalidates nothing.
    [Fact]
    public void Section_4_4_1_1_secure_tlbi_nh_va_with_num_but_no_range_granule_is_cerror_ill()
    {
        var h = CachedAndUnmapped();
        h.SubmitSecure(Command.TlbiNhVa(0, Asid, Va, leaf: true, num: 1));

        Assert.Equal((uint)CommandError.Ill, SecureCommandError(h));
        Assert.True(Cached(h, secure: true, 1, Va));
    }
}
