using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

public partial class Stage1PermissionTests
{
    private const ulong Va = 0x1234_5678;
    private const ulong Pa = 0x7000_0000;

    private readonly SparseMemory _memory = new();
    private readonly TestTables _tables;
    private readonly ulong _root;
    private readonly Walker _walker;
    private ulong _leafAddress;

    public Stage1PermissionTests()
    {
        _tables = new TestTables(_memory, 0x10_0000);
        _root = _tables.Allocate(0x1000);
        _walker = new Walker(_memory, 48);
    }

    private static AccessIntent Access(string name) => name switch
    {
        "PR" => Read,
        "PW" => Write,
        "PX" => Exec,
        "UR" => UserRead,
        "UW" => UserWrite,
        _ => UserExec,
    };

    private WalkResult WalkWith(ulong leaf, AccessIntent access, ulong tableBits = 0) =>
        WalkWith(leaf, access, r => r, tableBits);

    private WalkResult WalkWith(ulong leaf, AccessIntent access, Func<TranslationRegime, TranslationRegime> configure, ulong tableBits = 0)
    {
        _leafAddress = _tables.Map(_root, 12, 1, 39, Va, 3, leaf, tableBits);
        return _walker.Walk(Va, configure(Stage1(Granule.Size4K, 25, _root)), access);
    }

    private static TranslationRegime With(TranslationRegime regime, Func<Stage1Config, Stage1Config> change)
    {
        regime.Stage1 = change(regime.Stage1);
        return regime;
    }

