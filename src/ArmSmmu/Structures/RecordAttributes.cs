namespace ArmSmmu.Structures;

// The one declaration of every record and register layout. ArmSmmu.Generators reads these attributes at compile
// time and writes the accessors, Describe, equality, memory I/O and the Layout table the tests check; adding a
// field is one [Field] line.

/// <summary>Marks a partial struct as a record of little-endian 64-bit words (or, with <see cref="Register"/>, a
/// register view over its own <c>Value</c>) whose fields are listed by <see cref="FieldAttribute"/>.</summary>
/// <param name="words">Number of 64-bit words; 1 for an 8-byte descriptor or a register.</param>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
internal sealed class RecordAttribute(int words) : Attribute
{
    /// <summary>Number of 64-bit words.</summary>
    public int Words { get; } = words;

    /// <summary>The struct declares its own <c>Value</c> (a register): only field accessors, Describe and Layout are generated.</summary>
    public bool Register { get; set; }

    /// <summary>The struct writes its own Describe (fields depend on a type field); per-field <c>DescribeX</c> helpers are generated.</summary>
    public bool CustomDescribe { get; set; }

    /// <summary>Fields are per-command (or per-event) views of the same bits, so they may overlap.</summary>
    public bool OverlappingViews { get; set; }
}

/// <summary>One field: bits [hi:lo] of word <c>word</c>.</summary>
/// <param name="name">The property name.</param>
/// <param name="word">Word index (0 for registers).</param>
/// <param name="hi">High bit, inclusive.</param>
/// <param name="lo">Low bit, inclusive.</param>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
internal sealed class FieldAttribute(string name, int word, int hi, int lo) : Attribute
{
    /// <summary>The property name.</summary>
    public string Name { get; } = name;

    /// <summary>Word index.</summary>
    public int Word { get; } = word;

    /// <summary>High bit.</summary>
    public int Hi { get; } = hi;

    /// <summary>Low bit.</summary>
    public int Lo { get; } = lo;

    /// <summary>Property type: default bool for one bit, uint up to 32 bits, ulong above; an enum, byte or ushort when given.</summary>
    public Type? Type { get; set; }

    /// <summary>The field holds address bits [hi:lo]; the property is the address kept in place (low bits zero).</summary>
    public bool Address { get; set; }

    /// <summary>The summary text after "NAME, dwN[hi:lo]: ".</summary>
    public string Doc { get; set; } = string.Empty;

    /// <summary>The name Describe prints, when it differs from the property name (e.g. <c>StreamID</c>).</summary>
    public string? Spec { get; set; }

    /// <summary>A <c>Func&lt;ulong, string&gt;</c> expression giving the meaning Describe prints.</summary>
    public string? Meaning { get; set; }

    /// <summary>For one bit: Describe's text when set.</summary>
    public string? Set { get; set; }

    /// <summary>For one bit: Describe's text when clear.</summary>
    public string? Clear { get; set; }

    /// <summary>Another field with the same bits (a second name the specification uses).</summary>
    public string? Alias { get; set; }

    /// <summary>Left out of the generated Describe.</summary>
    public bool Hidden { get; set; }
}

/// <summary>Generated layout metadata: one row per <see cref="FieldAttribute"/>.</summary>
/// <param name="Property">Property name.</param>
/// <param name="Word">Word index.</param>
/// <param name="Hi">High bit.</param>
/// <param name="Lo">Low bit.</param>
/// <param name="Address">Address field (kept in place).</param>
/// <param name="Alias">Field sharing these bits on purpose, if any.</param>
internal readonly record struct RecordField(string Property, int Word, int Hi, int Lo, bool Address, string? Alias);
