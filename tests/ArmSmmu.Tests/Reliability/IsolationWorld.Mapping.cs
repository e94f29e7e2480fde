using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Reliability;

/// <summary>Maps, remaps and unmaps, each followed by a sufficient invalidation and CMD_SYNC (IHI0070 §4.4, Arm ARM D8.13).</summary>
internal sealed partial class IsolationWorld
{
    private void MapStage1()
    {
        var space = _c.Pick(_stage1);
        bool high = space.Ttb1 is not null && _c.Coin();
        var tables = high ? space.Ttb1! : space.Ttb0;
        int level = LeafLevel(tables.Format);
        ulong size = tables.Format.EntrySize(level);
        ulong va = WindowAddress(high ? Ttb1Window : 0, Window, size);
        var commands = new List<Command>();
        // The run stops at the end of the table's input range: past it (a 4 GiB TTB0 reached by four 1 GiB blocks from
        // 1 GiB) the table index wraps and the write lands on the range's first entry, which an invalidation of the
        // out-of-range address does not cover (a guest error, not a prescribed sequence: seed cOqPOKR6xIm1).
        ulong rangeEnd = high ? 0 : 1UL << tables.Format.InputBits;
        for (int i = 0, n = 1 + _c.Next(4); i < n && va + ((ulong)i * size) >= va && (high || va + ((ulong)i * size) < rangeEnd); i++)
        {
            ulong address = va + ((ulong)i * size);
            ulong output = space.Parent is { } parent ? StageOneOutput(parent, size) : NextPa(size);
            if (_options.SkipLargerStage1OverStage2 && space.Parent is { } p && size > (1UL << p.Tables.Format.PageShift))
            {
                continue;
            }

            var change = tables.Map(address, level, output);
            Log($"map S1 [{space}] {Hex(address)} L{level} -> {Hex(output)}{Describe(change)}");
            Remember(space.Leaves, address, size);
            commands.AddRange(InvalidateStage1(space, tables.Format, change));
        }

        Sync(commands);
    }

    private void UnmapStage1()
    {
        var space = _c.Pick(_stage1);
        bool high = space.Ttb1 is not null && _c.Coin();
        ulong address = space.Leaves.Count > 0 ? _c.Pick(space.Leaves).Base : WindowAddress(high ? Ttb1Window : 0, Window, 1UL << (high ? space.Ttb1! : space.Ttb0).Format.PageShift);

        // The address's half of the VA space names the table (the coin above only chooses a fresh address; it is still
        // drawn so that saved programs keep their choices). A TTB0 leaf unmapped in TTB1's table, whose index wraps onto
        // the same entry of the top of the space, was invalidated at the TTB0 address, which does not cover the TTB1
        // entry it changed (a guest error, not a prescribed sequence: seed 4WuOUysXDMJ2).
        high = address >= Ttb1Window;
        var tables = high ? space.Ttb1! : space.Ttb0;
        int level = _c.Coin() ? 3 : tables.Format.StartLevel + _c.Next(4 - tables.Format.StartLevel);
        var change = tables.Unmap(address, level);
        Log($"unmap S1 [{space}] {Hex(address)} L{level}{Describe(change)}");
        Sync(InvalidateStage1(space, tables.Format, change));
    }

    private void MapStage2()
    {
        var space = _c.Pick(_stage2);
        int level = LeafLevel(space.Tables.Format);
        ulong size = space.Tables.Format.EntrySize(level);
        ulong ipa = WindowAddress(IpaWindow, IpaWindow, size);
        var commands = new List<Command>();
        for (int i = 0, n = 1 + _c.Next(4); i < n && ipa + ((ulong)i * size) < 2 * IpaWindow; i++)
        {
            ulong address = ipa + ((ulong)i * size);
            ulong output = NextPa(size);
            var change = space.Tables.Map(address, level, output);
            Log($"map S2 VMID {space.Vmid} {space.Tables.Format} {Hex(address)} L{level} -> {Hex(output)}{Describe(change)}");
            Remember(space.Leaves, address, size);
            commands.AddRange(InvalidateStage2(space, change));
        }

        Sync(commands);
    }

    private void UnmapStage2()
    {
        var space = _c.Pick(_stage2);
        if (space.Leaves.Count == 0)
        {
            return;
        }

        ulong address = _c.Pick(space.Leaves).Base;
        var change = space.Tables.Unmap(address, 3);
        Log($"unmap S2 VMID {space.Vmid} {Hex(address)}{Describe(change)}");
        Sync(InvalidateStage2(space, change));
    }

