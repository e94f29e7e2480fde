using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <content>ASID/VMID allocation, CD tables and translation domains.</content>
public sealed partial class SmmuDriver
{
    private IdAllocator _asids = new(8, "ASID");
    private IdAllocator _vmids = new(8, "VMID");

    // The live domains and CD tables, so the driver snapshot can recreate them (docs/save-restore.md).
    private readonly SortedDictionary<ushort, Stage1Domain> _stage1Domains = [];
    private readonly SortedDictionary<ushort, Stage2Domain> _stage2Domains = [];
    private readonly List<ContextDescriptorTable> _cdTables = [];

    // The commands of an unmap's invalidation, reused under the lock (an unmap allocates nothing once warm).
    private Command[]? _invalidationCommands;

    /// <summary>The stage-1 domains created through this driver and not yet disposed, by ASID (after <see cref="RestoreState"/>, the restored ones).</summary>
    public IReadOnlyList<Stage1Domain> Stage1Domains
    {
        get
        {
            lock (_lock)
            {
                return [.. _stage1Domains.Values];
            }
        }
    }

    /// <summary>The stage-2 domains created through this driver and not yet disposed, by VMID.</summary>
    public IReadOnlyList<Stage2Domain> Stage2Domains
    {
        get
        {
            lock (_lock)
            {
                return [.. _stage2Domains.Values];
            }
        }
    }

    /// <summary>The CD tables created through this driver and not yet disposed, in creation order.</summary>
    public IReadOnlyList<ContextDescriptorTable> ContextDescriptorTables
    {
        get
        {
            lock (_lock)
            {
                return [.. _cdTables];
            }
        }
    }

    /// <summary>The lock every driver operation takes; domains and CD tables share it.</summary>
    internal Lock SyncRoot => _lock;

    /// <summary>
    /// Creates the CD table of <paramref name="streamId"/> for <paramref name="substreamIdBits"/> SubstreamID bits:
    /// linear when CD2L is absent or at most 1024 CDs are needed, otherwise 2-level (digest §8.2).
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="substreamIdBits">0 (a single CD) .. IDR1.SSIDSIZE; capped at 10 without CD2L.</param>
    /// <returns>The empty table (all CDs invalid).</returns>
    public ContextDescriptorTable CreateContextDescriptorTable(uint streamId, int substreamIdBits)
    {
        lock (_lock)
        {
            RequireInitialized();
            var caps = Capabilities;
            if (!caps.Stage1)
            {
                throw new NotSupportedException("The SMMU has no stage 1 (IDR0.S1P = 0): CD tables are not used.");
            }

            if (substreamIdBits < 0 || substreamIdBits > caps.SubstreamIdBits)
            {
                throw new ArgumentOutOfRangeException(nameof(substreamIdBits), substreamIdBits, $"SubstreamID bits must be 0..{caps.SubstreamIdBits} (IDR1.SSIDSIZE).");
            }

            if (!caps.TwoLevelCdTable)
            {
                substreamIdBits = Math.Min(substreamIdBits, 10);
            }

            bool twoLevel = caps.TwoLevelCdTable && substreamIdBits > 10;
            var table = new ContextDescriptorTable(this, streamId, substreamIdBits, twoLevel);
            _cdTables.Add(table);
            return table;
        }
    }

    /// <summary>Creates a stage-1 domain: an ASID (from 1) and empty stage-1 tables.</summary>
    /// <param name="granule">Translation granule (IDR5 must support it).</param>
    /// <param name="inputBits">VA size, 25..48, or up to 52 with IDR5.VAX and the 64K granule or IDR5.DS (CD.T0SZ = 64 - this).</param>
    /// <param name="parent">For a nested stream: the stage-2 domain that translates this domain's output (IPAs); its VMID tags the TLB entries.</param>
    /// <param name="stall">Faults stall (CD.S = 1) instead of aborting; forced when IDR0.STALL_MODEL = 0b10.</param>
    /// <returns>The domain.</returns>
    public Stage1Domain CreateStage1Domain(Granule granule, int inputBits = 48, Stage2Domain? parent = null, bool stall = false)
    {
        lock (_lock)
        {
            var caps = RequireStage(1, granule, stall);
            if (inputBits > 48 && !caps.VirtualAddressExtension)
            {
                throw new NotSupportedException("VAs above 48 bits need IDR5.VAX = 0b01 (IHI0070 §3.4.1).");
            }

            int outputBits = parent?.InputBits ?? StageOutputBits(granule);
            var config = TableConfig(PageTableStage.Stage1, granule, inputBits, outputBits);
            var domain = WithId(_asids, asid => new Stage1Domain(this, config, asid, parent, el2: parent is null && caps.E2H, stall || caps.StallModel == StallModel.StallForced));
            _stage1Domains.Add(domain.Asid, domain);
            return domain;
        }
    }

