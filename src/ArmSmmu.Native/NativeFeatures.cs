using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

/// <summary>armsmmu_features_t (88 bytes): the fields of <see cref="SmmuFeatures"/> as C sees them.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeFeatures
{
    public uint Size;
    public byte Stage1;
    public byte Stage2;
    public byte TwoLevelStreamTable;
    public byte TwoLevelCdTable;
    public byte Granule4K;
    public byte Granule16K;
    public byte Granule64K;
    public byte StallModel;
    public byte Httu;
    public byte AbortOnlyTermination;
    public byte Ats;
    public byte Pri;
    public byte AtsRecordErrors;
    public byte Msi;
    public byte Sev;
    public byte Hyp;
    public byte Btm;
    public byte Coherent;
    public byte Vmid16;
    public byte Asid16;
    public byte VmidWildcard;
    public byte AttributeTypesOverride;
    public byte AttributePermissionsOverride;
    public byte RangeInvalidation;
    public byte SmallTranslationTables;
    public byte StageTwoExecuteNever2;
    public byte HierarchicalAttributeDisable;
    public byte ForcedWriteBack;
    public byte BreakBeforeMakeLevel;
    public byte GbpaAbortAtReset;
    public byte ArchitectureMinorRevision;
    public byte CheckDriver;
    public uint OutputAddressBits;
    public uint StreamIdBits;
    public uint SubstreamIdBits;
    public uint CommandQueueLog2Size;
    public uint EventQueueLog2Size;
    public uint PriQueueLog2Size;
    public uint StallMax;
    public uint Iidr;
    public uint TlbEntries;
    public uint TlbWays;
    public uint ConfigCacheEntries;
    public uint Reserved;

    public static uint NativeSize => (uint)Unsafe.SizeOf<NativeFeatures>();

    public static NativeFeatures From(SmmuFeatures f) => new()
    {
        Size = NativeSize,
        Stage1 = Flag(f.Stage1),
        Stage2 = Flag(f.Stage2),
        TwoLevelStreamTable = Flag(f.TwoLevelStreamTable),
        TwoLevelCdTable = Flag(f.TwoLevelCdTable),
        Granule4K = Flag(f.Granule4K),
        Granule16K = Flag(f.Granule16K),
        Granule64K = Flag(f.Granule64K),
        StallModel = (byte)f.StallModel,
        Httu = (byte)f.Httu,
        AbortOnlyTermination = Flag(f.AbortOnlyTermination),
        Ats = Flag(f.Ats),
        Pri = Flag(f.Pri),
        AtsRecordErrors = Flag(f.AtsRecordErrors),
        Msi = Flag(f.Msi),
        Sev = Flag(f.Sev),
        Hyp = Flag(f.Hyp),
        Btm = Flag(f.Btm),
        Coherent = Flag(f.Coherent),
        Vmid16 = Flag(f.Vmid16),
        Asid16 = Flag(f.Asid16),
        VmidWildcard = Flag(f.VmidWildcard),
        AttributeTypesOverride = Flag(f.AttributeTypesOverride),
        AttributePermissionsOverride = Flag(f.AttributePermissionsOverride),
        RangeInvalidation = Flag(f.RangeInvalidation),
        SmallTranslationTables = Flag(f.SmallTranslationTables),
        StageTwoExecuteNever2 = Flag(f.StageTwoExecuteNever2),
        HierarchicalAttributeDisable = Flag(f.HierarchicalAttributeDisable),
        ForcedWriteBack = Flag(f.ForcedWriteBack),
        BreakBeforeMakeLevel = (byte)f.BreakBeforeMakeLevel,
        GbpaAbortAtReset = Flag(f.GbpaAbortAtReset),
        ArchitectureMinorRevision = (byte)f.ArchitectureMinorRevision,
        CheckDriver = Flag(f.CheckDriver),
        OutputAddressBits = (uint)f.OutputAddressBits,
        StreamIdBits = (uint)f.StreamIdBits,
        SubstreamIdBits = (uint)f.SubstreamIdBits,
        CommandQueueLog2Size = (uint)f.CommandQueueLog2Size,
        EventQueueLog2Size = (uint)f.EventQueueLog2Size,
        PriQueueLog2Size = (uint)f.PriQueueLog2Size,
        StallMax = (uint)f.StallMax,
        Iidr = f.Iidr,
        TlbEntries = (uint)f.TlbEntries,
        TlbWays = (uint)f.TlbWays,
        ConfigCacheEntries = (uint)f.ConfigCacheEntries,
    };

    /// <summary>
    /// Reads a caller's armsmmu_features_t of <c>size</c> bytes: fields past its size keep their defaults (an older
    /// header), a longer struct is accepted only when the part this library does not know is zero (a newer header).
    /// </summary>
    public static unsafe NativeFeatures Read(byte* source)
    {
        uint size = Unsafe.ReadUnaligned<uint>(source);
        if (size < sizeof(uint))
        {
            throw new ArgumentException($"armsmmu_features_t.size is {size}; start from armsmmu_features_default().");
        }

        for (uint i = NativeSize; i < size; i++)
        {
            if (source[i] != 0)
            {
                throw new ArgumentException($"armsmmu_features_t byte {i} is nonzero, but this library knows only the first {NativeSize} bytes (a newer header?).");
            }
        }

        var features = From(SmmuFeatures.Default);
        new ReadOnlySpan<byte>(source, (int)Math.Min(size, NativeSize)).CopyTo(MemoryMarshal.AsBytes(new Span<NativeFeatures>(ref features)));
        return features;
    }

    /// <summary>The managed feature set; a value out of range is a host error (SmmuFeatures.Validate checks the combination).</summary>
    public readonly SmmuFeatures ToManaged()
    {
        ReadOnlySpan<byte> flags =
        [
            Stage1, Stage2, TwoLevelStreamTable, TwoLevelCdTable, Granule4K, Granule16K, Granule64K, AbortOnlyTermination,
            Ats, Pri, AtsRecordErrors, Msi, Sev, Hyp, Btm, Coherent, Vmid16, Asid16, VmidWildcard, AttributeTypesOverride,
            AttributePermissionsOverride, RangeInvalidation, SmallTranslationTables, StageTwoExecuteNever2,
            HierarchicalAttributeDisable, ForcedWriteBack, GbpaAbortAtReset, CheckDriver,
        ];
        int bad = flags.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0)
        {
            throw new ArgumentException($"armsmmu_features_t: boolean field number {bad} (in header order, skipping stall_model and httu) is {flags[bad]}; use 0 or 1.");
        }

        Check(StallModel <= 2, "stall_model", StallModel, "0..2");
        Check(Httu <= 2, "httu", Httu, "0..2");
        Check(BreakBeforeMakeLevel <= 2, "break_before_make_level", BreakBeforeMakeLevel, "0..2");
        Check(ArchitectureMinorRevision <= 15, "architecture_minor_revision", ArchitectureMinorRevision, "0..15");
        Check(TlbEntries <= int.MaxValue && TlbWays <= int.MaxValue && ConfigCacheEntries <= int.MaxValue, "tlb_entries/tlb_ways/config_cache_entries", TlbEntries, "below 2^31");
        Check(OutputAddressBits <= 64 && StreamIdBits <= 64 && SubstreamIdBits <= 64, "output_address_bits/stream_id_bits/substream_id_bits", OutputAddressBits, "at most 64");
        Check(CommandQueueLog2Size <= 64 && EventQueueLog2Size <= 64 && PriQueueLog2Size <= 64 && StallMax <= 0xFFFF, "queue sizes/stall_max", StallMax, "in range");

        var features = new SmmuFeatures
        {
            Stage1 = Stage1 != 0,
            Stage2 = Stage2 != 0,
            TwoLevelStreamTable = TwoLevelStreamTable != 0,
            TwoLevelCdTable = TwoLevelCdTable != 0,
            Granule4K = Granule4K != 0,
            Granule16K = Granule16K != 0,
            Granule64K = Granule64K != 0,
            StallModel = (StallModel)StallModel,
            Httu = (HttuSupport)Httu,
            AbortOnlyTermination = AbortOnlyTermination != 0,
            Ats = Ats != 0,
            Pri = Pri != 0,
            AtsRecordErrors = AtsRecordErrors != 0,
            Msi = Msi != 0,
            Sev = Sev != 0,
            Hyp = Hyp != 0,
            Btm = Btm != 0,
            Coherent = Coherent != 0,
            Vmid16 = Vmid16 != 0,
            Asid16 = Asid16 != 0,
            VmidWildcard = VmidWildcard != 0,
            AttributeTypesOverride = AttributeTypesOverride != 0,
            AttributePermissionsOverride = AttributePermissionsOverride != 0,
            RangeInvalidation = RangeInvalidation != 0,
            SmallTranslationTables = SmallTranslationTables != 0,
            StageTwoExecuteNever2 = StageTwoExecuteNever2 != 0,
            HierarchicalAttributeDisable = HierarchicalAttributeDisable != 0,
            ForcedWriteBack = ForcedWriteBack != 0,
            BreakBeforeMakeLevel = BreakBeforeMakeLevel,
            GbpaAbortAtReset = GbpaAbortAtReset != 0,
            ArchitectureMinorRevision = ArchitectureMinorRevision,
            CheckDriver = CheckDriver != 0,
            OutputAddressBits = (int)OutputAddressBits,
            StreamIdBits = (int)StreamIdBits,
            SubstreamIdBits = (int)SubstreamIdBits,
            CommandQueueLog2Size = (int)CommandQueueLog2Size,
            EventQueueLog2Size = (int)EventQueueLog2Size,
            PriQueueLog2Size = (int)PriQueueLog2Size,
            StallMax = (int)StallMax,
            Iidr = Iidr,
            TlbEntries = (int)TlbEntries,
            TlbWays = (int)TlbWays,
            ConfigCacheEntries = (int)ConfigCacheEntries,
        };
        features.Validate();
        return features;
    }

    private static byte Flag(bool value) => value ? (byte)1 : (byte)0;

    private static void Check(bool condition, string field, uint value, string range)
    {
        if (!condition)
        {
            throw new ArgumentException($"armsmmu_features_t.{field} is {value}; it must be {range}.");
        }
    }
}
