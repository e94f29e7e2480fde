using System.Runtime.CompilerServices;

namespace ArmSmmu.Translation;

/// <summary>
/// Permission rules of both stages (DDI0487 D8.4; digest §7.6). The walker computes the full
/// <see cref="PagePermissions"/> set of a translation once, so a TLB hit is checked with <see cref="Check"/> alone.
/// </summary>
internal static class PermissionCheck
{
    /// <summary>Checks an access against a cached translation: stage 1 first, then stage 2.</summary>
    /// <param name="entry">The translation.</param>
    /// <param name="inputAddress">The input address of the access (inside the entry).</param>
    /// <param name="access">The access.</param>
    /// <returns>Kind None when allowed, else a stage-1 or stage-2 (CLASS IN) F_PERMISSION.</returns>
    public static WalkFault Check(in TranslationEntry entry, ulong inputAddress, AccessIntent access)
    {
        PagePermissions required = Required(access);
        if ((entry.Stage1Permissions & required) == 0)
        {
            return new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: entry.Level);
        }

        if ((entry.Stage2Permissions & required) == 0)
        {
            ulong ipa = entry.IntermediateBase | (inputAddress & Bits.Mask(entry.Shift));
            return new WalkFault(FaultKind.Permission, true, FaultClass.IN, ipa, Level: entry.Stage2Level);
        }

