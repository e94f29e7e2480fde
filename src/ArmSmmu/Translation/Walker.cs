using System.Diagnostics;
using System.Runtime.CompilerServices;
using ArmSmmu.Caches;

namespace ArmSmmu.Translation;

/// <summary>
/// The VMSAv8-64 translation table walker (DDI0487 D8.2-D8.6, IHI0070 §3.4, §3.13; digest §7): stage 1, stage 2 and
/// nested walks over 4K, 16K and 64K granules with hardware Access-flag and dirty-state updates. It knows nothing of
/// registers, queues or caches: the device fills a <see cref="TranslationRegime"/> from the STE and CD and turns the
/// <see cref="WalkFault"/> into an event.
/// </summary>
/// <remarks>
/// Thread-safe: the state is the memory, where descriptor updates are atomic compare-and-swaps, and the walk caches,
/// which take their own care (<see cref="WalkCache"/>).
/// </remarks>
internal sealed partial class Walker
{
    private readonly IPhysicalMemory _memory;
    private readonly SparseMemory? _sparse;
    private readonly int _inputAddressBits;
    private readonly WalkCaches? _caches;

    /// <summary>Creates a walker.</summary>
    /// <param name="memory">Memory holding the translation tables.</param>
    /// <param name="inputAddressBits">IAS: the input size checked when stage 1 is bypassed (IHI0070 §3.4).</param>
    /// <param name="caches">Walk caches used by the tagged <see cref="Walk(ulong, in TranslationRegime, AccessIntent, in WalkTag, WalkTrace?, out TranslationEntry, out int)"/>; null for none.</param>
    public Walker(IPhysicalMemory memory, int inputAddressBits, WalkCaches? caches = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputAddressBits, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputAddressBits, 64);
        _memory = memory;
        _sparse = memory as SparseMemory;
        _inputAddressBits = inputAddressBits;
        _caches = caches;
    }

    /// <summary>IAS given at construction.</summary>
    public int InputAddressBits => _inputAddressBits;

    /// <summary>Translates <paramref name="inputAddress"/> through the enabled stages.</summary>
    /// <param name="inputAddress">A VA (stage 1 enabled) or an IPA (stage-2-only).</param>
    /// <param name="regime">Which stages translate, and how.</param>
    /// <param name="access">The access being made.</param>
    /// <returns>The translation, or the fault (a Permission fault also carries the translation).</returns>
    public WalkResult Walk(ulong inputAddress, in TranslationRegime regime, AccessIntent access) =>
        Walk(inputAddress, regime, access, null);

    /// <summary>As <see cref="Walk(ulong, in TranslationRegime, AccessIntent)"/>, recording every descriptor access.</summary>
    /// <param name="inputAddress">A VA (stage 1 enabled) or an IPA (stage-2-only).</param>
    /// <param name="regime">Which stages translate, and how.</param>
    /// <param name="access">The access being made.</param>
    /// <param name="trace">Receives the steps (may be null).</param>
    /// <returns>The translation, or the fault.</returns>
    public WalkResult Walk(ulong inputAddress, in TranslationRegime regime, AccessIntent access, WalkTrace? trace)
    {
        var plan = new WalkPlan(regime, default, _inputAddressBits);
        var fault = Walk(inputAddress, regime, plan, access, new WalkScope(null, plan, regime), trace, out var entry, out int reads);
        return Result(fault, entry, reads);
    }

    /// <summary>
    /// As <see cref="Walk(ulong, in TranslationRegime, AccessIntent, WalkTrace?)"/>, resuming from and filling the walk
    /// caches under <paramref name="tag"/> (IHI0070 §3.17, §16.2), with the result in out parameters: the device's
    /// miss path, where copying a whole <see cref="WalkResult"/> is a measurable part of the cost.
    /// </summary>
    /// <param name="inputAddress">A VA (stage 1 enabled) or an IPA (stage-2-only).</param>
    /// <param name="regime">Which stages translate, and how.</param>
    /// <param name="access">The access being made.</param>
    /// <param name="tag">StreamWorld, VMID and ASID of the translation.</param>
    /// <param name="trace">Receives the descriptor accesses made (cached steps make none); may be null.</param>
    /// <param name="entry">The translation; also after a Permission fault that denied it, default after any other fault.</param>
    /// <param name="reads">Descriptors read.</param>
    /// <returns>The fault (Kind None on success).</returns>
    public WalkFault Walk(ulong inputAddress, in TranslationRegime regime, AccessIntent access, in WalkTag tag, WalkTrace? trace, out TranslationEntry entry, out int reads)
    {
        var plan = new WalkPlan(regime, tag, _inputAddressBits);
        return Walk(inputAddress, regime, plan, access, new WalkScope(_caches, plan, regime), trace, out entry, out reads);
    }

    /// <summary>
    /// As <see cref="Walk(ulong, in TranslationRegime, AccessIntent, in WalkTag, WalkTrace?, out TranslationEntry, out int)"/>,
    /// from a plan made once for the regime and tag (<see cref="Plan"/>): the device's miss path, which would
    /// otherwise redo the start of the walk (input size, start level, walk-cache tags) for every translation.
    /// </summary>
    /// <param name="inputAddress">A VA (stage 1 enabled) or an IPA (stage-2-only).</param>
    /// <param name="regime">Which stages translate, and how.</param>
    /// <param name="plan">The plan of <paramref name="regime"/> (<see cref="Plan"/>), whose tag the walk caches use.</param>
    /// <param name="access">The access being made.</param>
    /// <param name="trace">Receives the descriptor accesses made; may be null.</param>
    /// <param name="entry">The translation; also after a Permission fault that denied it, default after any other fault.</param>
    /// <param name="reads">Descriptors read.</param>
    /// <returns>The fault (Kind None on success).</returns>
    public WalkFault Walk(ulong inputAddress, in TranslationRegime regime, in WalkPlan plan, AccessIntent access, WalkTrace? trace, out TranslationEntry entry, out int reads) =>
        Walk(inputAddress, regime, plan, access, new WalkScope(_caches, plan, regime), trace, out entry, out reads);

    /// <summary>The plan of every walk of <paramref name="regime"/> under <paramref name="tag"/> made by this walker (its IAS).</summary>
    /// <param name="regime">The regime.</param>
    /// <param name="tag">StreamWorld, VMID and ASID of the translations.</param>
    /// <returns>The plan.</returns>
    public WalkPlan Plan(in TranslationRegime regime, in WalkTag tag) => new(regime, tag, _inputAddressBits);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WalkFault Walk(ulong inputAddress, in TranslationRegime regime, in WalkPlan plan, AccessIntent access, in WalkScope scope, WalkTrace? trace, out TranslationEntry entry, out int reads)
    {
        // entry is written once on each path, not zeroed first and then written again: the zeroing was the most
        // sampled instruction of a stage-1 miss (perf, MissLoop s1miss).
        reads = 0;
        if (!regime.Stage1Enabled)
        {
            // IHI0070 §3.4 / §7.3.14: a bypassed stage 1 passes the address through; one wider than IAS is a
            // stage-1 Address size fault with CLASS = IN.
            if (Descriptor.Exceeds(inputAddress, _inputAddressBits))
            {
                entry = default;
                return new WalkFault(FaultKind.AddressSize, false, FaultClass.IN);
            }

            if (!regime.Stage2Enabled)
            {
                entry = Identity(inputAddress);
                return default;
            }

            return WalkStage2(inputAddress, regime.Stage2, plan.Stage2, access, FaultClass.IN, scope, trace, out entry, ref reads);
        }

        ulong canonicalInput = regime.Stage1.Canonical(inputAddress);
        var fault = Stage1(inputAddress, canonicalInput, regime, plan, access, scope, ref reads, out Leaf s1, out Granule granule, trace);
        // A stage-2 fault met on a stage-1 table access (CLASS TT) is final even when it is a Permission fault.
        bool s1Denied = fault.Kind == FaultKind.Permission && !fault.Stage2;
        if (fault.Kind != FaultKind.None && !s1Denied)
        {
            entry = default;
            return fault;
        }

        if (!regime.Stage2Enabled)
        {
            entry = Stage1Entry(canonicalInput, s1, granule);
            if (!s1Denied)
            {
                return default; // not a copy of fault: see Stage1
            }

            return fault;
        }

        // Nested: the stage-1 output IPA goes through stage 2 (CLASS = IN). After a stage-1 Permission fault the
        // stage-2 walk only probes (no descriptor updates) so the denied translation can still be cached whole; a
        // stage-2 Permission fault also carries the translation it denied.
        var s2Fault = Stage2(s1.Output, regime.Stage2, plan.Stage2, access, FaultClass.IN, probe: s1Denied, scope, ref reads, out Leaf s2, trace);
        entry = s2Fault.Kind is FaultKind.None or FaultKind.Permission ? Entry(canonicalInput, s1, s2, granule) : default;

        return s1Denied ? fault : s2Fault;
    }

    // Digest §7.8: a Permission fault is the one fault whose translation may be cached (Denied); others carry none.
    private static WalkResult Result(in WalkFault fault, in TranslationEntry entry, int reads) =>
        fault.Kind == FaultKind.None ? WalkResult.Ok(entry, reads)
        : entry.Shift != 0 ? WalkResult.Denied(fault, entry, reads)
        : WalkResult.Failed(fault, reads);

    /// <summary>
    /// Stage 1 alone on a nested regime (IHI0070 §9.1.3, ATOS TYPE 0b01): the stage-1 tables are reached through
    /// stage 2 as usual, but the output IPA is not translated further, so no stage-2 fault on it can occur.
    /// </summary>
    /// <param name="va">The VA.</param>
    /// <param name="regime">The regime; stage 1 must be enabled.</param>
    /// <param name="access">The access being made.</param>
    /// <returns>A stage-1-only entry (output an IPA), or the fault.</returns>
    public WalkResult WalkStage1Only(ulong va, in TranslationRegime regime, AccessIntent access)
    {
        int reads = 0;
        // No walk caches here: an ATOS is a rare, passive lookup (§9.1), and one that reads every level explains itself.
        var plan = new WalkPlan(regime, default, _inputAddressBits);
        ulong canonicalVa = regime.Stage1.Canonical(va);
        var fault = Stage1(va, canonicalVa, regime, plan, access, new WalkScope(null, plan, regime), ref reads, out Leaf s1, out Granule granule, null);
        bool denied = fault.Kind == FaultKind.Permission && !fault.Stage2;
        if (fault.Kind != FaultKind.None && !denied)
        {
            return WalkResult.Failed(fault, reads);
        }

        var entry = Stage1Entry(canonicalVa, s1, granule);
        return denied ? WalkResult.Denied(fault, entry, reads) : WalkResult.Ok(entry, reads);
    }

    /// <summary>
    /// Translates an IPA through stage 2 alone: the input of a stage-2-only stream (CLASS IN), a CD or L1CD address
    /// (CLASS CD) or a stage-1 descriptor address (CLASS TT). CD and TT walks apply S2PTW (IHI0070 §5.2).
    /// </summary>
    /// <param name="ipa">The intermediate physical address.</param>
    /// <param name="stage2">Stage-2 parameters.</param>
    /// <param name="access">The access (use <see cref="AccessIntent.TableRead"/> for CD fetches).</param>
    /// <param name="faultClass">CLASS reported by a fault.</param>
    /// <returns>A stage-2-only translation entry, or the fault.</returns>
    public WalkResult WalkStage2(ulong ipa, in Stage2Config stage2, AccessIntent access, FaultClass faultClass) =>
        WalkStage2(ipa, stage2, access, faultClass, null);

    /// <summary>As <see cref="WalkStage2(ulong, in Stage2Config, AccessIntent, FaultClass)"/>, recording every descriptor access.</summary>
    /// <param name="ipa">The intermediate physical address.</param>
    /// <param name="stage2">Stage-2 parameters.</param>
    /// <param name="access">The access.</param>
    /// <param name="faultClass">CLASS reported by a fault.</param>
    /// <param name="trace">Receives the steps (may be null).</param>
    /// <returns>A stage-2-only translation entry, or the fault.</returns>
    public WalkResult WalkStage2(ulong ipa, in Stage2Config stage2, AccessIntent access, FaultClass faultClass, WalkTrace? trace)
    {
        int reads = 0;
        var fault = WalkStage2(ipa, stage2, new Stage2Start(stage2, _inputAddressBits), access, faultClass, new WalkScope(null, default, default), trace, out var entry, ref reads);
        return Result(fault, entry, reads);
    }

    private WalkFault WalkStage2(ulong ipa, in Stage2Config stage2, in Stage2Start start, AccessIntent access, FaultClass faultClass, in WalkScope scope, WalkTrace? trace, out TranslationEntry entry, ref int reads)
    {
        var fault = Stage2(ipa, stage2, start, access, faultClass, probe: false, scope, ref reads, out Leaf leaf, trace);
        bool translated = fault.Kind == FaultKind.None || (fault.Kind == FaultKind.Permission && faultClass == FaultClass.IN);
        entry = translated ? Entry(ipa, Leaf.Bypassed, leaf, stage2.Granule) : default;
        return fault;
    }

    private WalkFault Stage1(ulong va, ulong canonicalVa, in TranslationRegime regime, in WalkPlan plan, AccessIntent access, in WalkScope scope, ref int reads, out Leaf leaf, out Granule granule, WalkTrace? trace)
    {
        leaf = default;
        ref readonly Stage1Config c = ref regime.Stage1;

        // IHI0070 §3.4.1 (digest §3.2): VA[55] selects the half; bits [top:inputsize] must all equal it. What depends
        // only on the half (input size, start level, root table, walk-cache tag) is in the plan (WalkPlan).
        bool upper = Bits.IsSet(va, 55);
        ref readonly Stage1Start start = ref upper ? ref plan.Upper : ref plan.Lower;
        granule = start.Granule;
        if (start.Status == WalkStartStatus.FaultFirst || Bits.Extract(va, start.Top, start.InputBits) != start.Extension)
        {
            return Stage1Fault(FaultKind.Translation, -1);
        }

        if (start.Status != WalkStartStatus.Ready)
        {
            if (start.Status == WalkStartStatus.UnsetGranule)
            {
                ThrowUnsetGranule(upper ? 1 : 0, nameof(regime));
            }

            if (start.Status == WalkStartStatus.UnsetOutputBits)
            {
                ThrowUnset("Stage1Config.OutputBits is not set (it is min(CD.IPS, OAS)).", nameof(regime));
            }

            return Stage1Fault(FaultKind.Translation, -1);
        }

        int level = start.Level;
        int pageShift = granule.PageShift;
        int bitsPerLevel = pageShift - 3;
        int shift = start.Shift;
        ulong indexMask = start.IndexMask;
        ulong table = start.Table;
        bool lpa2 = start.Lpa2;
        bool hierarchical = start.Hierarchical;
        bool nested = regime.Stage2Enabled;

        // Digest §7.4: APTable[1:0], UXNTable and PXNTable ORed over the table levels, packed as a walk-cache entry holds them;
        // for a Secure stream also whether the walk has gone Non-secure (CD.NSCFGx, then NSTable; IHI0070 §5.4).
        uint tableAttributes = start.TableAttributes;
        int firstBlock = start.FirstBlock;
        var cached = scope.Stage1Path(canonicalVa, table, granule, start.CacheTag);
        if (cached.Resume(level) is { } resumed)
        {
            // IHI0070 §16.2: the walk continues from the deepest table on this VA's path that the walk cache holds.
            table = resumed.Value;
            tableAttributes = resumed.TableAttributes;
            level = WalkCacheTag.Level(resumed.Key.Tag) + 1;
            shift = granule.LevelShift(level);
            indexMask = Bits.Mask(bitsPerLevel);
        }

        while (true)
        {
            ulong descriptorAddress = table + (((va >> shift) & indexMask) << 3);
            ulong physical = descriptorAddress;
            if (nested)
            {
                // IHI0070 §3.4 / §7.3.13: each stage-1 table access is an IPA translated by stage 2; its faults are
                // stage-2 faults with CLASS = TT and IPA = the descriptor address.
                var tableFault = TableAddress(descriptorAddress, regime.Stage2, scope, ref reads, out physical, trace);
                if (tableFault.Kind != FaultKind.None)
                {
                    return tableFault;
                }
            }

            reads++;
            if (!Read(physical, out ulong descriptor))
            {
                // IHI0070 §7.3.12: a stage-1 descriptor abort is S2 = 0, CLASS = TT.
                return new WalkFault(FaultKind.ExternalAbort, false, FaultClass.TT, FetchAddress: physical, Level: (sbyte)level);
            }

            if (trace is not null)
            {
                Record(trace, WalkTraceAction.Read, false, FaultClass.IN, (sbyte)level, descriptorAddress, physical, descriptor, granule, lpa2);
            }

            // Digest §7.4: bit 0 clear is invalid; 0b01 is a block where the granule allows one, reserved at level 3.
            bool tableOrPage = (descriptor & 2) != 0;
            if ((descriptor & 1) == 0 || (level == 3 ? !tableOrPage : !tableOrPage && level < firstBlock))
            {
                return Stage1Fault(FaultKind.Translation, level);
            }

            if (level < 3 && tableOrPage)
            {
                ulong next = Descriptor.OutputAddress(descriptor, granule, pageShift, lpa2);
                if (Descriptor.Exceeds(next, c.OutputBits))
                {
                    return Stage1Fault(FaultKind.AddressSize, level);
                }

                if (hierarchical)
                {
                    // Digest §7.4: APTable / UXNTable / PXNTable restrict every level below.
                    tableAttributes |= TableAttributesOf(descriptor);
                }

                if (c.Secure && Bits.IsSet(descriptor, Descriptor.NSTable))
                {
                    // DDI0487 D8.4.2: NSTable is hierarchical, and HPD does not disable it.
                    tableAttributes |= NonSecureTable;
                }

                cached.Add(level, shift, next, tableAttributes);
                table = next;
                level++;
                shift -= bitsPerLevel;
                indexMask = Bits.Mask(bitsPerLevel);
                continue;
            }

            var leafFault = Stage1Leaf(va, descriptor, new LeafSite(descriptorAddress, physical, level, shift, granule, lpa2), tableAttributes, regime, access, scope, ref reads, out leaf, out bool retry, trace);
            if (retry)
            {
                // Someone changed the descriptor since it was read: look at this level again.
                continue;
            }

            // A success is returned as a new default, not a copy of leafFault: the leaf wrote that 32-byte value in
            // narrower stores, and copying it in 16-byte moves stalled on store forwarding (perf, MissLoop s1miss).
            if (leafFault.Kind == FaultKind.None)
            {
                return default;
            }

            return leafFault;
        }
    }

    private WalkFault Stage2(ulong ipa, in Stage2Config c, in Stage2Start start, AccessIntent access, FaultClass faultClass, bool probe, in WalkScope scope, ref int reads, out Leaf leaf, WalkTrace? trace)
    {
        leaf = default;
        var granule = c.Granule;

        // What depends only on the configuration (input size, start level, root table) is in start (Stage2Start),
        // its checks made here in their order: host misuse, then the Translation faults of digest §7.3 / §7.8.
        if (start.Status != WalkStartStatus.Ready)
        {
            if (start.Status == WalkStartStatus.UnsetGranule)
            {
                ThrowUnset("Stage2Config.Granule is not set.", nameof(c));
            }

            if (start.Status == WalkStartStatus.UnsetOutputBits)
            {
                ThrowUnset("Stage2Config.OutputBits is not set (it is min(STE.S2PS, OAS)).", nameof(c));
            }

            if (start.Status == WalkStartStatus.Fault || Descriptor.Exceeds(ipa, start.InputBits))
            {
                return Stage2Fault(FaultKind.Translation, faultClass, ipa, -1);
            }

            return Stage2Fault(FaultKind.Translation, faultClass, ipa, start.Level);
        }

        // Digest §7.3 / §7.8: an IPA beyond 2^(64 - S2T0SZ) is a stage-2 Translation fault.
        if (Descriptor.Exceeds(ipa, start.InputBits))
        {
            return Stage2Fault(FaultKind.Translation, faultClass, ipa, -1);
        }

        int level = start.Level;
        int pageShift = granule.PageShift;
        int bitsPerLevel = pageShift - 3;
        int shift = start.Shift;
        bool lpa2 = start.Lpa2;
        ulong indexMask = start.IndexMask;
        ulong table = start.Table;
        int firstBlock = start.FirstBlock;
        var cached = scope.Stage2Path(ipa, c.S2Ttb, granule);
        if (cached.Resume(level) is { } resumed)
        {
            // IHI0070 §16.2: continue from the deepest stage-2 table on this IPA's path that the walk cache holds.
            table = resumed.Value;
            level = WalkCacheTag.Level(resumed.Key.Tag) + 1;
            shift = granule.LevelShift(level);
            indexMask = Bits.Mask(bitsPerLevel);
        }

        while (true)
        {
            ulong descriptorAddress = table + (((ipa >> shift) & indexMask) << 3);
            reads++;
            if (!Read(descriptorAddress, out ulong descriptor))
            {
                return new WalkFault(FaultKind.ExternalAbort, true, faultClass, ipa, descriptorAddress, (sbyte)level);
            }

            if (trace is not null)
            {
                Record(trace, WalkTraceAction.Read, true, faultClass, (sbyte)level, descriptorAddress, descriptorAddress, descriptor, granule, lpa2);
            }

            bool tableOrPage = (descriptor & 2) != 0;
            if ((descriptor & 1) == 0 || (level == 3 ? !tableOrPage : !tableOrPage && level < firstBlock))
            {
                return Stage2Fault(FaultKind.Translation, faultClass, ipa, level);
            }

            if (level < 3 && tableOrPage)
            {
                // Stage-2 table descriptors carry no hierarchical attributes (digest §7.4).
                ulong next = Descriptor.OutputAddress(descriptor, granule, pageShift, lpa2);
                if (Descriptor.Exceeds(next, c.OutputBits))
                {
                    return Stage2Fault(FaultKind.AddressSize, faultClass, ipa, level);
                }

                cached.Add(level, shift, next, 0);
                table = next;
                level++;
                shift -= bitsPerLevel;
                indexMask = Bits.Mask(bitsPerLevel);
                continue;
            }

            var leafFault = Stage2Leaf(ipa, descriptor, new LeafSite(descriptorAddress, descriptorAddress, level, shift, granule, lpa2), c, access, faultClass, probe, out leaf, out bool retry, trace);
            if (retry)
            {
                continue;
            }

            if (leafFault.Kind == FaultKind.None)
            {
                return default; // not a copy: as in Stage1
            }

            return leafFault;
        }
    }

    // The block or page descriptor a stage-1 walk ended on: output address, Access flag, permissions, hardware updates
    // (IHI0070 §3.13). retry = the descriptor changed under a hardware update, so the walk reads this level again.
    private WalkFault Stage1Leaf(ulong va, ulong descriptor, in LeafSite site, uint tableAttributes, in TranslationRegime regime, AccessIntent access, in WalkScope scope, ref int reads, out Leaf leaf, out bool retry, WalkTrace? trace)
    {
        leaf = default;
        retry = false;
        ref readonly Stage1Config c = ref regime.Stage1;
        bool nested = regime.Stage2Enabled;
        var (descriptorAddress, physical, level, shift, granule, lpa2) = site;
        ulong outputBase = Descriptor.OutputAddress(descriptor, granule, shift, lpa2);
        if (Descriptor.Exceeds(outputBase, c.OutputBits))
        {
            return Stage1Fault(FaultKind.AddressSize, level);
        }

        // IHI0070 §3.13.1-2: Access flag before permissions; HA sets AF instead of faulting, AFFD ignores it.
        bool accessFlag = Bits.IsSet(descriptor, Descriptor.AF);
        if (!accessFlag && !c.Ha && !c.Affd)
        {
            return Stage1Fault(FaultKind.Access, level);
        }

        uint ap = (uint)Bits.Extract(descriptor, Descriptor.Ap2, Descriptor.ApLow);
        // IHI0070 §3.13.3, DDI0487 D8.5 (AArch64.S1ApplyOutputPerms): with HA, HD and DBM = 1 the effective AP[2] is 0
        // for every permission, so a writable-clean page is writable for WXN and for the implicit PXN of EL0-writable
        // pages too. The cached entry keeps write denied, so that a write walks again and makes the page dirty.
        bool clean = c.Ha && c.Hd && (ap & 2) != 0 && Bits.IsSet(descriptor, Descriptor.Dbm);
        var dirtyPermissions = PermissionCheck.Stage1Lookup(clean ? descriptor & ~(1UL << Descriptor.Ap2) : descriptor, tableAttributes, c);
        var permissions = clean ? dirtyPermissions & ~(PagePermissions.PrivilegedWrite | PagePermissions.UnprivilegedWrite) : dirtyPermissions;
        bool dirtyUpdatable = dirtyPermissions != permissions;
        var required = PermissionCheck.Required(access);
        bool makeDirty = dirtyUpdatable && (permissions & required) == 0 && (dirtyPermissions & required) != 0;

        ulong updated = descriptor;
        if (!accessFlag && c.Ha)
        {
            updated |= 1UL << Descriptor.AF;
        }

        if (makeDirty)
        {
            updated &= ~(1UL << Descriptor.Ap2);
        }

        if (updated != descriptor)
        {
            if (nested)
            {
                // IHI0070 §3.13.5: the update is a write to the descriptor IPA, which stage 2 must allow.
                var writeFault = Stage2(descriptorAddress, regime.Stage2, scope.Stage2Start, AccessIntent.TableWrite, FaultClass.TT, probe: false, scope, ref reads, out _, trace);
                if (writeFault.Kind != FaultKind.None)
                {
                    return writeFault with { DescriptorWrite = true };
                }
            }

            if (!_memory.TryCompareExchangeUInt64(physical, updated, descriptor, out ulong original))
            {
                return new WalkFault(FaultKind.ExternalAbort, false, FaultClass.TT, FetchAddress: physical, Level: (sbyte)level, DescriptorWrite: true);
            }

            if (original != descriptor)
            {
                retry = true;
                return default;
            }

            if (trace is not null)
            {
                Record(trace, WalkTraceAction.Update, false, FaultClass.IN, (sbyte)level, descriptorAddress, physical, updated, granule, lpa2);
            }
            if (makeDirty)
            {
                permissions = dirtyPermissions;
                dirtyUpdatable = false;
            }
        }

        byte attrIndex = (byte)Bits.Extract(descriptor, 4, Descriptor.AttrLow);
        // IHI0070 §5.4 CD.DS: with FEAT_LPA2 descriptors bits [9:8] are address bits and SH comes from CD.SHx.
        uint shareability = !lpa2 ? (uint)Bits.Extract(descriptor, 9, Descriptor.ShLow) : Bits.IsSet(va, 55) ? c.Sh1 : c.Sh0;
        // IHI0070 §3.17.1: a Secure stream's translation from a descriptor fetched from Non-secure memory is non-global
        // whatever nG says, so Non-secure software cannot plant an entry that every Secure ASID would hit.
        bool global = !Bits.IsSet(descriptor, Descriptor.NG) && !(c.Secure && (tableAttributes & NonSecureTable) != 0);
        leaf = Leaf.At(site, outputBase, va, descriptor, permissions, dirtyUpdatable, global, MemoryAttributeDecoder.FromMair(
            (byte)(c.Mair >> (8 * attrIndex)), shareability));

        // IHI0070 §3.10.1, DDI0487 D8.4.2: a Secure walk that stayed Secure outputs to the Secure PA space unless NS = 1.
        leaf.Secure = c.Secure && (tableAttributes & NonSecureTable) == 0 && !Bits.IsSet(descriptor, Descriptor.NS);

        return (permissions & required) == 0 ? Stage1Fault(FaultKind.Permission, level) : default;
    }

    // The block or page descriptor a stage-2 walk ended on (IHI0070 §3.13, §5.2 S2PTW).
    private WalkFault Stage2Leaf(ulong ipa, ulong descriptor, in LeafSite site, in Stage2Config c, AccessIntent access, FaultClass faultClass, bool probe, out Leaf leaf, out bool retry, WalkTrace? trace)
    {
        leaf = default;
        retry = false;
        var (descriptorAddress, _, level, shift, granule, lpa2) = site;
        ulong outputBase = Descriptor.OutputAddress(descriptor, granule, shift, lpa2);
        if (Descriptor.Exceeds(outputBase, c.OutputBits))
        {
            return Stage2Fault(FaultKind.AddressSize, faultClass, ipa, level);
        }

        bool accessFlag = Bits.IsSet(descriptor, Descriptor.AF);
        if (!accessFlag && !c.Affd && (!c.Ha || probe))
        {
            return Stage2Fault(FaultKind.Access, faultClass, ipa, level);
        }

        var permissions = PermissionCheck.Stage2(descriptor, c.ExtendedExecuteNever);

        // IHI0070 §3.13.3: S2AP[1] is set for a DBM = 1 page on a write, never for a CD or L1CD fetch.
        bool clean = c.Ha && c.Hd && faultClass != FaultClass.CD
            && !Bits.IsSet(descriptor, Descriptor.S2ApWrite) && Bits.IsSet(descriptor, Descriptor.Dbm);
        var required = PermissionCheck.Required(access);
        bool makeDirty = clean && !probe && access.Write
            && (PermissionCheck.Stage2(descriptor | (1UL << Descriptor.S2ApWrite), c.ExtendedExecuteNever) & required) != 0;

        ulong updated = descriptor;
        if (!accessFlag && c.Ha && !probe)
        {
            updated |= 1UL << Descriptor.AF;
        }

        if (makeDirty)
        {
            updated |= 1UL << Descriptor.S2ApWrite;
        }

        if (updated != descriptor)
        {
            if (!_memory.TryCompareExchangeUInt64(descriptorAddress, updated, descriptor, out ulong original))
            {
                return new WalkFault(FaultKind.ExternalAbort, true, faultClass, ipa, descriptorAddress, (sbyte)level, DescriptorWrite: true);
            }

            if (original != descriptor)
            {
                retry = true;
                return default;
            }

            if (trace is not null)
            {
                Record(trace, WalkTraceAction.Update, true, faultClass, (sbyte)level, descriptorAddress, descriptorAddress, updated, granule, lpa2);
            }
            if (makeDirty)
            {
                permissions = PermissionCheck.Stage2(updated, c.ExtendedExecuteNever);
                clean = false;
            }
        }

        // IHI0070 §5.2 STE.S2DS: with FEAT_LPA2 descriptors SH comes from STE.S2SH0.
        uint shareability = lpa2 ? c.Sh : (uint)Bits.Extract(descriptor, 9, Descriptor.ShLow);
        leaf = Leaf.At(site, outputBase, ipa, descriptor, permissions, clean, global: true, MemoryAttributeDecoder.FromStage2(
            (uint)Bits.Extract(descriptor, 5, Descriptor.AttrLow), shareability));

        // IHI0070 §5.2 STE.S2PTW: a stage-1 table walk or CD fetch that lands in stage-2 Device memory is a
        // stage-2 Permission fault.
        if (faultClass != FaultClass.IN && c.Ptw && leaf.Attributes.Type != MemoryType.Normal)
        {
            return Stage2Fault(FaultKind.Permission, faultClass, ipa, level);
        }

        return (permissions & required) == 0 ? Stage2Fault(FaultKind.Permission, faultClass, ipa, level) : default;
    }

    // Host misuse of the internal API, kept out of line so the walk loop stays small enough to inline its helpers.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnset(string message, string parameter) => throw new ArgumentException(message, parameter);

    // The message is built here, not at the call: an interpolated string in Stage1 gave every walk the frame of its
    // builder (see IoPageTable.ThrowUnbacked).
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnsetGranule(int ttb, string parameter) =>
        throw new ArgumentException($"Stage1Config.Granule{ttb} is not set for an enabled TTB{ttb}.", parameter);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Record(WalkTrace trace, WalkTraceAction action, bool stage2, FaultClass purpose, sbyte level, ulong descriptorAddress, ulong physical, ulong descriptor, Granule granule, bool lpa2) =>
        trace.Add(new WalkTraceStep(action, stage2, purpose, level, descriptorAddress, physical, descriptor, granule, lpa2));

    private static WalkFault Stage1Fault(FaultKind kind, int level) =>
        new(kind, false, FaultClass.IN, Level: (sbyte)level);

    private static WalkFault Stage2Fault(FaultKind kind, FaultClass faultClass, ulong ipa, int level) =>
        new(kind, true, faultClass, ipa, Level: (sbyte)level);

    // Digest §7.4: APTable[1:0] (bits 62:61), UXNTable (60) and PXNTable (59) as bits [1:0], 2 and 3.
    // A bit of the packed table attributes above APTable/UXNTable/PXNTable: the walk reached Non-secure tables.
    internal const uint NonSecureTable = 0x10;

    private static uint TableAttributesOf(ulong descriptor) =>
        (uint)Bits.Extract(descriptor, Descriptor.ApTableLow + 1, Descriptor.ApTableLow)
        | (Bits.IsSet(descriptor, Descriptor.UxnTable) ? 4u : 0)
        | (Bits.IsSet(descriptor, Descriptor.PxnTable) ? 8u : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Read(ulong address, out ulong value) =>
        _sparse is not null ? _sparse.TryReadUInt64(address, out value) : _memory.TryReadUInt64(address, out value);

    private static TranslationEntry Identity(ulong address) => new()
    {
        InputBase = address & ~Bits.Mask(12),
        OutputBase = address & ~Bits.Mask(12),
        IntermediateBase = address & ~Bits.Mask(12),
        Shift = 12,
        Level = -1,
        Stage2Level = -1,
        Global = true,
        Stage1Permissions = PagePermissions.All,
        Stage2Permissions = PagePermissions.All,
        Attributes = MemoryAttributes.NormalWriteBack,
    };

    // One entry for every combination of stages: a bypassed stage is Leaf.Bypassed, which maps everything, grants
    // everything and leaves the other stage's address and attributes as they are.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TranslationEntry Entry(ulong input, in Leaf s1, in Leaf s2, Granule granule)
    {
        bool stage1 = s1.Level >= 0;
        bool stage2 = s2.Level >= 0;
        int shift = Math.Min(s1.Shift, s2.Shift);
        ulong mask = Bits.Mask(shift);
        ulong intermediate = stage1 ? s1.Output : input;
        return new TranslationEntry
        {
            InputBase = input & ~mask,
            OutputBase = (stage2 ? s2.Output : intermediate) & ~mask,
            IntermediateBase = intermediate & ~mask,
            Shift = (byte)shift,
            // A nested piece smaller than its stage-1 leaf remembers the leaf's size: a VA-scoped TLBI must remove
            // every piece of the stage-1 entry it names (IHI0070 §4.4.2).
            Stage1Shift = stage1 && stage2 && s1.Shift > shift ? (byte)s1.Shift : (byte)0,
            Level = (sbyte)(stage1 ? s1.Level : s2.Level),
            Stage2Level = (sbyte)s2.Level,
            Stage2Shift = (byte)(stage2 ? s2.Shift : 0),
            Granule = granule,
            Global = s1.Global,
            Stage1Permissions = s1.Permissions,
            Stage2Permissions = s2.Permissions,
            Stage1DirtyUpdatable = s1.DirtyUpdatable,
            Stage2DirtyUpdatable = s2.DirtyUpdatable,
            Attributes = !stage2 ? s1.Attributes : !stage1 ? s2.Attributes : MemoryAttributeDecoder.Combine(s1.Attributes, s2.Attributes),
            Secure = s1.Secure,
        };
    }

    // Entry(input, s1, Leaf.Bypassed, granule) for a stage-1 leaf (Level >= 0), with the bypassed stage 2 folded in:
    // the general form called Leaf.Bypassed and chose every field, 60 instructions of a stage-1 miss's Walk.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TranslationEntry Stage1Entry(ulong input, in Leaf s1, Granule granule)
    {
        Debug.Assert(s1.Level >= 0, "a stage-1 leaf");
        ulong mask = Bits.Mask(s1.Shift);
        var entry = new TranslationEntry
        {
            InputBase = input & ~mask,
            OutputBase = s1.Output & ~mask,
            IntermediateBase = s1.Output & ~mask,
            Shift = (byte)s1.Shift,
            Level = (sbyte)s1.Level,
            Stage2Level = -1,
            Granule = granule,
            Global = s1.Global,
            Stage1Permissions = s1.Permissions,
            Stage2Permissions = PagePermissions.All,
            Stage1DirtyUpdatable = s1.DirtyUpdatable,
            Attributes = s1.Attributes,
            Secure = s1.Secure,
        };
        Debug.Assert(entry == Entry(input, s1, Leaf.Bypassed, granule), "the general form's entry");
        return entry;
    }

    /// <summary>Where a walk found its leaf descriptor: its address (IPA for a nested stage-1 table), physical address, level, level shift, granule, FEAT_LPA2 format.</summary>
    private readonly record struct LeafSite(ulong DescriptorAddress, ulong Physical, int Level, int Shift, Granule Granule, bool Lpa2);

    /// <summary>The leaf one stage found for one address.</summary>
    private struct Leaf
    {
        public ulong Output;
        public int Shift;
        public int Level;
        public PagePermissions Permissions;
        public bool DirtyUpdatable;
        public bool Global;
        public bool Secure;
        public MemoryAttributes Attributes;

        /// <summary>The leaf found at <paramref name="site"/>; a contiguous run is one translation of 2^n entries (digest §7.9).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Leaf At(in LeafSite site, ulong outputBase, ulong input, ulong descriptor, PagePermissions permissions, bool dirtyUpdatable, bool global, in MemoryAttributes attributes) => new()
        {
            Output = outputBase | (input & Bits.Mask(site.Shift)),
            Shift = site.Shift + (Bits.IsSet(descriptor, Descriptor.Contiguous) ? Descriptor.ContiguousLog2(site.Granule, site.Level) : 0),
            Level = site.Level,
            Permissions = permissions,
            DirtyUpdatable = dirtyUpdatable,
            Global = global,
            Attributes = attributes,
        };

        /// <summary>A stage that does not translate: every address, every permission, level -1.</summary>
        public static Leaf Bypassed => new() { Shift = 64, Level = -1, Permissions = PagePermissions.All, Global = true };
    }
}
