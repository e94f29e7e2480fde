using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// The CD and STE fields the reliability harnesses write for their page tables (IHI0070 §5.2, §5.4): one place, used
/// by the isolation property and the soak.
/// </summary>
internal static class RegimeStructures
{
    /// <summary>TG0 and S2TG use the TCR TG0 encoding.</summary>
    public static Tg0Granule Tg0(int pageShift) => pageShift switch { 12 => Tg0Granule.Size4K, 14 => Tg0Granule.Size16K, _ => Tg0Granule.Size64K };

    /// <summary>TG1 uses the TCR TG1 encoding, which differs from TG0.</summary>
    public static Tg1Granule Tg1(int pageShift) => pageShift switch { 12 => Tg1Granule.Size4K, 14 => Tg1Granule.Size16K, _ => Tg1Granule.Size64K };

    /// <summary>A valid AArch64 CD for <paramref name="asid"/>: TTB0, and TTB1 when given (EPD1 otherwise), 48-bit IPS, faults abort unrecorded.</summary>
    public static ContextDescriptor Cd(ushort asid, GuestTables ttb0, GuestTables? ttb1)
    {
        var upper = ttb1 ?? ttb0;
        return new ContextDescriptor
        {
            T0SZ = (uint)(64 - ttb0.Format.InputBits),
            TG0 = Tg0(ttb0.Format.PageShift),
            IR0 = 1,
            OR0 = 1,
            SH0 = 3,
            T1SZ = (uint)(64 - upper.Format.InputBits),
            TG1 = Tg1(upper.Format.PageShift),
            IR1 = 1,
            OR1 = 1,
            SH1 = 3,
            EPD1 = ttb1 is null,
            V = true,
            IPS = 5,
            AA64 = true,
            A = true,
            ASET = true,
            ASID = asid,
            TTB0 = ttb0.Root,
            TTB1 = upper.Root,
            MAIR = 0xF404FF44,
        };
    }

    /// <summary>Points <paramref name="ste"/> at a linear table of <paramref name="cdCount"/> CDs; no SubstreamID uses CD 0.</summary>
    public static StreamTableEntry WithCdTable(StreamTableEntry ste, ulong cdTable, int cdCount) => ste with
    {
        S1ContextPtr = cdTable,
        S1CDMax = (uint)Math.Log2(cdCount),
        S1DSS = DefaultSubstream.Substream0,
        S1CIR = 1,
        S1COR = 1,
        S1CSH = 3,
        S1STALLD = true,
    };

    /// <summary>Adds stage 2 over <paramref name="tables"/> for <paramref name="vmid"/>; faults abort unrecorded.</summary>
    public static StreamTableEntry WithStage2(StreamTableEntry ste, ushort vmid, GuestTables tables) => ste with
    {
        S2VMID = vmid,
        S2T0SZ = (uint)(64 - tables.Format.InputBits),
        // S2SL0 counts down from level 2 (4 KB) or level 3 (16 KB, 64 KB) (IHI0070 §5.2, VTCR_EL2.SL0).
        S2SL0 = (uint)((tables.Format.PageShift == 12 ? 2 : 3) - tables.Format.StartLevel),
        S2IR0 = 1,
        S2OR0 = 1,
        S2SH0 = 3,
        S2TG = Tg0(tables.Format.PageShift),
        S2PS = 5,
        S2AA64 = true,
        S2TTB = tables.Root,
    };
}