        return default;
    }

    /// <summary>
    /// True when a hit on <paramref name="entry"/> for <paramref name="access"/> must walk again instead of faulting:
    /// a write to a writable-clean page whose dirty state the hardware updates (IHI0070 §3.13.3).
    /// </summary>
    /// <param name="entry">The cached translation.</param>
    /// <param name="access">The access.</param>
    /// <returns>Whether the walker must see the access.</returns>
    public static bool NeedsDirtyUpdate(in TranslationEntry entry, AccessIntent access) =>
        access.Write && (entry.Stage1DirtyUpdatable || entry.Stage2DirtyUpdatable);

    /// <summary>The single permission flag an access needs.</summary>
    /// <param name="access">The access.</param>
    /// <returns>One of the six <see cref="PagePermissions"/> bits.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PagePermissions Required(AccessIntent access)
    {
        // IHI0070 §7.3 / §13.1.2: InD == 0 when RnW == 0, so a write is always a data write.
        if (access.Write)
        {
            return access.Privileged ? PagePermissions.PrivilegedWrite : PagePermissions.UnprivilegedWrite;
        }

        if (access.Instruction)
        {
            return access.Privileged ? PagePermissions.PrivilegedExecute : PagePermissions.UnprivilegedExecute;
        }

        return access.Privileged ? PagePermissions.PrivilegedRead : PagePermissions.UnprivilegedRead;
    }

    // Stage1 of every input, indexed by AP[2:1], UXN, PXN, APTable[1:0], UXNTable, PXNTable and the three
    // configuration bits it reads (single EL, WXN, PAN): made by Stage1 itself, so the walker's lookup cannot differ.
    private static readonly PagePermissions[] Stage1Table = BuildStage1Table();

    private static PagePermissions[] BuildStage1Table()
    {
        var table = new PagePermissions[1 << 11];
        for (int i = 0; i < table.Length; i++)
        {
            var config = new Stage1Config { SingleExceptionLevel = (i & 0x100) != 0, Wxn = (i & 0x200) != 0, Pan = (i & 0x400) != 0 };
            table[i] = Stage1((uint)i & 3, (i & 4) != 0, (i & 8) != 0, ((uint)i >> 4) & 3, (i & 0x40) != 0, (i & 0x80) != 0, config);
        }

        return table;
    }

    /// <summary>As <see cref="Stage1"/>, from a table of its results: the walker's form, one load instead of the rules.</summary>
    /// <param name="descriptor">The block or page descriptor: AP[2:1] (bits [7:6]), PXN (bit 53), UXN (bit 54).</param>
    /// <param name="tableAttributes">APTable[1:0], UXNTable (bit 2) and PXNTable (bit 3) ORed over the table levels, as the walker packs them (higher bits ignored).</param>
    /// <param name="config">The stage-1 configuration (WXN, PAN, single EL).</param>
    /// <returns>The six permission bits.</returns>
    // The index is made from the descriptor's bits by shifts: from six booleans the JIT spilled each partial OR (30
    // instructions a stage-1 miss, bench/callgrind/miss.sh).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PagePermissions Stage1Lookup(ulong descriptor, uint tableAttributes, in Stage1Config config) =>
        Stage1Table[(int)(((uint)(descriptor >> 6) & 3) | ((uint)(descriptor >> 52) & 4) | ((uint)(descriptor >> 50) & 8) | ((tableAttributes & 0xF) << 4)
            | ((uint)Unsafe.BitCast<bool, byte>(config.SingleExceptionLevel) << 8) | ((uint)Unsafe.BitCast<bool, byte>(config.Wxn) << 9)
            | ((uint)Unsafe.BitCast<bool, byte>(config.Pan) << 10))];

    /// <summary>
    /// Stage-1 Direct permissions of a block or page (DDI0487 D8.4.1.2; digest §7.6): AP[2:1], the APTable, UXNTable
    /// and PXNTable restrictions accumulated from the table levels, UXN/PXN, implicit PXN of EL0-writable pages, WXN
    /// and PAN. Single-EL regimes (StreamWorld EL2/EL3) treat AP[1] as 1, so unprivileged accesses get the
    /// privileged rights, and bit 54 is XN for every access.
    /// </summary>
    /// <param name="ap">AP[2:1] (descriptor bits [7:6]).</param>
    /// <param name="uxn">Bit 54.</param>
    /// <param name="pxn">Bit 53.</param>
    /// <param name="apTable">APTable[1:0] ORed over the table levels (0 when hierarchical attributes are disabled).</param>
    /// <param name="uxnTable">UXNTable seen at any table level.</param>
    /// <param name="pxnTable">PXNTable seen at any table level.</param>
    /// <param name="config">The stage-1 configuration (WXN, PAN, single EL).</param>
    /// <returns>The six permission bits.</returns>
    internal static PagePermissions Stage1(uint ap, bool uxn, bool pxn, uint apTable, bool uxnTable, bool pxnTable, in Stage1Config config)
    {
        bool readOnly = (ap & 2) != 0 || (apTable & 2) != 0;
        if (config.SingleExceptionLevel)
        {
            // DDI0487 D8.4.1.2: one-EL regimes have AP[1] RES1 and APTable[0] RES0; the SMMU applies the same
            // rights to PnU = 0 transactions (IHI0070 §5.4, AP[1] treated as 1).
            bool execute = !(uxn || uxnTable) && !(config.Wxn && !readOnly);
            PagePermissions single = PagePermissions.PrivilegedRead | PagePermissions.UnprivilegedRead;
            if (!readOnly)
            {
                single |= PagePermissions.PrivilegedWrite | PagePermissions.UnprivilegedWrite;
            }

            if (execute)
            {
                single |= PagePermissions.PrivilegedExecute | PagePermissions.UnprivilegedExecute;
            }

            return single;
        }

        bool el0 = (ap & 1) != 0 && (apTable & 1) == 0;
        bool privRead = true;
        bool privWrite = !readOnly;
        bool unprivRead = el0;
        bool unprivWrite = el0 && !readOnly;
        bool unprivExecute = !(uxn || uxnTable);
        bool privExecute = !(pxn || pxnTable) && !unprivWrite; // D8.4.1.2.3 R_VWLLR: EL0-writable is PXN.
        if (config.Wxn)
        {
            privExecute &= !privWrite;
            unprivExecute &= !unprivWrite;
        }

        if (config.Pan && (unprivRead || unprivWrite))
        {
            // PAN removes privileged data access to EL0-accessible locations, not execution.
            privRead = false;
            privWrite = false;
        }

        PagePermissions result = PagePermissions.None;
        result |= privRead ? PagePermissions.PrivilegedRead : 0;
        result |= privWrite ? PagePermissions.PrivilegedWrite : 0;
        result |= privExecute ? PagePermissions.PrivilegedExecute : 0;
        result |= unprivRead ? PagePermissions.UnprivilegedRead : 0;
        result |= unprivWrite ? PagePermissions.UnprivilegedWrite : 0;
        result |= unprivExecute ? PagePermissions.UnprivilegedExecute : 0;
        return result;
    }

    /// <summary>
    /// Stage-2 permissions of a block or page (DDI0487 D8.4.2; digest §7.6): S2AP[1:0] for data, XN (or XN[1:0] with
    /// FEAT_XNX) for instruction fetches.
    /// </summary>
    /// <param name="descriptor">The stage-2 leaf descriptor.</param>
    /// <param name="extendedExecuteNever">XN[1:0] interpretation enabled.</param>
    /// <returns>The six permission bits.</returns>
    internal static PagePermissions Stage2(ulong descriptor, bool extendedExecuteNever)
    {
        PagePermissions result = PagePermissions.None;
        if (Bits.IsSet(descriptor, Descriptor.ApLow))
        {
            result |= PagePermissions.PrivilegedRead | PagePermissions.UnprivilegedRead;
        }

        if (Bits.IsSet(descriptor, Descriptor.S2ApWrite))
        {
            result |= PagePermissions.PrivilegedWrite | PagePermissions.UnprivilegedWrite;
        }

        const PagePermissions Both = PagePermissions.PrivilegedExecute | PagePermissions.UnprivilegedExecute;
        if (extendedExecuteNever)
        {
            result |= Bits.Extract(descriptor, Descriptor.Uxn, Descriptor.Pxn) switch
            {
                0 => Both,
                1 => PagePermissions.UnprivilegedExecute, // not executable at EL1
                3 => PagePermissions.PrivilegedExecute,   // not executable at EL0
                _ => PagePermissions.None,
            };
        }
        else if (!Bits.IsSet(descriptor, Descriptor.Uxn))
        {
            result |= Both;
        }

        return result;
    }
}
