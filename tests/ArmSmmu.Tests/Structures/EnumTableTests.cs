using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Structures;

/// <summary>
/// What the enum tables (*.table.md) give the decoders: the specification's names of encodings, and a text for every
/// encoding of a field, reserved ones included (they have no enum member). Expected values are the encodings as
/// IHI0070 lists them.
/// </summary>
public class EnumTableTests
{
    [Theory]
    [InlineData(0x2A, "CMD_TLBI_S2_IPA")] // IHI0070 §4.4.7
    [InlineData(0x46, "CMD_SYNC")] // §4.7.3
    [InlineData(0x73, "CMD_DPTI_PA")]
    [InlineData(0x08, "CMD_0x08")] // reserved opcode
    public void Opcodes_print_their_specification_names(byte opcode, string name) =>
        Assert.Equal(name, Command.OpcodeName((CommandOpcode)opcode));

    [Theory]
    [InlineData(0x13, "F_PERMISSION")] // IHI0070 §7.3.13
    [InlineData(0x0A, "C_BAD_CD")]
    [InlineData(0x0C, "EVENT_0x0C")] // reserved event number
    [InlineData(0x00, "EVENT_0x00")] // EventType.None is not an event the SMMU writes
    public void Event_numbers_print_their_specification_names(byte type, string name) =>
        Assert.Equal(name, EventRecord.TypeName((EventType)type));

    [Fact]
    public void Reserved_encodings_print_although_they_have_no_member()
    {
        // CD.TG1 uses the TCR_ELx.TG1 encoding: 0b00 reserved, 0b10 4 KB (IHI0070 §5.4).
        Assert.False(Enum.IsDefined((Tg1Granule)0));
        Assert.Equal("0b00 reserved", Tg1GranuleText.Describe(0));
        Assert.Equal("0b10 4 KB", Tg1GranuleText.Describe(2));
        // STE.Config 0b001..0b011 are reserved and treated as abort; STE.STRW 0b11 is ILLEGAL (IHI0070 §5.2).
        Assert.Equal("0b010 abort", SteConfigText.Describe(2));
        Assert.Equal("0b11 ILLEGAL", StreamWorldEncodingText.Describe(3));
        // IDR0.STALL_MODEL 0b11 is reserved (IHI0070 §6.3.1).
        Assert.Equal("0b11 reserved", StallModelText.Describe(3));
    }

    [Fact]
    public void Cmdq_cons_err_names_the_command_error()
    {
        // CMDQ_CONS.ERR [30:24] = 1 is CERROR_ILL (IHI0070 §7.1); codes past CERROR_ATC_INV_SYNC are reserved.
        DecodedField err = QueueIndexRegister.Describe(1u << 24, QueueIndexRole.CommandConsumer, null).Single(f => f.Name == "ERR");
        Assert.Equal("1 CERROR_ILL", err.Meaning);
        Assert.Equal("9 reserved", QueueIndexRegister.Describe(9u << 24, QueueIndexRole.CommandConsumer, null).Single(f => f.Name == "ERR").Meaning);
    }
}
