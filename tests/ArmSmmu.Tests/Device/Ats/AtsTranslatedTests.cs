using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>ATS Translated transactions: passed or checked per CR0.ATSCHK and STE.EATS (IHI0070 §3.9.1.1, §3.9.1.3, §7.3.8).</summary>
public class AtsTranslatedTests
{
    [Fact]
    public void Without_atschk_translated_traffic_bypasses_even_for_eats_zero()
    {
        var a = new AtsHarness(eats: AtsEnable.Disabled);
        var r = a.Translated(0x7654_3000, AccessKind.Write);

        // IHI0070 §3.9.1: ATSCHK = 0 lets Translated traffic through with no checks but the address size.
        Assert.Equal(TranslationOutcome.Bypassed, r.Outcome);
        Assert.Equal(0x7654_3000UL, r.PhysicalAddress);
        Assert.Empty(a.H.DrainEvents());
    }

    [Fact]
    public void With_atschk_eats_zero_is_aborted_with_f_transl_forbidden()
    {
        var a = new AtsHarness(eats: AtsEnable.Disabled);
        a.SetAtsCheck(true);
        var r = a.Translated(0x7654_3210, AccessKind.Write);

        // IHI0070 §3.9.1.3, §7.3.8: F_TRANSL_FORBIDDEN with StreamID, RnW (0 = write) and InputAddr.
        Assert.Equal(TranslationOutcome.Faulted, r.Outcome);
        Assert.Equal(EventType.FTranslForbidden, r.Fault);
        var e = Assert.Single(a.H.DrainEvents());
        Assert.Equal(EventType.FTranslForbidden, e.Type);
        Assert.Equal(AtsHarness.Sid, e.StreamId);
        Assert.False(e.RnW);
        Assert.Equal(0x7654_3210UL, e.InputAddress);
    }

    [Fact]
    public void With_atschk_full_ats_passes_the_pa()
    {
        var a = new AtsHarness();
        a.SetAtsCheck(true);
        var r = a.Translated(AtsHarness.ReadWritePa + 0x20);
        Assert.Equal(TranslationOutcome.Bypassed, r.Outcome);
        Assert.Equal(AtsHarness.ReadWritePa + 0x20, r.PhysicalAddress);
    }

    [Fact]
    public void With_atschk_a_bypass_ste_is_forbidden_and_an_abort_ste_aborts_silently()
    {
        var a = new AtsHarness();
        a.SetAtsCheck(true);
        a.H.SetSte(0x11, StreamTableEntry.BypassEntry with { EATS = AtsEnable.Full });
        a.H.SetSte(0x12, StreamTableEntry.Abort);

        Assert.Equal(EventType.FTranslForbidden, a.Translated(0x1000, sid: 0x11).Fault);
        Assert.Equal(TranslationOutcome.Faulted, a.Translated(0x1000, sid: 0x12).Outcome);
        Assert.Equal(EventType.FTranslForbidden, Assert.Single(a.H.DrainEvents()).Type);
    }

    [Fact]
    public void Smmuen_zero_forbids_translated_traffic()
    {
        var a = new AtsHarness();
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xC, SmmuRegister.CR0ACK);

        // IHI0070 §3.9.1.3: SMMUEN = 0 -> F_TRANSL_FORBIDDEN, aborted (the event may be recorded, §7.3.8).
        Assert.Equal(EventType.FTranslForbidden, a.Translated(0x1000).Fault);
    }

    [Fact]
    public void An_address_above_the_oas_is_aborted_without_an_event()
    {
        var a = new AtsHarness();
        var r = a.Translated(1UL << 50);

        // IHI0070 §3.9.1.1: abort without an event (the first of the two permitted behaviours).
        Assert.Equal(TranslationOutcome.Faulted, r.Outcome);
        Assert.False(r.FaultRecorded);
        Assert.Empty(a.H.DrainEvents());
    }
}
