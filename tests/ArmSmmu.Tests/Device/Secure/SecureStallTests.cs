using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Secure;

/// <summary>
/// Stalls of Secure streams, resolved from the Secure command queue (IHI0070 §3.10, §3.12.2, §4.7.2 CMD_RESUME,
/// §4.7.3 CMD_STALL_TERM with SSec = 1), and Secure STEs the model must reject (§5.2 STRW with S_IDR1.SEL2 = 0).
/// </summary>
public class SecureStallTests
{
    private const uint Sid = 5;
    private const ulong Unmapped = 0x4000_7000;

    // A Secure stage-1 stream whose translation faults stall: CD.S = 1, STE.S1STALLD = 0 (IHI0070 §5.5).
    private static (SecureHarness H, List<StallResolvedEventArgs> Resolved) StallingSecureStream()
    {
        var h = new SecureHarness();
        var resolved = new List<StallResolvedEventArgs>();
        h.Smmu.StallResolved += (_, e) => resolved.Add(e);
        ulong root = h.Ns.NewTable();
        ulong cd = h.Ns.AllocatePage();
        Assert.True((DeviceHarness.LinuxCd(3, root) with { S = true }).TryWrite(h.Memory, cd));
        h.SetSecureSte(Sid, DeviceHarness.LinuxStage1Ste(cd) with { S1STALLD = false });
        return (h, resolved);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Section_4_7_2_cmd_resume_with_ssec_1_resolves_a_secure_stall(bool retry, bool abort)
    {
        var (h, resolved) = StallingSecureStream();
        var stalled = h.Read(secure: true, Sid, Unmapped);
        Assert.Equal(TranslationOutcome.Stalled, stalled.Outcome);

        // The Secure event queue holds the F_TRANSLATION record with Stall = 1 and its STAG (IHI0070 §7.3.12).
        var record = Assert.Single(h.DrainSecureEvents());
        Assert.Equal(EventType.FTranslation, record.Type);
        Assert.True(record.Stall);
        Assert.Equal(stalled.StallTag, record.StallTag);

        h.SubmitSecure(Command.Resume(Sid, stalled.StallTag, retry, abort) with { SSec = true });

        Assert.False(h.CommandErrorActive);
        var e = Assert.Single(resolved);
        Assert.Equal(Sid, e.StreamId);
        Assert.Equal(stalled.StallTag, e.StallTag);
        Assert.Equal(retry, e.Retry);
        Assert.Equal(abort, e.Abort);
        Assert.True(e.Secure);
    }

    [Fact]
    public void Section_4_7_2_cmd_resume_with_ssec_0_names_the_non_secure_stream_and_leaves_the_secure_stall()
    {
        var (h, resolved) = StallingSecureStream();
        var stalled = h.Read(secure: true, Sid, Unmapped);

        h.SubmitSecure(Command.Resume(Sid, stalled.StallTag, retry: true, abort: false)); // SSec = 0

        Assert.False(h.CommandErrorActive);
        Assert.Empty(resolved);

        h.SubmitSecure(Command.StallTerm(Sid) with { SSec = true });
        var e = Assert.Single(resolved);
        Assert.True(e.Secure);
        Assert.False(e.Retry);
    }

    // IHI0070 §5.2: STRW 0b10 (Secure EL2) needs S_IDR1.SEL2; without it the Secure STE is C_BAD_STE.
    [Fact]
    public void Section_5_2_a_secure_ste_with_strw_el2_is_c_bad_ste_without_sel2()
    {
        var h = new SecureHarness();
        h.Stage1Stream(secure: true, Sid, 4, strw: 0b10);

        var result = h.Read(secure: true, Sid, 0x4000_0000);

        Assert.Equal(EventType.CBadSte, result.Fault);
        var record = Assert.Single(h.DrainSecureEvents());
        Assert.Equal(EventType.CBadSte, record.Type);
        Assert.Equal(Sid, record.StreamId);
        Assert.Empty(h.Ns.DrainEvents());
    }
}
