using System.Runtime.CompilerServices;
using ArmSmmu.Caches;
using ArmSmmu.Diagnostics.DriverCheck;
using ArmSmmu.Memory;
using ArmSmmu.Structures;
using ArmSmmu.Translation;
using static System.FormattableString;

namespace ArmSmmu;

// The driver-bug detector (SmmuFeatures.CheckDriver, docs/driver-developers.md): around each translation it compares
// what the caches are about to use with what memory holds now, and the write log and unsynchronised TLBIs with what
// the translation relies on. The translation itself runs unchanged, so the result is what real hardware would give.
public sealed partial class SmmuV3
{
    private readonly DriverChecker? _driverCheck;

    /// <summary>
    /// Raised once per driver mistake the driver-bug detector finds (<see cref="SmmuFeatures.CheckDriver"/>): a stale STE,
    /// CD, TLB or walk-cache entry used, a torn STE or CD, a TLBI without CMD_SYNC, a page-table entry replaced
    /// without break-before-make. Never raised when the detector is off; nothing of it reaches the event queue.
    /// </summary>
    /// <remarks>Raised on the translating thread, after the translation, with no device lock held.</remarks>
    public event EventHandler<DriverCheckEventArgs>? DriverMistakeFound;

    /// <summary>The driver mistakes found so far (the first 10,000), in order; empty when the detector is off.</summary>
    public IReadOnlyList<DriverCheckReport> DriverCheckReports => _driverCheck?.Kept ?? [];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateChecked(in TranslationRequest request)
    {
        var check = _driverCheck!;
        var found = new List<(DriverCheckReport Report, string Key)>();
        TranslationResult result;
        lock (check.TranslationLock)
        {
            var probe = request.Kind == TransactionKind.Untranslated && !request.Secure && Enabled(Cr0Flags.SMMUEN)
                ? new DriverCheckProbe(this, request, found)
                : null;
            probe?.BeforeTranslation();

            // The pipeline without the path cache's fast path, which is only a shortcut to the same answer.
            result = TranslateUncached(request);
            probe?.AfterTranslation(result);
        }

        foreach (var (report, key) in found)
        {
            if (check.Add(report, key))
            {
                DriverMistakeFound?.Invoke(this, new DriverCheckEventArgs(report));
            }
        }

        return result;
    }

    // One checked translation: the configuration and walk as memory gives them now (no caches, copy-on-write memory so
    // no Access flag or dirty update leaks), against what the device's caches hold.
    private sealed class DriverCheckProbe
    {
        private readonly SmmuV3 _smmu;
        private readonly TranslationRequest _request;
        private readonly List<(DriverCheckReport, string)> _found;
        private readonly Walker _walker;
        private readonly StreamPath? _fresh;
        private readonly WalkTrace _trace = new();
        private bool _configStale;
        private bool _tlbHit;
        private TranslationEntry _cachedEntry;
        private TranslationEntry _freshEntry;
        private WalkFault _freshFault;
        private TlbiCoverage _coverage;

        public DriverCheckProbe(SmmuV3 smmu, in TranslationRequest request, List<(DriverCheckReport, string)> found)
        {
            _smmu = smmu;
            _request = request;
            _found = found;
            var overlay = new OverlayMemory(smmu._memory);
            _walker = new Walker(overlay, smmu.Features.InputAddressBits);
            var lookup = new Device.ConfigurationLookup(overlay, smmu.Features, _walker, smmu, new Device.ConfigurationCaches(0), recorder: null);
            _fresh = lookup.Resolve(request, out _, out _);
        }

        private DriverChecker Check => _smmu._driverCheck!;

        private uint StreamId => _request.StreamId;

