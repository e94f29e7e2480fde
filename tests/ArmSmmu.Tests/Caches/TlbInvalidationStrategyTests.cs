using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

/// <summary>
/// Address-scoped invalidation has two strategies (probe the sets the range can live in, or scan every slot, chosen by
/// <see cref="Tlb.ScanCrossover"/>); both must remove exactly the architected scope. Random TLB contents and random
/// CMD_TLBI_NH_VA / NH_VAA / S2_IPA ranges are checked against the rule written out here (IHI0070 §4.4.2.3, §4.4.2.4,
/// §4.4.3.1, §4.4.1.1): same StreamWorld and VMID, the command's stage, the ASID or a global entry (VA forms), the TTL
/// level when given, and an entry overlapping [address, address + size).
/// </summary>
public class TlbInvalidationStrategyTests
{
    private static readonly int[] Shifts = [Page4K, Page4K, Page4K, Block2M, Block2M, Block1G];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Probing_and_scanning_remove_exactly_the_entries_the_command_names(bool scan)
    {
        var random = new Random(14);
        int removedInAll = 0;
        for (int round = 0; round < 300; round++)
        {
            var tlb = new Tlb(512, 8) { ScanCrossover = scan ? 0 : long.MaxValue };
            for (int i = 0; i < 40; i++)
            {
                int shift = Shifts[random.Next(Shifts.Length)];
                ulong inputBase = ((ulong)random.Next(1 << 13) << 12) & ~((1UL << shift) - 1);
                var kind = (TranslationKind)random.Next(3);
                var key = new TlbKey(StreamWorld.NsEl1, (ushort)random.Next(1, 3), (ushort)random.Next(1, 4), kind);
                tlb.Insert(key, Entry(inputBase, 0x80_0000_0000 + inputBase, shift, global: random.Next(5) == 0), tlb.Generation);
            }

            var command = Command.Random(random);
            var before = tlb.Snapshot().ToList();
            var expected = before.Where(e => !command.Removes(e.Key, e.Entry)).ToHashSet();

            int removed = command.Run(tlb);

            Assert.Equal(before.Count - expected.Count, removed);
            Assert.Equal(expected, tlb.Snapshot().ToHashSet());
            Assert.Equal(expected.Count, tlb.Count);
            removedInAll += removed;
        }

        Assert.True(removedInAll > 400, $"only {removedInAll} entries removed: the rounds hardly test removal");
    }

    /// <summary>One TLBI by address: VA forms (ASID or every ASID) or S2_IPA, with a range and an optional TTL level.</summary>
    private sealed record Command(bool Ipa, ushort Vmid, ushort? Asid, ulong Address, ulong Size, int TtlLevel)
    {
        public static Command Random(Random random)
        {
            ulong address = (ulong)random.Next(1 << 13) << 12;
            ulong size = random.Next(4) switch
            {
                0 => 1, // a non-range command: one address
                1 => (ulong)random.Next(1, 32) << 12,
                2 => (ulong)random.Next(1, 8) << 21,
                _ => (ulong)random.Next(1, 4) << 24,
            };

            // CMD_TLBI_S2_IPA treats IPA[11:0] as 0; the VA forms may name any byte of a page.
            bool ipa = random.Next(3) == 0;
            return new Command(
                ipa,
                Vmid: (ushort)random.Next(1, 3),
                Asid: random.Next(3) == 0 ? null : (ushort)random.Next(1, 4),
                ipa ? address : address + (ulong)random.Next(0x1000),
                size,
                TtlLevel: random.Next(3) == 0 ? random.Next(1, 4) : -1);
        }

        public int Run(Tlb tlb) => Ipa
            ? tlb.InvalidateIpa(Vmid, Address, Size, leafOnly: true, TtlLevel)
            : tlb.InvalidateVa(StreamWorld.NsEl1, Vmid, Asid, Address, Size, leafOnly: true, TtlLevel);

        public bool Removes(TlbKey key, TranslationEntry entry)
        {
            ulong last = entry.InputBase + ((1UL << entry.Shift) - 1);
            bool stageMatches = Ipa ? key.Kind == TranslationKind.Stage2 : key.Kind != TranslationKind.Stage2;
            bool asidMatches = Ipa || Asid is null || entry.Global || key.Asid == Asid;
            return stageMatches
                && key.Vmid == Vmid
                && asidMatches
                && (TtlLevel < 0 || entry.Level == TtlLevel)
                && entry.InputBase <= Address + (Size - 1)
                && Address <= last;
        }
    }
}