    /// <summary>An IPA for a nested stage-1 leaf: mostly inside a stage-2 leaf, so both stages translate.</summary>
    private ulong StageOneOutput(Stage2Space parent, ulong size)
    {
        if (parent.Leaves.Count == 0 || _c.Next(4) == 0)
        {
            return WindowAddress(IpaWindow, IpaWindow, size);
        }

        var (leafBase, leafSize) = _c.Pick(parent.Leaves);
        ulong pieces = Math.Max(1, leafSize / size);
        return GuestTables.AlignDown(leafBase + ((ulong)_c.Next((int)Math.Min(pieces, 8)) * size), size);
    }

    private static string Describe(GuestTables.Change change) => !change.WasMapped
        ? " (was invalid)"
        : $" (replaces [{Hex(change.Base)}, +{Hex(change.Size)}){(change.DroppedTable ? " table" : string.Empty)})";

    private void Sync(List<Command> commands)
    {
        foreach (var command in commands)
        {
            Log($"  {command}");
        }

        try
        {
            _h.Submit([.. commands]);
        }
        catch (InvalidOperationException e)
        {
            throw new IsolationViolationException($"{e.Message}\n{_log}");
        }
    }

    /// <summary>
    /// One of the invalidations that removes every TLB entry the change made stale (IHI0070 §4.4.2): a single
    /// address covers a replaced leaf (any address inside it, not only its first page); a dropped table needs a
    /// range or a wider scope. Leaf = 1 only when no table descriptor changed.
    /// </summary>
    private List<Command> InvalidateStage1(Stage1Space space, TableFormat format, GuestTables.Change change)
    {
        if (!change.WasMapped)
        {
            return [];
        }

        bool leaf = !change.DroppedTable;
        int form = _c.Next(8);
        if (change.DroppedTable && form < 2)
        {
            form += 5;
        }

        ulong address = AnyPageIn(change);
        var (num, scale) = RangeCovering(change.Size >> format.PageShift);
        var tg = (RangeGranule)((format.PageShift - 10) / 2);
        return form switch
        {
            0 => [Command.TlbiNhVa(space.Vmid, space.Asid, address, leaf)],
            1 => [Command.TlbiNhVaa(space.Vmid, address, leaf)],
            2 => [Command.TlbiNhAsid(space.Vmid, space.Asid)],
            3 => [Command.TlbiNhAll(space.Vmid)],
            4 => [Command.TlbiS12Vmall(space.Vmid)],
            5 => [Command.TlbiNhVa(space.Vmid, space.Asid, change.Base, leaf, num, scale, 0, tg)],
            6 => [Command.TlbiNhVaa(space.Vmid, change.Base, leaf, num, scale, 0, tg)],
            _ => [Command.TlbiNsnhAll()],
        };
    }

    /// <summary>
    /// Stage-2 changes: TLBI_S2_IPA (single or range) removes stage-2 entries; once a nested stream used the VMID,
    /// combined entries are tagged by VA and need TLBI_NH_ALL as well (Arm ARM D8.13.5: IPAS2E1 then VMALLE1), or
    /// TLBI_S12_VMALL does both.
    /// </summary>
    private List<Command> InvalidateStage2(Stage2Space space, GuestTables.Change change)
    {
        if (!change.WasMapped)
        {
            return [];
        }

        bool leaf = !change.DroppedTable;
        int form = _c.Next(4);
        if (change.DroppedTable && form == 0)
        {
            form = 1;
        }

        var (num, scale) = RangeCovering(change.Size >> space.Tables.Format.PageShift);
        var tg = (RangeGranule)((space.Tables.Format.PageShift - 10) / 2);
        List<Command> commands = form switch
        {
            0 => [Command.TlbiS2Ipa(space.Vmid, AnyPageIn(change), leaf)],
            1 => [Command.TlbiS2Ipa(space.Vmid, change.Base, leaf, num, scale, 0, tg)],
            2 => [Command.TlbiS12Vmall(space.Vmid)],
            _ => [Command.TlbiNsnhAll()],
        };
        if (form < 2 && space.EverNested)
        {
            commands.Add(Command.TlbiNhAll(space.Vmid));
        }

        return commands;
    }

    /// <summary>An address in one of the first pages of the change (the TLBI by VA may name any address in the leaf).</summary>
    private ulong AnyPageIn(GuestTables.Change change) => change.Base + ((ulong)_c.Next(8) * 0x1000 % change.Size);

    /// <summary>
    /// NUM and SCALE of a range TLBI covering <paramref name="pages"/> granules: (NUM+1) x 2^SCALE (IHI0070 §4.4.1.1).
    /// NUM = SCALE = 0 with TTL = 0 is reserved, so a single page is invalidated as two (as Linux does).
    /// </summary>
    private static (uint Num, uint Scale) RangeCovering(ulong pages)
    {
        for (uint scale = 0; ; scale++)
        {
            if (pages <= 32UL << (int)scale)
            {
                uint num = (uint)(((pages + (1UL << (int)scale) - 1) >> (int)scale) - 1);
                return (num == 0 && scale == 0 ? 1 : num, scale);
            }
        }
    }
}
