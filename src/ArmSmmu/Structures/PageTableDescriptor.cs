using System.Globalization;
using ArmSmmu.Translation;

namespace ArmSmmu.Structures;

/// <summary>What a VMSAv8-64 descriptor is at its level (DDI0487 D8.3; digest §7.4).</summary>
public enum PageTableDescriptorKind
{
    /// <summary>Bit 0 clear, a reserved encoding, or a block where none is permitted: F_TRANSLATION.</summary>
    Invalid,

    /// <summary>Points at the next-level table (levels 0..2, bits [1:0] = 11).</summary>
    Table,

    /// <summary>Maps a block (levels 1..2, bits [1:0] = 01, where the granule allows it).</summary>
    Block,

    /// <summary>Maps one granule (level 3, bits [1:0] = 11).</summary>
    Page,
}

/// <summary>
/// A VMSAv8-64 translation table descriptor, decoded for display (DDI0487 D8.3; digest §7.4, §7.5). What the bits
/// mean depends on the stage, the level and the granule, which the descriptor itself does not carry. The field
/// positions are those the walker uses (<see cref="Descriptor"/>).
/// </summary>
/// <param name="Value">The raw 64-bit descriptor.</param>
public readonly record struct PageTableDescriptor(ulong Value)
{
    /// <summary>The descriptor's type at <paramref name="level"/> (digest §7.4).</summary>
    /// <param name="level">Lookup level, 0..3.</param>
    /// <param name="granule">Granule of the table holding the descriptor.</param>
    /// <returns>Invalid, table, block or page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> outside 0..3.</exception>
    public PageTableDescriptorKind KindAt(int level, Granule granule)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 3);
        return (Value & 3) switch
        {
            3 => level == 3 ? PageTableDescriptorKind.Page : PageTableDescriptorKind.Table,
            1 when level < 3 && Descriptor.BlockAllowed(granule, level) => PageTableDescriptorKind.Block,
            _ => PageTableDescriptorKind.Invalid,
        };
    }

    /// <summary>
    /// The output address of a block or page, or the next-level table address of a table descriptor, with bits
    /// [51:48] from [15:12] for the 64 KB granule (digest §7.9); 0 for an invalid descriptor.
    /// </summary>
    /// <param name="level">Lookup level, 0..3.</param>
    /// <param name="granule">Granule of the table holding the descriptor.</param>
    /// <returns>The address.</returns>
    public ulong AddressAt(int level, Granule granule) => KindAt(level, granule) switch
    {
        PageTableDescriptorKind.Block => Descriptor.OutputAddress(Value, granule, granule.LevelShift(level)),
        PageTableDescriptorKind.Invalid => 0,
        _ => Descriptor.OutputAddress(Value, granule, granule.PageShift),
    };

    /// <summary>Every field the descriptor carries at this stage, level and granule, lowest bits first.</summary>
    /// <param name="stage">1 or 2.</param>
    /// <param name="level">Lookup level, 0..3.</param>
    /// <param name="granule">Granule of the table holding the descriptor.</param>
    /// <returns>The type first, then the fields its type has.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stage"/> not 1 or 2, or <paramref name="level"/> outside 0..3.</exception>
    public IReadOnlyList<DecodedField> Describe(int stage, int level, Granule granule)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stage, 2);
        if (granule.PageShift == 0)
        {
            granule = Granule.Size4K;
        }

        PageTableDescriptorKind kind = KindAt(level, granule);
        var fields = new List<DecodedField> { new("Type", "[1:0]", Value & 3, TypeText(kind, level, granule)) };
        var f = new FieldText();
        switch (kind)
        {
            case PageTableDescriptorKind.Table:
                fields.Add(AddressField("NLTA", granule, granule.PageShift, level));
                if (stage == 1)
                {
                    // Stage-1 hierarchical attributes (digest §7.4); stage-2 table descriptors have none.
                    f.Flag("PXNTable", 0, Value, Descriptor.PxnTable, "privileged execute never below", "no effect")
                        .Flag("UXNTable", 0, Value, Descriptor.UxnTable, "unprivileged execute never (XNTable) below", "no effect")
                        .Add("APTable", 0, Value, Descriptor.ApTableLow + 1, Descriptor.ApTableLow, ApTableText)
                        .Flag("NSTable", 0, Value, 63, "next level Non-secure (Secure translations only)", "no effect");
                }

                break;
            case PageTableDescriptorKind.Block:
            case PageTableDescriptorKind.Page:
                int low = kind == PageTableDescriptorKind.Block ? granule.LevelShift(level) : granule.PageShift;
                if (stage == 1)
                {
                    f.Add("AttrIndx", 0, Value, 4, Descriptor.AttrLow, v => FieldText.Dec(v) + " (CD.MAIR byte " + FieldText.Dec(v) + ")")
                        .Flag("NS", 0, Value, 5, "Non-secure output (Secure translations only)", "no effect for Non-secure streams")
                        .Add("AP", 0, Value, Descriptor.Ap2, Descriptor.ApLow, ApText);
                }
                else
                {
                    f.Add("MemAttr", 0, Value, 5, Descriptor.AttrLow, FieldText.MemAttr)
                        .Add("S2AP", 0, Value, 7, Descriptor.ApLow, S2ApText);
                }

                f.Add("SH", 0, Value, Descriptor.ShLow + 1, Descriptor.ShLow, FieldText.Shareability)
                    .Flag("AF", 0, Value, Descriptor.AF, "accessed", "not accessed (F_ACCESS unless hardware update or AFFD)");
                if (stage == 1)
                {
                    f.Flag("nG", 0, Value, Descriptor.NG, "not global (ASID-tagged)", "global");
                }

                fields.AddRange(f.Fields);
                f = new FieldText();
                fields.Add(AddressField("OutputAddress", granule, low, level));
                f.Flag("DBM", 0, Value, Descriptor.Dbm, "dirty bit modifier (writable-clean with hardware dirty update)", "no dirty tracking")
                    .Flag("Contiguous", 0, Value, Descriptor.Contiguous, ContiguousText(granule, level), "not part of a contiguous run");
                if (stage == 1)
                {
                    f.Flag("PXN", 0, Value, Descriptor.Pxn, "privileged execute never", "privileged execution allowed")
                        .Flag("UXN", 0, Value, Descriptor.Uxn, "unprivileged execute never (XN)", "unprivileged execution allowed");
                }
                else
                {
                    f.Add("XN", 0, Value, Descriptor.Uxn, Descriptor.Pxn, S2XnText);
                }

                break;
        }

        fields.AddRange(f.Fields);
        return fields;
    }

    private DecodedField AddressField(string name, Granule granule, int low, int level)
    {
        ulong address = Descriptor.OutputAddress(Value, granule, low);
        string bits = string.Create(CultureInfo.InvariantCulture, $"[47:{low}]");
        if (granule.PageShift == 16)
        {
            bits += ",[15:12]"; // FEAT_LPA: bits [51:48] of the address (digest §7.9).
        }

        string meaning = FieldText.Hex(address);
        if (name == "OutputAddress")
        {
            meaning += " (" + SizeText(low) + (low == granule.PageShift ? " page" : " block") + ")";
        }
        else
        {
            meaning += string.Create(CultureInfo.InvariantCulture, $" (level {level + 1} table)");
        }

        return new DecodedField(name, bits, address, meaning);
    }

    private string TypeText(PageTableDescriptorKind kind, int level, Granule granule) => kind switch
    {
        PageTableDescriptorKind.Table => string.Create(CultureInfo.InvariantCulture, $"0b11 table (level {level})"),
        PageTableDescriptorKind.Page => "0b11 page (level 3)",
        PageTableDescriptorKind.Block => string.Create(CultureInfo.InvariantCulture, $"0b01 block of {SizeText(granule.LevelShift(level))} (level {level})"),
        _ when (Value & 1) == 0 => FieldText.Bin(Value & 3, 2) + " invalid (F_TRANSLATION)",
        _ when level == 3 => "0b01 reserved at level 3, treated as invalid (F_TRANSLATION)",
        _ => string.Create(CultureInfo.InvariantCulture, $"0b01 block not permitted at level {level} with this granule (F_TRANSLATION)"),
    };

    private static string SizeText(int shift) => shift switch
    {
        >= 40 => string.Create(CultureInfo.InvariantCulture, $"{1UL << (shift - 40)} TB"),
        >= 30 => string.Create(CultureInfo.InvariantCulture, $"{1UL << (shift - 30)} GB"),
        >= 20 => string.Create(CultureInfo.InvariantCulture, $"{1UL << (shift - 20)} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{1UL << (shift - 10)} KB"),
    };

    private static string ContiguousText(Granule granule, int level)
    {
        int log2 = Descriptor.ContiguousLog2(granule, level);
        return log2 == 0
            ? "contiguous (RES0 at this level)"
            : string.Create(CultureInfo.InvariantCulture, $"one of {1 << log2} contiguous entries");
    }

    /// <summary>Stage-1 AP[2:1] (digest §7.6).</summary>
    private static string ApText(ulong v) => FieldText.Enumerated(
        v,
        2,
        "privileged read/write, unprivileged none",
        "read/write at any privilege",
        "privileged read-only, unprivileged none",
        "read-only at any privilege");

    /// <summary>APTable (digest §7.4).</summary>
    private static string ApTableText(ulong v) => FieldText.Enumerated(
        v, 2, "no effect", "no unprivileged access below", "no writes below", "no writes and no unprivileged access below");

    /// <summary>Stage-2 S2AP[1:0] (digest §7.6).</summary>
    private static string S2ApText(ulong v) => FieldText.Enumerated(v, 2, "no access", "read-only", "write-only", "read/write");

    /// <summary>Stage-2 XN[1:0], bits [54:53]; bit 53 only counts with IDR3.XNX (digest §7.6).</summary>
    private static string S2XnText(ulong v) => FieldText.Enumerated(
        v,
        2,
        "executable",
        "with XNX: not executable privileged; without: executable",
        "not executable",
        "with XNX: not executable unprivileged; without: not executable");
}
