using System.Diagnostics;
using ArmSmmu.Driver;
using ArmSmmu.Memory;
using ArmSmmu.Structures;

namespace ArmSmmu.Soak;

/// <summary>Totals of one soak.</summary>
internal sealed record SoakResult(long Translations, long Remaps, long Violations, string? FirstViolation, TimeSpan Elapsed, string TlbStatistics);

/// <summary>
/// Translators against a remapper on one device. The rule checked (IHI0070 §3.21.3, §4.7.3 CMD_SYNC): a translation
/// that starts after the CMD_SYNC following a remap has completed never returns an older mapping; one that overlaps
/// the remap returns the old or the new mapping, never anything else and never a fault.
/// </summary>
internal sealed class SoakRun
{
    private readonly SparseMemory _memory = new();
    private readonly SmmuV3 _device;
    private readonly SmmuDriver _driver;
    private readonly List<SoakStream> _streams = [];
    private ulong _nextTable = SoakStream.TableRegion;
    private long _violations;
    private long _remapperChecks;
    private string? _firstViolation;

    public SoakRun(string filter = "")
    {
        _device = new SmmuV3(_memory);
        _driver = new SmmuDriver(_device, _memory, new PhysicalAllocator(_memory, 0xF000_0000, 0x1000_0000));
        _driver.Initialize();
        uint sid = 1;
        foreach (var config in SoakConfig.All.Where(c => c.Name.Contains(filter, StringComparison.Ordinal)))
        {
            // Nested streams get their own VMID; stage-1 streams share VMID 0 with distinct ASIDs.
            var stream = new SoakStream(config, sid, asid: (ushort)sid, vmid: config.Nested ? (ushort)sid : (ushort)0, _memory, Allocate);
            ulong cd = Allocate(0x1000);
            if (!stream.Cd().TryWrite(_memory, cd))
            {
                throw new InvalidOperationException("CD write failed");
            }

            _driver.WriteSte(sid, stream.Ste(cd));
            _streams.Add(stream);
            sid++;
        }
    }

    public IReadOnlyList<SoakConfig> Configs => [.. _streams.Select(s => s.Config)];

    public SoakResult Run(TimeSpan duration, int translators, int seed)
    {
        var stopwatch = Stopwatch.StartNew();
        long translations = 0;
        long remaps = 0;
        using var stop = new CancellationTokenSource(duration);
        var threads = new List<Thread>();
        for (int t = 0; t < translators; t++)
        {
            var random = new Random(seed + 1 + t);
            threads.Add(new Thread(() => Interlocked.Add(ref translations, Translate(random, stop.Token))));
        }

        var remapRandom = new Random(seed);
        threads.Add(new Thread(() => remaps = Remap(remapRandom, stop.Token)));
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return new SoakResult(translations + _remapperChecks, remaps, _violations, _firstViolation, stopwatch.Elapsed, _device.Statistics.Tlb.ToString());
    }

    private ulong Allocate(ulong size)
    {
        ulong address = (_nextTable + size - 1) & ~(size - 1);
        _nextTable = address + size;
        if (_nextTable > SoakStream.TableRegionEnd)
        {
            throw new InvalidOperationException("soak table region exhausted");
        }

        return address;
    }

    private long Remap(Random random, CancellationToken stop)
    {
        long count = 0;
        _remapperChecks = 0;
        while (!stop.IsCancellationRequested)
        {
            var stream = _streams[random.Next(_streams.Count)];
            int slot = random.Next(SoakStream.Slots);
            // The remapper translates the first pieces of the leaf before and after, so the TLB holds every piece
            // when the TLBI comes, whatever the translators happen to be doing.
            TranslatePieces(stream, slot);
            long generation = stream.Written[slot] + 1;
            ulong output = stream.Output(slot, generation);
            stream.History[slot][generation % SoakStream.HistoryLength] = output;
            Volatile.Write(ref stream.Written[slot], generation);
            ulong va = stream.SlotAddress(slot);
            stream.Stage1.Map(va, stream.Config.Stage1Level, output);
            _driver.SubmitAndSync(Invalidation(random, stream, va));
            Volatile.Write(ref stream.Completed[slot], generation);
            TranslatePieces(stream, slot);
            count++;
        }

        return count;
    }

    /// <summary>Any sufficient invalidation of one replaced stage-1 leaf (IHI0070 §4.4.2), by any address inside it.</summary>
    private static Command Invalidation(Random random, SoakStream stream, ulong va)
    {
        ulong inside = va + ((ulong)random.Next(8) * 0x1000 % stream.LeafSize);
        var tg = (RangeGranule)((stream.Stage1.Format.PageShift - 10) / 2);
        return random.Next(5) switch
        {
            0 => Command.TlbiNhVa(stream.Vmid, stream.Asid, inside, leaf: true),
            1 => Command.TlbiNhVaa(stream.Vmid, inside, leaf: true),
            // (NUM + 1) x 2^SCALE granules (IHI0070 §4.4.1.1); the TTL hint names the leaf level.
            2 => Command.TlbiNhVa(stream.Vmid, stream.Asid, va, leaf: true, num: 0, scale: (uint)(stream.Stage1.Format.Shift(stream.Config.Stage1Level) - stream.Stage1.Format.PageShift), ttl: (uint)stream.Config.Stage1Level, tg: tg),
            3 => Command.TlbiNhAsid(stream.Vmid, stream.Asid),
            _ => Command.TlbiS12Vmall(stream.Vmid),
        };
    }

    private void TranslatePieces(SoakStream stream, int slot)
    {
        for (ulong offset = 0; offset < Math.Min(stream.LeafSize, 8 * 0x1000UL); offset += 0x1000)
        {
            Check(stream, slot, offset);
            _remapperChecks++;
        }
    }

    private void Check(SoakStream stream, int slot, ulong offset)
    {
        long oldest = Volatile.Read(ref stream.Completed[slot]);
        var result = _device.Translate(new TranslationRequest(stream.Sid, stream.SlotAddress(slot) + offset, AccessKind.Read));
        long newest = Volatile.Read(ref stream.Written[slot]);
        if (!Allowed(stream, slot, offset, oldest, newest, result))
        {
            Interlocked.Increment(ref _violations);
            Interlocked.CompareExchange(ref _firstViolation,
                $"{stream.Config.Name} SID {stream.Sid} slot {slot} offset 0x{offset:X}: {result}; allowed generations {oldest}..{newest}", null);
        }
    }

    private long Translate(Random random, CancellationToken stop)
    {
        long count = 0;
        while (!stop.IsCancellationRequested)
        {
            var stream = _streams[random.Next(_streams.Count)];
            int slot = random.Next(SoakStream.Slots);
            Check(stream, slot, ((ulong)random.Next(64) * 0x1000 % stream.LeafSize) + (ulong)random.Next(0x1000));
            count++;
        }

        return count;
    }

    private static bool Allowed(SoakStream stream, int slot, ulong offset, long oldest, long newest, in TranslationResult result)
    {
        if (!result.IsSuccess || newest - oldest >= SoakStream.HistoryLength)
        {
            return result.IsSuccess;
        }

        for (long g = oldest; g <= newest; g++)
        {
            if (result.PhysicalAddress == stream.Expected(stream.History[slot][g % SoakStream.HistoryLength], offset))
            {
                return true;
            }
        }

        return false;
    }
}
