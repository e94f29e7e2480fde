namespace ArmSmmu.Fuzz;

/// <summary>
/// The operations of a fuzz input (docs/reliability.md): one opcode byte (taken modulo the number of operations) and fixed-size
/// little-endian operands; a truncated operand reads as zero bytes.
/// </summary>
internal enum GuestOp : byte
{
    /// <summary>u16 register selector, u32 value.</summary>
    Write32,

    /// <summary>u16 register selector, u64 value.</summary>
    Write64,

    /// <summary>u16 register selector.</summary>
    Read32,

    /// <summary>u8 region, u16 doubleword slot, u64 value: a word of a table, queue or page-table page.</summary>
    WriteRegion,

    /// <summary>16 bytes: a command written at CMDQ_PROD, then PROD advanced (opcode byte &lt; 0x80 picks a defined opcode).</summary>
    Command,

    /// <summary>u16 StreamID, u64 address, u8 flags (access, SSV, privileged, secure), u16 SubstreamID.</summary>
    Translate,

    /// <summary>A CMD_SYNC written and published like <see cref="Command"/>.</summary>
    Sync,

    /// <summary>The event queue drained by setting EVENTQ_CONS to EVENTQ_PROD.</summary>
    DrainEvents,

    /// <summary>u64 address, u64 value: any doubleword of memory.</summary>
    WriteMemory,

    /// <summary>The Linux bring-up of the fuzz layout: linear stream table, queues, interrupts, SMMUEN.</summary>
    BringUp,

    /// <summary>
    /// u64 address, u8 count, then (count % <see cref="GuestProgram.MaxBlockWords"/>) + 1 u64 values: consecutive
    /// doublewords of memory in one operation (the seeds' tables and queues, without an opcode per word).
    /// </summary>
    WriteBlock,
}
