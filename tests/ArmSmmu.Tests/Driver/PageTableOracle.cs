using ArmSmmu.Driver;

namespace ArmSmmu.Tests.Driver;

/// <summary>
/// An independent reading of the tables, straight from digest §7.1-§7.4: level L resolves
/// IA[g + s*(3-L) + s - 1 : g + s*(3-L)], descriptors are 8 bytes, table addresses sit in bits [47:g].
/// </summary>
internal static class PageTableOracle
{
    /// <summary>The descriptor that ends the walk for <paramref name="iova"/> (leaf or invalid), its level and its address.</summary>
    public static (ulong Descriptor, int Level, ulong Slot) Walk(SparseMemory memory, IoPageTableConfig config, ulong root, ulong iova)
    {
        int g = config.Granule.PageShift;
        int s = g - 3;
        ulong table = root;
        for (int level = config.StartLevel; ; level++)
        {
            int shift = g + (s * (3 - level));
            ulong entries = level == config.StartLevel ? 1UL << (config.InputBits - shift) : 1UL << s;
            ulong slot = table + (((iova >> shift) & (entries - 1)) * 8);
            ulong descriptor = memory.ReadUInt64(slot);
            bool isTable = level < 3 && (descriptor & 0b11) == 0b11;
            if (!isTable)
            {
                return (descriptor, level, slot);
            }

            table = descriptor & (((1UL << 48) - 1) & ~((1UL << g) - 1));
        }
    }
}
