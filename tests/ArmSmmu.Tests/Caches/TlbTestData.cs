using ArmSmmu.Caches;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Caches;

/// <summary>Entry and key builders shared by the TLB tests.</summary>
internal static class TlbTestData
{
    public const int Page4K = 12;
    public const int Block2M = 21;
    public const int Block1G = 30;

    public static TlbKey El1(ushort vmid, ushort asid, TranslationKind kind = TranslationKind.Stage1) =>
        new(StreamWorld.NsEl1, vmid, asid, kind);

    /// <summary>A 4K-granule translation of 2^shift bytes; the level follows from the size (VMSAv8-64, 4K granule: 12 = L3, 21 = L2, 30 = L1).</summary>
    public static TranslationEntry Entry(ulong inputBase, ulong outputBase, int shift, bool global = false, sbyte? level = null) => new()
    {
        InputBase = inputBase,
        OutputBase = outputBase,
        Shift = (byte)shift,
        Level = level ?? (sbyte)(3 - ((shift - 12) / 9)),
        Granule = Granule.Size4K,
        Global = global,
        Stage1Permissions = PagePermissions.All,
        Stage2Permissions = PagePermissions.All,
        Attributes = MemoryAttributes.NormalWriteBack,
    };

    public static Tlb Filled(params (TlbKey Key, TranslationEntry Entry)[] entries)
    {
        var tlb = new Tlb(256, 4);
        foreach ((TlbKey key, TranslationEntry entry) in entries)
        {
            tlb.Insert(key, entry, tlb.Generation);
        }

        Assert.Equal(entries.Length, tlb.Count);
        return tlb;
    }
}
