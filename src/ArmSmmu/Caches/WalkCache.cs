using System.Runtime.CompilerServices;
using ArmSmmu.Translation;

namespace ArmSmmu.Caches;

/// <summary>What a walk-cache entry caches (IHI0070 §3.17, §16.2): which invalidations reach it depends on it.</summary>
internal enum WalkCacheKind : byte
{
    /// <summary>A stage-1 table descriptor: the next-level table address (an IPA when nested) and the hierarchical attributes so far.</summary>
    Stage1Table,

    /// <summary>A stage-2 table descriptor: the next-level stage-2 table address.</summary>
    Stage2Table,

    /// <summary>The stage-2 translation of the IPA of a stage-1 table (a TT-class stage-2 walk that succeeded).</summary>
    TableIpa,
}

/// <summary>
/// The tag of a walk-cache entry: the input-address prefix it resolves, the table root of the walk and a packed word
/// of everything else the walk depended on (<see cref="WalkCacheTag"/>). Equal keys mean the cached result is the one a
/// fresh walk through unchanged tables would produce.
/// </summary>
/// <param name="Prefix">The input address shifted right by the size of the region the entry resolves.</param>
/// <param name="Root">TTB0/TTB1 or S2TTB of the walk, as aligned by the walker.</param>
/// <param name="Tag">The packed <see cref="WalkCacheTag"/>.</param>
internal readonly record struct WalkCacheKey(ulong Prefix, ulong Root, ulong Tag)
{
    // The set index is the low bits of the fold of both halves: a low product half depends on the low half of its
    // operand only, so the level, StreamWorld, shape and kind (tag bits 32 and up) never moved an entry to another
    // set, and the level-0, -1 and -2 tables of an address below 512 GiB, 1 GiB and 2 MiB shared one set of four ways
    // (a walk that resumed searched three of them, and one more such table evicted another).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Hash()
    {
        ulong mixed = (Prefix * 0x9E37_79B9_7F4A_7C15UL) ^ (Root >> 3) ^ (Tag * 0xC2B2_AE3D_27D4_EB4FUL) ^ (Prefix >> 7);
        return (int)(mixed ^ (mixed >> 32));
    }
}

/// <summary>
/// Packing of <see cref="WalkCacheKey.Tag"/>: [15:0] VMID, [31:16] ASID (stage 1) or the stage-2 walk flags,
/// [33:32] StreamWorld, [35:34] level (0b11 for level -1: level 3 holds no tables), [40:36] granule shift,
/// [47:41] input size, [54:48] output size, [55] hierarchical attributes on, [56] nested (stage-1 tables are IPAs),
/// [58:57] kind, [59] FEAT_LPA2 descriptors (DS), [60] StreamWorld bit 2 (the Secure worlds S-EL1 and EL3 need three bits),
/// [61] a Secure walk that starts in the Non-secure PA space (CD.NSCFGx, IHI0070 §5.4): its tables are other memory.
/// </summary>
internal static class WalkCacheTag
{
    private const int AsidShift = 16;
    private const int WorldShift = 32;
    private const int LevelShift = 34;
    private const int WorldHighShift = 60;

    /// <summary>The tag of one stage-1 walk (level 0; <see cref="AtLevel"/> adds the level).</summary>
    public static ulong Stage1(in WalkTag tag, Granule granule, int inputBits, int outputBits, bool hierarchical, bool nested, bool lpa2 = false, bool nonSecureStart = false) =>
        tag.Vmid | ((ulong)tag.Asid << AsidShift) | WorldBits(tag.World) | Shape(granule, inputBits, outputBits)
        | (hierarchical ? 1UL << 55 : 0) | (nested ? 1UL << 56 : 0) | ((ulong)WalkCacheKind.Stage1Table << 57) | (lpa2 ? 1UL << 59 : 0)
        | (nonSecureStart ? 1UL << 61 : 0);

