using System.Globalization;
using System.Text;
using ArmSmmu.Structures;
using ArmSmmu.Tests.Device;

namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// One run of the isolation property: a device with random streams (abort, bypass, stage 1, stage 2, nested; every
/// granule, several input sizes and so start levels; TTB1; substreams; shared ASIDs and VMIDs), then random maps,
/// remaps, unmaps and reconfigurations, each followed by an invalidation the architecture says is sufficient and a
/// CMD_SYNC, interleaved with translations that must all equal <see cref="ReferenceWalker"/> on today's memory.
/// </summary>
internal sealed partial class IsolationWorld
{
    // Stage-1 inputs live in 2 GB at the bottom (TTB0) and top (TTB1) of the VA space; stage-2 inputs in [1 GB, 2 GB).
    private const ulong Window = 0x8000_0000;
    private const ulong Ttb1Window = ~(Window - 1);
    private const ulong IpaWindow = 0x4000_0000;
    // Every table and CD is allocated in [512 MB, 1 GB), identity-mapped by every stage-2 space with blocks.
    private const ulong TableRegion = 0x2000_0000;
    private static readonly int[] PageShifts = [12, 14, 16];

    private readonly Choices _c;
    private readonly IsolationOptions _options;
    private readonly DeviceHarness _h = new();
    private readonly List<Stage2Space> _stage2 = [];
    private readonly List<Stage1Space> _stage1 = [];
    private readonly List<StreamState> _streams = [];
    private readonly StringBuilder _log = new();
    private ulong _nextPa = 0x10_0000_0000;

    public IsolationWorld(Choices choices, IsolationOptions options)
    {
        _c = choices;
        _options = options;
        _h.Reset(sidBits: 8);
        for (int i = 0, n = 1 + _c.Next(2); i < n; i++)
        {
            _stage2.Add(NewStage2Space((ushort)(1 + i)));
        }

        for (int i = 0, n = 2 + _c.Next(3); i < n; i++)
        {
            int parent = _c.Next(_stage2.Count + 1);
            NewStage1Space(parent == 0 ? null : _stage2[parent - 1]);
        }

        // Every kind of stream must be constructible: one stage-1-only space and one child per stage-2 space.
        if (!_stage1.Any(s => s.Parent is null))
        {
            NewStage1Space(null);
        }

        foreach (var s2 in _stage2.Where(s2 => !_stage1.Any(s => s.Parent == s2)))
        {
            NewStage1Space(s2);
        }

        for (int i = 0, n = 2 + _c.Next(3); i < n; i++)
        {
            uint sid = (uint)((i * 64) + _c.Next(64));
            var stream = new StreamState(sid);
            _streams.Add(stream);
            Configure(stream, (StreamKind)_c.Next(5));
            _h.Submit(Command.CfgiSte(sid, leaf: true));
        }

        Log($"world: {string.Join("; ", _streams)}");
    }

    /// <summary>Everything the run did, one line per operation, command and translation.</summary>
    public string Transcript => _log.ToString();

    /// <summary>Translations compared with the reference so far.</summary>
    public long Translations { get; private set; }

    /// <summary>Interprets the remaining choices as operations until they run out.</summary>
    public void Run()
    {
        while (_c.More)
        {
            switch (_c.Next(16))
            {
                case < 7:
                    for (int i = 0; i < 4; i++)
                    {
                        TranslateAndCheck();
                    }

                    break;
                case < 11:
                    MapStage1();
                    break;
                case 11:
                    UnmapStage1();
                    break;
                case < 14:
                    MapStage2();
                    break;
                case 14:
                    UnmapStage2();
                    break;
                default:
                    Reconfigure();
                    break;
            }
        }
    }

    private Stage2Space NewStage2Space(ushort vmid)
    {
        int shift = _c.Pick(PageShifts);
        // Stage 2 starts at level 1 at most for 16 KB and 64 KB (S2SL0 cannot name level 0 there without concatenation).
        int bits = 32 + _c.Next(shift == 14 ? 16 : 17);
        var tables = new GuestTables(_h.Memory, size => _h.AllocatePage(size), new TableFormat(shift, bits), stage2: true);
        ulong block = tables.Format.EntrySize(2);
        for (ulong ipa = TableRegion; ipa < IpaWindow; ipa += block)
        {
            tables.Map(ipa, 2, ipa);
        }

        return new Stage2Space(vmid, tables);
    }

    private void NewStage1Space(Stage2Space? parent)
    {
        // ASIDs repeat across VMIDs (they must not alias there) and never within one VMID.
        ushort asid = (ushort)(1 + _c.Next(3));
        while (_stage1.Any(s => s.Parent == parent && s.Asid == asid))
        {
            asid++;
        }

        var ttb0 = new GuestTables(_h.Memory, size => _h.AllocatePage(size), new TableFormat(_c.Pick(PageShifts), 32 + _c.Next(17)), stage2: false);
        GuestTables? ttb1 = _c.Coin()
            ? new GuestTables(_h.Memory, size => _h.AllocatePage(size), new TableFormat(_c.Pick(PageShifts), 32 + _c.Next(17)), stage2: false)
            : null;
        _stage1.Add(new Stage1Space(asid, parent, ttb0, ttb1));
    }

    private void Log(string line) => _log.AppendLine(line);

    private static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>A leaf-aligned input in the window: near its start or its middle, so leaves of every size overlap.</summary>
    private ulong WindowAddress(ulong windowBase, ulong width, ulong size)
    {
        ulong offset = ((ulong)_c.Next(2) * (width / 2)) + ((ulong)_c.Next(4) * size);
        return windowBase + GuestTables.AlignDown(offset % width, size);
    }

    private ulong NextPa(ulong size)
    {
        ulong pa = (_nextPa + size - 1) & ~(size - 1);
        _nextPa = pa + size;
        return pa;
    }

    private static void Remember(List<(ulong Base, ulong Size)> leaves, ulong address, ulong size)
    {
        leaves.Add((address, size));
        if (leaves.Count > 24)
        {
            leaves.RemoveAt(0);
        }
    }

    private int LeafLevel(TableFormat format)
    {
        var levels = Enumerable.Range(1, 3).Where(format.IsLeafLevel).ToArray();
        return _c.Pick(levels);
    }
}
