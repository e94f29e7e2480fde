namespace ArmSmmu.Structures;

/// <summary>One decoded field of a record or register, as printed by <c>smmu decode</c>.</summary>
/// <param name="Name">The field name as the specification spells it (e.g. <c>S1ContextPtr</c>).</param>
/// <param name="Bits">Where the field lives, e.g. <c>dw0[3:1]</c> for a record or <c>[27:24]</c> for a register.</param>
/// <param name="Value">The field value shifted down; for address fields, the address kept in place (low bits zero).</param>
/// <param name="Meaning">A short human-readable interpretation.</param>
public sealed record DecodedField(string Name, string Bits, ulong Value, string Meaning);
