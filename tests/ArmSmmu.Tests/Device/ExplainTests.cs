using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>SmmuV3.Explain: the steps of one translation, exact and without side effects.</summary>
public class ExplainTests
{
    private const uint Sid = 0x10;

    private static (DeviceHarness H, ulong Pgd) Setup()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        return (h, pgd);
    }

    [Fact]
    public void A_translation_is_explained_structure_by_structure_and_descriptor_by_descriptor()
    {
        var (h, _) = Setup();
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read));

        Assert.Equal(0x8000_0234UL, explanation.Result.PhysicalAddress);
        var ste = Assert.Single(explanation.Steps, s => s.Stage == "STE" && s.Address is not null);
        Assert.Equal(h.SteAddress(Sid), ste.Address);
        Assert.Equal(0xBUL | DeviceHarness.CdTableBase, ste.Value); // V, Config 0b101, S1ContextPtr (digest §8.5)
        var cd = Assert.Single(explanation.Steps, s => s.Stage == "CD" && s.Address is not null);
        Assert.Equal(DeviceHarness.CdTableBase, cd.Address);

        // 4K granule, T0SZ 16: four stage-1 descriptors, levels 0 to 3, the last a page (digest §7.2).
        var walk = explanation.Steps.Where(s => s.Stage == "walk").ToList();
        Assert.Equal(4, walk.Count);
        Assert.EndsWith("page", walk[3].Text, StringComparison.Ordinal);
        Assert.Equal(0x8000_0000UL, walk[3].Value & 0x0000_FFFF_FFFF_F000);
    }

    [Fact]
    public void An_illegal_ste_is_explained_with_the_rule_it_breaks()
    {
        var (h, _) = Setup();
        // IHI0070 §5.2.2: S1CDMax above IDR1.SSIDSIZE (20) makes the STE ILLEGAL.
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 21));
        var explanation = h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read));

        Assert.Equal(EventType.CBadSte, explanation.Result.Fault);
        Assert.Contains(explanation.Steps, s => s.Text.Contains("S1CDMax 21 exceeds IDR1.SSIDSIZE 20", StringComparison.Ordinal));
    }

    [Fact]
    public void Explaining_changes_nothing_no_event_no_cache_no_access_flag_update()
    {
        var (h, pgd) = Setup();
        // A page with AF = 0 and HA set in the CD: a real translation would set AF (IHI0070 §3.13).
        h.Map4K(pgd, 0x5000, 0x8000_5000, DeviceHarness.S1ReadWrite & ~(1UL << 10));
        Assert.True((DeviceHarness.LinuxCd(1, pgd) with { HA = true }).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.Submit(Command.CfgiCd(Sid, 0, leaf: true));
        h.Smmu.Statistics.Reset();
        var memoryBefore = Snapshot(h, pgd);

        var explained = h.Smmu.Explain(new TranslationRequest(Sid, 0x5000, AccessKind.Read));
        var unmapped = h.Smmu.Explain(new TranslationRequest(Sid, 0x9000, AccessKind.Read));

        Assert.True(explained.Result.IsSuccess);
        Assert.Contains(explained.Steps, s => s.Text.Contains("updated by hardware", StringComparison.Ordinal));
        Assert.Equal(EventType.FTranslation, unmapped.Result.Fault);
        Assert.Equal(memoryBefore, Snapshot(h, pgd));            // AF still 0 in the real tables
        Assert.Empty(h.DrainEvents());                            // no F_TRANSLATION recorded
        Assert.Equal(0, h.Smmu.Statistics.Tlb.Insertions);        // nothing cached
        Assert.Equal(0, h.Smmu.Statistics.Walks);
    }

    private static ulong[] Snapshot(DeviceHarness h, ulong pgd)
    {
        // The level-3 table holding 0x5000 is the last table the test harness allocated for this walk.
        var words = new List<ulong>();
        ulong table = pgd;
        for (int level = 0; level < 4; level++)
        {
            int shift = 12 + (9 * (3 - level));
            ulong descriptor = h.Memory.ReadUInt64(table + (((0x5000UL >> shift) & 0x1FF) * 8));
            words.Add(descriptor);
            table = descriptor & 0x0000_FFFF_FFFF_F000;
        }

        return [.. words];
    }
}

/// <summary>The seed API exposes the same explanation.</summary>
public class IommuExplainTests
{
    [Fact]
    public void Iommu_explain_names_the_missing_pasid_context()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(0x10, StreamMode.Stage1);
        var explanation = iommu.Explain(0x10, 0x1000, AccessKind.Read, pasid: 9);
        Assert.Equal(EventType.CBadCd, explanation.Result.Fault);
        Assert.Contains(explanation.Steps, s => s.Text == "invalid (IHI0070 §5.4.2): V = 0: C_BAD_CD");
        Assert.Empty(iommu.DrainEvents()); // explaining recorded nothing
    }
}
