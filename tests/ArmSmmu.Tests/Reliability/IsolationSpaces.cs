namespace ArmSmmu.Tests.Reliability;

/// <summary>What a stream table entry selects (IHI0070 §5.2 Config).</summary>
internal enum StreamKind
{
    Abort,
    Bypass,
    Stage1,
    Stage2,
    Nested,
}

/// <summary>A stage-2 address space: one VMID and its tables. Streams that share it share the VMID (IHI0070 §3.17).</summary>
internal sealed class Stage2Space(ushort vmid, GuestTables tables)
{
    public ushort Vmid { get; } = vmid;

    public GuestTables Tables { get; } = tables;

    /// <summary>Set once a nested stream used it: from then on its TLB entries may be combined with stage 1.</summary>
    public bool EverNested { get; set; }

    /// <summary>Recently mapped leaves (base, size), to aim translations and stage-1 outputs at.</summary>
    public List<(ulong Base, ulong Size)> Leaves { get; } = [];
}

/// <summary>
/// A stage-1 address space: one ASID (in the VMID of its stage-2 parent, 0 without one) and its TTB0/TTB1 tables.
/// CDs that share it share the ASID, which is the only way two CDs may share TLB entries (IHI0070 §3.17).
/// </summary>
internal sealed class Stage1Space(ushort asid, Stage2Space? parent, GuestTables ttb0, GuestTables? ttb1)
{
    public ushort Asid { get; } = asid;

    public Stage2Space? Parent { get; } = parent;

    public ushort Vmid => Parent?.Vmid ?? 0;

    public GuestTables Ttb0 { get; } = ttb0;

    public GuestTables? Ttb1 { get; } = ttb1;

    public List<(ulong Base, ulong Size)> Leaves { get; } = [];

    public override string ToString() => $"ASID {Asid} VMID {Vmid} TTB0 {Ttb0.Format}" + (Ttb1 is null ? string.Empty : $" TTB1 {Ttb1.Format}");
}

/// <summary>The shadow of one STE (and its linear CD table) as the harness last wrote it.</summary>
internal sealed class StreamState(uint sid)
{
    public uint Sid { get; } = sid;

    public StreamKind Kind { get; set; }

    public Stage2Space? Stage2 { get; set; }

    /// <summary>The stage-1 space of each CD, index = SubstreamID.</summary>
    public Stage1Space[] Cds { get; set; } = [];

    public ulong CdTable { get; set; }

    public override string ToString() => $"SID {Sid} {Kind}" + (Stage2 is null ? string.Empty : $" VMID {Stage2.Vmid} S2 {Stage2.Tables.Format}") +
        string.Concat(Cds.Select((cd, i) => $" CD{i}=[{cd}]"));
}
