using System.Buffers.Binary;
using System.Globalization;
using ArmSmmu.Structures;

namespace ArmSmmu.Cli.Replay;

/// <summary>
/// A recorded run of a driver on a platform (examples/recordings/README.md): the memory the SMMU's structures reach
/// (memory.bin), the registers the driver left (regs.tsv), and every translation the platform made (translations.tsv).
/// </summary>
internal sealed class Recording
{
    private const int PageSize = 4096;
    private const int EventQueueLog2 = 7; // 128 records of 32 bytes: one page

    private readonly byte[] _image;
    private readonly Dictionary<ulong, ulong> _registers;

    private Recording(string folder, byte[] image, Dictionary<ulong, ulong> registers, string translations)
    {
        Folder = folder;
        _image = image;
        _registers = registers;
        TranslationsPath = translations;
    }

    /// <summary>The recording's folder.</summary>
    public string Folder { get; }

    /// <summary>translations.tsv or translations.tsv.gz.</summary>
    public string TranslationsPath { get; }

    /// <summary>Reads memory.bin and regs.tsv and finds translations.tsv[.gz].</summary>
    /// <param name="folder">The recording's folder.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="CliUsageException">The folder or one of its files is missing or malformed.</exception>
    public static Recording Open(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new CliUsageException(File.Exists(folder)
                ? $"{folder}: is a file; a recording is a folder with regs.tsv, memory.bin and translations.tsv (or give --setup SCENARIO.json for a trace)"
                : $"{folder}: no such recording folder");
        }

        string translations = Path.Combine(folder, "translations.tsv");
        if (!File.Exists(translations))
        {
            translations += ".gz";
        }

        foreach (string path in new[] { Path.Combine(folder, "regs.tsv"), Path.Combine(folder, "memory.bin"), translations })
        {
            if (!File.Exists(path))
            {
                throw new CliUsageException($"{path}: missing; a recording has regs.tsv, memory.bin and translations.tsv (or translations.tsv.gz)");
            }
        }

        byte[] image = File.ReadAllBytes(Path.Combine(folder, "memory.bin"));
        if (image.Length % (8 + PageSize) != 0)
        {
            throw new CliUsageException($"{Path.Combine(folder, "memory.bin")}: {image.Length} bytes is not a whole number of records (8-byte page address + 4096 bytes)");
        }

        return new Recording(folder, image, ReadRegisters(Path.Combine(folder, "regs.tsv")), translations);
    }

    /// <summary>
    /// A fresh SMMU over a fresh copy of the memory image, set up as the driver left it: CR1, CR2, STRTAB_BASE and
    /// STRTAB_BASE_CFG from regs.tsv, an event queue of its own in memory the image does not use, SMMUEN and EVENTQEN
    /// (IHI0070 §6.3.9). The driver's command queue is left disabled: its contents are not in the image.
    /// </summary>
    /// <param name="features">The device's features (cache geometry).</param>
    /// <returns>The device, and a checker device over the same memory for forbidden-permission probes.</returns>
    public ReplayTarget BringUp(SmmuFeatures features)
    {
        var memory = new SparseMemory();
        ulong highest = 0;
        for (int offset = 0; offset < _image.Length; offset += 8 + PageSize)
        {
            ulong page = BinaryPrimitives.ReadUInt64LittleEndian(_image.AsSpan(offset, 8));
            memory.Write(page, _image.AsSpan(offset + 8, PageSize));
            highest = Math.Max(highest, page);
        }

        // The page after the highest imaged page is free: nothing the walks reach lives there.
        ulong eventQueue = (highest + (2 * PageSize)) & ~(ulong)(PageSize - 1);
        SmmuV3 device = Enable(new SmmuV3(memory, features), eventQueue);
        SmmuV3 checker = Enable(new SmmuV3(memory, features), null);
        return new ReplayTarget(device, () => device.WriteRegister32(SmmuRegister.EVENTQ_CONS, device.ReadRegister32(SmmuRegister.EVENTQ_PROD)), checker);
    }

    private SmmuV3 Enable(SmmuV3 smmu, ulong? eventQueue)
    {
        smmu.WriteRegister32(SmmuRegister.CR1, (uint)_registers.GetValueOrDefault(SmmuRegister.CR1));
        smmu.WriteRegister32(SmmuRegister.CR2, (uint)_registers.GetValueOrDefault(SmmuRegister.CR2));
        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, Required(SmmuRegister.STRTAB_BASE));
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, (uint)Required(SmmuRegister.STRTAB_BASE_CFG));
        var cr0 = Cr0Flags.SMMUEN;
        if (eventQueue is ulong queue)
        {
            smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, queue | EventQueueLog2);
            cr0 |= Cr0Flags.EVENTQEN;
        }

        smmu.WriteRegister32(SmmuRegister.CR0, (uint)cr0);
        return smmu;
    }

    private ulong Required(ulong offset) => _registers.TryGetValue(offset, out ulong value)
        ? value
        : throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"{Path.Combine(Folder, "regs.tsv")}: no value for register 0x{offset:x}, which the replay needs"));

    private static Dictionary<ulong, ulong> ReadRegisters(string path)
    {
        var registers = new Dictionary<ulong, ulong>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            string[] fields = line.Split('\t');
            if (number == 1 || line.Length == 0)
            {
                continue; // the header
            }

            if (fields.Length < 3 || !TryHex(fields[0], out ulong offset) || !TryHex(fields[2], out ulong value))
            {
                throw new CliUsageException($"{path}:{number}: expected offset, size and value, tab-separated, hex with 0x");
            }

            registers[offset] = value;
        }

        return registers;
    }

    private static bool TryHex(string text, out ulong value) =>
        ulong.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text.AsSpan(2) : text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