    /// <summary>The tag of one stage-2 walk; every Stage2Config field the result depends on is in it.</summary>
    public static ulong Stage2(ushort vmid, in Stage2Config c, WalkCacheKind kind)
    {
        // The start level (-1..3) is kept as level + 1 in three bits.
        ulong flags = (uint)((c.StartLevel + 1) & 7) | (c.Ptw ? 8UL : 0) | (c.Affd ? 16UL : 0) | (c.Ha ? 32UL : 0) | (c.Hd ? 64UL : 0)
            | (c.ExtendedExecuteNever ? 128UL : 0) | (c.Ds ? 256UL : 0);
        return vmid | (flags << AsidShift) | WorldBits(StreamWorld.NsEl1)
            | Shape(c.Granule, 64 - c.S2T0SZ, c.OutputBits) | ((ulong)kind << 57);
    }

    /// <summary>The tag for an entry of <paramref name="level"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLevel(ulong tag, int level) => tag | ((ulong)(level & 3) << LevelShift);

    public static ushort Vmid(ulong tag) => (ushort)tag;

    public static ushort Asid(ulong tag) => (ushort)(tag >> AsidShift);

    public static StreamWorld World(ulong tag) => (StreamWorld)(((tag >> WorldShift) & 3) | (((tag >> WorldHighShift) & 1) << 2));

    // Two bits at [33:32] and the third at [60]: EL3 (4) in two bits would spill into the level field.
    private static ulong WorldBits(StreamWorld world) =>
        (((ulong)world & 3) << WorldShift) | (((ulong)world >> 2) << WorldHighShift);

    public static int Level(ulong tag)
    {
        int level = (int)((tag >> LevelShift) & 3);
        return level == 3 ? -1 : level;
    }

    public static WalkCacheKind Kind(ulong tag) => (WalkCacheKind)((tag >> 57) & 3);

    private static ulong Shape(Granule granule, int inputBits, int outputBits) =>
        ((ulong)(granule.PageShift & 0x1F) << 36) | ((ulong)(inputBits & 0x7F) << 41) | ((ulong)(outputBits & 0x7F) << 48);
}

/// <summary>
/// The translation context a walk caches under (IHI0070 §3.17.1): StreamWorld, and the VMID and ASID where that
/// StreamWorld uses them (unused fields are zero, so equal contexts compare equal).
/// </summary>
/// <param name="World">StreamWorld.</param>
/// <param name="Vmid">VMID (NS-EL1 only).</param>
/// <param name="Asid">ASID (not for NS-EL2 without E2H).</param>
internal readonly record struct WalkTag(StreamWorld World, ushort Vmid, ushort Asid)
{
    /// <summary>The walk context of a TLB tag, with the fields its StreamWorld does not use cleared.</summary>
    /// <param name="key">The TLB tag of the translation.</param>
    /// <returns>The walk tag.</returns>
    public static WalkTag From(in TlbKey key) => new(
        key.World,
        TlbKey.UsesVmid(key.World) ? key.Vmid : (ushort)0,
        TlbKey.UsesAsid(key.World, TranslationKind.Stage1) ? key.Asid : (ushort)0);
}

/// <summary>One cached walk step. Immutable, so a lookup may read it while another thread replaces the slot.</summary>
/// <param name="Key">The tag.</param>
/// <param name="First">First input address the entry resolves (its table region, or the stage-2 leaf it came from).</param>
/// <param name="Last">Last input address it resolves: an invalidation overlapping [First, Last] reaches it.</param>
/// <param name="Value">Next table address, or the output page of a <see cref="WalkCacheKind.TableIpa"/> entry.</param>
/// <param name="TableAttributes">Stage-1 APTable [1:0], UXNTable [2], PXNTable [3] accumulated down to this entry.</param>
internal sealed record WalkCacheEntry(WalkCacheKey Key, ulong First, ulong Last, ulong Value, byte TableAttributes);

/// <summary>
/// A set-associative cache of walk steps. Lookups take no lock; inserts and invalidations are serialised, and an
/// insert made with a generation older than the last invalidation is dropped, so a walk that raced an invalidation
/// cannot bring back what it removed (the same rule as the TLB).
/// </summary>
internal sealed class WalkCache
{
    private const int Ways = 4;
    private readonly WalkCacheEntry?[] _slots;
    private readonly int _setMask;
    private readonly WalkCacheGeneration _generation;
    private readonly Lock _writeLock = new();
    private int _count;
    private int _victim;

