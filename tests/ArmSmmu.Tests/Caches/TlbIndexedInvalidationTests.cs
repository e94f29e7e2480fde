using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

/// <summary>
/// The TLB finds what an invalidation removes through its set index and per-tag lists, not by scanning. These tests
/// check that this finds exactly what the scope of each command (IHI0070 §4.4) covers: random contents, random
/// commands, compared with an independent filter over the entries the TLB held before.
/// </summary>
public class TlbIndexedInvalidationTests
{
    private sealed record Cached(TlbKey Key, TranslationEntry Entry);

    private static int SpanShift(TranslationEntry e) => Math.Max(e.Shift, e.Stage1Shift);

    // The scope of a VA-scoped command, written from §4.4.2 independently of the TLB's own matching.
    private static bool VaCovers(Cached c, StreamWorld world, ushort vmid, ushort? asid, ulong first, ulong last, int ttl)
    {
        bool usesAsid = c.Key.World != StreamWorld.NsEl2;
        ulong span = 1UL << SpanShift(c.Entry);
        ulong leafFirst = c.Entry.InputBase & ~(span - 1);
        return c.Key.World == world
            && c.Key.Kind != TranslationKind.Stage2
            && (world is not StreamWorld.NsEl1 || c.Key.Vmid == vmid)
            && (asid is null || !usesAsid || c.Entry.Global || c.Key.Asid == asid)
            && (ttl < 0 || c.Entry.Level == ttl)
            && leafFirst <= last && first <= leafFirst + (span - 1);
    }

