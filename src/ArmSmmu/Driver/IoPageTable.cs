using System.Diagnostics;
using static ArmSmmu.Driver.PageTableDescriptors;

namespace ArmSmmu.Driver;

/// <summary>
/// Host-side VMSAv8-64 translation tables for one stage-1 context or stage-2 domain, in the manner of Linux's
/// io-pgtable-arm: map, unmap and look up IOVA ranges by writing descriptors into physical memory from a
/// <see cref="PhysicalAllocator"/>. The SMMU walks the same memory; nothing is cached here but table bookkeeping.
/// </summary>
/// <remarks>
/// Every descriptor is one 64-bit write, and a table is complete before the descriptor that publishes it is
/// written, so a walker running concurrently sees either the old or the new translation, never a half-built one.
/// All members are safe to call from several threads; they are serialised internally.
/// </remarks>
public sealed partial class IoPageTable : IDisposable
{
    private readonly IPhysicalMemory _memory;
    private readonly PhysicalAllocator _allocator;
    // Its own, or the driver's SyncRoot for a domain's tables: the driver's unmap (tables, then TLBI + SYNC) then takes
    // one lock where it took two, and calls the *Locked members below.
    private readonly Lock _lock;
    private readonly UnmapLog _unmapLog = new();

    // Table PA -> number of valid descriptors in it; also the set of tables to return on Dispose.
    private readonly Dictionary<ulong, int> _validEntries = [];
    private readonly ulong _inputLimit;
    private readonly ulong _outputLimit;

    // Config.StartLevel and StartTableEntries are worked out on every call; EntriesAt needs them at every level of
    // every map and unmap.
    private readonly int _startLevel;
    private readonly int _startTableEntries;

    // Descriptor decoding that depends only on the configuration, worked out once: every level of every map and unmap
    // decodes, and PageTableDescriptors' versions read the format from the configuration record each time.
    // _addressMask: the output address is these descriptor bits in place (0 when the format moves high bits: DS, or
    // 52-bit output with the 64K granule). _blockLevels: PageTableDescriptors.BlockLevels, as Classify takes it.
    private readonly ulong _addressMask;
    private readonly int _blockLevels;

    // The same for the geometry and the options every level reads.
    private readonly int _pageShift;
    private readonly int _bitsPerLevel;
    private readonly bool _keepPartlyUnmappedTables;
    private readonly bool _useContiguousHint;
    private bool _disposed;

    /// <summary>Creates empty tables: allocates and zeroes the start table (all concatenated tables of stage 2).</summary>
    /// <param name="allocator">Source of table memory; its <see cref="PhysicalAllocator.Memory"/> is where descriptors are written.</param>
    /// <param name="config">The table format.</param>
    /// <exception cref="ArgumentException">The configuration is unsupported.</exception>
    /// <exception cref="InvalidOperationException">The allocator has no room for the start table.</exception>
    public IoPageTable(PhysicalAllocator allocator, IoPageTableConfig config)
        : this(allocator, config, restored: null, sharedLock: null)
    {
    }

    // A domain's tables, serialised by the driver's lock.
    internal IoPageTable(PhysicalAllocator allocator, IoPageTableConfig config, Lock sharedLock)
        : this(allocator, config, restored: null, sharedLock)
    {
    }

    // restored: the tables of a driver snapshot, the start table first, with their valid-descriptor counts; they are
    // already allocated (the allocator was restored with them) and in memory.
    private IoPageTable(PhysicalAllocator allocator, IoPageTableConfig config, IReadOnlyList<(ulong Table, int Valid)>? restored, Lock? sharedLock)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _lock = sharedLock ?? new Lock();
        _allocator = allocator;
        _memory = allocator.Memory;
        Config = config;
        _inputLimit = 1UL << config.InputBits;
        _outputLimit = 1UL << config.OutputBits;
        _startLevel = config.StartLevel;
        _startTableEntries = config.StartTableEntries;
        _pageShift = config.Granule.PageShift;
        _bitsPerLevel = config.BitsPerLevel;
        _keepPartlyUnmappedTables = config.KeepPartlyUnmappedTables;
        _useContiguousHint = config.UseContiguousHint;
        _addressMask = config.Ds || PacksHighAddressBits(config) ? 0 : AddressMask(config);
        _blockLevels = BlockLevels(config);

