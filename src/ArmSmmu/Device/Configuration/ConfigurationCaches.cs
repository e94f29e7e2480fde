using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        Ste.Statistics.AddHitSource(FastPathTransactions);
        Cd.Statistics.AddHitSource(FastPathTransactions);
        Ste.Statistics.AddHitSource(TlbMissesThroughSte);
    }

    /// <summary>
    /// Transactions that found their path through a CD in the front table and went on to the TLB (SmmuV3.TranslateThrough):
    /// each is an STE hit and a CD hit, and a TLB hit unless also counted in <see cref="TlbMissesThroughCd"/>; counted
    /// with one increment, on entry, where the TLB-hit path has the fewest values to keep across it.
    /// </summary>
    public PerThreadCounter FastPathTransactions { get; } = new(hot: true);

    /// <summary>
    /// Of <see cref="FastPathTransactions"/>, those the TLB missed: the TLB's statistics take each from its hits and
    /// add it to its misses.
    /// </summary>
    public PerThreadCounter TlbMissesThroughCd { get; } = new();

    /// <summary>Transactions that found a path with no CD (stage 1 bypassed) here and then missed in the TLB: an STE hit and a TLB miss, in one increment.</summary>
    public PerThreadCounter TlbMissesThroughSte { get; } = new();

    public ConfigCache<SteContext> Ste { get; }

    public ConfigCache<CdContext> Cd { get; }

    /// <summary>A derived cache: dropping a path early only costs a re-derivation from the STE and CD caches.</summary>
    public ConfigCache<StreamPath> Paths { get; }

    /// <summary>
    /// The resolved configuration of (StreamID, SubstreamID). Not counted here: the caller counts it with
    /// <see cref="FastPathTransactions"/> or <see cref="RecordPathHit"/> once it knows how the transaction ends.
    /// </summary>
    public bool TryGetPath(in TranslationRequest request, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out StreamPath path)
    {
        path = FindPath(request);
        return path is not null;
    }

    /// <summary>As <see cref="TryGetPath"/>: the cached path of the request's (StreamID, SubstreamID), or null. Takes no lock and allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StreamPath? FindPath(in TranslationRequest request) => FrontPath(request) ?? FindPathSlow(request);

    /// <summary>As <see cref="FindPath"/>, looking only in the front table: null when the path is not there (it may still be cached).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StreamPath? FrontPath(in TranslationRequest request)
    {
        uint streamId = request.StreamId;
        uint key = request.SubstreamId ?? ConfigCache<StreamPath>.NoSubstream;

        // FrontIndex is below 2^FrontBits, the table's length: no bounds check.
        StreamPath? path = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_front), FrontIndex(streamId, key)));
        return path is not null && path.BoundTo == StreamPath.Binding(streamId, key) && !path.Retired ? path : null;
    }

    private static int FrontIndex(uint streamId, uint key) =>
        (int)(((streamId * 0x9E37_79B1u) + (key * 0x85EB_CA77u)) >> (32 - FrontBits));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StreamPath? FindPathSlow(in TranslationRequest request)
    {
        uint streamId = request.StreamId;
        uint key = request.SubstreamId ?? ConfigCache<StreamPath>.NoSubstream;
        int index = FrontIndex(streamId, key);
        if (!Paths.TryGet(streamId, key, out var path))
        {
            return null;
        }

        // Racing fills may overwrite each other: every candidate is checked on use, so whichever stays is fine.
        Volatile.Write(ref _front[index], path);
        return path;
    }

    /// <summary>
    /// Counts a path found by <see cref="TryGetPath"/> as the STE hit it stands for: a path with no CD (bypass, abort,
    /// stage 1 bypassed). A path through a CD is counted in <see cref="FastPathTransactions"/>.
    /// </summary>
    /// <param name="path">The path.</param>
    public void RecordPathHit(StreamPath path)
    {
        Debug.Assert(path.Cd is null, "a path through a CD is counted on entry to the TLB-hit path");
        Ste.Statistics.RecordHit();
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
