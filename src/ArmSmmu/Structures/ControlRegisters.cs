using System.Globalization;

namespace ArmSmmu.Structures;

// Control and error registers: CR0-CR2, GBPA, GERROR, IRQ_CTRL (IHI0070 §6.3.9-§6.3.20).
// Declared, with every field and its docs, by the tables in ControlRegisters.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial record struct Cr0Register
{
    /// <summary>The enable bits as flags.</summary>
    public Cr0Flags Flags { get => (Cr0Flags)(Value & 0x1F); init => Value = (Value & ~0x1Fu) | ((uint)value & 0x1F); }

    /// <summary>Bits that CR0ACK reflects: [10], [8:6], [4:0] (IHI0070 §6.3.9: reserved bits are not reflected).</summary>
    public const uint DefinedMask = 0x5DF;
}

public readonly partial record struct GerrorRegister
{
    /// <summary>The error bits as flags.</summary>
    public GerrorFlags Flags => (GerrorFlags)Value;
}

public readonly partial record struct IrqCtrlRegister
{
    /// <summary>The enable bits as flags.</summary>
    public IrqCtrlFlags Flags => (IrqCtrlFlags)(Value & 7);
}
