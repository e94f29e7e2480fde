using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// Register offsets from the SMMU base (IHI0070 §6.2, digest 1.2): page 0 at 0x0, page 1 at 0x10000.
/// 64-bit registers may also be accessed as two 32-bit halves, the high half at offset + 4. The offsets, names and
/// widths are the table in Registers.table.md.
/// </summary>
public static partial class SmmuRegister
{
    /// <summary>Offset of register page 1.</summary>
    public const ulong Page1 = 0x10000;

    /// <summary>True for the 64-bit registers (which also accept two 32-bit accesses).</summary>
    /// <param name="offset">Offset of the register's low half.</param>
    /// <returns>Whether the register is 64 bits wide.</returns>
    public static bool Is64Bit(ulong offset) => Wide.Contains(offset);

    /// <summary>
    /// The specification's name of the register at <paramref name="offset"/>, e.g. <c>CR0ACK</c>; the high half of a
    /// 64-bit register is named like <c>STRTAB_BASE[63:32]</c>; 0x0E00-0x0EFF is <c>IMPDEF+0xNN</c>.
    /// </summary>
    /// <param name="offset">Offset from the SMMU base.</param>
    /// <returns>The name, or null for an unassigned offset.</returns>
    public static string? NameOf(ulong offset)
    {
        if (Names.TryGetValue(offset, out string? name))
        {
            return name;
        }

        if (offset >= 4 && Wide.Contains(offset - 4))
        {
            return Names[offset - 4] + "[63:32]";
        }

        if (offset is >= 0x0E00 and <= 0x0EFF)
        {
            return string.Create(CultureInfo.InvariantCulture, $"IMPDEF+0x{offset - 0x0E00:X2}");
        }

        return null;
    }
}

/// <summary>Field helpers for raw CR0 values (IHI0070 §6.3.9), shorthands over <see cref="Cr0Register"/>, the view the table declares.</summary>
public static class Cr0
{
    /// <summary>CR0.VMW, bits [8:6].</summary>
    /// <param name="cr0">CR0 value.</param>
    /// <returns>The VMID wildcard field.</returns>
    public static uint GetVmw(uint cr0) => new Cr0Register(cr0).VMW;

    /// <summary>CR0 with VMW replaced.</summary>
    /// <param name="cr0">CR0 value.</param>
    /// <param name="vmw">New VMW, 0..7.</param>
    /// <returns>The new CR0 value.</returns>
    public static uint WithVmw(uint cr0, uint vmw) => (new Cr0Register(cr0) with { VMW = vmw }).Value;

    /// <summary>The enable bits of a CR0 value.</summary>
    /// <param name="cr0">CR0 value.</param>
    /// <returns>SMMUEN, PRIQEN, EVENTQEN, CMDQEN, ATSCHK.</returns>
    public static Cr0Flags Flags(uint cr0) => (Cr0Flags)cr0 & (Cr0Flags.SMMUEN | Cr0Flags.PRIQEN | Cr0Flags.EVENTQEN | Cr0Flags.CMDQEN | Cr0Flags.ATSCHK);
}
