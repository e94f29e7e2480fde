using System.Globalization;

namespace ArmSmmu.Structures;

// ID registers: IDR0-IDR5, IIDR, AIDR (IHI0070 §6.3.1-§6.3.8).
// Declared, with every field and its docs, by the tables in IdRegisters.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial record struct Idr0Register
{
    private static string TtendianText(ulong v) => FieldText.Bin(v, 2) + v switch { 0 => " mixed", 2 => " little-endian", 3 => " big-endian", _ => " reserved" };

    private static string TtfText(ulong v) => FieldText.Bin(v, 2) + v switch { 1 => " AArch32", 2 => " AArch64", 3 => " AArch32 and AArch64", _ => " reserved" };
}

public readonly partial record struct Idr2Register
{
    private static string BaVatosText(ulong v) => v == 0 ? "0 (no VATOS page)" : string.Create(CultureInfo.InvariantCulture, $"{v} (offset 0x{v << 16:X})");
}

public readonly partial record struct Idr5Register
{
    private static string VaxText(ulong v) => FieldText.Bin(v, 2) + v switch { 0 => " 48-bit VA", 1 => " 52-bit VA", 2 => " 56-bit VA", _ => " reserved" };
}

public readonly partial record struct AidrRegister
{
    private static string ArchminorrevText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} (SMMUv3.{v})");
}
