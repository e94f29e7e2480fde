using System.Runtime.CompilerServices;
using ArmSmmu.Caches;

namespace ArmSmmu.Translation;

// How a walk uses the walk caches (IHI0070 §3.17, §16.2): it resumes from the deepest cached table on its path, records
// every table descriptor it reads, and translates stage-1 table IPAs through the table IPA cache before walking stage 2.
internal sealed partial class Walker
{
    // A stage-1 table IPA translated by stage 2 (CLASS = TT, a privileged data read): from the table IPA cache, or by a
    // stage-2 walk whose successful result is then cached for the stage-2 leaf that maps it.
    private WalkFault TableAddress(ulong ipa, in Stage2Config s2, in WalkScope scope, ref int reads, out ulong physical, WalkTrace? trace)
    {
        var cache = scope.TableIpa;
        int pageShift = s2.Granule.PageShift;
        var key = new WalkCacheKey(ipa >> pageShift, s2.S2Ttb, scope.TableIpaTag);
        if (cache is not null)
        {
            var hit = cache.Find(key);
            if (hit is not null)
            {
                cache.Statistics.RecordHit();
                physical = hit.Value | (ipa & Bits.Mask(pageShift));
                return default;
            }

            cache.Statistics.RecordMiss();
        }

        var fault = Stage2(ipa, s2, scope.Stage2Start, AccessIntent.TableRead, FaultClass.TT, probe: false, scope, ref reads, out Leaf leaf, trace);
        physical = leaf.Output;
        if (cache is not null && fault.Kind == FaultKind.None)
        {
            // The entry answers for the whole stage-2 block or page, so TLBI_S2_IPA of any address in it removes it.
            ulong first = ipa & ~Bits.Mask(leaf.Shift);
            cache.Insert(new WalkCacheEntry(key, first, first | Bits.Mask(leaf.Shift), leaf.Output & ~Bits.Mask(pageShift), 0), scope.Generation);
        }

        return fault;
    }

    /// <summary>
    /// What one walk caches under: the caches (null members when absent or sized 0), the generation read before it
    /// started, and its plan (tags, the start of a stage-2 walk of the regime), held by reference.
    /// </summary>
    private readonly ref struct WalkScope
    {
        public readonly WalkCache? Stage1Tables;
        public readonly WalkCache? Stage2Tables;
        public readonly WalkCache? TableIpa;
        public readonly long Generation;
        private readonly ref readonly WalkPlan _plan;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WalkScope(WalkCaches? caches, in WalkPlan plan, in TranslationRegime regime)
        {
            _plan = ref plan;
            if (caches is null)
            {
                return;
            }

            Generation = caches.Generation.Value;
            Stage1Tables = regime.Stage1Enabled && caches.Stage1.Enabled ? caches.Stage1 : null;
            if (regime.Stage2Enabled)
            {
                Stage2Tables = caches.Stage2.Enabled ? caches.Stage2 : null;
                TableIpa = regime.Stage1Enabled && caches.TableIpa.Enabled ? caches.TableIpa : null;
            }
        }

        /// <summary>The start of a stage-2 walk of the regime's stage 2 (nested table and descriptor-update addresses).</summary>
        public ref readonly Stage2Start Stage2Start => ref _plan.Stage2;

        public ulong TableIpaTag => _plan.TableIpaTag;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WalkPath Stage1Path(ulong canonicalVa, ulong root, Granule granule, ulong cacheTag) =>
            new(Stage1Tables, Generation, cacheTag, root, canonicalVa, granule);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WalkPath Stage2Path(ulong ipa, ulong root, Granule granule) =>
            new(Stage2Tables, Generation, _plan.Stage2TableTag, root, ipa, granule);
    }

    /// <summary>The table entries of one stage of one walk: where it can resume, and what it learns on the way down.</summary>
    private readonly struct WalkPath
    {
        private readonly WalkCache? _cache;
        private readonly long _generation;
        private readonly ulong _tag;
        private readonly ulong _root;
        private readonly ulong _input;
        private readonly Granule _granule;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WalkPath(WalkCache? cache, long generation, ulong tag, ulong root, ulong input, Granule granule)
        {
            _cache = cache;
            _generation = generation;
            _tag = tag;
            _root = root;
            _input = input;
            _granule = granule;
        }

        // The deepest cached table descriptor of levels [startLevel, 2], or null: level 3 holds only leaves. One hit
        // or one miss is counted per walk of a stage. Returned, not an out parameter: storing a reference through a
        // by-ref costs a GC write barrier per store. The search takes the fields as arguments: a call on this struct
        // made the walk copy it, field by field through spill slots, into a temporary (30 instructions a stage-1 miss).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public WalkCacheEntry? Resume(int startLevel) =>
            _cache is null || startLevel > 2 ? null : Deepest(_cache, _tag, _root, _input, _granule, startLevel);

        private static WalkCacheEntry? Deepest(WalkCache cache, ulong tag, ulong root, ulong input, Granule granule, int startLevel)
        {
            for (int level = 2; level >= startLevel; level--)
            {
                var entry = cache.Find(new WalkCacheKey(input >> granule.LevelShift(level), root, WalkCacheTag.AtLevel(tag, level)));
                if (entry is not null)
                {
                    cache.Statistics.RecordHit();
                    return entry;
                }
            }

            cache.Statistics.RecordMiss();
            return null;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int level, int shift, ulong next, uint tableAttributes)
        {
            if (_cache is not null)
            {
                ulong first = _input & ~Bits.Mask(shift);
                _cache.Insert(new WalkCacheEntry(Key(level, shift), first, first | Bits.Mask(shift), next, (byte)tableAttributes), _generation);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private WalkCacheKey Key(int level, int shift) => new(_input >> shift, _root, WalkCacheTag.AtLevel(_tag, level));
    }
}
