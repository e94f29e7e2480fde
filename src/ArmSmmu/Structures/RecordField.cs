namespace ArmSmmu.Structures;

// Every record and register layout is declared once, as a field table in a *.table.md file beside the C# that adds
// hand-written members (docs/structure.md, "Tables"). ArmSmmu.Generators writes the type, its accessors, Describe,
// equality, memory I/O and the Layout table below from it; adding a field is one row.

/// <summary>Generated layout metadata: one row per field of the table.</summary>
/// <param name="Property">Property name.</param>
/// <param name="Word">Word index.</param>
/// <param name="Hi">High bit.</param>
/// <param name="Lo">Low bit.</param>
/// <param name="Address">Address field (kept in place).</param>
/// <param name="Alias">Field sharing these bits on purpose, if any.</param>
internal readonly record struct RecordField(string Property, int Word, int Hi, int Lo, bool Address, string? Alias);
