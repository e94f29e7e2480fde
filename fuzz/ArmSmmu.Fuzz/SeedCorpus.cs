using System.Buffers.Binary;
using System.Globalization;
using ArmSmmu.Cli.Scenarios;
using ArmSmmu.Memory;
using ArmSmmu.Structures;

namespace ArmSmmu.Fuzz;

/// <summary>
/// Seeds from the shipped material: each recording (examples/recordings: memory.bin, regs.tsv, mmio.tsv,
/// translations.tsv) and each scenario (examples/*.json, set up by the library's own driver) becomes a guest program
/// that recreates its memory and registers and replays its translations, so fuzzing starts from real driver states.
/// </summary>
internal static class SeedCorpus
{
    private const int TranslationsPerSeed = 64;

    public static int Write(string examples, string output)
    {
        Directory.CreateDirectory(output);
        int count = 0;
        foreach (string recording in Directory.GetDirectories(Path.Combine(examples, "recordings")).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(recording);
            File.WriteAllBytes(Path.Combine(output, $"recording-{name}-regs"), FromRecording(recording, replayMmio: false));
            File.WriteAllBytes(Path.Combine(output, $"recording-{name}-mmio"), FromRecording(recording, replayMmio: true));
            count += 2;
        }

        foreach (string scenario in Directory.GetFiles(examples, "*.json").Order(StringComparer.Ordinal))
        {
            File.WriteAllBytes(Path.Combine(output, $"scenario-{Path.GetFileNameWithoutExtension(scenario)}"), FromScenario(scenario));
            count++;
        }

        var bringUp = new ProgramWriter();
        bringUp.Op(GuestOp.BringUp);
        bringUp.Translate(0, 0x1000, AccessKind.Read, null);
        File.WriteAllBytes(Path.Combine(output, "bring-up"), bringUp.ToArray());
        return count + 1;
    }

    private static byte[] FromRecording(string folder, bool replayMmio)
    {
        // memory.bin: records of an 8-byte page PA and the page's 4096 bytes (shared/oracle/README.md).
        byte[] image = File.ReadAllBytes(Path.Combine(folder, "memory.bin"));
        var memory = new SortedDictionary<ulong, ulong>();
        for (int at = 0; at + 8 + 4096 <= image.Length; at += 8 + 4096)
        {
            ulong page = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(at));
            AddWords(memory, page, image.AsSpan(at + 8, 4096));
        }

        return Seed(memory, w => RecordingRegistersAndTranslations(w, folder, replayMmio));
    }

    private static void RecordingRegistersAndTranslations(ProgramWriter w, string folder, bool replayMmio)
    {
        string registers = replayMmio ? "mmio.tsv" : "regs.tsv";
        foreach (string[] row in Rows(Path.Combine(folder, registers)))
        {
            int shift = replayMmio ? 1 : 0;
            if (replayMmio && row[0] != "W")
            {
                continue;
            }

            ulong offset = Hex(row[shift]);
            ulong value = Hex(row[shift + 2]);
            if (row[shift + 1] == "8")
            {
                w.Write64(offset, value);
            }
            else
            {
                w.Write32(offset, (uint)value);
            }
        }

        foreach (string[] row in Rows(Path.Combine(folder, "translations.tsv")).Take(TranslationsPerSeed))
        {
            w.Translate((uint)Hex(row[0]), Hex(row[1]), AccessKind.Read, null);
        }

        w.Op(GuestOp.DrainEvents);
    }

    private static byte[] FromScenario(string path)
    {
        var scenario = ScenarioLoader.Load(path);
        var iommu = ScenarioRunner.Configure(scenario, path);
        // The driver's structures and tables are in its allocator window; copy every non-zero word.
        var allocator = iommu.Driver.Allocator;
        ulong end = allocator.BaseAddress + Math.Min(allocator.Size, Math.Max(16UL << 20, 8 * allocator.BytesInUse));
        var memory = new SortedDictionary<ulong, ulong>();
        byte[] page = new byte[4096];
        for (ulong address = allocator.BaseAddress; address < end; address += 4096)
        {
            if (iommu.Memory.TryRead(address, page))
            {
                AddWords(memory, address, page);
            }
        }

        return Seed(memory, w => ScenarioRegistersAndTransactions(w, iommu.Device, scenario));
    }

    private static void ScenarioRegistersAndTransactions(ProgramWriter w, SmmuV3 device, Scenario scenario)
    {
        foreach (ulong register in new[] { SmmuRegister.CR1, SmmuRegister.CR2, SmmuRegister.STRTAB_BASE_CFG, SmmuRegister.CMDQ_PROD, SmmuRegister.CMDQ_CONS, SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS, SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS, SmmuRegister.GBPA })
        {
            w.Write32(register, device.ReadRegister32(register));
        }

        foreach (ulong register in new[] { SmmuRegister.STRTAB_BASE, SmmuRegister.CMDQ_BASE, SmmuRegister.EVENTQ_BASE, SmmuRegister.PRIQ_BASE })
        {
            w.Write64(register, device.ReadRegister64(register));
        }

        w.Write32(SmmuRegister.IRQ_CTRL, device.ReadRegister32(SmmuRegister.IRQ_CTRL));
        w.Write32(SmmuRegister.CR0, device.ReadRegister32(SmmuRegister.CR0));
        foreach (var t in scenario.Transactions.Take(TranslationsPerSeed))
        {
            w.Translate(t.StreamId, t.AddressValue, t.AccessValue, t.Pasid, t.Privileged, t.Secure);
        }

        w.Op(GuestOp.DrainEvents);
    }

    private static void AddWords(SortedDictionary<ulong, ulong> memory, ulong address, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i + 8 <= bytes.Length; i += 8)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]);
            if (word != 0)
            {
                memory[address + (ulong)i] = word;
            }
        }
    }

    // A seed is the memory image, then `registersAndTranslations`. The image is cut to the lines around what the device
    // read when the whole seed ran (a scenario's 12 MB of mappings has thousands of leaf descriptors, two of them used),
    // and written as blocks of consecutive words: small seeds keep every execution of the fuzzer short.
    private static byte[] Seed(SortedDictionary<ulong, ulong> memory, Action<ProgramWriter> registersAndTranslations)
    {
        var whole = new ProgramWriter();
        WriteImage(whole, memory);
        registersAndTranslations(whole);
        var replay = new SparseMemory(FuzzLayout.MemorySize);
        var recorder = new ReadRecorder(replay);
        GuestProgram.Run(whole.ToArray(), replay, recorder);

        var seed = new ProgramWriter();
        WriteImage(seed, memory.Where(word => recorder.LinesRead.Contains(word.Key / ReadRecorder.LineBytes)));
        registersAndTranslations(seed);
        return seed.ToArray();
    }

    private static void WriteImage(ProgramWriter w, IEnumerable<KeyValuePair<ulong, ulong>> memory)
    {
        var run = new List<ulong>();
        ulong start = 0;
        foreach (var (address, word) in memory)
        {
            if (run.Count > 0 && address != start + ((ulong)run.Count * 8))
            {
                w.WriteBlock(start, [.. run]);
                run.Clear();
            }

            if (run.Count == 0)
            {
                start = address;
            }

            run.Add(word);
        }

        if (run.Count > 0)
        {
            w.WriteBlock(start, [.. run]);
        }
    }

    private static IEnumerable<string[]> Rows(string path) => File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t'));

    private static ulong Hex(string text) => ulong.Parse(text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
