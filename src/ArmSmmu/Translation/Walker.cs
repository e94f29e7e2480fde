namespace ArmSmmu.Translation;

/// <summary>
/// The VMSAv8-64 translation table walker (DDI0487 D8.2-D8.6, IHI0070 §3.4, §3.13; digest §7): stage 1, stage 2 and
/// nested walks over 4K, 16K and 64K granules with hardware Access-flag and dirty-state updates. It knows nothing of
/// registers, queues or caches: the device fills a <see cref="TranslationRegime"/> from the STE and CD and turns the
/// <see cref="WalkFault"/> into an event.
/// </summary>
/// <remarks>Thread-safe: the only state is the memory, and descriptor updates are atomic compare-and-swaps.</remarks>
internal sealed class Walker
{
    private readonly IPhysicalMemory _memory;
    private readonly int _inputAddressBits;

    /// <summary>Creates a walker.</summary>
    /// <param name="memory">Memory holding the translation tables.</param>
    /// <param name="inputAddressBits">IAS: the input size checked when stage 1 is bypassed (IHI0070 §3.4).</param>
    public Walker(IPhysicalMemory memory, int inputAddressBits)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputAddressBits, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputAddressBits, 64);
        _memory = memory;
        _inputAddressBits = inputAddressBits;
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
        int reads = 0;
        if (!regime.Stage1Enabled)
        {
            // IHI0070 §3.4 / §7.3.14: a bypassed stage 1 passes the address through; one wider than IAS is a
            // stage-1 Address size fault with CLASS = IN.
            if (Descriptor.Exceeds(inputAddress, _inputAddressBits))
            {
                return WalkResult.Failed(new WalkFault(FaultKind.AddressSize, false, FaultClass.IN), 0);
            }

            if (!regime.Stage2Enabled)
            {
                return WalkResult.Ok(Identity(inputAddress), 0);
            }

            return WalkStage2(inputAddress, regime.Stage2, access, FaultClass.IN, trace);
        }

        var fault = Stage1(inputAddress, regime, access, ref reads, out Leaf s1, out Granule granule, trace);
        // A stage-2 fault met on a stage-1 table access (CLASS TT) is final even when it is a Permission fault.
        bool s1Denied = fault.Kind == FaultKind.Permission && !fault.Stage2;
        if (fault.Kind != FaultKind.None && !s1Denied)
        {
            return WalkResult.Failed(fault, reads);
        }

        ulong canonicalInput = regime.Stage1.Canonical(inputAddress);
        if (!regime.Stage2Enabled)
        {
            var entry = Stage1OnlyEntry(canonicalInput, s1, granule);
            return s1Denied ? WalkResult.Denied(fault, entry, reads) : WalkResult.Ok(entry, reads);
        }

        // Nested: the stage-1 output IPA goes through stage 2 (CLASS = IN). After a stage-1 Permission fault the
        // stage-2 walk only probes (no descriptor updates) so the denied translation can still be cached whole.
        var s2Fault = Stage2(s1.Output, regime.Stage2, access, FaultClass.IN, probe: s1Denied, ref reads, out Leaf s2, trace);
        if (s1Denied)
        {
            return s2Fault.Kind is FaultKind.None or FaultKind.Permission
                ? WalkResult.Denied(fault, NestedEntry(canonicalInput, s1, s2, granule), reads)
                : WalkResult.Failed(fault, reads);
        }

        return s2Fault.Kind switch
        {
            FaultKind.None => WalkResult.Ok(NestedEntry(canonicalInput, s1, s2, granule), reads),
            FaultKind.Permission => WalkResult.Denied(s2Fault, NestedEntry(canonicalInput, s1, s2, granule), reads),
            _ => WalkResult.Failed(s2Fault, reads),
        };
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
        var fault = Stage2(ipa, stage2, access, faultClass, probe: false, ref reads, out Leaf leaf, trace);
        return fault.Kind switch
        {
            FaultKind.None => WalkResult.Ok(Stage2OnlyEntry(ipa, leaf, stage2.Granule), reads),
            FaultKind.Permission when faultClass == FaultClass.IN => WalkResult.Denied(fault, Stage2OnlyEntry(ipa, leaf, stage2.Granule), reads),
            _ => WalkResult.Failed(fault, reads),
        };
    }

    private WalkFault Stage1(ulong va, in TranslationRegime regime, AccessIntent access, ref int reads, out Leaf leaf, out Granule granule, WalkTrace? trace)
    {
        leaf = default;
        ref readonly Stage1Config c = ref regime.Stage1;

        // IHI0070 §3.4.1 (digest §3.2): VA[55] selects the half; bits [top:inputsize] must all equal it, where top
        // is 55 when the selected half ignores the top byte.
        bool upper = Bits.IsSet(va, 55);
        int txsz = upper ? c.T1SZ : c.T0SZ;
        bool tbi = upper ? c.Tbi1 : c.Tbi0;
        granule = upper ? c.Granule1 : c.Granule0;
        int inputBits = 64 - txsz;
        int top = tbi ? 55 : 63;
        if (txsz < 12 || inputBits > top)
        {
            return Stage1Fault(FaultKind.Translation, -1);
        }

        ulong extension = Bits.Extract(va, top, inputBits);
        if (extension != (upper ? Bits.Mask(top - inputBits + 1) : 0))
        {
            return Stage1Fault(FaultKind.Translation, -1);
        }

        if (upper ? c.Epd1 : c.Epd0)
        {
            return Stage1Fault(FaultKind.Translation, -1);
        }

        if (granule.PageShift == 0)
        {
            throw new ArgumentException($"Stage1Config.Granule{(upper ? 1 : 0)} is not set for an enabled TTB{(upper ? 1 : 0)}.", nameof(regime));
        }

        if (c.OutputBits == 0)
        {
            throw new ArgumentException("Stage1Config.OutputBits is not set (it is min(CD.IPS, OAS)).", nameof(regime));
        }

        // Digest §7.2: the starting level depends only on the input size and the granule.
        int level = granule.StartLevel(inputBits);
        if (level is < 0 or > 3)
        {
            return Stage1Fault(FaultKind.Translation, -1);
        }

        int shift = granule.LevelShift(level);
        int indexBits = inputBits - shift;
        ulong table = (upper ? c.Ttb1 : c.Ttb0) & ~Bits.Mask(Math.Max(indexBits + 3, c.OutputBits >= 52 ? 6 : 3));
        bool hierarchical = !(upper ? c.Had1 : c.Had0);
        uint apTable = 0;
        bool uxnTable = false;
        bool pxnTable = false;
        bool nested = regime.Stage2Enabled;

        while (true)
        {
            ulong descriptorAddress = table + (((va >> shift) & Bits.Mask(indexBits)) << 3);
            ulong physical = descriptorAddress;
            if (nested)
            {
                // IHI0070 §3.4 / §7.3.13: each stage-1 table access is an IPA translated by stage 2; its faults are
                // stage-2 faults with CLASS = TT and IPA = the descriptor address.
                var tableFault = Stage2(descriptorAddress, regime.Stage2, AccessIntent.TableRead, FaultClass.TT, probe: false, ref reads, out Leaf tableLeaf, trace);
                if (tableFault.Kind != FaultKind.None)
                {
                    return tableFault;
                }

                physical = tableLeaf.Output;
            }

            reads++;
            if (!_memory.TryReadUInt64(physical, out ulong descriptor))
            {
                // IHI0070 §7.3.12: a stage-1 descriptor abort is S2 = 0, CLASS = TT.
                return new WalkFault(FaultKind.ExternalAbort, false, FaultClass.TT, FetchAddress: physical, Level: (sbyte)level);
            }

            trace?.Add(new WalkTraceStep(WalkTraceAction.Read, false, FaultClass.IN, (sbyte)level, descriptorAddress, physical, descriptor));

            // Digest §7.4: bit 0 clear is invalid; 0b01 is a block where the granule allows one, reserved at level 3.
            bool tableOrPage = (descriptor & 2) != 0;
            if ((descriptor & 1) == 0 || (level == 3 ? !tableOrPage : !tableOrPage && !Descriptor.BlockAllowed(granule, level)))
            {
                return Stage1Fault(FaultKind.Translation, level);
            }

            if (level < 3 && tableOrPage)
            {
                ulong next = Descriptor.OutputAddress(descriptor, granule, granule.PageShift);
                if (Descriptor.Exceeds(next, c.OutputBits))
                {
                    return Stage1Fault(FaultKind.AddressSize, level);
                }

                if (hierarchical)
                {
                    // Digest §7.4: APTable / UXNTable / PXNTable restrict every level below.
                    apTable |= (uint)Bits.Extract(descriptor, Descriptor.ApTableLow + 1, Descriptor.ApTableLow);
                    uxnTable |= Bits.IsSet(descriptor, Descriptor.UxnTable);
                    pxnTable |= Bits.IsSet(descriptor, Descriptor.PxnTable);
                }

                table = next;
                level++;
                shift = granule.LevelShift(level);
                indexBits = granule.BitsPerLevel;
                continue;
            }

            ulong outputBase = Descriptor.OutputAddress(descriptor, granule, shift);
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
            bool uxn = Bits.IsSet(descriptor, Descriptor.Uxn);
            bool pxn = Bits.IsSet(descriptor, Descriptor.Pxn);
            var permissions = PermissionCheck.Stage1(ap, uxn, pxn, apTable, uxnTable, pxnTable, c);

            // IHI0070 §3.13.3: with HD, a DBM = 1 page that is read-only only because of AP[2] is writable-clean.
            bool clean = c.Ha && c.Hd && (ap & 2) != 0 && Bits.IsSet(descriptor, Descriptor.Dbm);
            var dirtyPermissions = clean ? PermissionCheck.Stage1(ap & 1, uxn, pxn, apTable, uxnTable, pxnTable, c) : permissions;
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
                    var writeFault = Stage2(descriptorAddress, regime.Stage2, AccessIntent.TableWrite, FaultClass.TT, probe: false, ref reads, out _, trace);
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
                    // Someone changed the descriptor since it was read: look at this level again.
                    continue;
                }

                trace?.Add(new WalkTraceStep(WalkTraceAction.Update, false, FaultClass.IN, (sbyte)level, descriptorAddress, physical, updated));
                if (makeDirty)
                {
                    permissions = dirtyPermissions;
                    dirtyUpdatable = false;
                }
            }

            // Digest §7.9: a contiguous run is cached as one translation of 2^n entries.
            int span = shift + (Bits.IsSet(descriptor, Descriptor.Contiguous) ? Descriptor.ContiguousLog2(granule, level) : 0);
            byte attrIndex = (byte)Bits.Extract(descriptor, 4, Descriptor.AttrLow);
            leaf = new Leaf
            {
                Output = outputBase | (va & Bits.Mask(shift)),
                Shift = span,
                Level = level,
                Permissions = permissions,
                DirtyUpdatable = dirtyUpdatable,
                Global = !Bits.IsSet(descriptor, Descriptor.NG),
                Attributes = MemoryAttributeDecoder.FromMair(
                    (byte)(c.Mair >> (8 * attrIndex)), (uint)Bits.Extract(descriptor, 9, Descriptor.ShLow)),
            };

            return (permissions & required) == 0 ? Stage1Fault(FaultKind.Permission, level) : default;
        }
    }

    private WalkFault Stage2(ulong ipa, in Stage2Config c, AccessIntent access, FaultClass faultClass, bool probe, ref int reads, out Leaf leaf, WalkTrace? trace)
    {
        leaf = default;
        var granule = c.Granule;
        if (granule.PageShift == 0)
        {
            throw new ArgumentException("Stage2Config.Granule is not set.", nameof(c));
        }

        if (c.OutputBits == 0)
        {
            throw new ArgumentException("Stage2Config.OutputBits is not set (it is min(STE.S2PS, OAS)).", nameof(c));
        }

        // Digest §7.3 / §7.8: an IPA beyond 2^(64 - S2T0SZ) is a stage-2 Translation fault.
        int inputBits = 64 - c.S2T0SZ;
        if (c.S2T0SZ < 12 || Descriptor.Exceeds(ipa, inputBits))
        {
            return Stage2Fault(FaultKind.Translation, faultClass, ipa, -1);
        }

        int level = c.StartLevel;
        if (level is < 0 or > 3)
        {
            return Stage2Fault(FaultKind.Translation, faultClass, ipa, -1);
        }

        // Digest §7.3: up to 16 concatenated tables at the start level; the index simply runs across them.
        int shift = granule.LevelShift(level);
        int indexBits = inputBits - shift;
        if (indexBits < 1 || indexBits > granule.BitsPerLevel + 4)
        {
            return Stage2Fault(FaultKind.Translation, faultClass, ipa, level);
        }

        ulong table = c.S2Ttb & ~Bits.Mask(Math.Max(indexBits + 3, c.OutputBits >= 52 ? 6 : 3));
        while (true)
        {
            ulong descriptorAddress = table + (((ipa >> shift) & Bits.Mask(indexBits)) << 3);
            reads++;
            if (!_memory.TryReadUInt64(descriptorAddress, out ulong descriptor))
            {
                return new WalkFault(FaultKind.ExternalAbort, true, faultClass, ipa, descriptorAddress, (sbyte)level);
            }

            trace?.Add(new WalkTraceStep(WalkTraceAction.Read, true, faultClass, (sbyte)level, descriptorAddress, descriptorAddress, descriptor));

            bool tableOrPage = (descriptor & 2) != 0;
            if ((descriptor & 1) == 0 || (level == 3 ? !tableOrPage : !tableOrPage && !Descriptor.BlockAllowed(granule, level)))
            {
                return Stage2Fault(FaultKind.Translation, faultClass, ipa, level);
            }

            if (level < 3 && tableOrPage)
            {
                // Stage-2 table descriptors carry no hierarchical attributes (digest §7.4).
                ulong next = Descriptor.OutputAddress(descriptor, granule, granule.PageShift);
                if (Descriptor.Exceeds(next, c.OutputBits))
                {
                    return Stage2Fault(FaultKind.AddressSize, faultClass, ipa, level);
                }

                table = next;
                level++;
                shift = granule.LevelShift(level);
                indexBits = granule.BitsPerLevel;
                continue;
            }

            ulong outputBase = Descriptor.OutputAddress(descriptor, granule, shift);
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
                    continue;
                }

                trace?.Add(new WalkTraceStep(WalkTraceAction.Update, true, faultClass, (sbyte)level, descriptorAddress, descriptorAddress, updated));
                if (makeDirty)
                {
                    permissions = PermissionCheck.Stage2(updated, c.ExtendedExecuteNever);
                    clean = false;
                }
            }

            int span = shift + (Bits.IsSet(descriptor, Descriptor.Contiguous) ? Descriptor.ContiguousLog2(granule, level) : 0);
            leaf = new Leaf
            {
                Output = outputBase | (ipa & Bits.Mask(shift)),
                Shift = span,
                Level = level,
                Permissions = permissions,
                DirtyUpdatable = clean,
                Global = true,
                Attributes = MemoryAttributeDecoder.FromStage2(
                    (uint)Bits.Extract(descriptor, 5, Descriptor.AttrLow), (uint)Bits.Extract(descriptor, 9, Descriptor.ShLow)),
            };

            // IHI0070 §5.2 STE.S2PTW: a stage-1 table walk or CD fetch that lands in stage-2 Device memory is a
            // stage-2 Permission fault.
            if (faultClass != FaultClass.IN && c.Ptw && leaf.Attributes.Type != MemoryType.Normal)
            {
                return Stage2Fault(FaultKind.Permission, faultClass, ipa, level);
            }

            return (permissions & required) == 0 ? Stage2Fault(FaultKind.Permission, faultClass, ipa, level) : default;
        }
    }

    private static WalkFault Stage1Fault(FaultKind kind, int level) =>
        new(kind, false, FaultClass.IN, Level: (sbyte)level);

    private static WalkFault Stage2Fault(FaultKind kind, FaultClass faultClass, ulong ipa, int level) =>
        new(kind, true, faultClass, ipa, Level: (sbyte)level);

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

    private static TranslationEntry Stage1OnlyEntry(ulong va, in Leaf s1, Granule granule)
    {
        ulong mask = Bits.Mask(s1.Shift);
        return new TranslationEntry
        {
            InputBase = va & ~mask,
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
        };
    }

    private static TranslationEntry Stage2OnlyEntry(ulong ipa, in Leaf s2, Granule granule)
    {
        ulong mask = Bits.Mask(s2.Shift);
        return new TranslationEntry
        {
            InputBase = ipa & ~mask,
            OutputBase = s2.Output & ~mask,
            IntermediateBase = ipa & ~mask,
            Shift = (byte)s2.Shift,
            Level = (sbyte)s2.Level,
            Stage2Level = (sbyte)s2.Level,
            Stage2Shift = (byte)s2.Shift,
            Granule = granule,
            Global = true,
            Stage1Permissions = PagePermissions.All,
            Stage2Permissions = s2.Permissions,
            Stage2DirtyUpdatable = s2.DirtyUpdatable,
            Attributes = s2.Attributes,
        };
    }

    private static TranslationEntry NestedEntry(ulong va, in Leaf s1, in Leaf s2, Granule granule)
    {
        int shift = Math.Min(s1.Shift, s2.Shift);
        ulong mask = Bits.Mask(shift);
        return new TranslationEntry
        {
            InputBase = va & ~mask,
            OutputBase = s2.Output & ~mask,
            IntermediateBase = s1.Output & ~mask,
            Shift = (byte)shift,
            Stage1Shift = s1.Shift > shift ? (byte)s1.Shift : (byte)0,
            Level = (sbyte)s1.Level,
            Stage2Level = (sbyte)s2.Level,
            Stage2Shift = (byte)s2.Shift,
            Granule = granule,
            Global = s1.Global,
            Stage1Permissions = s1.Permissions,
            Stage2Permissions = s2.Permissions,
            Stage1DirtyUpdatable = s1.DirtyUpdatable,
            Stage2DirtyUpdatable = s2.DirtyUpdatable,
            Attributes = MemoryAttributeDecoder.Combine(s1.Attributes, s2.Attributes),
        };
    }

    /// <summary>The leaf one stage found for one address.</summary>
    private struct Leaf
    {
        public ulong Output;
        public int Shift;
        public int Level;
        public PagePermissions Permissions;
        public bool DirtyUpdatable;
        public bool Global;
        public MemoryAttributes Attributes;
    }
}
