using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

/// <content>
/// The §3.13 re-audit (issue #10, part 1): hardware update of the Access flag and dirty state, and the permissions of
/// writable-clean descriptors (IHI0070 §3.13.1-§3.13.3; DDI0487 D8.5, whose AArch64.S1ApplyOutputPerms treats AP[2]
/// as 0 for every permission check when HA, HD and DBM are all 1). docs/audit.md lists the rules and their tests.
/// </content>
public partial class Stage1PermissionTests
{
    private static Func<TranslationRegime, TranslationRegime> Httu(bool ha, bool hd, bool wxn = false) =>
        r => With(r, c => c with { Ha = ha, Hd = ha && hd, Wxn = wxn });

    // DDI0487 D8.5 / IHI0070 §3.13.3: with HA and HD a DBM = 1 page is writable-clean, writable for every permission
    // check; so WXN makes it execute-never before any write. Without HD it is simply read-only, and WXN does not apply.
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Section_3_13_3_wxn_treats_a_writable_clean_page_as_writable(bool hd, bool executable)
    {
        var result = WalkWith(S1Leaf(Pa, page: true, ApReadOnly | Dbm), Exec, Httu(ha: true, hd, wxn: true));

        Assert.Equal(executable ? FaultKind.None : FaultKind.Permission, result.Fault.Kind);
        Assert.Equal(executable, result.Entry.Stage1Permissions.HasFlag(PagePermissions.PrivilegedExecute));
    }

    // DDI0487 D8.4 / D8.5: a page writable at EL0 is privileged execute-never; AP[2:1] = 0b11 with DBM under HA and HD
    // is effectively 0b01 (EL0 read/write), so a privileged fetch faults while an unprivileged one (UXN = 0) does not.
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Section_3_13_3_a_writable_clean_el0_page_is_privileged_execute_never(bool hd, bool privilegedExecute)
    {
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | ApEl0 | Dbm);

        var privileged = WalkWith(leaf, Exec, Httu(ha: true, hd));
        var unprivileged = WalkWith(leaf, UserExec, Httu(ha: true, hd));

        Assert.Equal(privilegedExecute ? FaultKind.None : FaultKind.Permission, privileged.Fault.Kind);
        Assert.Equal(FaultKind.None, unprivileged.Fault.Kind);
    }

    // IHI0070 §3.13.3: the writable-clean entry is cached without write permission, so a write hit walks again and sets
    // the dirty state (the SMMU never makes a page writable otherwise); a read leaves the descriptor unchanged.
    [Fact]
    public void Section_3_13_3_a_writable_clean_entry_denies_writes_until_the_walk_marks_it_dirty()
    {
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | ApEl0 | Dbm);

        var read = WalkWith(leaf, Read, Httu(ha: true, hd: true));

        Assert.True(read.Success);
        Assert.False(read.Entry.Stage1Permissions.HasFlag(PagePermissions.PrivilegedWrite));
        Assert.True(PermissionCheck.NeedsDirtyUpdate(read.Entry, Write));
        Assert.Equal(leaf, _memory.ReadUInt64(_leafAddress));
    }

    // IHI0070 §3.13.2: "If the update of the dirty state of the page takes place, the final translation table descriptor
    // will also have AF == 1": a write to a clean page with AF = 0 sets AF and clears AP[2] in one atomic update.
    [Fact]
    public void Section_3_13_2_a_dirty_update_of_a_page_with_af_0_also_sets_af_in_one_update()
    {
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | Dbm) & ~AF;
        _leafAddress = _tables.Map(_root, 12, 1, 39, Va, 3, leaf);
        var trace = new WalkTrace();

        var result = _walker.Walk(Va, Httu(ha: true, hd: true)(Stage1(Granule.Size4K, 25, _root)), Write, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal((leaf | AF) & ~ApReadOnly, _memory.ReadUInt64(_leafAddress));
        Assert.Single(trace.Steps, s => s.Action == WalkTraceAction.Update);
    }

    // IHI0070 §3.13.1: the Access flag fault takes priority over the Permission fault (a write to a clean page with
    // AF = 0 and neither HA nor AFFD is F_ACCESS, and nothing is written).
    [Fact]
    public void Section_3_13_1_an_access_fault_takes_priority_over_a_permission_fault()
    {
        ulong leaf = S1Leaf(Pa, page: true, ApReadOnly | Dbm) & ~AF;

        var result = WalkWith(leaf, Write);

        Assert.Equal(FaultKind.Access, result.Fault.Kind);
        Assert.Equal(leaf, _memory.ReadUInt64(_leafAddress));
    }
}