        public void BeforeTranslation()
        {
            var caches = _smmu._configCaches;
            Device.SteContext? cachedSte;
            Device.CdContext? cachedCd;
            if (caches.Paths.TryPeek(StreamId, _request.SubstreamId ?? ConfigCache<Device.StreamPath>.NoSubstream, out var path))
            {
                (cachedSte, cachedCd) = (path.Ste, path.Cd);
            }
            else
            {
                caches.Ste.TryPeek(StreamId, ConfigCache<Device.SteContext>.NoSubstream, out cachedSte);
                caches.Cd.TryPeek(StreamId, _request.SubstreamId ?? 0, out cachedCd);
            }

            CheckSte(cachedSte);
            CheckCd(cachedCd, cachedSte ?? _fresh?.Ste);
            if (_configStale || _fresh is not { Kind: Device.StreamPathKind.Translate } fresh)
            {
                return;
            }

            var access = Intent(_request, fresh.Ste);
            ulong lookupAddress = fresh.Regime.Stage1Enabled ? fresh.Regime.Stage1.Canonical(_request.Address) : _request.Address;
            _tlbHit = _smmu._tlb.TryPeek(fresh.Tag, lookupAddress, out _cachedEntry);
            _freshFault = _walker.Walk(_request.Address, fresh.Regime, access, default(WalkTag), _trace, out _freshEntry, out _);
            var shape = _freshEntry.Shift != 0 ? _freshEntry : _cachedEntry;
            ulong ipa = fresh.Regime.Stage1Enabled ? shape.IntermediateBase | (_request.Address & Bits.Mask(shape.Shift)) : _request.Address;
            _coverage = new TlbiCoverage(fresh.Ste.World, fresh.Key.Vmid, fresh.Key.Asid, fresh.Regime.Stage1Enabled, fresh.Regime.Stage2Enabled, _request.Address, ipa, shape.Shift == 0 ? 12 : shape.Shift);
            CheckUnsynchronisedTlbis();
            CheckBreakBeforeMake();
        }

        public void AfterTranslation(in TranslationResult result)
        {
            if (_configStale || _fresh is not { Kind: Device.StreamPathKind.Translate })
            {
                return;
            }

            bool freshUsable = _freshFault.Kind == FaultKind.None || (_freshFault.Kind == FaultKind.Permission && _freshEntry.Shift != 0);
            ulong address = _request.Address;
            if (_tlbHit)
            {
                bool same = freshUsable && _cachedEntry.Translate(address) == _freshEntry.Translate(address)
                    && _cachedEntry.Attributes == _freshEntry.Attributes && SamePermissions(_cachedEntry, _freshEntry);
                if (!same)
                {
                    ulong cachedIpa = _cachedEntry.IntermediateBase | (address & Bits.Mask(_cachedEntry.Shift));
                    bool stage2Changed = _coverage.Stage1 && _coverage.Stage2 && freshUsable && cachedIpa == _coverage.Ipa;
                    string now = freshUsable ? Invariant($"0x{_freshEntry.Translate(address):X}") : Invariant($"a {_freshFault.Kind} fault");
                    Report(
                        DriverMistake.StaleTranslation,
                        LeafAddress(),
                        [_cachedEntry.Translate(address)],
                        [LeafDescriptor()],
                        _coverage.CoveringCommand(stage2Changed),
                        Invariant($"the TLB translated 0x{address:X} to 0x{_cachedEntry.Translate(address):X}, the tables in memory now give {now}; no TLBI covering it was issued since they changed (IHI0070 §3.21, §4.4)"),
                        Invariant($"tlb:{_fresh.Tag}:{_cachedEntry.InputBase}:{_cachedEntry.OutputBase}:{LeafAddress()}:{LeafDescriptor()}"));
                }

                return;
            }

            bool freshSuccess = _freshFault.Kind == FaultKind.None;
            bool differs = result.Outcome is TranslationOutcome.Translated or TranslationOutcome.Faulted
                && (result.IsSuccess != freshSuccess || (freshSuccess && result.PhysicalAddress != _freshEntry.Translate(address)));
            if (differs)
            {
                string real = result.IsSuccess ? Invariant($"0x{result.PhysicalAddress:X}") : "a fault";
                string now = freshSuccess ? Invariant($"0x{_freshEntry.Translate(address):X}") : Invariant($"a {_freshFault.Kind} fault");
                Report(
                    DriverMistake.StaleWalkCacheEntry,
                    LeafAddress(),
                    result.IsSuccess ? [result.PhysicalAddress] : [],
                    [LeafDescriptor()],
                    _coverage.CoveringCommand(stage2Changed: false) + " (Leaf = 0: a table descriptor changed)",
                    Invariant($"the walk resumed from a cached table descriptor and gave {real}; the tables in memory now give {now} (IHI0070 §3.21, §4.4.1)"),
                    Invariant($"walk:{_fresh.Tag}:{LeafAddress()}:{LeafDescriptor()}:{result.PhysicalAddress >> 12}"));
            }
        }

