using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

/// <summary>Each TLBI removes exactly its scope (IHI0070 §4.4): tags are checked against a population of look-alike entries.</summary>
public class TlbInvalidationTests
{
    private const ulong Va = 0x7000_1000;

    // Entries with the same tag and address would replace each other, so the global entries are inserted under ASID 3.

    private static readonly (string Name, TlbKey Key, TranslationEntry Entry)[] Population =
    [
        ("A", El1(1, 1), Entry(Va, 0x10_0000, Page4K)),
        ("B", El1(1, 2), Entry(Va, 0x11_0000, Page4K)),
        ("G", El1(1, 3), Entry(Va, 0x12_0000, Page4K, global: true)),
        ("N", El1(1, 1, TranslationKind.Nested), Entry(Va, 0x13_0000, Page4K)),
        ("S2", El1(1, 0, TranslationKind.Stage2), Entry(Va, 0x14_0000, Page4K)),
        ("Far", El1(1, 1), Entry(Va + 0x20_0000, 0x15_0000, Page4K)),
        ("V2", El1(2, 1), Entry(Va, 0x16_0000, Page4K)),
        ("V2S2", El1(2, 0, TranslationKind.Stage2), Entry(Va, 0x17_0000, Page4K)),
        ("V3", El1(3, 1), Entry(Va, 0x18_0000, Page4K)),
        ("E2", new TlbKey(StreamWorld.NsEl2, 0, 0, TranslationKind.Stage1), Entry(Va, 0x19_0000, Page4K)),
        ("EH1", new TlbKey(StreamWorld.NsEl2E2H, 0, 1, TranslationKind.Stage1), Entry(Va, 0x1A_0000, Page4K)),
        ("EH2", new TlbKey(StreamWorld.NsEl2E2H, 0, 2, TranslationKind.Stage1), Entry(Va, 0x1B_0000, Page4K)),
        ("EHG", new TlbKey(StreamWorld.NsEl2E2H, 0, 3, TranslationKind.Stage1), Entry(Va, 0x1C_0000, Page4K, global: true)),
        ("Sec", new TlbKey(StreamWorld.Secure, 1, 1, TranslationKind.Stage1), Entry(Va, 0x1D_0000, Page4K)),
        ("SecG", new TlbKey(StreamWorld.Secure, 1, 2, TranslationKind.Stage1), Entry(Va + 0x1000, 0x1E_0000, Page4K, global: true)),
        ("E3", new TlbKey(StreamWorld.El3, 0, 0, TranslationKind.Stage1), Entry(Va, 0x1F_0000, Page4K)),
    ];

