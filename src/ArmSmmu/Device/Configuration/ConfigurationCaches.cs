using System.Runtime.CompilerServices;
using ArmSmmu.Caches;

namespace ArmSmmu.Device;

/// <summary>
/// The configuration caches of one SMMU (IHI0070 §4.3): STEs by StreamID, CDs by (StreamID, SubstreamID), and the
/// stream paths derived from both. Every invalidation goes through here, so the derived paths never outlive the
/// STE or CD they were made from.
/// </summary>
internal sealed class ConfigurationCaches
{
    /// <summary>log2 of the number of entries of the path front table (<see cref="FindPath"/>).</summary>
    private const int FrontBits = 8;

    // A direct-mapped front to Paths, filled from it without a lock: one load and two compares find the path of a
    // stream, where the set search of the generic cache cost a tenth of a TLB hit through the C ABI. It holds only
    // paths found in Paths, and a path is retired (under the writer lock) when it leaves Paths, so the retired check
    // is all the invalidation the front needs.
    private readonly StreamPath?[] _front = new StreamPath?[1 << FrontBits];

    public ConfigurationCaches(int capacity)
    {
        Ste = new ConfigCache<SteContext>(capacity);
        Cd = new ConfigCache<CdContext>(capacity);
        Paths = new ConfigCache<StreamPath>(capacity, countLookups: false, static path => path.Retire());
        Ste.Statistics.AddHitSource(FastHits);
        Cd.Statistics.AddHitSource(FastHits);
        Ste.Statistics.AddHitSource(_pathHitsThroughCd);
        Cd.Statistics.AddHitSource(_pathHitsThroughCd);
        Ste.Statistics.AddHitSource(TlbMissesThroughCd);
        Cd.Statistics.AddHitSource(TlbMissesThroughCd);
        Ste.Statistics.AddHitSource(TlbMissesThroughSte);
    }

    /// <summary>As <see cref="TlbMissesThroughCd"/> for a path with no CD (stage 1 bypassed): an STE hit and a TLB miss.</summary>
    public PerThreadCounter TlbMissesThroughSte { get; } = new();

    /// <summary>
    /// Transactions that found their path through a CD here and then missed in the TLB: each stands for an STE hit, a
    /// CD hit and a TLB miss (the TLB's statistics add it to their misses), counted with one increment instead of two.
    /// </summary>
    public PerThreadCounter TlbMissesThroughCd { get; } = new();

    // Paths through a CD found here by transactions that then missed or were denied in the TLB: each is an STE and a CD
    // hit, counted with one increment (a TLB miss already increments the TLB's, the walk cache's and the walks' counters).
    private readonly PerThreadCounter _pathHitsThroughCd = new();

    /// <summary>
    /// Transactions that found their path here and a permitted TLB entry through a CD: each stands for an STE, a CD and
    /// a TLB hit (the TLB's statistics add it too), counted with one atomic increment instead of three.
    /// </summary>
    public PerThreadCounter FastHits { get; } = new(hot: true);

    public ConfigCache<SteContext> Ste { get; }

    public ConfigCache<CdContext> Cd { get; }

    /// <summary>A derived cache: dropping a path early only costs a re-derivation from the STE and CD caches.</summary>
    public ConfigCache<StreamPath> Paths { get; }

    /// <summary>
    /// The resolved configuration of (StreamID, SubstreamID). Not counted here: the caller counts it with
    /// <see cref="FastHits"/> or <see cref="RecordPathHit"/> once it knows how the transaction ends.
    /// </summary>
    public bool TryGetPath(in TranslationRequest request, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out StreamPath path)
    {
        path = FindPath(request);
        return path is not null;
    }

    /// <summary>As <see cref="TryGetPath"/>: the cached path of the request's (StreamID, SubstreamID), or null. Takes no lock and allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StreamPath? FindPath(in TranslationRequest request)
    {
        uint streamId = request.StreamId;
        uint key = request.SubstreamId ?? ConfigCache<StreamPath>.NoSubstream;
        var front = _front;
        int index = FrontIndex(streamId, key);
        StreamPath? path = Volatile.Read(ref front[index]);
        if (path is not null && path.StreamId == streamId && path.SubstreamKey == key && !path.Retired)
        {
            return path;
        }

        return FindPathSlow(streamId, key, index);
    }

    private static int FrontIndex(uint streamId, uint key) =>
        (int)(((streamId * 0x9E37_79B1u) + (key * 0x85EB_CA77u)) >> (32 - FrontBits));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StreamPath? FindPathSlow(uint streamId, uint key, int index)
    {
        if (!Paths.TryGet(streamId, key, out var path))
        {
            return null;
        }

        // Racing fills may overwrite each other: every candidate is checked on use, so whichever stays is fine.
        Volatile.Write(ref _front[index], path);
        return path;
    }

    /// <summary>Counts a path found by <see cref="TryGetPath"/> as the STE (and CD) hit it stands for.</summary>
    /// <param name="path">The path.</param>
    public void RecordPathHit(StreamPath path)
    {
        if (path.Cd is not null)
        {
            _pathHitsThroughCd.Increment();
        }
        else
        {
            Ste.Statistics.RecordHit();
        }
    }

    /// <summary>CMD_CFGI_STE (IHI0070 §4.3.1): the STE, and every CD cached through it.</summary>
    public void InvalidateSte(uint streamId)
    {
        Ste.InvalidateStream(streamId);
        Cd.InvalidateStream(streamId);
        Paths.InvalidateStream(streamId);
    }

    /// <summary>CMD_CFGI_STE_RANGE (IHI0070 §4.3.2): 2^(Range+1) StreamIDs from StreamID aligned down.</summary>
    public void InvalidateSteRange(uint streamId, int range)
    {
        if (range == 31)
        {
            InvalidateAll(); // CMD_CFGI_ALL (IHI0070 §4.3.6) is this command with Range 31
            return;
        }

        Ste.InvalidateStreamRange(streamId, range);
        Cd.InvalidateStreamRange(streamId, range);
        Paths.InvalidateStreamRange(streamId, range);
    }

    /// <summary>CMD_CFGI_CD (IHI0070 §4.3.3): the CD of one SubstreamID (SubstreamID 0 also names the single or default CD).</summary>
    public void InvalidateCd(uint streamId, uint substreamId)
    {
        Cd.InvalidateSubstream(streamId, substreamId);
        // Paths are keyed by the request's SubstreamID, not the CD index: the default CD serves requests without one.
        Paths.InvalidateStream(streamId);
    }

    /// <summary>CMD_CFGI_CD_ALL (IHI0070 §4.3.4): every CD of the StreamID.</summary>
    public void InvalidateCdAll(uint streamId)
    {
        Cd.InvalidateStream(streamId);
        Paths.InvalidateStream(streamId);
    }

    /// <summary>Reset and CMD_CFGI_ALL: nothing stays cached.</summary>
    public void InvalidateAll()
    {
        Ste.InvalidateAll();
        Cd.InvalidateAll();
        Paths.InvalidateAll();
    }
}