        // IHI0070 §4.3.1: a changed STE needs CMD_CFGI_STE before the SMMU is guaranteed to see it.
        private void CheckSte(Device.SteContext? cached)
        {
            if (cached is not null)
            {
                if (StreamTableEntry.TryRead(_smmu._memory, cached.Address, out var now) && now != cached.Ste)
                {
                    _configStale = true;
                    Report(
                        DriverMistake.StaleStreamTableEntry,
                        cached.Address,
                        cached.Ste.ToArray(),
                        now.ToArray(),
                        Invariant($"CMD_CFGI_STE for StreamID 0x{StreamId:X} and CMD_SYNC"),
                        "the SMMU used its cached STE, but the STE in memory has changed since it was fetched and no CMD_CFGI_STE covering it was issued (IHI0070 §3.21, §4.3.1)",
                        Invariant($"ste:{StreamId}:{cached.Address}:{now.GetHashCode()}"));
                }
            }
            else if (_fresh?.Ste is { } fetched)
            {
                ReportIfTorn("STE", fetched.Address, fetched.Ste.ToArray(), Invariant($"write STE words 1-7, then word 0 with V = 1, then CMD_CFGI_STE for StreamID 0x{StreamId:X} and CMD_SYNC"));
            }
        }

        // IHI0070 §4.3.3: a changed CD needs CMD_CFGI_CD (or CFGI_CD_ALL, CFGI_STE) before the SMMU is guaranteed to see it.
        private void CheckCd(Device.CdContext? cached, Device.SteContext? ste)
        {
            uint cdIndex = _request.SubstreamId ?? 0;
            if (cached is not null && ste is not null)
            {
                if (CdPhysical(cached.Address, ste) is ulong pa && ContextDescriptor.TryRead(_smmu._memory, pa, out var now) && now != cached.Cd)
                {
                    _configStale = true;
                    Report(
                        DriverMistake.StaleContextDescriptor,
                        pa,
                        cached.Cd.ToArray(),
                        now.ToArray(),
                        Invariant($"CMD_CFGI_CD for StreamID 0x{StreamId:X} SubstreamID {cdIndex} and CMD_SYNC"),
                        "the SMMU used its cached CD, but the CD in memory has changed since it was fetched and no CMD_CFGI_CD covering it was issued (IHI0070 §3.21, §4.3.3)",
                        Invariant($"cd:{StreamId}:{cdIndex}:{pa}:{now.GetHashCode()}"));
                }
            }
            else if (_fresh?.Cd is { } fetched && CdPhysical(fetched.Address, _fresh.Ste) is ulong pa)
            {
                ReportIfTorn("CD", pa, fetched.Cd.ToArray(), Invariant($"write CD words 1-7, then word 0 with V = 1, then CMD_CFGI_CD for StreamID 0x{StreamId:X} SubstreamID {cdIndex} and CMD_SYNC"));
            }
        }

        // IHI0070 §3.21.3.1: the valid word is written last, so the SMMU never fetches half a structure.
        private void ReportIfTorn(string structure, ulong address, ulong[] words, string command)
        {
            if (Check.Memory.TakeTorn(address, contextDescriptor: structure == "CD", out int laterWord))
            {
                Report(
                    DriverMistake.TornStructure,
                    address,
                    [],
                    words,
                    command,
                    Invariant($"the {structure} was made valid (word 0, V = 1) before word {laterWord} was written, so the SMMU may have fetched it half-written (IHI0070 §3.21.3.1)"),
                    Invariant($"torn:{structure}:{address}:{words[0]}"));
            }
        }

