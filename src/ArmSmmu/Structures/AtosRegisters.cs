using System.Globalization;

namespace ArmSmmu.Structures;

// The global address translation operation registers (IHI0070 chapter 9, §6.3.37-§6.3.40).
// Declared, with every field and its docs, by the tables in AtosRegisters.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public static partial class AtosFaultCode
{
    /// <summary>The name of a FAULTCODE: INV_REQ, INV_STAGE, INTERNAL_ERR or the event type's name.</summary>
    /// <param name="code">FAULTCODE.</param>
    /// <returns>The name.</returns>
    public static string Name(byte code) => SpecName(code) ?? EventRecord.TypeName((EventType)code);
}

/// <summary>
/// GATOS_PAR (IHI0070 §6.3.40, §9.1.4): the result of an address translation operation. With FAULT = 0: ATTR (MAIR
/// format), ADDR and Size, SH. With FAULT = 1: FADDR, FAULTCODE (§9.1.5) and REASON (the stage that failed).
/// </summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct GatosParRegister(ulong Value)
{
    /// <summary>FAULT [0]: the operation failed.</summary>
    public bool Fault => (Value & 1) != 0;

    /// <summary>FAULT = 0: ATTR [63:56], the memory attributes in MAIR format.</summary>
    public byte Attr => (byte)(Value >> 56);

    /// <summary>FAULT = 0: SH [9:8] (Outer Shareable for any Device type).</summary>
    public uint SH => (uint)(Value >> 8) & 3;

    /// <summary>
    /// FAULT = 0: NS [10], the output is in the Non-secure PA space. SMMU_S_GATOS_PAR only (IHI0070 §6.3.86); RES0 in
    /// GATOS_PAR.
    /// </summary>
    public bool NS => !Fault && ((Value >> NsShift) & 1) != 0;

    private const int NsShift = 10;

    /// <summary>FAULT = 0: Size [11]: the translation is larger than 4 KB and its size is the lowest set bit of ADDR.</summary>
    public bool Size => ((Value >> 11) & 1) != 0;

    /// <summary>FAULT = 0: log2 of the translation's size (12 for 4 KB; with Size = 1, one more than the lowest set bit of ADDR).</summary>
    public int SizeShift
    {
        get
        {
            ulong addr = Bits.Address(Value, 55, 12);
            return Size && addr != 0 ? System.Numerics.BitOperations.TrailingZeroCount(addr) + 1 : 12;
        }
    }

    /// <summary>FAULT = 0: the output address of the translation's first byte (ADDR with the Size marker removed).</summary>
    public ulong OutputAddress => Bits.Address(Value, 55, 12) & ~Bits.Mask(SizeShift);

    /// <summary>FAULT = 1: FAULTCODE [11:4].</summary>
    public byte FaultCode => (byte)(Value >> 4);

    /// <summary>FAULT = 1: REASON [2:1]: 00 stage 1 or not stage-specific, 01 stage 2 on a CD fetch, 10 stage 2 on a stage-1 table fetch, 11 stage 2 on the input IPA.</summary>
    public uint Reason => (uint)(Value >> 1) & 3;

    /// <summary>FAULT = 1: FADDR [55:12], the IPA stage 2 faulted on, where §9.1.4 gives one.</summary>
    public ulong FaultAddress => Bits.Address(Value, 55, 12);

    /// <summary>A successful result (IHI0070 §6.3.40).</summary>
    /// <param name="outputAddress">Output address of the looked-up input address.</param>
    /// <param name="sizeShift">log2 of the translation's page or block size, 12 or more.</param>
    /// <param name="mair">Memory attributes, MAIR format.</param>
    /// <param name="sh">Shareability, SH encoding.</param>
    /// <returns>The PAR value.</returns>
    public static GatosParRegister Success(ulong outputAddress, int sizeShift, byte mair, uint sh)
    {
        ulong addr = outputAddress & Bits.Mask(56) & ~0xFFFUL;
        ulong size = 0;
        if (sizeShift > 12)
        {
            // The size is the position of the lowest 1 of ADDR: bit (size - 1) set, the bits below it clear.
            addr = (addr & ~Bits.Mask(sizeShift)) | (1UL << (sizeShift - 1));
            size = 1UL << 11;
        }

        return new(((ulong)mair << 56) | addr | size | ((ulong)(sh & 3) << 8));
    }

    // S_GATOS_PAR: a successful result's NS (IHI0070 §6.3.86), cleared for GATOS_PAR where it is RES0.
    internal GatosParRegister WithNonSecure(bool nonSecure) =>
        Fault ? this : new(nonSecure ? Value | (1UL << NsShift) : Value & ~(1UL << NsShift));

    /// <summary>A failed result (IHI0070 §6.3.40, §9.1.4).</summary>
    /// <param name="faultCode">FAULTCODE: an event type or <see cref="AtosFaultCode"/>.</param>
    /// <param name="reason">REASON, 0-3.</param>
    /// <param name="faultAddress">FADDR: the faulting IPA, or 0.</param>
    /// <returns>The PAR value.</returns>
    public static GatosParRegister Failure(byte faultCode, uint reason = 0, ulong faultAddress = 0) =>
        new((faultAddress & Bits.Mask(56) & ~0xFFFUL) | ((ulong)faultCode << 4) | ((ulong)(reason & 3) << 1) | 1);

    /// <summary>Every field of the format FAULT selects, with its meaning.</summary>
    /// <returns>The fields, most significant first.</returns>
    public IReadOnlyList<DecodedField> Describe()
    {
        var f = new FieldText();
        if (!Fault)
        {
            string size = string.Create(CultureInfo.InvariantCulture, $"1 {SizeText(SizeShift)} (output address {FieldText.Hex(OutputAddress)})");
            f.Add("ATTR", 0, Value, 63, 56, v => FieldText.Hex(v) + " " + MairText((byte)v))
                .Address("ADDR", 0, Value, 55, 12)
                .Add("Size", 0, Value, 11, 11, v => v == 0 ? "0 4 KB" : size);
            if (NS)
            {
                f.Flag("NS", 0, Value, NsShift, "Non-secure PA space (S_GATOS_PAR)", "Secure PA space");
            }

            f.Add("SH", 0, Value, 9, 8, FieldText.Shareability);
        }
        else
        {
            f.Add("IMPLEMENTATION DEFINED", 0, Value, 63, 60)
                .Address("FADDR", 0, Value, 55, 12)
                .Add("FAULTCODE", 0, Value, 11, 4, v => FieldText.Hex(v) + " " + AtosFaultCode.Name((byte)v))
                .Add("REASON", 0, Value, 2, 1, v => FieldText.Enumerated(v, 2, "stage 1, or not stage-specific", "stage 2, CD fetch", "stage 2, stage-1 table fetch", "stage 2, input IPA"));
        }

        return f.Flag("FAULT", 0, Value, 0, "fault or error", "translation successful").Fields;
    }

    /// <inheritdoc />
    public override string ToString() => Fault
        ? string.Create(CultureInfo.InvariantCulture, $"GatosPar 0x{Value:X} (FAULT {AtosFaultCode.Name(FaultCode)} REASON={Reason} FADDR=0x{FaultAddress:X})")
        : string.Create(CultureInfo.InvariantCulture, $"GatosPar 0x{Value:X} (PA 0x{OutputAddress:X}, {SizeText(SizeShift)}, {MairText(Attr)}, SH={SH})");

    private static string SizeText(int shift) => shift >= 30 ? $"{1UL << (shift - 30)} GB" : shift >= 20 ? $"{1UL << (shift - 20)} MB" : $"{1UL << (shift - 10)} KB";

    // MAIR attribute byte (DDI0487 D8.6): 0b0000dd00 Device, otherwise outer and inner nibbles of Normal memory.
    private static string MairText(byte attr) => (attr >> 4) == 0
        ? ((attr >> 2) & 3) switch { 0 => "Device-nGnRnE", 1 => "Device-nGnRE", 2 => "Device-nGRE", _ => "Device-GRE" }
        : $"Normal outer {Nibble((uint)attr >> 4)}, inner {Nibble(attr & 0xFu)}";

    private static string Nibble(uint n) => n switch
    {
        0b0100 => "NC",
        _ when (n >> 2) == 0b11 => "WB" + Hints(n),
        _ when (n >> 2) == 0b10 => "WT" + Hints(n),
        _ when (n >> 2) == 0b01 => "WB transient" + Hints(n),
        _ => "WT transient" + Hints(n),
    };

    private static string Hints(uint n) => ((n & 2) != 0 ? " RA" : string.Empty) + ((n & 1) != 0 ? " WA" : string.Empty);
}
