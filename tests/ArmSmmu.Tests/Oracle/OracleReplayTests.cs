using System.Globalization;
using System.Text.RegularExpressions;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Oracle;

/// <summary>
/// Differential tests against QEMU 7.2's SMMUv3, as programmed by Linux 6.1's arm-smmu-v3 driver
/// (2-level stream table SPLIT 8, stage-1 CDs with T0SZ 16 and 4K pages, ASIDs 1-3, range TLBIs).
/// </summary>
public partial class OracleReplayTests
{
    private const ulong EventQueue = 0x1_0000_0000; // outside the recorded guest RAM (0x4000_0000 + 512 MiB)
    private const int EventQueueLog2 = 4;

    [Fact]
    public void Final_memory_gives_qemus_pa_for_every_still_mapped_iova_and_f_translation_for_every_unmapped_one()
    {
        var dataset = OracleDataset.Load();
        var memory = dataset.LoadMemory();
        var registers = dataset.LoadRegisters();
        var smmu = new SmmuV3(memory);

        // The README's recipe: the stream table registers Linux left, CR1/CR2, an event queue of our own, SMMUEN.
        smmu.WriteRegister32(SmmuRegister.CR1, (uint)registers[SmmuRegister.CR1]);
        smmu.WriteRegister32(SmmuRegister.CR2, (uint)registers[SmmuRegister.CR2]);
        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, registers[SmmuRegister.STRTAB_BASE]);
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, (uint)registers[SmmuRegister.STRTAB_BASE_CFG]);
        smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, EventQueue | EventQueueLog2);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.EVENTQEN));

        var rows = dataset.LoadTranslations();
        int mapped = 0, unmapped = 0;
        foreach (var row in rows)
        {
            var read = smmu.Translate(new TranslationRequest(row.StreamId, row.Iova, AccessKind.Read));
            if (row.Agree == "yes")
            {
                Assert.True(read.IsSuccess, $"SID 0x{row.StreamId:X} IOVA 0x{row.Iova:X}: {read}");
                Assert.Equal(row.QemuPa, read.PhysicalAddress);
                if ((row.QemuPerm & 2) != 0)
                {
                    var write = smmu.Translate(new TranslationRequest(row.StreamId, row.Iova, AccessKind.Write));
                    Assert.Equal(row.QemuPa, write.PhysicalAddress);
                }

                mapped++;
            }
            else
            {
                Assert.Null(row.FinalPa);
                Assert.Equal(TranslationOutcome.Faulted, read.Outcome);
                Assert.Equal(EventType.FTranslation, read.Fault);
                var record = Assert.Single(DrainEvents(smmu, memory));
                Assert.Equal(EventType.FTranslation, record.Type);
                Assert.Equal(row.StreamId, record.StreamId);
                Assert.Equal(row.Iova, record.InputAddress);
                Assert.False(record.S2);
                Assert.Equal(FaultClass.IN, record.Class);
                unmapped++;
            }
        }

        // summary.txt: 760 agreeing translations, 3225 unmapped by the end.
        Assert.Equal(760, mapped);
        Assert.Equal(3225, unmapped);
    }

    // With the driver-bug detector on (SmmuFeatures.CheckDriver), Linux, a correct driver, gets no report.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Linux_mmio_and_command_stream_replayed_in_order_reads_back_what_qemu_returned(bool checkDriver)
    {
        var dataset = OracleDataset.Load();
        var memory = dataset.LoadMemory();
        var finalPages = dataset.LoadTranslations().Where(r => r.Agree == "yes").Select(r => (r.StreamId, r.Iova >> 12)).ToHashSet();
        var smmu = new SmmuV3(memory, SmmuFeatures.Default with { CheckDriver = checkDriver });
        var commands = ReconstructCommands(dataset.TraceLines());
        ulong commandQueue = 0;
        uint written = 0;
        int reads = 0, translations = 0, commandsReplayed = 0;

        foreach (string line in dataset.TraceLines())
        {
            var mmio = MmioLine().Match(line);
            if (mmio.Success)
            {
                ulong offset = OracleDataset.Hex(mmio.Groups[2].Value);
                ulong value = OracleDataset.Hex(mmio.Groups[3].Value);
                int size = int.Parse(mmio.Groups[4].Value, CultureInfo.InvariantCulture);
                if (mmio.Groups[1].Value == "write")
                {
                    if (offset == SmmuRegister.CMDQ_BASE)
                    {
                        commandQueue = value & 0x00FF_FFFF_FFFF_FFE0;
                    }

                    if (offset == SmmuRegister.CMDQ_PROD)
                    {
                        // Linux wrote the commands to the queue before publishing PROD; QEMU's trace names them.
                        for (; written < (uint)value; written++)
                        {
                            Assert.True(commands[(int)written].TryWrite(memory, commandQueue + (written * 16UL)));
                            commandsReplayed++;
                        }
                    }

                    if (size == 8)
                    {
                        smmu.WriteRegister64(offset, value);
                    }
                    else
                    {
                        smmu.WriteRegister32(offset, (uint)value);
                    }
                }
                else if (offset >= SmmuRegister.CR0)
                {
                    // Control and queue registers must read as QEMU's did (ID registers describe each model's own features).
                    Assert.Equal(value, size == 8 ? smmu.ReadRegister64(offset) : smmu.ReadRegister32(offset));
                    reads++;
                }

                continue;
            }

            var translate = TranslateLine().Match(line);
            if (translate.Success)
            {
                uint sid = (uint)OracleDataset.Hex(translate.Groups[1].Value);
                ulong iova = OracleDataset.Hex(translate.Groups[2].Value);
                if (finalPages.Contains((sid, iova >> 12)))
                {
                    var result = smmu.Translate(new TranslationRequest(sid, iova, AccessKind.Read));
                    Assert.Equal(OracleDataset.Hex(translate.Groups[3].Value), result.PhysicalAddress);
                    translations++;
                }
            }
        }

        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(0L, smmu.Statistics.CommandErrors);
        Assert.Equal(commands.Count, commandsReplayed);
        Assert.Equal(478, reads); // every non-ID-register read Linux made: CR0, 4 CR0ACK, 2 IRQ_CTRLACK, 471 CMDQ_CONS
        Assert.True(translations >= 760, $"{translations} translations checked");
        Assert.Empty(smmu.DriverCheckReports);
    }

    /// <summary>Rebuilds the commands QEMU consumed from its trace, in queue order, as Linux encodes them (digest §8.4).</summary>
    private static List<Command> ReconstructCommands(IEnumerable<string> lines)
    {
        var commands = new List<Command>();
        string? pending = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("smmuv3_cmdq_opcode", StringComparison.Ordinal))
            {
                Flush();
                pending = line[(line.IndexOf("SMMU_CMD_", StringComparison.Ordinal) + 9)..].Trim();
                if (pending is "SYNC" or "PREFETCH_CONFIG" or "TLBI_NSNH_ALL" or "CFGI_STE_RANGE")
                {
                    commands.Add(pending switch
                    {
                        "SYNC" => Command.Sync(SyncCompletionSignal.Sev),
                        "PREFETCH_CONFIG" => Command.PrefetchConfig(0),
                        "TLBI_NSNH_ALL" => Command.TlbiNsnhAll(),
                        _ => Command.CfgiAll(),
                    });
                    pending = null;
                }

                continue;
            }

            var ste = CfgiSteLine().Match(line);
            if (ste.Success && pending == "CFGI_STE")
            {
                commands.Add(Command.CfgiSte((uint)OracleDataset.Hex(ste.Groups[1].Value), leaf: true));
                pending = null;
                continue;
            }

            var asid = TlbiAsidLine().Match(line);
            if (asid.Success && pending == "TLBI_NH_ASID")
            {
                commands.Add(Command.TlbiNhAsid(0, (ushort)int.Parse(asid.Groups[1].Value, CultureInfo.InvariantCulture)));
                pending = null;
                continue;
            }

            var range = RangeLine().Match(line);
            if (range.Success && pending == "TLBI_NH_VA")
            {
                // num_pages = (NUM + 1) << SCALE (digest §4.4).
                ulong pages = OracleDataset.Hex(range.Groups[5].Value);
                int scale = System.Numerics.BitOperations.TrailingZeroCount(pages);
                uint num = (uint)(pages >> scale) - 1;
                commands.Add(Command.TlbiNhVa(
                    (ushort)int.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture),
                    (ushort)int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture),
                    OracleDataset.Hex(range.Groups[3].Value),
                    leaf: range.Groups[7].Value == "1",
                    num: num,
                    scale: (uint)scale,
                    ttl: uint.Parse(range.Groups[6].Value, CultureInfo.InvariantCulture),
                    tg: (RangeGranule)uint.Parse(range.Groups[4].Value, CultureInfo.InvariantCulture)));
                pending = null;
            }
        }

        Flush();
        return commands;

        void Flush() => Assert.Null(pending); // every traced opcode was matched with its parameters
    }

    private static List<EventRecord> DrainEvents(SmmuV3 smmu, SparseMemory memory)
    {
        var events = new List<EventRecord>();
        uint wrap = (2u << EventQueueLog2) - 1;
        uint cons = smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS);
        uint prod = smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        while ((cons & wrap) != (prod & wrap))
        {
            Assert.True(EventRecord.TryRead(memory, EventQueue + ((cons & ((1u << EventQueueLog2) - 1)) * 32UL), out var record));
            events.Add(record);
            cons = (cons + 1) & wrap;
        }

        smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, cons);
        return events;
    }

    [GeneratedRegex(@"^smmuv3_(read|write)_mmio addr: (0x[0-9a-f]+) val:(0x[0-9a-f]+) size: 0x(\d)")]
    private static partial Regex MmioLine();

    [GeneratedRegex(@"^smmuv3_translate_success \S+ sid=(0x[0-9a-f]+) iova=(0x[0-9a-f]+) translated=(0x[0-9a-f]+)")]
    private static partial Regex TranslateLine();

    [GeneratedRegex(@"^smmuv3_cmdq_cfgi_ste streamid= (0x[0-9a-f]+)")]
    private static partial Regex CfgiSteLine();

    [GeneratedRegex(@"^smmuv3_cmdq_tlbi_nh_asid asid=(\d+)")]
    private static partial Regex TlbiAsidLine();

    [GeneratedRegex(@"^smmuv3_s1_range_inval vmid=(\d+) asid=(\d+) addr=(0x[0-9a-f]+) tg=(\d) num_pages=(0x[0-9a-f]+) ttl=(\d) leaf=(\d)")]
    private static partial Regex RangeLine();
}
