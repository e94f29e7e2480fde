namespace ArmSmmu.Cli.Decoding;

/// <summary>One field of an SMMU register: its bit range and how to explain a raw value.</summary>
/// <param name="Name">Field name as the spec spells it.</param>
/// <param name="Hi">Highest bit.</param>
/// <param name="Lo">Lowest bit.</param>
/// <param name="Explain">Turns the field's raw value into words.</param>
internal sealed record RegisterField(string Name, int Hi, int Lo, Func<uint, string> Explain)
{
    /// <summary>Bits [Hi:Lo] of <paramref name="register"/>, shifted down.</summary>
    public uint Extract(uint register) => (uint)((register >> Lo) & ((1UL << (Hi - Lo + 1)) - 1));

    /// <summary>"[hi:lo]" or "[bit]".</summary>
    public string BitRange => Hi == Lo ? $"[{Hi}]" : $"[{Hi}:{Lo}]";
}

/// <summary>A register, where it lives, and its fields in bit order.</summary>
/// <param name="Name">Register name (IDR0, IIDR, ...).</param>
/// <param name="Offset">Offset from the SMMU's page 0.</param>
/// <param name="Fields">Fields, lowest bit first.</param>
internal sealed record RegisterLayout(string Name, ulong Offset, IReadOnlyList<RegisterField> Fields);
