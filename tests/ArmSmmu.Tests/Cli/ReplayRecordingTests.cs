using System.Text.Json;
using ArmSmmu.Cli;

namespace ArmSmmu.Tests.Cli;

/// <summary><c>smmu replay RECORDING</c> on the shipped recordings of Linux 6.1 on QEMU's SMMUv3 (examples/recordings).</summary>
public sealed class ReplayRecordingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("smmu-replay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("linux61-qemu72-strict")] // stage 1, 2-level stream table, range invalidations
    [InlineData("linux61-qemu10-s2-strict")] // stage 2 only, write-only pages (S2AP 0b10)
    public void Every_comparable_row_of_a_shipped_recording_agrees_and_every_unmapped_row_faults(string name)
    {
        string folder = Recording(name);

        // Counted from the file itself, not from the tool: every data row, agree == yes rows, final == fault rows.
        string[][] rows = [.. File.ReadLines(Path.Combine(folder, "translations.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'))];
        int agreeing = rows.Count(r => r[5] == "yes");
        int unmapped = rows.Count(r => r[4] == "fault");
        Assert.True(agreeing > 700 && unmapped > 3000, $"{agreeing} agreeing, {unmapped} unmapped rows");

        var (code, output, error) = CliRunner.Run("replay", folder, "--json");

        Assert.True(code == 0, error);
        JsonElement json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(rows.Length, json.GetProperty("translations").GetInt64());
        Assert.Equal(agreeing, json.GetProperty("compared").GetInt64());
        Assert.Equal(agreeing, json.GetProperty("agreed").GetInt64());
        Assert.Equal(0, json.GetProperty("disagreed").GetInt64());
        Assert.Equal(unmapped, json.GetProperty("unmapped").GetInt64());
        Assert.Equal(unmapped, json.GetProperty("unmappedFaulted").GetInt64());

        // Only unmapped rows fault, all with F_TRANSLATION (IHI0070 §7.3: an invalid descriptor).
        var fault = Assert.Single(json.GetProperty("faults").EnumerateObject());
        Assert.Equal("F_TRANSLATION", fault.Name);
        Assert.Equal(unmapped, fault.Value.GetInt64());

        // Per StreamID rows add up to the totals; the three virtio devices are 0x8, 0x10, 0x18.
        JsonElement[] streams = [.. json.GetProperty("streams").EnumerateArray()];
        Assert.Equal([0x8u, 0x10u, 0x18u], streams.Select(s => s.GetProperty("streamId").GetUInt32()));
        foreach (string counter in new[] { "translations", "compared", "agreed", "tlbHits", "tlbMisses", "walks", "descriptorReads" })
        {
            Assert.Equal(json.GetProperty(counter).GetInt64(), streams.Sum(s => s.GetProperty(counter).GetInt64()));
        }

        foreach (JsonElement stream in streams)
        {
            string sid = "0x" + stream.GetProperty("streamId").GetUInt32().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(rows.Count(r => r[0] == sid), stream.GetProperty("translations").GetInt64());
        }

        // Every lookup either hit or walked. Each walk is one stage (stage-1-only or stage-2-only streams) of a 4-level
        // 4 KB table (T0SZ 16 / S2SL0 2) and looks in its walk cache once (IHI0070 §16.2): a miss reads all 4 levels, a
        // hit resumes below a cached table descriptor and reads 1 to 3.
        Assert.Equal(rows.Length, json.GetProperty("tlbHits").GetInt64() + json.GetProperty("tlbMisses").GetInt64());
        long walks = json.GetProperty("walks").GetInt64();
        long walkCacheHits = json.GetProperty("walkCacheHits").GetInt64();
        long walkCacheMisses = json.GetProperty("walkCacheMisses").GetInt64();
        Assert.Equal(json.GetProperty("tlbMisses").GetInt64(), walks);
        Assert.Equal(walks, walkCacheHits + walkCacheMisses);
        Assert.InRange(json.GetProperty("descriptorReads").GetInt64(), (4 * walkCacheMisses) + walkCacheHits, (4 * walkCacheMisses) + (3 * walkCacheHits));

        // The Linux driver maps its IOVAs close together: nearly every walk finds its last-level table cached.
        Assert.True(walkCacheHits > 0.9 * walks, $"{walkCacheHits} walk-cache hits in {walks} walks");
    }

    [Fact]
    public void Json_output_has_every_documented_key_as_a_number()
    {
        var (code, output, _) = CliRunner.Run("replay", Recording("linux61-qemu72-strict"), "--json", "--tlb-entries", "64,128");

        Assert.Equal(0, code);
        JsonElement json = JsonDocument.Parse(output).RootElement;
        foreach (string key in new[] { "translations", "compared", "agreed", "disagreed", "tlbHits", "tlbMisses", "tlbHitRate", "walks", "descriptorReads" })
        {
            Assert.Equal(JsonValueKind.Number, json.GetProperty(key).ValueKind);
        }

        Assert.All(json.GetProperty("faults").EnumerateObject(), f => Assert.Equal(JsonValueKind.Number, f.Value.ValueKind));
        JsonElement stream = json.GetProperty("streams")[0];
        foreach (string key in new[] { "streamId", "translations", "compared", "agreed", "disagreed", "tlbHits", "tlbMisses", "tlbHitRate", "walks", "descriptorReads" })
        {
            Assert.Equal(JsonValueKind.Number, stream.GetProperty(key).ValueKind);
        }

        JsonElement[] sweep = [.. json.GetProperty("sweep").EnumerateArray()];
        Assert.Equal([64, 128], sweep.Select(p => p.GetProperty("tlbEntries").GetInt32()));
        foreach (string key in new[] { "tlbEntries", "tlbWays", "tlbHitRate", "walks", "walksPer1000" })
        {
            Assert.Equal(JsonValueKind.Number, sweep[0].GetProperty(key).ValueKind);
        }
    }

    [Fact]
    public void A_row_whose_recorded_pa_the_model_does_not_give_is_a_disagreement_with_the_reasons()
    {
        string folder = CopyRecording("linux61-qemu72-strict", (line, index) =>
            index == 1 ? line.Replace("\t0x4801f002\t0x3\t0x4801f002\t", "\t0x4801f003\t0x3\t0x4801f002\t", StringComparison.Ordinal) : line);

        var (code, output, _) = CliRunner.Run("replay", folder);

        Assert.Equal(CliApp.RuntimeError, code);
        Assert.Contains("759 of 760 comparable rows agreed", output, StringComparison.Ordinal);
        Assert.Contains("✗ row 1: StreamID 0x8 read 0xFFFFD002: expected 0x4801F003, got 0x4801F002. Why:", output, StringComparison.Ordinal);
        Assert.Contains("STE", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recorded_permission_the_model_does_not_enforce_is_a_disagreement()
    {
        // Stage-2 recording: a write-only page (S2AP 0b10). Claiming it read/write makes the replay read it, which
        // stage 2 denies with F_PERMISSION (IHI0070 §7.3; S2AP, DDI0487 D8.4), so that row no longer agrees.
        string folder = CopyRecording("linux61-qemu10-s2-strict", (line, index) =>
            index > 0 && line.EndsWith("\tyes\t0x2", StringComparison.Ordinal) ? line[..^3] + "0x3" : line);
        int writeOnly = File.ReadLines(Path.Combine(Recording("linux61-qemu10-s2-strict"), "translations.tsv")).Count(l => l.EndsWith("\tyes\t0x2", StringComparison.Ordinal));

        var (code, output, _) = CliRunner.Run("replay", folder, "--json", "--disagreements", "1");

        Assert.Equal(CliApp.RuntimeError, code);
        JsonElement json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(writeOnly, json.GetProperty("disagreed").GetInt64());
        JsonElement first = Assert.Single(json.GetProperty("disagreements").EnumerateArray());
        Assert.Equal("F_PERMISSION", first.GetProperty("got").GetString());
    }

    [Fact]
    public void A_missing_recording_folder_is_exit_2_naming_it()
    {
        string missing = Path.Combine(_directory, "no-such-recording");

        var (code, _, error) = CliRunner.Run("replay", missing);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains($"{missing}: no such recording folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_translations_row_is_exit_2_naming_file_and_line()
    {
        string folder = CopyRecording("linux61-qemu72-strict", (line, index) => index == 3 ? "0x8\tnot-hex\t0x1\t0x3\tfault\t-\t-" : line);

        var (code, _, error) = CliRunner.Run("replay", folder);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("translations.tsv:4: iova 'not-hex' is not a hex number", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gzip_compressed_translations_file_replays_like_the_plain_one()
    {
        string source = Recording("linux61-qemu72-strict");
        string folder = CopyRecording("linux61-qemu72-strict", (line, _) => line);
        string plain = Path.Combine(folder, "translations.tsv");
        using (var gz = new System.IO.Compression.GZipStream(File.Create(plain + ".gz"), System.IO.Compression.CompressionLevel.Fastest))
        using (var input = File.OpenRead(plain))
        {
            input.CopyTo(gz);
        }

        File.Delete(plain);

        var compressed = CliRunner.Run("replay", folder, "--json");
        var original = CliRunner.Run("replay", source, "--json");

        Assert.Equal(0, compressed.Code);
        Assert.Equal(original.Output.Replace(source, folder, StringComparison.Ordinal), compressed.Output);
    }

    [Fact]
    public void A_file_given_as_a_recording_is_exit_2_pointing_at_setup()
    {
        string file = Path.Combine(RunCommandTests.ExamplesDirectory(), "dma-traffic.trace");

        var (code, _, error) = CliRunner.Run("replay", file);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("is a file; a recording is a folder", error, StringComparison.Ordinal);
        Assert.Contains("--setup", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replaying_twice_gives_the_same_counters()
    {
        string folder = Recording("linux61-qemu72-strict");
        Assert.Equal(CliRunner.Run("replay", folder, "--json").Output, CliRunner.Run("replay", folder, "--json").Output);
    }

    internal static string Recording(string name) => Path.Combine(RunCommandTests.ExamplesDirectory(), "recordings", name);

    private string CopyRecording(string name, Func<string, int, string> edit)
    {
        string source = Recording(name);
        string copy = Path.Combine(_directory, name);
        Directory.CreateDirectory(copy);
        foreach (string file in new[] { "regs.tsv", "memory.bin" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(copy, file));
        }

        File.WriteAllLines(Path.Combine(copy, "translations.tsv"), File.ReadLines(Path.Combine(source, "translations.tsv")).Select(edit));
        return copy;
    }
}