    public static TheoryData<string, string> Commands => new()
    {
        // IHI0070 §4.4.4.1 CMD_TLBI_NSNH_ALL: all NS-EL1 entries, every VMID, every stage.
        { "NSNH_ALL", "A B G N S2 Far V2 V2S2 V3" },

        // §4.4.2.7 CMD_TLBI_EL2_ALL: NS-EL2 entries, ASID-tagged or not.
        { "EL2_ALL", "E2 EH1 EH2 EHG" },

        // §4.4.2.1 CMD_TLBI_NH_ALL: stage-1 NS-EL1 entries of the VMID, global included; not stage-2-only.
        { "NH_ALL 1", "A B G N Far" },

        // §4.4.3.2 CMD_TLBI_S12_VMALL: every NS-EL1 entry of the VMID at all stages.
        { "S12_VMALL 1", "A B G N S2 Far" },

        // §3.17.6: with SMMU_CR0.VMW ignoring VMID[0], VMID 2 also matches VMID 3.
        { "NH_ALL 2 vmw1", "V2 V3" },
        { "S12_VMALL 3 vmw1", "V2 V2S2 V3" },

        // §4.4.2.2 CMD_TLBI_NH_ASID: non-global NS-EL1 entries of the ASID and VMID.
        { "NH_ASID 1 1", "A N Far" },
        { "NH_ASID 1 3", "" }, // the only ASID-3 entry is global (§3.17.1: ASIDE1 scope leaves global entries)

        // §4.4.2.10 CMD_TLBI_EL2_ASID: non-global EL2-E2H entries of the ASID; EL2 entries have no ASID.
        { "EL2_ASID 1", "EH1" },
        { "ASID NsEl2", "" },

        // §4.4.2.4 CMD_TLBI_NH_VA: entries of the ASID and VMID at the VA, and global entries of the VMID at the VA.
        { "NH_VA 1 1", "A G N" },

        // §4.4.2.3 CMD_TLBI_NH_VAA: every ASID of the VMID at the VA.
        { "NH_VAA 1", "A B G N" },

        // §4.4.2.8 CMD_TLBI_EL2_VA: with E2H = 1, EL2-E2H entries of the ASID or global; with E2H = 0, NS-EL2 entries, ASID ignored.
        { "EL2_VA E2H 1", "EH1 EHG" },
        { "EL2_VA EL2 9", "E2" },

        // §4.4.2.9 CMD_TLBI_EL2_VAA: every ASID.
        { "EL2_VAA E2H", "EH1 EH2 EHG" },

        // §4.4.3.1 CMD_TLBI_S2_IPA: stage-2-only entries of the VMID; nested (combined) entries are not required to go.
        { "S2_IPA 1", "S2" },

        // §4.4.2.1 CMD_TLBI_NH_ALL on the Secure command queue (no Secure EL2, so no VMID): every S-EL1 entry, global
        // or not; §4.4.2.12 CMD_TLBI_EL3_ALL: every EL3 entry. Neither reaches a Non-secure StreamWorld.
        { "S_NH_ALL", "Sec SecG" },
        { "EL3_ALL", "E3" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Command_removes_exactly_its_scope(string command, string expectedRemoved)
    {
        Tlb tlb = Filled(Population.Select(p => (p.Key, p.Entry)).ToArray());

        int removed = Run(tlb, command);

        string[] expected = expectedRemoved.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, removed);
        Assert.Equal(Population.Length - expected.Length, tlb.Count);
        foreach ((string name, TlbKey key, TranslationEntry entry) in Population)
        {
            bool present = tlb.Snapshot().Any(s => s.Key == key.Normalize() && s.Entry == entry);
            Assert.True(present != expected.Contains(name), $"{command}: entry {name} {(present ? "survived" : "was removed")}");
        }

        Assert.Equal(expected.Length, tlb.Statistics.Invalidated);
    }

    [Fact]
    public void InvalidateAll_empties_the_tlb_and_lookups_miss()
    {
        Tlb tlb = Filled(Population.Select(p => (p.Key, p.Entry)).ToArray());

        Assert.Equal(Population.Length, tlb.InvalidateAll());

        Assert.Equal(0, tlb.Count);
        Assert.False(tlb.TryLookup(El1(1, 1), Va, out _));
    }

    [Fact]
    public void Every_invalidation_advances_the_generation_even_when_it_removes_nothing()
    {
        var tlb = new Tlb(16, 4);
        long before = tlb.Generation;

        tlb.InvalidateVmid(9, stage1Only: true);
        tlb.InvalidateIpa(9, 0, 0x1000, leafOnly: true, ttlLevel: -1);

        Assert.Equal(before + 2, tlb.Generation);
    }

    private static int Run(Tlb tlb, string command) => command switch
    {
        "NSNH_ALL" => tlb.InvalidateNsnhAll(),
        "EL2_ALL" => tlb.InvalidateEl2All(),
        "NH_ALL 1" => tlb.InvalidateVmid(1, stage1Only: true),
        "S12_VMALL 1" => tlb.InvalidateVmid(1, stage1Only: false),
        "NH_ALL 2 vmw1" => tlb.InvalidateVmid(2, stage1Only: true, vmidWildcardBits: 1),
        "S12_VMALL 3 vmw1" => tlb.InvalidateVmid(3, stage1Only: false, vmidWildcardBits: 1),
        "NH_ASID 1 1" => tlb.InvalidateAsid(StreamWorld.NsEl1, 1, 1),
        "NH_ASID 1 3" => tlb.InvalidateAsid(StreamWorld.NsEl1, 1, 3),
        "EL2_ASID 1" => tlb.InvalidateAsid(StreamWorld.NsEl2E2H, 0, 1),
        "ASID NsEl2" => tlb.InvalidateAsid(StreamWorld.NsEl2, 0, 0),
        "NH_VA 1 1" => tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, Va, 1, leafOnly: true, ttlLevel: -1),
        "NH_VAA 1" => tlb.InvalidateVa(StreamWorld.NsEl1, 1, null, Va, 1, leafOnly: false, ttlLevel: -1),
        "EL2_VA E2H 1" => tlb.InvalidateVa(StreamWorld.NsEl2E2H, 0, 1, Va, 1, leafOnly: true, ttlLevel: -1),
        "EL2_VA EL2 9" => tlb.InvalidateVa(StreamWorld.NsEl2, 0, 9, Va, 1, leafOnly: true, ttlLevel: -1),
        "EL2_VAA E2H" => tlb.InvalidateVa(StreamWorld.NsEl2E2H, 0, null, Va, 1, leafOnly: true, ttlLevel: -1),
        "S2_IPA 1" => tlb.InvalidateIpa(1, Va, 0x1000, leafOnly: true, ttlLevel: -1),
        "S_NH_ALL" => tlb.InvalidateWorld(StreamWorld.Secure),
        "EL3_ALL" => tlb.InvalidateWorld(StreamWorld.El3),
        _ => throw new ArgumentException(command, nameof(command)),
    };
}
