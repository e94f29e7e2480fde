using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>
/// What a stage-1 and a stage-2 domain share: the tables, the driver they invalidate through, and the disposed
/// state. The domains differ only in the TLBI commands they issue (digest §8.4, §8.5 step 7).
/// </summary>
internal sealed class DomainTables
{
    private readonly SmmuDriver _driver;
    private readonly Func<TlbInvalidation, Command> _toCommand;
    private readonly object _owner;
    private readonly List<TlbInvalidation> _invalidations = [];
    private bool _disposed;

    /// <summary>Allocates empty tables for <paramref name="owner"/>, which names itself in ObjectDisposedException.</summary>
    /// <remarks><paramref name="restored"/>: the tables of a driver snapshot instead of new ones.</remarks>
    public DomainTables(object owner, SmmuDriver driver, IoPageTableConfig config, Func<TlbInvalidation, Command> toCommand, IoPageTable? restored = null)
    {
        _owner = owner;
        _driver = driver;
        _toCommand = toCommand;
        PageTable = restored ?? new IoPageTable(driver.Allocator, config, driver.SyncRoot);
    }

    /// <summary>The tables.</summary>
    public IoPageTable PageTable { get; }

    /// <summary>Descriptor writes only, no TLBI (digest §8.5 step 6: invalid entries are never cached).</summary>
    public void Map(ulong inputAddress, ulong outputAddress, ulong size, IoPagePermissions permissions)
    {
        lock (_driver.SyncRoot)
        {
            MapLocked(inputAddress, outputAddress, size, permissions);
        }
    }

    /// <summary>As <see cref="Map"/>, under the driver's SyncRoot (which is also the tables' lock).</summary>
    public void MapLocked(ulong inputAddress, ulong outputAddress, ulong size, IoPagePermissions permissions)
    {
        ObjectDisposedException.ThrowIf(_disposed, _owner);
        PageTable.MapLocked(inputAddress, outputAddress, size, permissions);
    }

    /// <summary>Unmaps, then one TLBI per range (plus <paramref name="alsoWhenInvalidating"/> if any) and a CMD_SYNC.</summary>
    public ulong Unmap(ulong inputAddress, ulong size, Command? alsoWhenInvalidating = null)
    {
        lock (_driver.SyncRoot)
        {
            return UnmapLocked(inputAddress, size, alsoWhenInvalidating);
        }
    }

    /// <summary>As <see cref="Unmap"/>, under the driver's SyncRoot (which is also the tables' lock).</summary>
    public ulong UnmapLocked(ulong inputAddress, ulong size, Command? alsoWhenInvalidating = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, _owner);

        // Reused under the driver's lock, like Linux's iommu_iotlb_gather: an unmap allocates nothing.
        var invalidations = _invalidations;
        invalidations.Clear();
        ulong bytes = PageTable.UnmapIntoLocked(inputAddress, size, invalidations);
        _driver.InvalidateLocked(invalidations, _toCommand, invalidations.Count > 0 ? alsoWhenInvalidating : null);
        if (bytes != 0)
        {
            _driver.InvalidateAtcOfLocked(_owner, inputAddress, size); // then the ATCs: TLBI, SYNC, ATC_INV, SYNC (IHI0070 §4.5.1)
        }

        return bytes;
    }

    /// <summary>
    /// Re-maps a fully mapped range with new permissions by break-before-make: collects the output runs, unmaps
    /// through the domain's <paramref name="unmap"/> (with its TLBI), maps the runs again (digest §8.5 step 6).
    /// </summary>
    public void Protect(ulong inputAddress, ulong size, IoPagePermissions permissions, Func<ulong, ulong, ulong> unmap)
    {
        ObjectDisposedException.ThrowIf(_disposed, _owner);
        lock (_driver.SyncRoot)
        {
            ulong page = PageTable.Config.Granule.PageSize;
            var runs = new List<(ulong Input, ulong Output, ulong Size)>();
            for (ulong offset = 0; offset < size; offset += page)
            {
                if (!PageTable.TryIovaToPhys(inputAddress + offset, out ulong pa))
                {
                    throw new InvalidOperationException($"Address 0x{inputAddress + offset:X} is not mapped; only mapped ranges can change permissions.");
                }

                if (runs.Count > 0 && runs[^1].Input + runs[^1].Size == inputAddress + offset && runs[^1].Output + runs[^1].Size == pa)
                {
                    runs[^1] = (runs[^1].Input, runs[^1].Output, runs[^1].Size + page);
                }
                else
                {
                    runs.Add((inputAddress + offset, pa, page));
                }
            }

            unmap(inputAddress, size);
            foreach (var (runInput, runOutput, runSize) in runs)
            {
                PageTable.Map(runInput, runOutput, runSize, permissions);
            }
        }
    }

    /// <summary>Flushes the domain's TLB entries while the driver is up, releases its tag and frees the tables; once.</summary>
    public void Dispose(Action flushTlb, Action releaseTag)
    {
        if (_disposed)
        {
            return;
        }

        if (_driver.IsInitialized)
        {
            flushTlb();
        }

        _disposed = true;
        _driver.UnbindAts(_owner);
        releaseTag();
        PageTable.Dispose();
    }
}
