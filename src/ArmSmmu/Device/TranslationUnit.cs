using System.Runtime.CompilerServices;
using ArmSmmu.Caches;
using ArmSmmu.Translation;

namespace ArmSmmu.Device;

/// <summary>
/// The translation stage of the pipeline: TLB lookup, permission check of a hit, table walk and TLB insert
/// (IHI0070 §3.4, §3.13, §3.17; DDI0487 D8). It knows the regime and TLB key configuration resolved, and nothing
/// of registers, queues or events: a fault comes back as a <see cref="WalkFault"/> for the device to report.
/// </summary>
/// <remarks>Thread-safe; a permitted TLB hit takes no lock and allocates nothing.</remarks>
internal sealed class TranslationUnit
{
    private readonly Tlb _tlb;
    private readonly Walker _walker;
    private readonly SmmuStatistics _statistics;
    private readonly ExplanationRecorder? _recorder;

    public TranslationUnit(Tlb tlb, Walker walker, SmmuStatistics statistics, ExplanationRecorder? recorder)
    {
        _tlb = tlb;
        _walker = walker;
        _statistics = statistics;
        _recorder = recorder;
    }

    /// <summary>
    /// True when the TLB holds a translation of <paramref name="address"/> that permits <paramref name="access"/>.
    /// Otherwise <paramref name="entry"/> is the denied entry, or default (Shift 0) after a miss.
    /// The lookup is not counted: the caller counts it (<see cref="Tlb.RecordLookup"/>, or a shared fast-path counter).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryHit(ulong tag, ulong address, in TranslationRegime regime, AccessIntent access, out TranslationEntry entry, out bool cached)
    {
        // Entries are cached under the canonical TBI form of the VA (Stage1Config.Canonical), so every tag finds them.
        ulong lookup = regime.Stage1Enabled ? regime.Stage1.Canonical(address) : address;
        cached = _tlb.TryPeek(tag, lookup, out entry);
        return cached && PermissionCheck.Check(entry, address, access).Kind == FaultKind.None;
    }

    /// <summary>As <see cref="TryHit"/>, with the lookup counted in the TLB's statistics: for the ATS and ATOS paths, which do not share the fast path's counter.</summary>
    public bool TryHitCounted(ulong tag, ulong address, in TranslationRegime regime, AccessIntent access, out TranslationEntry entry)
    {
        bool permitted = TryHit(tag, address, regime, access, out entry, out bool cached);
        _tlb.RecordLookup(cached);
        return permitted;
    }

    /// <summary>
    /// Translates what <see cref="TryHit"/> did not finish: a permitted hit is the translation, a denied one faults
    /// unless the access may set the dirty state (then, like a miss, it walks). A walk's entry is cached, also when
    /// permission is denied.
    /// </summary>
    /// <returns>The fault (Kind None on success); <paramref name="entry"/> is the translation found.</returns>
    public WalkFault Translate(ulong address, in TranslationRegime regime, in TlbKey key, AccessIntent access, in TranslationEntry hit, out TranslationEntry entry)
    {
        var plan = _walker.Plan(regime, WalkTag.From(key));
        return Translate(address, regime, key, plan, access, hit, out entry);
    }

    /// <summary>As <see cref="Translate(ulong, in TranslationRegime, in TlbKey, AccessIntent, in TranslationEntry, out TranslationEntry)"/> through a stream path, whose walk plan is made once.</summary>
    /// <returns>The fault (Kind None on success); <paramref name="entry"/> is the translation found.</returns>
    public WalkFault Translate(ulong address, StreamPath path, AccessIntent access, in TranslationEntry hit, out TranslationEntry entry) =>
        Translate(address, path.Regime, path.Key, path.WalkPlan(_walker), access, hit, out entry);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WalkFault Translate(ulong address, in TranslationRegime regime, in TlbKey key, in WalkPlan plan, AccessIntent access, in TranslationEntry hit, out TranslationEntry entry)
    {
        if (hit.Shift == 0)
        {
            PmcgTally.CountTlbMiss(); // IHI0070 §10.3 event 2
        }
        else
        {
            entry = hit;
            var denied = PermissionCheck.Check(hit, address, access);
            // A clean page that hardware may mark dirty: walk again so the walker performs the update (IHI0070 §3.13).
            bool dirtyUpdate = access.Write && (denied.Stage2 ? hit.Stage2DirtyUpdatable : hit.Stage1DirtyUpdatable);
            if (denied.Kind == FaultKind.None || !dirtyUpdate)
            {
                return denied;
            }
        }

        long generation = _tlb.Generation;
        var fault = _recorder is null
            ? _walker.Walk(address, regime, plan, access, null, out entry, out int reads)
            : WalkExplained(address, regime, plan, access, out entry, out reads);
        _statistics.CountWalk(reads);
        PmcgTally.CountTableWalkAccesses(reads);
        bool deniedButCacheable = fault.Kind == FaultKind.Permission && entry.Shift != 0;
        if (fault.Kind == FaultKind.None || deniedButCacheable)
        {
            _tlb.Insert(key, entry, generation);
        }

        if (deniedButCacheable && _recorder is not null)
        {
            NoteDenied(entry, access);
        }

        return fault;
    }

    // Out of line: the note's string builder in Translate's frame cost every walk.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NoteDenied(in TranslationEntry entry, AccessIntent access) =>
        _recorder!.Note("walk", $"the translation grants {entry.Stage1Permissions} at stage 1 and {entry.Stage2Permissions} at stage 2; this access needs {PermissionCheck.Required(access)}");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WalkFault WalkExplained(ulong address, in TranslationRegime regime, in WalkPlan plan, AccessIntent access, out TranslationEntry entry, out int reads)
    {
        var trace = new WalkTrace();
        var fault = _walker.Walk(address, regime, plan, access, trace, out entry, out reads);
        _recorder!.AddWalk(trace);
        return fault;
    }
}
