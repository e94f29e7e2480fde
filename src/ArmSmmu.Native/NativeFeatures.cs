using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// armsmmu_features_t: the struct and its conversions are the table in NativeTypes.table.md; these are the checks.
internal partial struct NativeFeatures
{
    public static uint NativeSize => (uint)Unsafe.SizeOf<NativeFeatures>();

    public static NativeFeatures From(SmmuFeatures f)
    {
        var native = Mirror(f);
        native.Size = NativeSize;
        return native;
    }

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
        ReadOnlySpan<byte> flags = BooleanFields();
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

        var features = ToMirrored();
        features.Validate();
        return features;
    }

    private static void Check(bool condition, string field, uint value, string range)
    {
        if (!condition)
        {
            throw new ArgumentException($"armsmmu_features_t.{field} is {value}; it must be {range}.");
        }
    }
}