        // Digest §7.2: the start table is aligned to its size; 64 bytes at least (needed for 52-bit TTBs).
        if (restored is null)
        {
            ulong bytes = Math.Max(config.StartTableBytes, 64);
            RootAddress = AllocateTable(bytes);
            return;
        }

        RootAddress = restored[0].Table;
        foreach (var (table, valid) in restored)
        {
            _validEntries.Add(table, valid);
        }
    }

    /// <summary>The table format.</summary>
    public IoPageTableConfig Config { get; }

    /// <summary>PA of the start table: CD.TTB0 for stage 1, STE.S2TTB for stage 2.</summary>
    public ulong RootAddress { get; }

    /// <summary>Number of tables currently allocated, the start table included.</summary>
    public int TableCount
    {
        get
        {
            lock (_lock)
            {
                return _validEntries.Count;
            }
        }
    }

    /// <summary>Maps [<paramref name="iova"/>, +<paramref name="size"/>) to [<paramref name="pa"/>, +<paramref name="size"/>), using at every step the largest block the alignment and remaining size allow.</summary>
    /// <param name="iova">Input address (VA at stage 1, IPA at stage 2), granule aligned.</param>
    /// <param name="pa">Output address, granule aligned.</param>
    /// <param name="size">Bytes, a non-zero multiple of the granule.</param>
    /// <param name="permissions">Access rights and memory type; must include Read or Write.</param>
    /// <exception cref="ArgumentException">Misaligned or out-of-range addresses, or no access permission.</exception>
    /// <exception cref="InvalidOperationException">Part of the range is already mapped, or table memory ran out (nothing is then mapped).</exception>
    public void Map(ulong iova, ulong pa, ulong size, IoPagePermissions permissions)
    {
        lock (_lock)
        {
            MapLocked(iova, pa, size, permissions);
        }
    }

    /// <summary>As <see cref="Map"/>, by a caller that holds the lock these tables were created with.</summary>
    internal void MapLocked(ulong iova, ulong pa, ulong size, IoPagePermissions permissions)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "MapLocked is called under the tables' lock.");
        CheckRange(iova, size, _inputLimit, nameof(iova), "input");
        CheckRange(pa, size, _outputLimit, nameof(pa), "output");
        CheckGranuleAligned(iova, size);
        if ((pa & (Config.Granule.PageSize - 1)) != 0)
        {
            ThrowMisalignedPa(pa, Config.Granule);
        }

        if ((permissions & IoPagePermissions.ReadWrite) == 0)
        {
            throw new ArgumentException("A mapping needs Read or Write permission.", nameof(permissions));
        }

        ulong attributes = LeafAttributes(Config, permissions);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (TryFindMapped(iova, size, out ulong conflict, out TableOnPath reached))
        {
            ThrowAlreadyMapped(conflict, iova, size);
        }

        ulong done = 0;
        try
        {
            while (done < size)
            {
                done += MapRun(iova + done, pa + done, size - done, attributes, ref reached);
            }
        }
        catch (InvalidOperationException)
        {
            // Leave no partial mapping behind and give back the tables made for it.
            UnmapRange(iova, size, new UnmapLog());
            throw;
        }
    }

    /// <summary>Looks up the output address of <paramref name="iova"/> by walking the tables in memory.</summary>
    /// <param name="iova">Input address.</param>
    /// <param name="pa">The output address, or 0.</param>
    /// <returns><see langword="false"/> when <paramref name="iova"/> is not mapped.</returns>
    public bool TryIovaToPhys(ulong iova, out ulong pa)
    {
        pa = 0;
        if (iova >= _inputLimit)
        {
            return false;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong table = RootAddress;
            for (int level = _startLevel; level <= 3; level++)
            {
                ulong descriptor = Read(table + (Index(iova, level) * 8));
                switch (Classify(descriptor, level, _blockLevels))
                {
                    case DescriptorKind.Leaf:
                        ulong offsetMask = LevelSize(level) - 1;
                        pa = (Decode(descriptor) & ~offsetMask) | (iova & offsetMask);
                        return true;
                    case DescriptorKind.Table:
                        table = Decode(descriptor);
                        break;
                    default:
                        return false;
                }
            }

            return false;
        }
    }

    /// <summary>Returns every table, the start table included, to the allocator. The tables must no longer be in use by the SMMU.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (ulong table in _validEntries.Keys)
            {
                _allocator.Free(table);
            }

            _validEntries.Clear();
        }
    }

    private static void CheckRange(ulong address, ulong size, ulong limit, string name, string what)
    {
        if (size == 0)
        {
            throw new ArgumentException("Size must be greater than zero.", nameof(size));
        }

        if (address >= limit || size > limit - address)
        {
            ThrowOutOfRange(address, size, limit, name, what);
        }
    }

    private void CheckGranuleAligned(ulong iova, ulong size)
    {
        ulong mask = Config.Granule.PageSize - 1;
        if ((iova & mask) != 0 || (size & mask) != 0)
        {
            ThrowNotGranuleAligned(iova, size, Config.Granule);
        }
    }

    /// <summary>Writes the leaves of one level-L table for the start of the range; returns bytes mapped.</summary>
    private ulong MapRun(ulong iova, ulong pa, ulong remaining, ulong attributes, ref TableOnPath reached)
    {
        int level = LeafLevelFor(iova, pa, remaining);
        ulong blockSize = LevelSize(level);
        ulong table = WalkOrCreate(iova, level, ref reached);
        ulong first = Index(iova, level);
        ulong count = Math.Min(remaining / blockSize, (ulong)EntriesAt(level) - first);
        ulong setEntries = _useContiguousHint ? (ulong)Config.ContiguousEntries(level) : 0;
        ulong setSize = setEntries * blockSize;
        ulong type = LeafType(level);

        ulong written = 0;
        while (written < count)
        {
            ulong va = iova + (written * blockSize);
            ulong oa = pa + (written * blockSize);

            // Digest §7.9: a contiguous set is aligned in both input and output and fully written here.
            bool contiguous = setEntries > 1 && count - written >= setEntries && va % setSize == 0 && oa % setSize == 0;
            ulong n = contiguous ? setEntries : 1;
            ulong extra = contiguous ? 1UL << ContiguousBit : 0;
            for (ulong j = 0; j < n; j++)
            {
                Write(table + ((first + written + j) * 8), EncodeAddress(Config, oa + (j * blockSize)) | attributes | type | extra);
            }

            written += n;
        }

        ValidEntries(table) += (int)count;
        return count * blockSize;
    }

    /// <summary>The shallowest level whose block (or page) fits the alignment of both addresses and the remaining size.</summary>
    private int LeafLevelFor(ulong iova, ulong pa, ulong remaining)
    {
        for (int level = _startLevel; level < 3; level++)
        {
            ulong size = LevelSize(level);
            if (size <= remaining && ((iova | pa) & (size - 1)) == 0 && BlockAllowed(_blockLevels, level))
            {
                return level;
            }
        }

        return 3;
    }

    /// <summary>
    /// Returns the level-<paramref name="target"/> table covering <paramref name="iova"/>, creating empty tables on the
    /// way. The walk starts at <paramref name="reached"/> when that table is on the path (a map's conflict check, or its
    /// previous run, has just walked there; tables are not freed while a map holds the lock), and leaves the table
    /// returned there.
    /// </summary>
    private ulong WalkOrCreate(ulong iova, int target, ref TableOnPath reached)
    {
        ulong table = RootAddress;
        int level = _startLevel;
        if (reached.Level > level && reached.Level <= target && reached.Covers(Config, iova))
        {
            table = reached.Table;
            level = reached.Level;
        }

        for (; level < target; level++)
        {
            ulong slot = table + (Index(iova, level) * 8);
            ulong descriptor = Read(slot);
            switch (Classify(descriptor, level, _blockLevels))
            {
                case DescriptorKind.Table:
                    table = Decode(descriptor);
                    break;
                case DescriptorKind.Invalid:
                    // The new table is zeroed (all invalid) before it is published.
                    ulong child = AllocateTable(Config.Granule.PageSize);
                    Write(slot, Table(Config, child));
                    ValidEntries(table)++;
                    table = child;
                    break;
                default:
                    ThrowMappedByBlock(iova, level);
                    break;
            }
        }

        reached = new TableOnPath(table, target, iova);
        return table;
    }

    /// <summary>
    /// Finds the first mapped address of [iova, iova+size), skipping unmapped regions a whole table entry at a time.
    /// <paramref name="reached"/> is the deepest table the walk of <paramref name="iova"/> itself passed through.
    /// </summary>
    private bool TryFindMapped(ulong iova, ulong size, out ulong mapped, out TableOnPath reached)
    {
        reached = default;
        ulong address = iova;
        ulong end = iova + size;
        while (address < end)
        {
            ulong table = RootAddress;
            for (int level = _startLevel; level <= 3; level++)
            {
                ulong descriptor = Read(table + (Index(address, level) * 8));
                DescriptorKind kind = Classify(descriptor, level, _blockLevels);
                if (kind == DescriptorKind.Leaf)
                {
                    mapped = address;
                    return true;
                }

                if (address == iova)
                {
                    reached = new TableOnPath(table, level, iova);
                }

                if (kind == DescriptorKind.Invalid)
                {
                    ulong span = LevelSize(level);
                    address = (address & ~(span - 1)) + span;
                    break;
                }

                table = Decode(descriptor);
            }
        }

        mapped = 0;
        return false;
    }

    /// <summary>A table met on the walk of an address: its PA, its level, and the address it was met for.</summary>
    private readonly record struct TableOnPath(ulong Table, int Level, ulong Address)
    {
        // The table at level L is the same for every address that agrees above the bits levels L.. resolve.
        public bool Covers(IoPageTableConfig config, ulong iova) =>
            ((iova ^ Address) >> config.Granule.LevelShift(Level - 1)) == 0;
    }

    private int EntriesAt(int level) => level == _startLevel ? _startTableEntries : 1 << _bitsPerLevel;

    private ulong Index(ulong iova, int level) => (iova >> LevelShift(level)) & (ulong)(EntriesAt(level) - 1);

    // As Granule.LevelShift and IoPageTableConfig.LevelSize, from the cached geometry.
    private int LevelShift(int level) => _pageShift + (_bitsPerLevel * (3 - level));

    private ulong LevelSize(int level) => 1UL << LevelShift(level);

    // One dictionary lookup for a read-modify-write of a table's count (the indexer takes two).
    private ref int ValidEntries(ulong table)
    {
        ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_validEntries, table);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
        {
            ThrowNotATable(table);
        }

        return ref count;
    }

    private ulong AllocateTable(ulong bytes)
    {
        ulong table = _allocator.Allocate(bytes, bytes);
        if (table >= _outputLimit || bytes > _outputLimit - table)
        {
            _allocator.Free(table);
            throw new InvalidOperationException($"The allocator returned table memory at 0x{table:X}, beyond the {Config.OutputBits}-bit output address size.");
        }

        _validEntries.Add(table, 0);
        return table;
    }

    private void FreeTable(ulong table)
    {
        _validEntries.Remove(table);
        _allocator.Free(table);
    }

    private ulong Decode(ulong descriptor) => _addressMask != 0 ? descriptor & _addressMask : DecodeAddress(Config, descriptor);

    private ulong Read(ulong address) =>
        _memory.TryReadUInt64(address, out ulong value) ? value : ThrowUnbacked(address, "readable");

    private void Write(ulong address, ulong value)
    {
        if (!_memory.TryWriteUInt64(address, value))
        {
            ThrowUnbacked(address, "writable");
        }
    }
}