    /// <summary>Creates a cache of about <paramref name="entries"/> entries (rounded up to a power of two ≥ 4; 0 disables it).</summary>
    /// <param name="entries">Capacity.</param>
    /// <param name="generation">The invalidation generation shared by the walk caches of one SMMU.</param>
    public WalkCache(int entries, WalkCacheGeneration generation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(entries);
        _generation = generation;
        int capacity = entries == 0 ? 0 : (int)Math.Max(Ways, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)entries));
        _slots = new WalkCacheEntry?[capacity];
        _setMask = (capacity / Ways) - 1;
    }

    /// <summary>Hits, misses, insertions, evictions, invalidations.</summary>
    public CacheStatistics Statistics { get; } = new();

    /// <summary>False when the size is 0.</summary>
    public bool Enabled => _slots.Length != 0;

    /// <summary>Valid entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Finds the entry with <paramref name="key"/> (no statistics: the walker counts one hit or miss per walk).</summary>
    /// <param name="key">The tag.</param>
    /// <returns>The entry, or null.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WalkCacheEntry? Find(in WalkCacheKey key)
    {
        int set = (key.Hash() & _setMask) * Ways;
        for (int i = set; i < set + Ways; i++)
        {
            var entry = Volatile.Read(ref _slots[i]);
            if (entry is not null && entry.Key == key)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Stores an entry unless an invalidation ran since <paramref name="generation"/> was read.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="generation">The generation read before the walk began.</param>
    public void Insert(WalkCacheEntry entry, long generation)
    {
        int set = (entry.Key.Hash() & _setMask) * Ways;
        lock (_writeLock)
        {
            if (generation != _generation.Value)
            {
                return;
            }

            // The slot already holding this key first, whichever way it is in: taking an empty way before it
            // would keep two copies of one entry (a wasted way, and Count one too high).
            int target = -1;
            for (int i = set; i < set + Ways; i++)
            {
                var present = _slots[i];
                if (present is not null && present.Key == entry.Key)
                {
                    target = i;
                    break;
                }

                if (present is null && target < 0)
                {
                    target = i;
                }
            }

            if (target < 0)
            {
                target = set + (_victim++ & (Ways - 1));
                Statistics.RecordEviction();
                _count--;
            }
            else if (_slots[target] is not null)
            {
                _count--;
            }

            Volatile.Write(ref _slots[target], entry);
            _count++;
            Statistics.RecordInsertion();
        }
    }

    /// <summary>Removes every entry <paramref name="match"/> accepts. The caller has advanced the generation first.</summary>
    /// <typeparam name="TScope">What the invalidation names.</typeparam>
    /// <param name="scope">Passed to <paramref name="match"/>.</param>
    /// <param name="match">The architected scope of the invalidation.</param>
    /// <returns>Entries removed.</returns>
    public int RemoveWhere<TScope>(in TScope scope, Func<WalkCacheEntry, TScope, bool> match)
    {
        lock (_writeLock)
        {
            // Under the lock: an insert that passed its generation check has finished counting itself.
            if (_count == 0)
            {
                return 0;
            }

            int removed = 0;
            for (int i = 0; i < _slots.Length; i++)
            {
                var entry = _slots[i];
                if (entry is not null && match(entry, scope))
                {
                    Volatile.Write(ref _slots[i], null);
                    removed++;
                }
            }

            _count -= removed;
            Statistics.RecordInvalidated(removed);
            return removed;
        }
    }
}

/// <summary>The invalidation generation of one SMMU's walk caches: advanced before any of them loses an entry.</summary>
internal sealed class WalkCacheGeneration
{
    private long _value;

    /// <summary>The current generation.</summary>
    public long Value => Volatile.Read(ref _value);

    /// <summary>Starts a new generation; inserts made under an older one are dropped.</summary>
    public void Advance() => Interlocked.Increment(ref _value);
}
