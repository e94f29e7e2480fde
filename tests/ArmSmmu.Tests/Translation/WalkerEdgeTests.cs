using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// Edges of the walker's public entry points (Walk, WalkStage2): configuration checks, the TTB1 half, Secure PA
/// spaces, table alignment, stage-2 start-level checks, hardware updates and the entry a walk returns.
/// </summary>
public class WalkerEdgeTests
{
    private const ulong Pa = 0x8_1234_5000;

    private readonly SparseMemory _memory = new();
    private readonly TestTables _tables;
    private readonly Walker _walker;

    public WalkerEdgeTests()
    {
        _tables = new TestTables(_memory, 0x10_0000);
        _walker = new Walker(_memory, 48);
    }

    private static TranslationRegime Stage2Only(in Stage2Config c) => new() { Stage2Enabled = true, Stage2 = c };

    // ---- Construction and configuration misuse (host API contract) ----

    // IHI0070 §3.4: IAS is between 32 and 64 bits in this model's API; memory is required.
    [Fact]
    public void Constructor_rejects_missing_memory_and_input_sizes_outside_32_to_64()
    {
        Assert.Throws<ArgumentNullException>(() => new Walker(null!, 48));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Walker(_memory, 31));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Walker(_memory, 65));
        Assert.Equal(32, new Walker(_memory, 32).InputAddressBits);
        Assert.Equal(64, new Walker(_memory, 64).InputAddressBits);
    }

    [Fact]
    public void Unset_granule_or_output_size_is_reported_by_name()
    {
        ulong root = _tables.Allocate(0x1000);
        var lower = Stage1(default, 25, root);
        var ex0 = Assert.Throws<ArgumentException>(() => _walker.Walk(0x1000, lower, Read));
        Assert.Equal("Stage1Config.Granule0 is not set for an enabled TTB0. (Parameter 'regime')", ex0.Message);

        var upper = lower;
        upper.Stage1.Epd1 = false;
        upper.Stage1.Ttb1 = root;
        var ex1 = Assert.Throws<ArgumentException>(() => _walker.Walk(0xFFFF_FF80_0000_1000, upper, Read));
        Assert.Equal("Stage1Config.Granule1 is not set for an enabled TTB1. (Parameter 'regime')", ex1.Message);

        var noOutput = Stage1(Granule.Size4K, 25, root, outputBits: 0);
        var ex2 = Assert.Throws<ArgumentException>(() => _walker.Walk(0x1000, noOutput, Read));
        Assert.StartsWith("Stage1Config.OutputBits is not set", ex2.Message);

        var ex3 = Assert.Throws<ArgumentException>(() => _walker.WalkStage2(0x1000, Stage2(default, 25, 1, root), Read, FaultClass.IN));
        Assert.StartsWith("Stage2Config.Granule is not set.", ex3.Message);
        var ex4 = Assert.Throws<ArgumentException>(() => _walker.WalkStage2(0x1000, Stage2(Granule.Size4K, 25, 1, root, outputBits: 0), Read, FaultClass.IN));
        Assert.StartsWith("Stage2Config.OutputBits is not set", ex4.Message);
    }

    // IHI0070 §3.4: with both stages bypassed the output is the input, in 4 KiB pieces, global, all permissions.
    [Fact]
    public void Bypass_entry_is_the_identity_page()
    {
        var result = _walker.Walk(0x1234_5678_9ABC, default, Write);

        Assert.True(result.Success);
        Assert.Equal(0x1234_5678_9000UL, result.Entry.InputBase);
        Assert.Equal(0x1234_5678_9000UL, result.Entry.OutputBase);
        Assert.Equal(0x1234_5678_9000UL, result.Entry.IntermediateBase);
        Assert.Equal(0x1234_5678_9ABCUL, result.Entry.Translate(0x1234_5678_9ABC));
        Assert.True(result.Entry.Global);
        Assert.Equal(0, result.DescriptorReads);
    }

    // ---- Stage 1: TxSZ, TTB1, TBI ----

    // IHI0070 §3.4.1, digest §7.2: TxSZ < 12 (over 52 bits) or one that leaves no level to start at is a stage-1
    // Translation fault raised before any descriptor is read (no level: -1).
    [Theory]
    [InlineData(8)]
    [InlineData(52)]
    public void TxSZ_without_a_valid_start_level_is_a_translation_fault_before_the_walk(int t0sz)
    {
        var result = _walker.Walk(0x123, Stage1(Granule.Size4K, t0sz, _tables.Allocate(0x1000)), Read);

        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: -1), result.Fault);
        Assert.Equal(0, result.DescriptorReads);

        // TxSZ < 12 is checked first: it faults even where the rest of the half is not configured.
        if (t0sz < 12)
        {
            var unconfigured = _walker.Walk(0x123, Stage1(default, t0sz, 0), Read);
            Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: -1), unconfigured.Fault);
        }
    }

    // IHI0070 §3.4.1, DDI0487 D8.8: VA[55] = 1 selects TTB1 with its own T1SZ, TG1, TBI1 and HAD1. With TBI1 the top
    // byte is ignored and the entry's input is canonical (top byte = copies of bit 55). HAD1 = 0 keeps APTable.
    [Fact]
    public void Upper_half_walk_uses_the_ttb1_parameters()
    {
        ulong root1 = _tables.Allocate(0x1000);
        const ulong va = 0xA5FF_FF92_3456_7ABC; // [55:39] all ones; [38:0] = 0x12_3456_7ABC
        _tables.Map(root1, 12, 1, 39, va, 3, S1Leaf(Pa, page: true), tableBits: ApTableReadOnly);
        var regime = new TranslationRegime
        {
            Stage1Enabled = true,
            Stage1 = new Stage1Config
            {
                Ttb0 = _tables.Allocate(0x1000),
                T0SZ = 16,
                Granule0 = Granule.Size64K,
                Tbi0 = false,
                Had0 = true,
                Ttb1 = root1,
                T1SZ = 25,
                Granule1 = Granule.Size4K,
                Tbi1 = true,
                Had1 = false,
                OutputBits = 48,
                Mair = 0xF404FF44,
            },
        };

        var read = _walker.Walk(va, regime, Read);
        Assert.True(read.Success, read.Fault.ToString());
        Assert.Equal(Pa | 0xABC, read.Entry.Translate(va));
        Assert.Equal(0xFFFF_FF92_3456_7000UL, read.Entry.InputBase);
        Assert.Equal(3, read.DescriptorReads);
        Assert.Equal(new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3), _walker.Walk(va, regime, Write).Fault);

        // IHI0070 §5.4 CD.NSCFG1: a Secure stream's TTB1 walk can start Non-secure; NSCFG0 does not affect it.
        var secure = regime;
        secure.Stage1.Secure = true;
        secure.Stage1.NonSecureStart0 = true;
        Assert.True(_walker.Walk(va, secure, Read).Entry.Secure);
        secure.Stage1.NonSecureStart0 = false;
        secure.Stage1.NonSecureStart1 = true;
        var nonSecure = _walker.Walk(va, secure, Read);
        Assert.False(nonSecure.Entry.Secure);
        Assert.False(nonSecure.Entry.Global);
    }

    // IHI0070 §5.4 CD.DS / CD.SH1: with FEAT_LPA2 descriptors bits [9:8] are OA[51:50], so a TTB1 page takes its
    // shareability from CD.SH1 (not SH0).
    [Fact]
    public void Lpa2_upper_half_page_takes_shareability_from_sh1()
    {
        ulong root1 = _tables.Allocate(0x1000);
        const ulong va = 0xFFFF_FF92_3456_7ABC;
        _tables.Map(root1, 12, 1, 39, va, 3, Pa | PageType | AF | (1UL << 2)); // AttrIndx 1: MAIR 0xFF, Write-Back
        var regime = Stage1(Granule.Size4K, 25, _tables.Allocate(0x1000));
        regime.Stage1.Ttb1 = root1;
        regime.Stage1.Epd1 = false;
        regime.Stage1.Ds = true;
        regime.Stage1.Sh0 = 2;
        regime.Stage1.Sh1 = 3;

        var result = _walker.Walk(va, regime, Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(Pa | 0xABC, result.Entry.Translate(va));
        Assert.Equal(Shareability.InnerShareable, result.Entry.Attributes.Shareability);
    }

    // DDI0487 D8.8: the canonical form of a VA whose half ignores the top byte has a top byte of copies of bit 55;
    // where the top byte is not ignored it takes part in translation and the VA stays as it is.
    [Fact]
    public void Canonical_va_depends_on_the_tbi_of_the_half_bit_55_selects()
    {
        var lowerTbi = new Stage1Config { Tbi0 = true };
        var upperTbi = new Stage1Config { Tbi1 = true };

        Assert.Equal(0x0000_0000_1234_5678UL, lowerTbi.Canonical(0x5A00_0000_1234_5678));
        Assert.Equal(0xFFFF_FF80_0000_1000UL, upperTbi.Canonical(0x5AFF_FF80_0000_1000));
        Assert.Equal(0x5A00_0000_1234_5678UL, upperTbi.Canonical(0x5A00_0000_1234_5678));
        Assert.Equal(0x5AFF_FF80_0000_1000UL, lowerTbi.Canonical(0x5AFF_FF80_0000_1000));
    }

    // DDI0487 D8.2 (TTBR alignment), digest §7.2: 4K with T0SZ 24 starts at level 0 with a 2-entry (16-byte) table, so
    // TTB bits [5:4] are part of the table address; with a 52-bit output size the table is 64-byte aligned.
    [Theory]
    [InlineData(48, 0x10, 0x10)]
    [InlineData(52, 0x30, 0x00)]
    public void Stage1_start_table_alignment_follows_its_size_and_the_output_size(int outputBits, ulong ttbOffset, ulong tableOffset)
    {
        ulong page = _tables.Allocate(0x1000);
        const ulong va = 0x80_1234_5ABC; // VA[39] = 1: entry 1
        ulong leaf = _tables.Map(page + tableOffset, 12, 0, 40, va, 3, S1Leaf(Pa, page: true));
        var trace = new WalkTrace();

        var result = _walker.Walk(va, Stage1(Granule.Size4K, 24, page + ttbOffset, (byte)outputBits), Read, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(Pa | 0xABC, result.Entry.Translate(va));
        Assert.Equal(page + tableOffset + 8, trace.Steps[0].DescriptorAddress);
        Assert.Equal(0, trace.Steps[0].Level);
        Assert.Equal(leaf, trace.Steps[3].DescriptorAddress);
    }

    // ---- Stage 1: Secure PA spaces (IHI0070 §3.10.1, §3.17.1, §5.4; DDI0487 D8.4.2) ----

    private WalkResult SecureWalk(ulong leafExtra, ulong tableBits, Func<Stage1Config, Stage1Config> configure)
    {
        ulong root = _tables.Allocate(0x1000);
        const ulong va = 0x12_3456_7ABC;
        _tables.Map(root, 12, 1, 39, va, 3, S1Leaf(Pa, page: true, leafExtra), tableBits);
        var regime = Stage1(Granule.Size4K, 25, root);
        regime.Stage1 = configure(regime.Stage1);
        return _walker.Walk(va, regime, Read);
    }

    [Fact]
    public void Secure_walk_that_stays_secure_outputs_secure_and_keeps_ng()
    {
        var result = SecureWalk(0, 0, c => c with { Secure = true });

        Assert.True(result.Success);
        Assert.True(result.Entry.Secure);
        Assert.True(result.Entry.Global);
    }

    // NSTable is hierarchical (DDI0487 D8.4.2): set at both table levels the walk is still Non-secure. A translation
    // from Non-secure tables is non-global for a Secure stream (IHI0070 §3.17.1).
    [Fact]
    public void Nstable_makes_the_rest_of_a_secure_walk_non_secure_and_non_global()
    {
        var result = SecureWalk(0, 1UL << 63, c => c with { Secure = true });

        Assert.False(result.Entry.Secure);
        Assert.False(result.Entry.Global);
    }

    // IHI0070 §5.4 CD.NSCFG0: the TTB0 walk starts in the Non-secure PA space; NSCFG1 does not affect it.
    [Fact]
    public void Nscfg0_starts_a_secure_walk_non_secure()
    {
        var result = SecureWalk(0, 0, c => c with { Secure = true, NonSecureStart0 = true });

        Assert.False(result.Entry.Secure);
        Assert.False(result.Entry.Global);

        var both = SecureWalk(0, 1UL << 63, c => c with { Secure = true, NonSecureStart0 = true });
        Assert.False(both.Entry.Secure);
        Assert.False(both.Entry.Global);
    }

    // DDI0487 D8.4.2: NS = 1 in a Secure walk's leaf outputs to Non-secure PA space; the tables were Secure, so nG
    // still decides globality.
    [Fact]
    public void Leaf_ns_bit_outputs_non_secure_but_stays_global()
    {
        var result = SecureWalk(1UL << 5, 0, c => c with { Secure = true });

        Assert.False(result.Entry.Secure);
        Assert.True(result.Entry.Global);
    }

    // IHI0070 §3.10.1: NSTable and NS are ignored by a Non-secure stream: its output is Non-secure and nG decides.
    [Fact]
    public void Non_secure_walk_ignores_nstable_and_ns()
    {
        var result = SecureWalk(1UL << 5, 1UL << 63, c => c);
        var plain = SecureWalk(0, 0, c => c);

        Assert.True(result.Success);
        Assert.False(result.Entry.Secure);
        Assert.True(result.Entry.Global);
        Assert.False(plain.Entry.Secure);
    }

    // ---- Stage 1: hardware updates and permissions ----

    // IHI0070 §3.13.3: a writable (AP[2] = 0) DBM page is already dirty: it is writable and needs no update.
    [Fact]
    public void Writable_dbm_page_is_already_dirty()
    {
        ulong root = _tables.Allocate(0x1000);
        _tables.Map(root, 12, 1, 39, 0x1000, 3, S1Leaf(Pa, page: true, Dbm));
        var regime = Stage1(Granule.Size4K, 25, root);
        regime.Stage1.Ha = true;
        regime.Stage1.Hd = true;

        var result = _walker.Walk(0x1000, regime, Read);

        Assert.True(result.Success);
        Assert.False(result.Entry.Stage1DirtyUpdatable);
        Assert.NotEqual(PagePermissions.None, result.Entry.Stage1Permissions & PagePermissions.PrivilegedWrite);
    }

    // IHI0070 §3.13.3, DDI0487 D8.4.6: the dirty state is updated only for a write that AP[2] = 0 would allow; an EL0
    // write to an EL1-only clean page faults and leaves the descriptor as it was.
    [Fact]
    public void Write_that_dirty_state_would_not_allow_faults_without_marking_dirty()
    {
        ulong root = _tables.Allocate(0x1000);
        ulong leafDescriptor = S1Leaf(Pa, page: true, Dbm | ApReadOnly);
        ulong leaf = _tables.Map(root, 12, 1, 39, 0x1000, 3, leafDescriptor);
        var regime = Stage1(Granule.Size4K, 25, root);
        regime.Stage1.Ha = true;
        regime.Stage1.Hd = true;

        var result = _walker.Walk(0x1000, regime, UserWrite);

        Assert.Equal(new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3), result.Fault);
        Assert.Equal(leafDescriptor, _memory.ReadUInt64(leaf));
    }

    // IHI0070 §3.13.2: with HA an Access flag of 0 is set by the walk; the trace records the stage-1 update.
    [Fact]
    public void Stage1_access_flag_update_is_traced_as_a_stage1_update()
    {
        ulong root = _tables.Allocate(0x1000);
        ulong leaf = _tables.Map(root, 12, 1, 39, 0x1000, 3, S1Leaf(Pa, page: true) & ~AF);
        var regime = Stage1(Granule.Size4K, 25, root);
        regime.Stage1.Ha = true;
        var trace = new WalkTrace();

        var result = _walker.Walk(0x1000, regime, Read, trace);

        Assert.True(result.Success);
        Assert.Equal(4, trace.Steps.Count);
        Assert.All(trace.Steps, s => Assert.False(s.Stage2));
        var update = trace.Steps[3];
        Assert.Equal(WalkTraceAction.Update, update.Action);
        Assert.Equal(leaf, update.DescriptorAddress);
        Assert.Equal(S1Leaf(Pa, page: true), update.Descriptor);
        Assert.Equal($"S1 L3 Update [{leaf:X}] = {S1Leaf(Pa, page: true):X16}", update.ToString());
    }

    // DDI0487 D8.4.1.2 (single-EL regimes, IHI0070 §5.4): execute depends on XN and, with WXN, on the page not being
    // writable; without WXN a writable page is executable.
    [Theory]
    [InlineData(false, 0UL, true)]
    [InlineData(false, ApReadOnly, true)]
    [InlineData(true, 0UL, false)]
    [InlineData(true, ApReadOnly, true)]
    public void Single_el_execute_follows_wxn_and_write_permission(bool wxn, ulong ap, bool allowed)
    {
        ulong root = _tables.Allocate(0x1000);
        _tables.Map(root, 12, 1, 39, 0x1000, 3, S1Leaf(Pa, page: true, ap));
        var regime = Stage1(Granule.Size4K, 25, root);
        regime.Stage1.SingleExceptionLevel = true;
        regime.Stage1.Wxn = wxn;

        var result = _walker.Walk(0x1000, regime, Exec);

        Assert.Equal(allowed ? FaultKind.None : FaultKind.Permission, result.Fault.Kind);
    }

    // DDI0487 D8.4.1.2 (PAN): privileged data writes to an EL0-writable page fault as well as reads.
    [Fact]
    public void Pan_blocks_privileged_writes_to_el0_writable_pages()
    {
        ulong root = _tables.Allocate(0x1000);
        _tables.Map(root, 12, 1, 39, 0x1000, 3, S1Leaf(Pa, page: true, ApEl0));
        var regime = Stage1(Granule.Size4K, 25, root);
        regime.Stage1.Pan = true;

        Assert.Equal(new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3), _walker.Walk(0x1000, regime, Write).Fault);
        Assert.True(_walker.Walk(0x1000, regime, UserWrite).Success);
    }

    // ---- Stage 2: start level, concatenation, alignment, blocks ----

    // Digest §7.3 / IHI0070 §3.4: S2T0SZ < 12 is a Translation fault before any read (no level).
    [Fact]
    public void S2t0sz_below_12_is_a_translation_fault_without_a_level()
    {
        var result = _walker.WalkStage2(0x1000, Stage2(Granule.Size4K, 8, 1, _tables.Allocate(0x1000)), Read, FaultClass.IN);

        Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.IN, 0x1000, Level: -1), result.Fault);
    }

    // DDI0487 D8.2 (VTCR.SL0), digest §7.3: the start level must leave 1 to bits-per-level + 4 index bits (up to 16
    // concatenated tables); otherwise the walk faults at that level before reading.
    [Theory]
    [InlineData(25, 0, 0)]   // 39-bit input starting at level 0 resolves no bit there
    [InlineData(16, 1, 1)]   // 48-bit input starting at level 1 needs 18 index bits (2^9 tables)
    public void Stage2_start_level_that_does_not_fit_the_input_size_faults(int s2t0sz, int startLevel, int level)
    {
        var result = _walker.WalkStage2(0x1000, Stage2(Granule.Size4K, s2t0sz, startLevel, _tables.Allocate(0x1000)), Read, FaultClass.IN);

        Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.IN, 0x1000, Level: (sbyte)level), result.Fault);
        Assert.Equal(0, result.DescriptorReads);
    }

    // DDI0487 D8.2 (VTTBR alignment): 40-bit input starting at level 0 has a 2-entry (16-byte) table, so S2TTB
    // bits [5:4] count, unless the output size is 52 bits (64-byte alignment).
    [Theory]
    [InlineData(48, 0x10, 0x10)]
    [InlineData(52, 0x30, 0x00)]
    public void Stage2_start_table_alignment_follows_its_size_and_the_output_size(int outputBits, ulong ttbOffset, ulong tableOffset)
    {
        ulong page = _tables.Allocate(0x1000);
        const ulong ipa = 0x80_1234_5ABC;
        _tables.Map(page + tableOffset, 12, 0, 40, ipa, 3, S2Leaf(Pa, page: true));
        var trace = new WalkTrace();

        var result = _walker.WalkStage2(ipa, Stage2(Granule.Size4K, 24, 0, page + ttbOffset, (byte)outputBits), Read, FaultClass.IN, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(Pa | 0xABC, result.Entry.Translate(ipa));
        Assert.Equal(4, result.DescriptorReads);
        Assert.Equal(page + tableOffset + 8, trace.Steps[0].DescriptorAddress);
    }

    // Digest §7.3: two concatenated level-1 tables (8 KiB) are 8 KiB aligned: S2TTB bits [12:3] are ignored.
    [Fact]
    public void Concatenated_start_tables_are_aligned_to_their_total_size()
    {
        ulong root = _tables.Allocate(0x2000);
        const ulong ipa = 0x80_1234_5ABC; // level-1 index IPA[39:30] = 0x200: the second table
        _tables.Map(root, 12, 1, 40, ipa, 3, S2Leaf(Pa, page: true));
        var trace = new WalkTrace();

        var result = _walker.WalkStage2(ipa, Stage2(Granule.Size4K, 24, 1, root + 0x1008), Read, FaultClass.IN, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(Pa | 0xABC, result.Entry.Translate(ipa));
        Assert.Equal(root + 0x1000, trace.Steps[0].DescriptorAddress);
    }

    // DDI0487 D8.3 (AArch64.BlockDescSupported): a 64K level-1 block (4 TB) exists only with a 52-bit PA size.
    [Theory]
    [InlineData(52, true)]
    [InlineData(48, false)]
    public void Stage2_64k_level1_block_needs_52_bit_addresses(int ias, bool allowed)
    {
        ulong root = _tables.Allocate(0x2000);
        const ulong ipa = 0x123_4567_8ABC;
        _tables.Map(root, 16, 1, 52, ipa, 1, S2Leaf(1UL << 42, page: false));
        var walker = new Walker(_memory, ias);

        var result = walker.WalkStage2(ipa, Stage2(Granule.Size64K, 12, 1, root, outputBits: 52), Read, FaultClass.IN);

        if (allowed)
        {
            Assert.True(result.Success, result.Fault.ToString());
            Assert.Equal((1UL << 42) | ipa, result.Entry.Translate(ipa));
            Assert.Equal(1, result.Entry.Stage2Level);
        }
        else
        {
            Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.IN, ipa, Level: 1), result.Fault);
        }
    }

    // Digest §7.4: descriptor type 0b01 at level 3 is reserved, so invalid: a Translation fault at level 3.
    [Fact]
    public void Stage2_block_type_at_level_3_is_a_translation_fault()
    {
        ulong root = _tables.Allocate(0x1000);
        _tables.Map(root, 12, 1, 39, 0x1000, 3, S2Leaf(Pa, page: false));

        var result = _walker.WalkStage2(0x1000, Stage2(Granule.Size4K, 25, 1, root), Read, FaultClass.IN);

        Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.IN, 0x1000, Level: 3), result.Fault);
    }

    // DDI0487 D8.3 (FEAT_LPA2), IHI0070 §5.2 STE.S2DS: a 4K level-0 block (512 GB) is allowed with DS; descriptor bits
    // [9:8] are OA[51:50], so shareability comes from STE.S2SH0.
    [Fact]
    public void Lpa2_stage2_level0_block_takes_shareability_from_the_ste()
    {
        ulong root = _tables.Allocate(0x1000);
        const ulong ipa = 0x12_3456_7ABC;
        _memory.WriteUInt64(root, (1UL << 39) | BlockType | AF | (0xFUL << 2) | (3UL << 6));
        var config = Stage2(Granule.Size4K, 16, 0, root) with { Ds = true, Sh = 3 };

        var result = _walker.WalkStage2(ipa, config, Read, FaultClass.IN);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal((1UL << 39) | ipa, result.Entry.Translate(ipa));
        Assert.Equal(0, result.Entry.Stage2Level);
        Assert.Equal(39, result.Entry.Stage2Shift);
        Assert.Equal(0, result.Entry.Stage1Shift);
        Assert.Equal(Shareability.InnerShareable, result.Entry.Attributes.Shareability);
    }

    // ---- Stage 2: Permission faults by CLASS, hardware updates ----

    // Digest §7.8: a CLASS IN stage-2 Permission fault carries its translation; one on a CD fetch (CLASS CD) carries
    // none; other faults carry none either.
    [Fact]
    public void Stage2_permission_fault_carries_a_translation_only_for_class_in()
    {
        ulong root = _tables.Allocate(0x1000);
        _tables.Map(root, 12, 1, 39, 0x1000, 3, S2Leaf(Pa, page: true, s2ap: 1));
        var c = Stage2(Granule.Size4K, 25, 1, root);

        var input = _walker.WalkStage2(0x1234, c, Write, FaultClass.IN);
        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.IN, 0x1234, Level: 3), input.Fault);
        Assert.True(input.Cacheable);
        Assert.Equal(Pa | 0x234, input.Entry.Translate(0x1234));

        var cd = _walker.WalkStage2(0x1234, c, Write, FaultClass.CD);
        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.CD, 0x1234, Level: 3), cd.Fault);
        Assert.False(cd.Cacheable);
        Assert.Equal(default, cd.Entry);

        var unmapped = _walker.WalkStage2(0x4000_0000, c, Read, FaultClass.IN);
        Assert.Equal(FaultKind.Translation, unmapped.Fault.Kind);
        Assert.Equal(default, unmapped.Entry);
    }

    private (Stage2Config Config, ulong Leaf) Stage2Page(ulong extra, uint s2ap = 3, bool accessFlag = true)
    {
        ulong root = _tables.Allocate(0x1000);
        ulong descriptor = S2Leaf(Pa, page: true, extra, s2ap: s2ap);
        ulong leaf = _tables.Map(root, 12, 1, 39, 0x1000, 3, accessFlag ? descriptor : descriptor & ~AF);
        return (Stage2(Granule.Size4K, 25, 1, root), leaf);
    }

    // Digest §5.2 / IHI0070 §3.13: {S2HA, S2HD} = 01 is reserved and behaves as no HTTU: a write to a clean DBM page is
    // a Permission fault and the descriptor is not changed.
    [Fact]
    public void S2hd_without_s2ha_does_not_update_dirty_state()
    {
        var (c, leaf) = Stage2Page(Dbm, s2ap: 1);
        ulong before = _memory.ReadUInt64(leaf);

        var result = _walker.WalkStage2(0x1000, c with { Hd = true }, Write, FaultClass.IN);

        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.IN, 0x1000, Level: 3), result.Fault);
        Assert.Equal(before, _memory.ReadUInt64(leaf));
    }

    // IHI0070 §5.2 S2AFFD: an Access flag of 0 raises no fault, and without S2HA nothing writes the descriptor.
    [Fact]
    public void S2affd_ignores_a_clear_access_flag_without_updating_it()
    {
        var (c, leaf) = Stage2Page(0, accessFlag: false);
        ulong before = _memory.ReadUInt64(leaf);

        var result = _walker.WalkStage2(0x1000, c with { Affd = true }, Read, FaultClass.IN);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(before, _memory.ReadUInt64(leaf));
        Assert.Equal(3, result.DescriptorReads);
    }

    // IHI0070 §3.13.2: with S2HA the walk sets the Access flag; the trace ends with the stage-2 update.
    [Fact]
    public void S2ha_sets_the_access_flag_and_traces_the_update()
    {
        var (c, leaf) = Stage2Page(0, accessFlag: false);
        var trace = new WalkTrace();

        var result = _walker.WalkStage2(0x1000, c with { Ha = true }, Read, FaultClass.IN, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(3, result.DescriptorReads);
        Assert.Equal(S2Leaf(Pa, page: true), _memory.ReadUInt64(leaf));
        Assert.Equal(4, trace.Steps.Count);
        var update = trace.Steps[3];
        Assert.Equal((WalkTraceAction.Update, true, FaultClass.IN, (sbyte)3, leaf, S2Leaf(Pa, page: true)), (update.Action, update.Stage2, update.Purpose, update.Level, update.DescriptorAddress, update.Descriptor));
    }

    /// <summary>Memory whose compare-and-swap on one address fails, or meets a racing write first.</summary>
    private sealed class RacingMemory(SparseMemory inner, ulong address) : IAtomicPhysicalMemory
    {
        public bool Fail { get; set; }

        public ulong? RaceValue { get; set; }

        public bool TryRead(ulong address, Span<byte> destination) => inner.TryRead(address, destination);

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source) => inner.TryWrite(address, source);

        public bool TryCompareExchange64(ulong address1, ulong value, ulong comparand, out ulong original)
        {
            if (address1 == address)
            {
                if (Fail)
                {
                    original = 0;
                    return false;
                }

                if (RaceValue is ulong race)
                {
                    RaceValue = null;
                    inner.WriteUInt64(address1, race);
                }
            }

            return inner.TryCompareExchange64(address1, value, comparand, out original);
        }
    }

    // IHI0070 §3.13.2, §7.3.12: an external abort on the Access-flag write is a stage-2 F_WALK_EABT-class fault
    // naming the descriptor and flagged as a descriptor write.
    [Fact]
    public void Failed_stage2_descriptor_update_is_an_external_abort_on_the_write()
    {
        var (c, leaf) = Stage2Page(0, accessFlag: false);
        var walker = new Walker(new RacingMemory(_memory, leaf) { Fail = true }, 48);

        var result = walker.WalkStage2(0x1000, c with { Ha = true }, Read, FaultClass.IN);

        Assert.Equal(new WalkFault(FaultKind.ExternalAbort, true, FaultClass.IN, 0x1000, leaf, 3, DescriptorWrite: true), result.Fault);
    }

    // IHI0070 §3.13.4: the update is an atomic compare-and-swap; when another agent changed the descriptor since it
    // was read (here: set AF itself), the walk reads it again and uses the new value.
    [Fact]
    public void Stage2_descriptor_changed_under_the_update_is_read_again()
    {
        var (c, leaf) = Stage2Page(0, accessFlag: false);
        var memory = new RacingMemory(_memory, leaf) { RaceValue = S2Leaf(Pa, page: true) };
        var walker = new Walker(memory, 48);
        var trace = new WalkTrace();

        var result = walker.WalkStage2(0x1000, c with { Ha = true }, Read, FaultClass.IN, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(Pa, result.Entry.Translate(0x1000));
        Assert.Equal(4, result.DescriptorReads);
        Assert.Equal(4, trace.Steps.Count);
        Assert.All(trace.Steps, s => Assert.Equal(WalkTraceAction.Read, s.Action));
        Assert.Equal(S2Leaf(Pa, page: true), trace.Steps[3].Descriptor);
    }

    // ---- Entries of single-stage walks ----

    // A stage-1-only entry has no stage-2 size, a stage-2-only entry no stage-1 leaf size (IHI0070 §4.4.2).
    [Fact]
    public void Single_stage_entries_record_only_their_own_sizes()
    {
        ulong root = _tables.Allocate(0x1000);
        _tables.Map(root, 12, 1, 39, 0x1000, 2, S1Leaf(0x4000_0000, page: false));

        var s1 = _walker.Walk(0x1000, Stage1(Granule.Size4K, 25, root), Read);
        Assert.Equal(21, s1.Entry.Shift);
        Assert.Equal(0, s1.Entry.Stage1Shift);
        Assert.Equal(0, s1.Entry.Stage2Shift);

        var s2 = _walker.Walk(0x1000, Stage2Only(Stage2(Granule.Size4K, 25, 1, root)), Read);
        Assert.Equal(21, s2.Entry.Shift);
        Assert.Equal(0, s2.Entry.Stage1Shift);
        Assert.Equal(21, s2.Entry.Stage2Shift);
    }

    // ---- Descriptor and granule helpers (DDI0487 D8.3, D8.6.1) ----

    [Theory]
    [InlineData(12, 1, true)]
    [InlineData(12, 2, true)]
    [InlineData(12, 0, false)]
    [InlineData(14, 1, false)]
    [InlineData(14, 2, true)]
    [InlineData(16, 1, false)]
    [InlineData(16, 2, true)]
    public void Blocks_are_allowed_at_4k_levels_1_2_and_16k_64k_level_2(int pageShift, int level, bool allowed) =>
        Assert.Equal(allowed, Descriptor.BlockAllowed(Stage1WalkTests.G(pageShift), level));

    // DDI0487 D8.6.1 (contiguous bit): 16 entries for 4K (levels 1-3), 32 at 16K level 2 and 128 at level 3,
    // 32 for 64K (levels 2-3); the bit is RES0 elsewhere.
    [Theory]
    [InlineData(12, 0, 0)]
    [InlineData(12, 1, 4)]
    [InlineData(12, 3, 4)]
    [InlineData(14, 1, 0)]
    [InlineData(14, 2, 5)]
    [InlineData(14, 3, 7)]
    [InlineData(16, 1, 0)]
    [InlineData(16, 2, 5)]
    [InlineData(16, 3, 5)]
    public void Contiguous_run_length_per_granule_and_level(int pageShift, int level, int log2) =>
        Assert.Equal(log2, Descriptor.ContiguousLog2(Stage1WalkTests.G(pageShift), level));

    [Fact]
    public void Address_size_check_of_a_64_bit_size_never_exceeds()
    {
        Assert.False(Descriptor.Exceeds(ulong.MaxValue, 64));
        Assert.True(Descriptor.Exceeds(1UL << 48, 48));
        Assert.False(Descriptor.Exceeds((1UL << 48) - 1, 48));
    }

    [Fact]
    public void Granule_inequality()
    {
        Assert.True(Granule.Size4K != Granule.Size16K);
        Assert.False(Granule.Size64K != Granule.Size64K);
    }
}