    // DDI0487 D8.4.1.2 Table D8-63: AP[2:1] data permissions for a two-EL regime.
    [Theory]
    [InlineData(0UL, "PR", true)]
    [InlineData(0UL, "PW", true)]
    [InlineData(0UL, "UR", false)]
    [InlineData(0UL, "UW", false)]
    [InlineData(ApEl0, "PR", true)]
    [InlineData(ApEl0, "PW", true)]
    [InlineData(ApEl0, "UR", true)]
    [InlineData(ApEl0, "UW", true)]
    [InlineData(ApReadOnly, "PR", true)]
    [InlineData(ApReadOnly, "PW", false)]
    [InlineData(ApReadOnly, "UR", false)]
    [InlineData(ApReadOnly, "UW", false)]
    [InlineData(ApReadOnly | ApEl0, "PR", true)]
    [InlineData(ApReadOnly | ApEl0, "PW", false)]
    [InlineData(ApReadOnly | ApEl0, "UR", true)]
    [InlineData(ApReadOnly | ApEl0, "UW", false)]
    public void Ap_bits_grant_data_access(ulong ap, string access, bool allowed)
    {
        var result = WalkWith(S1Leaf(Pa, page: true, ap), Access(access));

        Assert.Equal(allowed ? default : new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3), result.Fault);
        Assert.True(result.Cacheable);
    }

    // DDI0487 D8.4.1.2.3: UXN removes unprivileged execution, PXN privileged execution, and an EL0-writable page is
    // never privileged-executable (R_VWLLR).
    [Theory]
    [InlineData(Uxn, "UX", false)]
    [InlineData(Uxn, "PX", true)]
    [InlineData(Pxn, "PX", false)]
    [InlineData(Pxn | ApReadOnly | ApEl0, "UX", true)]
    [InlineData(ApEl0, "PX", false)]
    [InlineData(ApEl0, "UX", true)]
    [InlineData(ApReadOnly | ApEl0, "PX", true)]
    public void Execute_never_bits(ulong bits, string access, bool allowed)
    {
        Assert.Equal(allowed, WalkWith(S1Leaf(Pa, page: true, bits), Access(access)).Success);
    }

    // Digest §7.4: PXNTable / UXNTable in any table descriptor force PXN / UXN below; CD.HAD0 disables them.
    [Fact]
    public void Xn_table_bits_restrict_every_level_below()
    {
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true), Exec, PxnTable).Fault.Kind);
        Assert.True(WalkWith(S1Leaf(Pa, page: true), UserExec).Success);
        _memory.Clear(_root, 0x1000);
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true), UserExec, UxnTable).Fault.Kind);
        Assert.True(WalkWith(S1Leaf(Pa, page: true), Exec).Success);
    }

    // DDI0487 D8.4.1.2 Table D8-64: APTable 10 removes writes, 01 removes EL0 access, at every level below.
    [Fact]
    public void Ap_table_restricts_every_level_below()
    {
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true), Write, ApTableReadOnly).Fault.Kind);
        _memory.Clear(_root, 0x1000);
        Assert.True(WalkWith(S1Leaf(Pa, page: true), Read, ApTableReadOnly).Success);
        _memory.Clear(_root, 0x1000);
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true, ApEl0), UserRead, ApTableNoEl0).Fault.Kind);
        _memory.Clear(_root, 0x1000);
        Assert.True(WalkWith(S1Leaf(Pa, page: true, ApEl0), Write, ApTableNoEl0).Success);
    }

    // IHI0070 §5.4 CD.HAD0: hierarchical attributes disabled, APTable and XNTable are ignored.
    [Fact]
    public void Had0_disables_hierarchical_attributes()
    {
        var result = WalkWith(S1Leaf(Pa, page: true), Write, r => With(r, c => c with { Had0 = true }), ApTableReadOnly | PxnTable);
        Assert.True(result.Success);
        Assert.True(_walker.Walk(Va, With(Stage1(Granule.Size4K, 25, _root), c => c with { Had0 = true }), Exec).Success);
    }

    // DDI0487 D8.4.1.2.3 R_SYMMB / R_FYMXJ: WXN removes execution from writable pages only.
    [Theory]
    [InlineData(0UL, "PX", false)]
    [InlineData(ApReadOnly, "PX", true)]
    [InlineData(ApEl0 | Pxn, "UX", false)]
    [InlineData(ApEl0 | ApReadOnly, "UX", true)]
    public void Wxn_makes_writable_pages_execute_never(ulong ap, string access, bool allowed)
    {
        Assert.True(WalkWith(S1Leaf(Pa, page: true, ap), Access(access)).Success);
        var result = WalkWith(S1Leaf(Pa, page: true, ap), Access(access), r => With(r, c => c with { Wxn = true }));
        Assert.Equal(allowed, result.Success);
    }

    // Digest §7.6 (CD.PAN): privileged data accesses to EL0-accessible pages fault; execution is unaffected.
    [Fact]
    public void Pan_blocks_privileged_data_access_to_el0_pages()
    {
        static TranslationRegime Pan(TranslationRegime r) => With(r, c => c with { Pan = true });

        Assert.True(WalkWith(S1Leaf(Pa, page: true, ApEl0 | ApReadOnly), Read).Success);
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true, ApEl0 | ApReadOnly), Read, Pan).Fault.Kind);
        Assert.True(WalkWith(S1Leaf(Pa, page: true, ApEl0 | ApReadOnly), Exec, Pan).Success);
        Assert.True(WalkWith(S1Leaf(Pa, page: true, ApEl0 | ApReadOnly), UserRead, Pan).Success);
        Assert.True(WalkWith(S1Leaf(Pa, page: true), Write, Pan).Success);
    }

    // DDI0487 D8.4.1.2 Table D8-62, IHI0070 §5.4 (StreamWorld EL2/EL3): AP[1] is treated as 1, only AP[2] matters,
    // bit 54 is XN for every access.
    [Fact]
    public void Single_exception_level_regime_ignores_ap1_and_uses_xn()
    {
        static TranslationRegime El2(TranslationRegime r) => With(r, c => c with { SingleExceptionLevel = true });

        Assert.True(WalkWith(S1Leaf(Pa, page: true), UserWrite, El2).Success);
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true, ApReadOnly), Write, El2).Fault.Kind);
        Assert.True(WalkWith(S1Leaf(Pa, page: true, ApReadOnly), UserRead, El2).Success);
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true, Uxn), Exec, El2).Fault.Kind);
        Assert.True(WalkWith(S1Leaf(Pa, page: true, Pxn | ApReadOnly), Exec, El2).Success);
    }

    // Contract: a Permission fault carries the translation, which a TLB may cache and re-check with PermissionCheck.
    [Fact]
    public void Permission_fault_returns_a_cacheable_entry_that_permission_check_agrees_with()
    {
        var result = WalkWith(S1Leaf(Pa, page: true, ApReadOnly), Write);

        var expected = new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3);
        Assert.Equal(expected, result.Fault);
        Assert.True(result.Cacheable);
        Assert.Equal(Pa | 0x678, result.Entry.Translate(Va));
        Assert.Equal(PagePermissions.PrivilegedRead | PagePermissions.PrivilegedExecute | PagePermissions.UnprivilegedExecute, result.Entry.Stage1Permissions);
        Assert.Equal(expected, PermissionCheck.Check(result.Entry, Va, Write));
        Assert.Equal(default, PermissionCheck.Check(result.Entry, Va, Read));
    }

    // IHI0070 §3.13.1: AF = 0 with AFFD = 0 and no HTTU is F_ACCESS, which takes priority over permission and is not cached.
    [Fact]
    public void Access_flag_clear_is_an_access_fault_before_permission()
    {
        var result = WalkWith(S1Leaf(Pa, page: true, ApReadOnly) & ~AF, Write);

        Assert.Equal(new WalkFault(FaultKind.Access, false, FaultClass.IN, Level: 3), result.Fault);
        Assert.False(result.Cacheable);
    }

    // IHI0070 §3.13.1: with AFFD the translation is used as if AF were 1, and nothing is written.
    [Fact]
    public void Affd_ignores_the_access_flag()
    {
        ulong leaf = S1Leaf(Pa, page: true) & ~AF;
        var result = WalkWith(leaf, Read, r => With(r, c => c with { Affd = true }));

        Assert.True(result.Success);
        Assert.Equal(leaf, _memory.ReadUInt64(_leafAddress));
    }

    // IHI0070 §3.13.2: with HA the SMMU atomically sets AF = 1 instead of faulting.
    [Fact]
    public void Ha_sets_the_access_flag_in_memory()
    {
        ulong leaf = S1Leaf(Pa, page: true) & ~AF;
        var trace = new WalkTrace();
        _leafAddress = _tables.Map(_root, 12, 1, 39, Va, 3, leaf);

        var result = _walker.Walk(Va, With(Stage1(Granule.Size4K, 25, _root), c => c with { Ha = true }), Read, trace);

        Assert.True(result.Success);
        Assert.Equal(leaf | AF, _memory.ReadUInt64(_leafAddress));
        Assert.Equal(WalkTraceAction.Update, trace.Steps[^1].Action);
    }

    // IHI0070 §3.13.3: HD + DBM: a write to a writable-clean page atomically clears AP[2] and proceeds.
    [Fact]
    public void Hd_with_dbm_clears_ap2_on_write()
    {
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | Dbm);
        var result = WalkWith(leaf, Write, r => With(r, c => c with { Ha = true, Hd = true }));

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(leaf & ~ApReadOnly, _memory.ReadUInt64(_leafAddress));
        Assert.True(result.Entry.Stage1Permissions.HasFlag(PagePermissions.PrivilegedWrite));
        Assert.False(result.Entry.Stage1DirtyUpdatable);
    }

    // IHI0070 §3.13.3: a read leaves a writable-clean page clean; the entry says a write hit must walk again.
    [Fact]
    public void Read_of_a_clean_page_leaves_it_clean_and_marks_the_entry_dirty_updatable()
    {
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | Dbm);
        var result = WalkWith(leaf, Read, r => With(r, c => c with { Ha = true, Hd = true }));

        Assert.True(result.Success);
        Assert.Equal(leaf, _memory.ReadUInt64(_leafAddress));
        Assert.True(result.Entry.Stage1DirtyUpdatable);
        Assert.True(PermissionCheck.NeedsDirtyUpdate(result.Entry, Write));
        Assert.False(PermissionCheck.NeedsDirtyUpdate(result.Entry, Read));
    }

    // IHI0070 §3.13.3: DBM = 0, or HD off, or APTable removing write: the write is a Permission fault, nothing written.
    [Fact]
    public void Dirty_update_needs_dbm_hd_and_no_hierarchical_write_restriction()
    {
        static TranslationRegime Httu(TranslationRegime r) => With(r, c => c with { Ha = true, Hd = true });

        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true, ApReadOnly), Write, Httu).Fault.Kind);
        Assert.Equal(FaultKind.Permission, WalkWith(S1Leaf(Pa, page: true, ApReadOnly | Dbm), Write, r => With(r, c => c with { Ha = true })).Fault.Kind);
        _memory.Clear(_root, 0x1000);
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | Dbm);
        Assert.Equal(FaultKind.Permission, WalkWith(leaf, Write, Httu, ApTableReadOnly).Fault.Kind);
        Assert.Equal(leaf, _memory.ReadUInt64(_leafAddress));
    }

    // IHI0070 §7.3.12: an abort while updating a descriptor is F_WALK_EABT with the descriptor address.
    [Fact]
    public void Abort_updating_the_access_flag_is_walk_eabt()
    {
        _leafAddress = _tables.Map(_root, 12, 1, 39, Va, 3, S1Leaf(Pa, page: true) & ~AF);
        var walker = new Walker(new WriteAbortingMemory(_memory), 48);

        var result = walker.Walk(Va, With(Stage1(Granule.Size4K, 25, _root), c => c with { Ha = true }), Read);

        Assert.Equal(new WalkFault(FaultKind.ExternalAbort, false, FaultClass.TT, FetchAddress: _leafAddress, Level: 3, DescriptorWrite: true), result.Fault);
    }

    // IHI0070 §3.13: updates are atomic; when another agent changed the descriptor first, the walker reads it again.
    [Fact]
    public void Lost_update_race_rereads_the_descriptor()
    {
        ulong leaf = S1Leaf(Pa, page: true) & ~AF;
        _leafAddress = _tables.Map(_root, 12, 1, 39, Va, 3, leaf);
        ulong byOtherAgent = leaf | AF | NotGlobal;
        var walker = new Walker(new RacingMemory(_memory, byOtherAgent), 48);

        var result = walker.Walk(Va, With(Stage1(Granule.Size4K, 25, _root), c => c with { Ha = true }), Read);

        Assert.True(result.Success);
        Assert.False(result.Entry.Global);
        Assert.Equal(4, result.DescriptorReads);
        Assert.Equal(byOtherAgent, _memory.ReadUInt64(_leafAddress));
    }

    /// <summary>Before the first compare-and-swap, another agent stores a value of its own at that address.</summary>
    private sealed class RacingMemory(SparseMemory inner, ulong racingValue) : IAtomicPhysicalMemory
    {
        private bool _raced;

        public bool TryRead(ulong address, Span<byte> destination) => inner.TryRead(address, destination);

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source) => inner.TryWrite(address, source);

        public bool TryCompareExchange64(ulong address, ulong value, ulong comparand, out ulong original)
        {
            if (!_raced)
            {
                _raced = true;
                inner.WriteUInt64(address, racingValue);
            }

            return inner.TryCompareExchange64(address, value, comparand, out original);
        }
    }

    /// <summary>Reads pass through, every write aborts.</summary>
    private sealed class WriteAbortingMemory(SparseMemory inner) : IPhysicalMemory
    {
        public bool TryRead(ulong address, Span<byte> destination) => inner.TryRead(address, destination);

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source) => false;
    }
}