        // IHI0070 §3.21, §4.7.3: a TLBI is complete only when a later CMD_SYNC completes.
        private void CheckUnsynchronisedTlbis()
        {
            foreach (var tlbi in Check.TakeUnsynchronisedTlbis(c => _coverage.CoveredBy(c)))
            {
                Report(
                    DriverMistake.TlbiWithoutSync,
                    0,
                    tlbi.ToArray(),
                    [],
                    "CMD_SYNC after " + Command.OpcodeName(tlbi.Opcode),
                    Invariant($"{tlbi} was consumed, but no CMD_SYNC followed it before this translation, which relies on it: the invalidation is not known to be complete (IHI0070 §3.21, §4.7.3)"),
                    Invariant($"tlbi:{Check.NextFinding()}"));
            }
        }

        // Arm ARM D8.16 (IHI0070 §3.21): replacing a valid leaf by one with another output address needs an invalid entry, a TLBI and a CMD_SYNC in between.
        private void CheckBreakBeforeMake()
        {
            foreach (var step in _trace.Steps)
            {
                if (step.Action != WalkTraceAction.Read || !IsLeaf(step.Descriptor, step.Level)
                    || !Check.Memory.TakeValidChange(step.PhysicalAddress, out ulong before, out ulong after))
                {
                    continue;
                }

                // The output address as the walk decodes it: with the 64K granule (FEAT_LPA) or LPA2, OA[51:48] sits in
                // descriptor bits a fixed [47:12] mask would miss.
                ulong from = step.OutputAddress(before), to = step.OutputAddress(after);
                if (IsLeaf(before, step.Level) && from != to)
                {
                    Report(
                        DriverMistake.BreakBeforeMake,
                        step.PhysicalAddress,
                        [before],
                        [after],
                        "an invalid entry, " + _coverage.CoveringCommand(step.Stage2) + ", then the new entry",
                        Invariant($"the {(step.Stage2 ? "stage-2" : "stage-1")} level {step.Level} leaf was changed from output 0x{from:X} to 0x{to:X} while valid, without break-before-make (Arm ARM D8.16, IHI0070 §3.21)"),
                        Invariant($"bbm:{step.PhysicalAddress}:{before}:{after}"));
                }
            }
        }

        private ulong? CdPhysical(ulong cdAddress, Device.SteContext ste)
        {
            if (!ste.Ste.Stage2Enabled)
            {
                return cdAddress;
            }

            var walk = _walker.WalkStage2(cdAddress, ste.Stage2, AccessIntent.TableRead, FaultClass.CD);
            return walk.Success ? walk.Entry.Translate(cdAddress) : null;
        }

        private ulong LeafAddress() => _trace.Steps.Count == 0 ? 0 : _trace.Steps[^1].PhysicalAddress;

        private ulong LeafDescriptor() => _trace.Steps.Count == 0 ? 0 : _trace.Steps[^1].Descriptor;

        private static bool IsLeaf(ulong descriptor, int level) => (descriptor & 3) == (level == 3 ? 3UL : 1UL);

        // A clean page the SMMU may mark dirty (DBM) is the same entry whether or not the write permission shows yet (IHI0070 §3.13).
        private static bool SamePermissions(in TranslationEntry a, in TranslationEntry b)
        {
            const PagePermissions Writes = PagePermissions.PrivilegedWrite | PagePermissions.UnprivilegedWrite;
            var s1 = a.Stage1DirtyUpdatable || b.Stage1DirtyUpdatable ? ~Writes : ~PagePermissions.None;
            var s2 = a.Stage2DirtyUpdatable || b.Stage2DirtyUpdatable ? ~Writes : ~PagePermissions.None;
            return (a.Stage1Permissions & s1) == (b.Stage1Permissions & s1) && (a.Stage2Permissions & s2) == (b.Stage2Permissions & s2);
        }

        private void Report(DriverMistake mistake, ulong structureAddress, ulong[] cached, ulong[] current, string command, string explanation, string key) =>
            _found.Add((new DriverCheckReport(mistake, StreamId, _request.SubstreamId, _request.Address, structureAddress, cached, current, command, explanation), key));
    }
}