    // asids: ASIDs 0..asids-1 are drawn, so the TLB holds few tags (tested one by one) or many (looked up by name).
    // A key's ASET is random: global entries are listed under their ASET (IHI0070 §3.17.1).
    private static Cached RandomEntry(Random random, int asids)
    {
        var world = random.Next(5) == 0 ? StreamWorld.NsEl2E2H : StreamWorld.NsEl1;
        var kind = world == StreamWorld.NsEl1 ? (TranslationKind)random.Next(3) : TranslationKind.Stage1;
        int shift = new[] { Page4K, Page4K, Page4K, 14, 16, Block2M }[random.Next(6)];
        ulong input = (ulong)random.Next(0, 64) << Block2M | ((ulong)random.Next(0, 512) << 12);
        input &= ~((1UL << shift) - 1);
        var entry = Entry(input, 0x80_0000_0000 + input, shift, global: kind != TranslationKind.Stage2 && (input >> 12) % 6 == 0); // one nG per page, as one table gives

        // A nested entry may be one stage-2 piece of a larger stage-1 leaf (IHI0070 §4.4.2 must remove all pieces).
        if (kind == TranslationKind.Nested && shift == Page4K && random.Next(2) == 0)
        {
            entry = entry with { Stage1Shift = (byte)(random.Next(2) == 0 ? 14 : Block2M), Level = 2 };
        }

        var key = new TlbKey(world, (ushort)random.Next(1, 3), (ushort)random.Next(0, asids), kind, Aset: random.Next(2) == 0);
        return new Cached(key.Normalize(), kind == TranslationKind.Stage2 ? entry with { Global = true } : entry);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 16)]
    [InlineData(6, 16)]
    public void Every_command_removes_exactly_its_scope(int seed, int asids)
    {
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            // Large enough that nothing is evicted: the model then knows exactly what the TLB holds.
            var tlb = new Tlb(8192, 8);
            var model = new Dictionary<(TlbKey, ulong, int), Cached>();
            for (int i = 0; i < 150; i++)
            {
                var c = RandomEntry(random, asids);
                tlb.Insert(c.Key, c.Entry, tlb.Generation);
                model[(c.Key, c.Entry.InputBase, c.Entry.Shift)] = c;
            }

            Assert.Equal(model.Count, tlb.Count);
            ushort vmid = (ushort)random.Next(1, 3);
            ushort asid = (ushort)random.Next(0, asids);
            ulong address = ((ulong)random.Next(0, 64) << Block2M) | ((ulong)random.Next(0, 512) << 12);
            ulong size = random.Next(4) switch { 0 => 1, 1 => 0x1000, 2 => 0x4000, _ => (ulong)random.Next(1, 1 << 24) };
            int ttl = random.Next(4) == 0 ? random.Next(1, 4) : -1;
            ulong last = address + size - 1;
            int command = random.Next(8);
            Func<Cached, bool> covers = command switch
            {
                0 => c => VaCovers(c, StreamWorld.NsEl1, vmid, asid, address, last, ttl),
                1 => c => VaCovers(c, StreamWorld.NsEl1, vmid, null, address, last, ttl),
                2 => c => VaCovers(c, StreamWorld.NsEl2E2H, 0, asid, address, last, ttl),
                3 => c => c.Key.World == StreamWorld.NsEl1 && c.Key.Kind == TranslationKind.Stage2 && c.Key.Vmid == vmid
                    && (ttl < 0 || c.Entry.Level == ttl) && c.Entry.InputBase <= last && address <= c.Entry.InputBase + ((1UL << c.Entry.Shift) - 1),
                4 => c => c.Key.World == StreamWorld.NsEl1 && c.Key.Vmid == vmid && c.Key.Kind != TranslationKind.Stage2,
                5 => c => c.Key.World == StreamWorld.NsEl1 && c.Key.Vmid == vmid,
                6 => c => c.Key.World == StreamWorld.NsEl1 && c.Key.Vmid == vmid && c.Key.Kind != TranslationKind.Stage2 && !c.Entry.Global && c.Key.Asid == asid,
                _ => c => c.Key.World == StreamWorld.NsEl1,
            };
            int removed = command switch
            {
                0 => tlb.InvalidateVa(StreamWorld.NsEl1, vmid, asid, address, size, leafOnly: true, ttl),
                1 => tlb.InvalidateVa(StreamWorld.NsEl1, vmid, null, address, size, leafOnly: true, ttl),
                2 => tlb.InvalidateVa(StreamWorld.NsEl2E2H, 0, asid, address, size, leafOnly: true, ttl),
                3 => tlb.InvalidateIpa(vmid, address, size, leafOnly: true, ttl),
                4 => tlb.InvalidateVmid(vmid, stage1Only: true),
                5 => tlb.InvalidateVmid(vmid, stage1Only: false),
                6 => tlb.InvalidateAsid(StreamWorld.NsEl1, vmid, asid),
                _ => tlb.InvalidateNsnhAll(),
            };

            var expected = model.Values.Where(c => !covers(c)).Select(c => (c.Key, c.Entry.InputBase, (int)c.Entry.Shift)).ToHashSet();
            var actual = tlb.Snapshot().Select(s => (s.Key, s.Entry.InputBase, (int)s.Entry.Shift)).ToList();
            Assert.Equal(model.Count - expected.Count, removed);
            Assert.Equal(expected.Count, actual.Count);
            Assert.Subset(expected, actual.ToHashSet());

            // Whatever is left is still found by a lookup (the lists and size masks stayed consistent).
            foreach (var (key, input, _) in actual)
            {
                Assert.True(tlb.TryLookup(key, input, out _));
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(24)]
    public void Tlbi_nh_va_of_one_asid_removes_its_entry_and_global_entries_of_both_asets_however_many_asids_are_cached(int otherAsids)
    {
        // IHI0070 §4.4.2.4: CMD_TLBI_NH_VA removes the ASID's entries and global entries at the address; §3.17.1: a global
        // entry keeps the ASET it was fetched under. With many ASIDs cached the TLB names the tags in scope instead of
        // testing each; the result must not change.
        var tlb = new Tlb(4096, 8);
        for (ushort asid = 100; asid < 100 + otherAsids; asid++)
        {
            tlb.Insert(El1(1, asid), Entry(0x4000, 0x9000_0000, Page4K), tlb.Generation);
        }

        var target = El1(1, 7);
        var other = El1(1, 8);
        tlb.Insert(target, Entry(0x4000, 0x1000_0000, Page4K), tlb.Generation);
        tlb.Insert(other, Entry(0x4000, 0x2000_0000, Page4K), tlb.Generation);
        tlb.Insert(El1(1, 9) with { Aset = true }, Entry(0x5000, 0x3000_0000, Page4K, global: true), tlb.Generation);
        tlb.Insert(El1(1, 9), Entry(0x6000, 0x4000_0000, Page4K, global: true), tlb.Generation);
        tlb.Insert(El1(1, 7, TranslationKind.Nested), Entry(0x7000, 0x5000_0000, Page4K), tlb.Generation);
        tlb.Insert(El1(2, 7), Entry(0x4000, 0x6000_0000, Page4K), tlb.Generation);

        Assert.Equal(4, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 7, 0x4000, 0x4000, leafOnly: true, ttlLevel: -1));

        Assert.False(tlb.TryLookup(target, 0x4000, out _));
        Assert.False(tlb.TryLookup(El1(1, 9) with { Aset = true }, 0x5000, out _));
        Assert.False(tlb.TryLookup(El1(1, 9), 0x6000, out _));
        Assert.False(tlb.TryLookup(El1(1, 7, TranslationKind.Nested), 0x7000, out _));
        Assert.True(tlb.TryLookup(other, 0x4000, out var kept));
        Assert.Equal(0x2000_0000UL, kept.OutputBase);
        Assert.True(tlb.TryLookup(El1(2, 7), 0x4000, out _)); // another VMID
        Assert.Equal(2 + otherAsids, tlb.Count);
    }

    [Fact]
    public void One_iova_in_many_address_spaces_does_not_compete_for_one_set()
    {
        // 8 sets of 8 ways: 32 ASIDs caching the same IOVA fit only if the ASID spreads them over the sets.
        var tlb = new Tlb(64, 8);
        for (ushort asid = 1; asid <= 32; asid++)
        {
            tlb.Insert(El1(1, asid), Entry(0x1000, 0x8000_0000 + (asid * 0x1000UL), Page4K), tlb.Generation);
        }

        Assert.True(tlb.Statistics.Evictions < 8, $"{tlb.Statistics.Evictions} evictions: the ASID does not spread the sets");
        for (ushort asid = 1; asid <= 32; asid++)
        {
            if (tlb.TryLookup(El1(1, asid), 0x1000, out var entry))
            {
                Assert.Equal(0x8000_0000 + (asid * 0x1000UL), entry.OutputBase);
            }
        }
    }

    [Fact]
    public void Global_entry_is_found_from_every_asid_and_survives_their_asid_invalidations()
    {
        // IHI0070 §3.17.1: nG = 0 matches every ASID; CMD_TLBI_NH_ASID leaves it.
        var tlb = new Tlb(64, 8);
        tlb.Insert(El1(1, 7), Entry(0x20_0000, 0x4000_0000, Block2M, global: true), tlb.Generation);
        for (ushort asid = 0; asid < 40; asid++)
        {
            Assert.Equal(0, tlb.InvalidateAsid(StreamWorld.NsEl1, 1, asid));
            Assert.True(tlb.TryLookup(El1(1, asid), 0x20_1234, out var entry));
            Assert.Equal(0x4000_0000UL, entry.OutputBase);
        }

        Assert.False(tlb.TryLookup(El1(2, 7), 0x20_1234, out _)); // another VMID
        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 33, 0x20_0000, 1, leafOnly: true, ttlLevel: -1));
        Assert.False(tlb.TryLookup(El1(1, 7), 0x20_1234, out _));
    }
}
