using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// The TLB-hit path answers from what the stream's cached configuration and the TLB entry precompute: it must give
/// what the walk gave (STE overrides, permissions) and must never outlive the configuration it was made from.
/// </summary>
public class TlbHitPathTests
{
    private const uint Sid = 4;
    private const ulong Va = 0x5000;
    private const ulong Pa = 0x6000_5000;

    [Fact]
    public void Configuration_evicted_for_room_is_not_used_after_its_cfgi()
    {
        // IHI0070 §4.3.1: after CMD_CFGI_STE and CMD_SYNC the old STE is never used, also when the configuration
        // cache had already dropped it for room (one entry: each stream evicts the other).
        var h = new DeviceHarness(SmmuFeatures.Default with { ConfigCacheEntries = 1 });
        h.Reset();
        h.SetSte(Sid, StreamTableEntry.BypassEntry);
        h.SetSte(Sid + 1, StreamTableEntry.BypassEntry);
        Assert.True(h.Read(Sid, 0x1000).IsSuccess);
        Assert.True(h.Read(Sid, 0x1000).IsSuccess); // from the cached configuration
        Assert.True(h.Read(Sid + 1, 0x1000).IsSuccess); // evicts stream 4's

        Assert.True(StreamTableEntry.Abort.TryWrite(h.Memory, h.SteAddress(Sid)));
        h.Submit(Command.CfgiSte(Sid, leaf: true));
        Assert.Equal(TranslationOutcome.Faulted, h.Read(Sid, 0x1000).Outcome);
    }

    [Theory]
    // IHI0070 §13.5, §5.2 PRIVCFG (0b10 unprivileged, 0b11 privileged) and INSTCFG (0b10 data, 0b11 instruction,
    // writes always data); the page is EL0 read/write, so privileged execution is denied (DDI0487 D8.4.1.2.3 R_VWLLR).
    [InlineData(2u, 3u, AccessKind.Read, false, false, true)]   // unprivileged instruction fetch: permitted
    [InlineData(0u, 2u, AccessKind.Execute, true, true, false)] // privileged data read
    [InlineData(3u, 0u, AccessKind.Write, false, true, false)]  // privileged write
    [InlineData(0u, 0u, AccessKind.Execute, false, false, true)] // incoming attributes
    public void A_tlb_hit_gives_the_attributes_the_walk_gave(uint privcfg, uint instcfg, AccessKind access, bool privileged, bool expectPrivileged, bool expectInstruction)
    {
        var h = Stage1(privcfg, instcfg);
        var request = new TranslationRequest(Sid, Va + 0x10, access, Privileged: privileged);
        var walked = h.Smmu.Translate(request);
        long hits = h.Smmu.Statistics.Tlb.Hits;
        var hit = h.Smmu.Translate(request);

        Assert.Equal(hits + 1, h.Smmu.Statistics.Tlb.Hits);
        Assert.Equal(walked, hit);
        Assert.Equal(Pa + 0x10, hit.PhysicalAddress);
        Assert.Equal(expectPrivileged, hit.Attributes.Privileged);
        Assert.Equal(expectInstruction, hit.Attributes.Instruction);
    }

    [Fact]
    public void A_tlb_hit_denied_by_the_overridden_intent_faults_as_the_walk_did()
    {
        // PRIVCFG 0b11 and INSTCFG 0b11 make a read a privileged instruction fetch, which an EL0-writable page denies
        // (implicit PXN): the cached entry must deny it too, with the same stage-1 F_PERMISSION.
        var h = Stage1(privcfg: 3, instcfg: 3);
        var request = new TranslationRequest(Sid, Va, AccessKind.Read);
        var walked = h.Smmu.Translate(request);
        var cached = h.Smmu.Translate(request);

        Assert.Equal(EventType.FPermission, walked.Fault);
        Assert.Equal(walked.Fault, cached.Fault);
        Assert.Equal(2, h.DrainEvents().Count(e => e.Type == EventType.FPermission));
    }

    private static DeviceHarness Stage1(uint privcfg, uint instcfg)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, Pa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(2, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { PRIVCFG = privcfg, INSTCFG = instcfg });
        return h;
    }
}
