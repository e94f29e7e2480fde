using ArmSmmu.Cli.Replay;

namespace ArmSmmu.Tests.Cli;

public sealed class TraceParserTests
{
    [Theory]
    [InlineData("16,0x1000,r", 16u, 0x1000UL, AccessKind.Read, null, false)]
    [InlineData("0x10,4096,W", 16u, 0x1000UL, AccessKind.Write, null, false)]
    [InlineData(" 7 , 0xffff_0000 , x ", 0u, 0UL, AccessKind.Read, null, false)] // underscores are not digits
    [InlineData("7,0xFFFF0000,exec,3", 7u, 0xFFFF_0000UL, AccessKind.Execute, 3u, false)]
    [InlineData("7,0x0,r,-,1", 7u, 0UL, AccessKind.Read, null, true)]
    [InlineData("7,0x0,r,,P", 7u, 0UL, AccessKind.Read, null, true)]
    [InlineData("7,0x0,write,0xFFFFF,false # trailing comment", 7u, 0UL, AccessKind.Write, 0xFFFFFu, false)]
    public void Parses_each_field(string line, uint sid, ulong iova, AccessKind access, uint? ssid, bool privileged)
    {
        bool parsed = TraceParser.TryParse(line, out TranslationRequest request, out string? error);

        if (line.Contains('_', StringComparison.Ordinal))
        {
            Assert.False(parsed);
            Assert.NotNull(error);
            return;
        }

        Assert.True(parsed, error);
        Assert.Equal(new TranslationRequest(sid, iova, access, ssid, privileged), request);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# a comment")]
    [InlineData("   # indented comment")]
    public void Blank_lines_and_comments_are_skipped_without_error(string line)
    {
        Assert.False(TraceParser.TryParse(line, out _, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("5,0x,r", "address '0x' is not a 64-bit number")]
    [InlineData("5,,r", "address is missing")]
    [InlineData("5,0x10,rw", "access 'rw' is not r, w or x")]
    [InlineData("5,0x1FFFFFFFFFFFFFFFF,r", "address '0x1FFFFFFFFFFFFFFFF' is not a 64-bit number")]
    [InlineData("5,18446744073709551616,r", "address '18446744073709551616' is not a 64-bit number")]
    [InlineData("4294967296,0,r", "StreamID '4294967296' is not a 32-bit number")]
    [InlineData("-1,0,r", "StreamID '-1' is not a 32-bit number")]
    public void Wrong_lines_name_the_field_and_what_it_should_be(string line, string message)
    {
        Assert.False(TraceParser.TryParse(line, out _, out string? error));
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("18446744073709551615,0xFFFFFFFFFFFFFFFF,r", 0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData("4294967295,0x0000000000000000001,x", 1UL)] // leading zeros do not overflow
    public void The_largest_values_parse(string line, ulong iova)
    {
        bool parsed = TraceParser.TryParse(line, out TranslationRequest request, out _);

        Assert.Equal(line.StartsWith("4294967295", StringComparison.Ordinal), parsed); // a StreamID is 32-bit
        if (parsed)
        {
            Assert.Equal(iova, request.Address);
            Assert.Equal(uint.MaxValue, request.StreamId);
        }
    }

    [Fact]
    public void Binary_garbage_is_not_echoed_back()
    {
        Assert.False(TraceParser.TryParse("\u0001\u0002\u0003\u001b[31m,1,r", out _, out string? error));
        Assert.DoesNotContain('\u001b', error!);
    }

    [Fact]
    public void Line_reader_handles_crlf_a_missing_last_newline_and_lines_longer_than_its_buffer()
    {
        string longComment = "#" + new string('x', 200_000);
        using var reader = new LineReader(new StringReader("1,0x1,r\r\n" + longComment + "\n2,0x2,w"));
        var lines = new List<string>();
        while (reader.TryReadLine(out ReadOnlySpan<char> line))
        {
            lines.Add(line.ToString());
        }

        Assert.Equal(["1,0x1,r", longComment, "2,0x2,w"], lines);
        Assert.Equal(3, reader.LineNumber);
    }
}
