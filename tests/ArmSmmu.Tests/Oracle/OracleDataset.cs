using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace ArmSmmu.Tests.Oracle;

/// <summary>
/// The recording of Linux 6.1's arm-smmu-v3 driver programming QEMU 7.2's SMMUv3 (shared/oracle, shipped in
/// examples/recordings and copied to the test output): final guest memory, last register values, every successful translation
/// QEMU made, and QEMU's trace of every MMIO access and command.
/// </summary>
internal sealed class OracleDataset
{
    public const string Name = "linux61-qemu72-strict";

    private OracleDataset(string folder) => Folder = folder;

    public string Folder { get; }

    public static OracleDataset Load() => new(Path.Combine(AppContext.BaseDirectory, "recordings", Name));

    /// <summary>memory.bin: records of an 8-byte little-endian page PA followed by the page's 4096 bytes.</summary>
    public SparseMemory LoadMemory()
    {
        var memory = new SparseMemory();
        byte[] image = File.ReadAllBytes(Path.Combine(Folder, "memory.bin"));
        Assert.Equal(0, image.Length % (8 + 4096));
        for (int offset = 0; offset < image.Length; offset += 8 + 4096)
        {
            ulong page = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(offset, 8));
            memory.Write(page, image.AsSpan(offset + 8, 4096));
        }

        return memory;
    }

    /// <summary>regs.tsv: the last value Linux wrote to each register.</summary>
    public Dictionary<ulong, ulong> LoadRegisters()
    {
        var registers = new Dictionary<ulong, ulong>();
        foreach (var fields in Rows("regs.tsv"))
        {
            registers[Hex(fields[0])] = Hex(fields[2]);
        }

        return registers;
    }

    /// <summary>translations.tsv rows.</summary>
    public List<OracleTranslation> LoadTranslations() =>
        [.. Rows("translations.tsv").Select(f => new OracleTranslation(
            (uint)Hex(f[0]), Hex(f[1]), Hex(f[2]), (int)Hex(f[3]), f[4] == "fault" ? null : Hex(f[4]), f[5]))];

    /// <summary>The lines of QEMU's trace, in order.</summary>
    public IEnumerable<string> TraceLines()
    {
        using var file = File.OpenRead(Path.Combine(Folder, "trace.log.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private IEnumerable<string[]> Rows(string file) =>
        File.ReadLines(Path.Combine(Folder, file)).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'));

    public static ulong Hex(string text) =>
        ulong.Parse(text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

/// <summary>One row of translations.tsv.</summary>
internal sealed record OracleTranslation(uint StreamId, ulong Iova, ulong QemuPa, int QemuPerm, ulong? FinalPa, string Agree);
