using ArmSmmu.Structures;
using Op = ArmSmmu.BroadcastTlbiOperation;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The re-audit of IHI0070 §3.17 (TLB tagging, global entries, CD.ASET and broadcast maintenance). Each stream has
/// its own CD and table mapping one VA; after a walk the table is changed, so a lookup that still sees the old PA
/// hit a cached entry, and a lookup that sees its own table's PA walked.
/// </summary>
public class TlbTaggingAuditTests
{
    // The addresses and global leaf of the broadcast tests: one VA, the PA before and after the remap.
    private const ulong Va = BroadcastInvalidationTests.Va;
    private const ulong OldPa = BroadcastInvalidationTests.OldPa;
    private const ulong NewPa = BroadcastInvalidationTests.NewPa;
    private const ulong S1Global = BroadcastInvalidationTests.S1Global;

    private sealed record Stream(uint Sid, ulong Table, ulong Pa);

    // CR2.PTM = 0 so broadcasts reach the SMMU (the harness's Linux reset sets PTM = 1).
    private static DeviceHarness Participating(SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetCr2(0x2);
        return h;
    }

    // A stage-1 stream mapping Va to pa; not yet translated.
    private static Stream Stage1(DeviceHarness h, uint sid, ushort asid, bool aset, ulong pa, ushort vmid = 1, ulong leaf = DeviceHarness.S1ReadWrite)
    {
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, pa, leaf);
        ulong cd = DeviceHarness.CdTableBase + (sid * 0x1000UL);
        Assert.True((DeviceHarness.LinuxCd(asid, pgd) with { ASET = aset }).TryWrite(h.Memory, cd));
        h.SetSte(sid, DeviceHarness.LinuxStage1Ste(cd) with { S2VMID = vmid });
        return new Stream(sid, pgd, pa);
    }

    // Translates once (caching the entry), then remaps the page to NewPa underneath.
    private static Stream Warm(DeviceHarness h, Stream s)
    {
        Assert.Equal(s.Pa, h.Read(s.Sid, Va).PhysicalAddress);
        h.Map4K(s.Table, Va, NewPa, DeviceHarness.S1ReadWrite);
        return s;
    }

    private static bool Removed(DeviceHarness h, Stream s)
    {
        ulong pa = h.Read(s.Sid, Va).PhysicalAddress;
        Assert.True(pa == s.Pa || pa == NewPa, $"unexpected PA 0x{pa:X}");
        return pa == NewPa;
    }

    [Fact]
    public void Section_3_17_1_a_global_entry_matches_only_lookups_of_its_own_aset()
    {
        // IHI0070 §3.17.1: "Global TLB entries with ASET == 0 do not match lookups through configurations with
        // ASET == 1. Global TLB entries with ASET == 1 do not match lookups through configurations with ASET == 0."
        var h = new DeviceHarness();
        h.Reset();
        Warm(h, Stage1(h, 1, asid: 1, aset: false, OldPa, leaf: S1Global));
        Warm(h, Stage1(h, 2, asid: 2, aset: true, OldPa + 0x10_0000, leaf: S1Global));

        // Another ASID of the same ASET hits the global entry; the other ASET walks its own table.
        Assert.Equal(OldPa, h.Read(Stage1(h, 3, asid: 3, aset: false, 0x6000_0000).Sid, Va).PhysicalAddress);
        Assert.Equal(OldPa + 0x10_0000, h.Read(Stage1(h, 4, asid: 4, aset: true, 0x6100_0000).Sid, Va).PhysicalAddress);
        Assert.Equal(0x6200_0000UL, h.Read(Stage1(h, 5, asid: 5, aset: true, 0x6200_0000, vmid: 2).Sid, Va).PhysicalAddress);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Section_3_17_1_a_global_entry_of_one_aset_is_not_hit_through_the_other(bool inserted, bool looked)
    {
        var h = new DeviceHarness();
        h.Reset();
        Warm(h, Stage1(h, 1, asid: 1, aset: inserted, OldPa, leaf: S1Global));
        Assert.Equal(0x6000_0000UL, h.Read(Stage1(h, 2, asid: 2, aset: looked, 0x6000_0000).Sid, Va).PhysicalAddress);

        // ASID 0 is the index of global entries: the rule holds there too.
        Assert.Equal(0x6100_0000UL, h.Read(Stage1(h, 3, asid: 0, aset: looked, 0x6100_0000).Sid, Va).PhysicalAddress);
    }

    [Fact]
    public void Section_3_17_non_global_entries_of_one_asid_match_under_either_aset()
    {
        // §3.17: "For translation lookup of non-global TLB entries and command-based invalidation purposes, ASID values
        // with CD.ASET == 0 are considered equivalent to ASID values with CD.ASET == 1."
        var h = new DeviceHarness();
        h.Reset();
        Warm(h, Stage1(h, 1, asid: 7, aset: false, OldPa));
        Assert.Equal(OldPa, h.Read(Stage1(h, 2, asid: 7, aset: true, 0x6000_0000).Sid, Va).PhysicalAddress);
    }

    [Theory]
    [InlineData("NH_ASID")]
    [InlineData("NH_VA")]
    [InlineData("NH_VAA")]
    [InlineData("NH_ALL")]
    public void Section_3_17_commands_invalidate_entries_regardless_of_aset(string command)
    {
        // §3.17: "CMD_TLBI_* commands invalidate all matching TLB entries regardless of their ASET value."
        var h = new DeviceHarness();
        h.Reset();
        var shared = Warm(h, Stage1(h, 1, asid: 3, aset: false, OldPa));
        var private_ = Warm(h, Stage1(h, 2, asid: 3, aset: true, OldPa + 0x1000, vmid: 2));
        foreach (ushort vmid in new ushort[] { 1, 2 })
        {
            h.Submit(command switch
            {
                "NH_ASID" => Command.TlbiNhAsid(vmid, 3),
                "NH_VA" => Command.TlbiNhVa(vmid, 3, Va, leaf: true),
                "NH_VAA" => Command.TlbiNhVaa(vmid, Va, leaf: true),
                _ => Command.TlbiNhAll(vmid),
            });
        }

        Assert.True(Removed(h, shared));
        Assert.True(Removed(h, private_));
    }

    [Fact]
    public void Section_3_17_1_tlbi_nh_va_removes_global_entries_and_nh_asid_does_not()
    {
        // §3.17.1: "the ASIDE1 and ASIDE2 scopes are not required to invalidate global mappings"; §4.4.2.4
        // CMD_TLBI_NH_VA invalidates "global entries and entries for the given ASID" at the VA.
        var h = new DeviceHarness();
        h.Reset();
        var global = Warm(h, Stage1(h, 1, asid: 4, aset: true, OldPa, leaf: S1Global));
        h.Submit(Command.TlbiNhAsid(1, 4));
        Assert.False(Removed(h, global));

        h.Submit(Command.TlbiNhVa(1, asid: 9, Va, leaf: true));
        Assert.True(Removed(h, global));
    }

    [Theory]
    [InlineData(Op.VAAE1IS)]
    [InlineData(Op.VAALE1IS)]
    [InlineData(Op.VMALLE1IS)]
    [InlineData(Op.VMALLS12E1IS)]
    [InlineData(Op.ALLE1IS)]
    public void Section_3_17_broadcasts_that_match_no_asid_remove_aset_1_entries(Op operation)
    {
        // §3.17: with CD.ASET == 1 only the operations "that match with an ASID" (VA{L}ExIS, ASIDExIS) may leave the
        // entries; "All other matching broadcast invalidations are required to affect these entries."
        var h = Participating();
        var s = Warm(h, Stage1(h, 1, asid: 6, aset: true, OldPa));
        var issuer = operation is Op.VMALLS12E1IS or Op.ALLE1IS ? ExceptionLevel.EL2 : ExceptionLevel.EL1;

        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(operation, Va, Vmid: 1, IssuedFrom: issuer)));
        Assert.True(Removed(h, s));
    }

    [Fact]
    public void Section_3_17_6_vmw_widens_invalidation_but_lookups_never_alias_vmids()
    {
        // §3.17.6: "The SMMU continues to store all bits of VMID in the TLB entries that require them, and does not
        // allow dissimilar VMID values to alias on lookup."
        var h = new DeviceHarness();
        h.Reset();
        h.WriteAndPoll(SmmuRegister.CR0, h.Smmu.ReadRegister32(SmmuRegister.CR0) | (1u << 6), SmmuRegister.CR0ACK); // VMW = 0b001
        var even = Warm(h, Stage1(h, 1, asid: 1, aset: false, OldPa, vmid: 0x20, leaf: S1Global));
        Assert.Equal(0x6000_0000UL, h.Read(Stage1(h, 2, asid: 1, aset: false, 0x6000_0000, vmid: 0x21).Sid, Va).PhysicalAddress);

        h.Submit(Command.TlbiNhAll(0x21));
        Assert.True(Removed(h, even));
    }

    [Fact]
    public void Section_3_17_asids_are_separate_namespaces_within_each_vmid()
    {
        // §3.17: "ASID values can be considered to be separate namespaces within each VMID and translation regime."
        var h = new DeviceHarness();
        h.Reset();
        Warm(h, Stage1(h, 1, asid: 3, aset: false, OldPa, vmid: 1));
        Assert.Equal(0x6000_0000UL, h.Read(Stage1(h, 2, asid: 3, aset: false, 0x6000_0000, vmid: 2).Sid, Va).PhysicalAddress);
    }

    [Theory]
    [InlineData(Op.VAE1IS)]
    [InlineData(Op.VMALLS12E1IS)]
    public void Section_3_17_without_stage_2_broadcasts_match_vmid_0_and_reach_the_implemented_stage(Op operation)
    {
        // §3.17: "When SMMU_IDR0.S2P == 0, the SMMU matches VMID 0 for incoming broadcast TLB invalidation messages";
        // "messages that have a combined effect must affect the implemented stages and ignore any unimplemented stage."
        var h = Participating(SmmuFeatures.Default with { Stage2 = false });
        var s = Warm(h, Stage1(h, 1, asid: 2, aset: false, OldPa, vmid: 9));
        var issuer = operation == Op.VMALLS12E1IS ? ExceptionLevel.EL2 : ExceptionLevel.EL1;

        Assert.Equal(1, h.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(operation, Va, Asid: 2, Vmid: 5, IssuedFrom: issuer)));
        Assert.True(Removed(h, s));
    }
}
