using ArmSmmu.Caches;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// The miss path's precomputations (docs/performance.md, "Third pass") against what they replace: a walk from a plan
/// made once equals the walk that plans for itself, and the stage-1 permission table equals the rules.
/// </summary>
public class WalkPlanTests
{
    [Fact]
    public void The_permission_table_is_the_stage1_rules_for_every_input_whatever_else_the_config_says()
    {
        // Every other flag set: the table is indexed by the three the rules read (single EL, WXN, PAN), and a rule
        // that came to read another would show here.
        foreach (bool single in new[] { false, true })
        {
            foreach (bool wxn in new[] { false, true })
            {
                foreach (bool pan in new[] { false, true })
                {
                    var config = new Stage1Config
                    {
                        SingleExceptionLevel = single,
                        Wxn = wxn,
                        Pan = pan,
                        Affd = true,
                        Ha = true,
                        Hd = true,
                        Had0 = true,
                        Had1 = true,
                        Tbi0 = true,
                        Tbi1 = true,
                        Secure = true,
                        Ds = true,
                    };
                    for (uint i = 0; i < 256; i++)
                    {
                        bool uxn = (i & 4) != 0, pxn = (i & 8) != 0, uxnTable = (i & 0x40) != 0, pxnTable = (i & 0x80) != 0;
                        // The walker's inputs as they come: AP[2:1] at descriptor bits [7:6], PXN at 53, UXN at 54
                        // (digest §7.5; AF, SH, nG and DBM set, which it must ignore), and the table attributes packed with a Non-secure-table bit above them.
                        ulong descriptor = 0x0008_0000_8000_0F03UL | ((ulong)(i & 3) << 6) | (pxn ? 1UL << 53 : 0) | (uxn ? 1UL << 54 : 0);
                        uint tableAttributes = ((i >> 4) & 0xF) | Walker.NonSecureTable;
                        Assert.Equal(
                            PermissionCheck.Stage1(i & 3, uxn, pxn, (i >> 4) & 3, uxnTable, pxnTable, config),
                            PermissionCheck.Stage1Lookup(descriptor, tableAttributes, config));
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(25, 25, false)] // both halves, 39-bit, start level 1
    [InlineData(16, 33, true)] // TTB1 with a smaller input, and the top byte ignored
    [InlineData(8, 25, false)] // T0SZ below 12: every lower-half walk faults at the start
    public void A_walk_from_a_plan_made_once_is_the_walk_that_plans_for_itself(int t0sz, int t1sz, bool tbi)
    {
        var memory = new SparseMemory();
        var regime = new TranslationRegime
        {
            Stage1Enabled = true,
            Stage1 = new Stage1Config
            {
                Ttb0 = 0x10_0000,
                Ttb1 = 0x20_0000,
                T0SZ = (byte)t0sz,
                T1SZ = (byte)t1sz,
                Tbi0 = tbi,
                Tbi1 = tbi,
                Granule0 = Granule.Size4K,
                Granule1 = Granule.Size4K,
                OutputBits = 48,
                Mair = 0xFF,
            },
        };

        // Every level-1 entry of both roots points at one of 16 level-2 tables, whose entries are 2 MiB blocks with or
        // without the Access flag, or invalid: walks succeed and fault at every level.
        var random = new Random(12);
        for (ulong i = 0; i < 512; i++)
        {
            memory.TryWriteUInt64(0x10_0000 + (i * 8), (0x30_0000UL + ((i % 16) << 12)) | 3);
            memory.TryWriteUInt64(0x20_0000 + (i * 8), (0x30_0000UL + (((i + 5) % 16) << 12)) | 3);
        }

        for (ulong i = 0; i < 16 * 512; i++)
        {
            int kind = random.Next(4);
            memory.TryWriteUInt64(0x30_0000 + (i * 8), kind == 0 ? 0 : (0x4000_0000UL + (i << 21)) | (kind == 1 ? 0x1UL : 0x401UL));
        }

        var tag = new WalkTag(StreamWorld.NsEl1, 0, 3);
        var planned = new Walker(memory, 48, new WalkCaches(64, 0, 0));
        var unplanned = new Walker(memory, 48, new WalkCaches(64, 0, 0));
        var plan = planned.Plan(regime, tag);
        int translated = 0;
        for (int i = 0; i < 2000; i++)
        {
            // Lower half, upper half (39-bit), or anything (mostly outside both).
            ulong low = (ulong)random.NextInt64() & 0x0000_007F_FFFF_FFFFUL;
            ulong va = random.Next(3) switch { 0 => low, 1 => low | 0xFFFF_FF80_0000_0000UL, _ => (ulong)random.NextInt64() };
            var access = new AccessIntent(random.Next(2) == 0, false, random.Next(2) == 0);
            var expectedFault = unplanned.Walk(va, regime, access, tag, null, out var expectedEntry, out int expectedReads);
            var fault = planned.Walk(va, regime, plan, access, null, out var entry, out int reads);
            Assert.Equal(expectedFault, fault);
            Assert.Equal(expectedEntry, entry);
            Assert.Equal(expectedReads, reads);
            translated += fault.Kind == FaultKind.None ? 1 : 0;
        }

        Assert.InRange(translated, 100, 1900);
    }
}
