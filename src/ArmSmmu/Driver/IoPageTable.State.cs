namespace ArmSmmu.Driver;

// A domain's tables in a driver snapshot: the start table and every table below it with its count of valid
// descriptors. The descriptors themselves are in memory, which the platform saves.
public sealed partial class IoPageTable
{
    internal void SaveTables(StateSection section)
    {
        lock (_lock)
        {
            section.Put("root", RootAddress);
            var tables = _validEntries.OrderBy(e => e.Key != RootAddress).ThenBy(static e => e.Key);
            section.PutList("tables", tables, static (s, e) =>
            {
                s.Put("address", e.Key);
                s.PutNumber("valid", e.Value);
            });
        }
    }

    internal static IoPageTable RestoreTables(PhysicalAllocator allocator, IoPageTableConfig config, StateSection section, Lock sharedLock)
    {
        ulong root = section.GetUInt64("root");
        var tables = section.GetList("tables", static s => (Table: s.GetUInt64("address"), Valid: (int)s.GetNumber("valid")));
        if (tables.Count == 0 || tables[0].Table != root)
        {
            throw new InvalidDataException($"Snapshot page tables with root 0x{root:X} must list the start table first.");
        }

        return new IoPageTable(allocator, config, tables, sharedLock);
    }
}