    /// <summary>Creates a stage-2 domain: a VMID (from 1) and empty stage-2 tables.</summary>
    /// <param name="granule">Translation granule.</param>
    /// <param name="inputBits">IPA size (STE.S2T0SZ = 64 - this), at most the SMMU's IAS.</param>
    /// <param name="stall">Stage-2 faults stall (STE.S2S = 1); forced when IDR0.STALL_MODEL = 0b10.</param>
    /// <returns>The domain.</returns>
    public Stage2Domain CreateStage2Domain(Granule granule, int inputBits = 48, bool stall = false)
    {
        lock (_lock)
        {
            var caps = RequireStage(2, granule, stall);
            if (inputBits > caps.InputAddressBits)
            {
                throw new ArgumentOutOfRangeException(nameof(inputBits), inputBits, $"The IPA size may not exceed the SMMU's IAS ({caps.InputAddressBits} bits).");
            }

            var config = TableConfig(PageTableStage.Stage2, granule, inputBits, StageOutputBits(granule));
            var domain = WithId(_vmids, vmid => new Stage2Domain(this, config, vmid, stall || caps.StallModel == StallModel.StallForced));
            _stage2Domains.Add(domain.Vmid, domain);
            return domain;
        }
    }

    internal void ReleaseAsid(ushort asid)
    {
        lock (_lock)
        {
            _asids.Free(asid);
            _stage1Domains.Remove(asid);
        }
    }

    internal void ReleaseVmid(ushort vmid)
    {
        lock (_lock)
        {
            _vmids.Free(vmid);
            _stage2Domains.Remove(vmid);
        }
    }

    /// <summary>Under <see cref="SyncRoot"/>: issues the invalidations an unmap returned, then one CMD_SYNC (digest §8.5 step 7).</summary>
    /// <remarks>
    /// The commands are built in an array the driver keeps, under its lock; the array is taken while in use, so that a
    /// <see cref="CommandWritten"/> handler that unmaps in turn builds its own rather than overwrite the one being sent.
    /// </remarks>
    internal void InvalidateLocked(List<TlbInvalidation> invalidations, Func<TlbInvalidation, Command> toCommand, Command? extra)
    {
        int count = invalidations.Count + (extra is null ? 0 : 1);
        if (count == 0)
        {
            return;
        }

        // The caller (DomainTables.UnmapLocked) holds the lock.
        RequireInitialized();
        var commands = _invalidationCommands is { } kept && kept.Length >= count ? kept : new Command[Math.Max(count, 8)];
        _invalidationCommands = null;
        for (int i = 0; i < invalidations.Count; i++)
        {
            commands[i] = toCommand(invalidations[i]);
        }

        if (extra is { } also)
        {
            commands[count - 1] = also;
        }

        SubmitAndSyncLocked(commands.AsSpan(0, count));
        _invalidationCommands = commands;
    }

    private int StageOutputBits(Granule granule)
    {
        // Digest §7.9: 52-bit output needs the 64K granule (FEAT_LPA) or, for 4K/16K, IDR5.DS (FEAT_LPA2).
        int oas = Capabilities.OutputAddressBits;
        return oas >= 52 ? (granule.PageShift == 16 || Capabilities.LargeAddresses2 ? 52 : 48) : oas;
    }

    // The checks every domain request makes: the driver is up, the stage exists (IDR0.S1P/S2P), the granule is
    // supported (IDR5) and a stall request can be honoured (IDR0.STALL_MODEL).
    private SmmuCapabilities RequireStage(int stage, Granule granule, bool stall)
    {
        RequireInitialized();
        var caps = Capabilities;
        if (!(stage == 1 ? caps.Stage1 : caps.Stage2))
        {
            throw new NotSupportedException($"The SMMU has no stage {stage} (IDR0.S{stage}P = 0).");
        }

        if (!caps.Supports(granule))
        {
            throw new NotSupportedException($"The SMMU does not support the {granule} granule (IDR5).");
        }

        if (stall && caps.StallModel == StallModel.TerminateOnly)
        {
            throw new NotSupportedException("The SMMU cannot stall faulting transactions (IDR0.STALL_MODEL = 0b01).");
        }

        return caps;
    }

    internal void ForgetContextDescriptorTable(ContextDescriptorTable table)
    {
        lock (_lock)
        {
            _cdTables.Remove(table);
        }
    }

    private IoPageTableConfig TableConfig(PageTableStage stage, Granule granule, int inputBits, int outputBits)
    {
        var config = new IoPageTableConfig(stage, granule, inputBits, outputBits)
        {
            // IHI0070 §5.2 S2DS, §5.4 DS: the 4K/16K tables take the FEAT_LPA2 format only when an address needs 52 bits.
            Ds = granule.PageShift != 16 && Capabilities.LargeAddresses2 && (inputBits > 48 || outputBits > 48),
            Coherent = Capabilities.Coherent,
            RangeInvalidation = Capabilities.RangeInvalidation,
            KeepPartlyUnmappedTables = true,
        };
        config.Validate();
        return config;
    }

    // The ASID or VMID goes back to its allocator if the domain cannot be built.
    private static T WithId<T>(IdAllocator ids, Func<ushort, T> create)
    {
        ushort id = ids.Allocate();
        try
        {
            return create(id);
        }
        catch
        {
            ids.Free(id);
            throw;
        }
    }

    private void CreateIdAllocators()
    {
        _asids = new IdAllocator(Capabilities.AsidBits, "ASID");
        _vmids = new IdAllocator(Capabilities.VmidBits, "VMID");
    }
}
