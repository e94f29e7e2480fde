using ArmSmmu.Cli;

namespace ArmSmmu.Tests.Cli;

/// <summary><c>smmu decode</c>: expected fields come from the spec digest's bit positions, not from the decoders.</summary>
public class DecodeCommandTests
{
    [Fact]
    public void Ste_with_config_stage1_decodes_V_Config_and_context_pointer_and_says_missing_words_are_zero()
    {
        // IHI0070 §5.2 (digest 2.1): V dw0[0], Config dw0[3:1] = 0b101 stage-1 translate, S1ContextPtr dw0[55:6].
        var (code, output, error) = CliRunner.Run("decode", "ste", "0x000000008000000B", "--pad");
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Matches(@"V\s*│\s*dw0\[0\]\s*│\s*1\s*│", output);
        Assert.Matches(@"Config\s*│\s*dw0\[3:1\]\s*│\s*5\s*│\s*0b101", output);
        Assert.Matches(@"S1ContextPtr\s*│\s*dw0\[55:6\]\s*│\s*0x80000000\s*│", output);
        Assert.Contains("1 of 8 words given; dw1..dw7 taken as 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Linux_stage1_cd_word0_gives_T0SZ_TG0_IPS_and_ASID()
    {
        // Digest 3.1 / 7.10: Linux CD dw0 0x0000_E205_C000_3510 with ASID 1 in [63:48]: T0SZ 16, TG0 4K, IPS 0b101 48 bits.
        var (code, output, _) = CliRunner.Run("decode", "cd", "0x0001_E205_C000_3510", "--pad");
        Assert.Equal(0, code);
        Assert.Matches(@"T0SZ\s*│\s*dw0\[5:0\]\s*│\s*0x10\s*│\s*16 ", output);
        Assert.Matches(@"TG0\s*│\s*dw0\[7:6\]\s*│\s*0\s*│\s*0b00 4 KB", output);
        Assert.Matches(@"IPS\s*│\s*dw0\[34:32\]\s*│\s*5\s*│\s*0b101 48 bits", output);
        Assert.Matches(@"ASID\s*│\s*dw0\[63:48\]\s*│\s*1\s*│", output);
        Assert.Matches(@"V\s*│\s*dw0\[31\]\s*│\s*1\s*│", output);
    }

    private const string LinuxEventLog = """
        [   42.123456] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:
        [   42.123460] arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000800000010
        [   42.123463] arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000020800000000
        [   42.123466] arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000012345000
        [   42.123469] arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000000000000
        """;

    private static void AssertTranslationFault(string output)
    {
        // Digest 5.1/5.2: Type dw0[7:0] 0x10 F_TRANSLATION, StreamID dw0[63:32], RnW dw1[35], CLASS dw1[41:40] 0b10 IN, InputAddr dw2.
        Assert.Matches(@"Type\s*│\s*dw0\[7:0\]\s*│\s*0x10\s*│\s*0x10 F_TRANSLATION", output);
        Assert.Matches(@"StreamID\s*│\s*dw0\[63:32\]\s*│\s*8\s*│", output);
        Assert.Matches(@"RnW\s*│\s*dw1\[35\]\s*│\s*1\s*│\s*1 read", output);
        Assert.Matches(@"InputAddr\s*│\s*dw2\[63:0\]\s*│\s*0x12345000\s*│", output);
    }

    [Fact]
    public void Linux_event_log_read_from_stdin_gives_F_TRANSLATION_StreamID_and_InputAddr()
    {
        var (code, output, error) = CliRunner.RunWithInput(LinuxEventLog, "decode", "event", "-");
        Assert.Equal(0, code);
        Assert.Empty(error);
        AssertTranslationFault(output);
        Assert.DoesNotContain("note:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Linux_event_log_pasted_as_arguments_or_comma_separated_words_decode_the_same()
    {
        string[] pasted = ["decode", "event", .. LinuxEventLog.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)];
        var (code, output, _) = CliRunner.Run(pasted);
        Assert.Equal(0, code);
        AssertTranslationFault(output);

        (code, output, _) = CliRunner.Run("decode", "event", "800000010,", "20800000000,", "12345000,", "0");
        Assert.Equal(0, code);
        AssertTranslationFault(output);
    }

    [Fact]
    public void Cfgi_all_command_words_decode_as_CFGI_STE_RANGE_with_range_31()
    {
        // Digest 4.1/4.3: opcode 0x04 CMD_CFGI_STE_RANGE; Range dw1[4:0] = 31 means every StreamID (CMD_CFGI_ALL).
        var (code, output, _) = CliRunner.Run("decode", "cmd", "0x4", "0x1F");
        Assert.Equal(0, code);
        Assert.Matches(@"Opcode\s*│\s*dw0\[7:0\]\s*│\s*4\s*│\s*0x4 CMD_CFGI_STE_RANGE", output);
        Assert.Matches(@"Range\s*│\s*dw1\[4:0\]\s*│\s*0x1F\s*│\s*31", output);
    }

    [Fact]
    public void Stage1_page_descriptor_decodes_every_leaf_field()
    {
        // Digest 7.5: [1:0]=11 page at level 3, AttrIndx [4:2]=1, AP [7:6]=01, SH [9:8]=11, AF [10], nG [11],
        // OA [47:12] = 0x80001000, PXN [53], UXN [54].
        var (code, output, _) = CliRunner.Run("decode", "pte", "0x0060000080001F47");
        Assert.Equal(0, code);
        Assert.Matches(@"Type\s*│\s*\[1:0\]\s*│\s*3\s*│\s*0b11 page", output);
        Assert.Matches(@"AttrIndx\s*│\s*\[4:2\]\s*│\s*1\s*│", output);
        Assert.Matches(@"AP\s*│\s*\[7:6\]\s*│\s*1\s*│\s*0b01 read/write at any privilege", output);
        Assert.Matches(@"SH\s*│\s*\[9:8\]\s*│\s*3\s*│\s*0b11 inner shareable", output);
        Assert.Matches(@"AF\s*│\s*\[10\]\s*│\s*1\s*│", output);
        Assert.Matches(@"nG\s*│\s*\[11\]\s*│\s*1\s*│", output);
        Assert.Matches(@"OutputAddress\s*│\s*\[47:12\]\s*│\s*0x80001000\s*│\s*0x80001000 \(4 KB page\)", output);
        Assert.Matches(@"PXN\s*│\s*\[53\]\s*│\s*1\s*│", output);
        Assert.Matches(@"UXN\s*│\s*\[54\]\s*│\s*1\s*│", output);
    }

    [Fact]
    public void Stage2_level2_block_descriptor_decodes_MemAttr_S2AP_and_block_address()
    {
        // Digest 7.5/7.7: [1:0]=01 block (4K level 2: 2 MB, OA [47:21]); MemAttr [5:2]=1111 WB; S2AP [7:6]=11 RW.
        var (code, output, _) = CliRunner.Run("decode", "pte", "--stage", "2", "--level", "2", "0x00000000402004FD");
        Assert.Equal(0, code);
        Assert.Matches(@"Type\s*│\s*\[1:0\]\s*│\s*1\s*│\s*0b01 block of 2 MB", output);
        Assert.Matches(@"MemAttr\s*│\s*\[5:2\]\s*│\s*0xF\s*│", output);
        Assert.Matches(@"S2AP\s*│\s*\[7:6\]\s*│\s*3\s*│\s*0b11 read/write", output);
        Assert.Matches(@"OutputAddress\s*│\s*\[47:21\]\s*│\s*0x40200000\s*│", output);
        Assert.DoesNotContain("nG", output, StringComparison.Ordinal); // stage 2 has no nG
    }

    [Fact]
    public void Table_descriptor_shows_next_level_address_and_APTable()
    {
        // Digest 7.4: [1:0]=11 at level 0 is a table; NLTA [47:12]; APTable [62:61] = 11.
        var (code, output, _) = CliRunner.Run("decode", "pte", "--level", "0", "0x6000000040000003");
        Assert.Equal(0, code);
        Assert.Matches(@"Type\s*│\s*\[1:0\]\s*│\s*3\s*│\s*0b11 table", output);
        Assert.Matches(@"NLTA\s*│\s*\[47:12\]\s*│\s*0x40000000\s*│", output);
        Assert.Matches(@"APTable\s*│\s*\[62:61\]\s*│\s*3\s*│", output);
    }

    [Theory]
    [InlineData("3", "0x0000000040000001", "reserved at level 3")] // digest 7.4: 01 at level 3 is reserved
    [InlineData("0", "0x0000000040000001", "block not permitted at level 0")] // no 4K level-0 blocks without DS
    [InlineData("3", "0x0000000040000002", "invalid")] // bit 0 clear
    public void Invalid_descriptors_say_why(string level, string word, string reason)
    {
        var (code, output, _) = CliRunner.Run("decode", "pte", "--level", level, word);
        Assert.Equal(0, code);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.Contains("F_TRANSLATION", output, StringComparison.Ordinal);
        Assert.DoesNotContain("OutputAddress", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Granule_64k_page_takes_address_bits_51_48_from_descriptor_bits_15_12()
    {
        // Digest 7.9 (FEAT_LPA): with the 64 KB granule, OA[51:48] sit in descriptor bits [15:12].
        var (code, output, _) = CliRunner.Run("decode", "pte", "--granule", "64k", "0x0000000012341003");
        Assert.Equal(0, code);
        Assert.Matches(@"OutputAddress\s*│\s*\[47:16\],\[15:12\]\s*│\s*0x1000012340000\s*│", output);
    }

    [Theory]
    [InlineData("CR0", "0x0C", @"CMDQEN\s*│\s*\[3\]\s*│\s*1")] // digest 1.6
    [InlineData("0x20", "0x0C", @"SMMUEN\s*│\s*\[0\]\s*│\s*0")] // CR0 by offset
    [InlineData("smmu_gerror", "0x1", @"CMDQ_ERR\s*│\s*\[0\]\s*│\s*1")] // digest 1.7
    [InlineData("STRTAB_BASE_CFG", "0x00010210", @"FMT\s*│\s*\[17:16\]\s*│\s*1\s*│\s*0b01 2-level")] // digest 1.8
    [InlineData("STRTAB_BASE_CFG", "0x00010210", @"SPLIT\s*│\s*\[10:6\]\s*│\s*8")]
    [InlineData("IRQ_CTRL", "0x5", @"EVENTQ_IRQEN\s*│\s*\[2\]\s*│\s*1")]
    [InlineData("GBPA", "0x00100000", @"ABORT\s*│\s*\[20\]\s*│\s*1")]
    [InlineData("EVENTQ_PROD", "0x80000000", @"OVFLG\s*│\s*\[31\]\s*│\s*1")] // page 1, digest 1.9
    [InlineData("0x100A8", "0x80000000", @"OVFLG\s*│\s*\[31\]\s*│\s*1")]
    [InlineData("IDR5", "0x0001005D", @"STALL_MAX\s*│\s*\[31:16\]\s*│\s*1\s*│")] // digest 1.11 FVP IDR5
    [InlineData("STRTAB_BASE", "0x4000000080000000", @"RA\s*│\s*\[62\]\s*│\s*1")] // 64-bit register
    public void Register_values_decode_by_name_or_offset(string register, string value, string pattern)
    {
        var (code, output, error) = CliRunner.Run("decode", "reg", register, value);
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Matches(pattern, output);
    }

    [Fact]
    public void Queue_consumer_with_log2size_splits_index_wrap_and_error()
    {
        // Digest 1.9: CMDQ_CONS ERR [30:24] (1 = CERROR_ILL), RD wrap at bit QS, index below it.
        var (code, output, _) = CliRunner.Run("decode", "reg", "CMDQ_CONS", "0x01000105", "--log2size", "8");
        Assert.Equal(0, code);
        Assert.Matches(@"ERR\s*│\s*\[30:24\]\s*│\s*1\s*│\s*1 CERROR_ILL", output);
        Assert.Matches(@"RD_WRAP\s*│\s*\[8\]\s*│\s*1", output);
        Assert.Matches(@"RD\s*│\s*\[7:0\]\s*│\s*5", output);
    }

    [Theory]
    [InlineData(new[] { "decode", "frob", "1" }, "kind 'frob' is not a record kind")]
    [InlineData(new[] { "decode", "ste", "0x1", "0xZZ" }, "word 2 '0xZZ' is not a hex number")]
    [InlineData(new[] { "decode", "cmd", "0x1_0000_0000_0000_0000" }, "does not fit in 64 bits")]
    [InlineData(new[] { "decode", "ste", "1", "2", "3", "4", "5", "6", "7", "8", "9" }, "9 words given, which is not a whole number of ste records of 8 words each")]
    [InlineData(new[] { "decode", "event", "0x10" }, "1 word given, but 'event' takes 4 words; give all 4, or add --pad")]
    [InlineData(new[] { "decode", "pte", "1", "2" }, "2 words given, but 'pte' has 1")]
    [InlineData(new[] { "decode", "event" }, "no words given for 'event'")]
    [InlineData(new[] { "decode", "ste", "-", "1" }, "'-'")]
    [InlineData(new[] { "decode", "reg", "FROB", "1" }, "register 'FROB' is not a register name")]
    [InlineData(new[] { "decode", "reg", "0x3F0", "1" }, "no SMMU register at offset 0x3F0")]
    [InlineData(new[] { "decode", "reg", "0x130", "1" }, "MPAMIDR at offset 0x130 has no field decoder")]
    [InlineData(new[] { "decode", "reg", "CR0", "0x100000000" }, "does not fit the 32-bit register CR0")]
    [InlineData(new[] { "decode", "reg", "CR0", "1", "--log2size", "4" }, "--log2size applies to queue PROD/CONS registers")]
    [InlineData(new[] { "decode", "reg" }, "expected a register name or offset")]
    [InlineData(new[] { "decode", "pte", "--stage", "3", "0x3" }, "--stage 3")]
    [InlineData(new[] { "decode", "pte", "--level", "4", "0x3" }, "--level 4")]
    [InlineData(new[] { "decode", "pte", "--granule", "8k", "0x3" }, "--granule '8k'")]
    public void Bad_input_gives_one_message_naming_the_argument_and_exit_code_2(string[] args, string message)
    {
        var (code, output, error) = CliRunner.Run(args);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public void Non_hex_word_in_a_log_line_after_the_prefix_is_reported()
    {
        var (code, _, error) = CliRunner.RunWithInput("arm-smmu-v3 x: 0x10 hello\n", "decode", "event", "-");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("word 2 'hello' is not a hex number", error, StringComparison.Ordinal);
    }
}
