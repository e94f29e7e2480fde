using System.Globalization;
using ArmSmmu.Structures;

namespace ArmSmmu.Cli.Replay;

/// <summary>
/// Replays rows, in order, through one device's <see cref="SmmuV3.Translate"/> and counts what happened. Keeps no
/// per-row state beyond the first few disagreements, so memory stays flat however long the input.
/// </summary>
internal sealed class Replayer
{
    private const int ProgressInterval = 1 << 16;

    private readonly ReplayTarget _target;
    private readonly int _keep;
    private readonly long[] _faults = new long[256];
    private readonly Dictionary<uint, ReplayTally> _streams = [];
    private readonly List<Disagreement> _disagreements = [];
    private ReplayTally? _current;
    private uint _currentSid;
    private CacheCounters _since;
    private long _aborts;

    /// <summary>Replays on <paramref name="target"/>, keeping the first <paramref name="keepDisagreements"/> disagreements.</summary>
    /// <param name="target">The device.</param>
    /// <param name="keepDisagreements">How many disagreements to keep with their explanations.</param>
    public Replayer(ReplayTarget target, int keepDisagreements)
    {
        _target = target;
        _keep = keepDisagreements;

        // Only the replayed traffic counts, not whatever set the device up.
        target.Device.Statistics.Reset();
    }

    /// <summary>The whole replay's counts.</summary>
    public ReplayTally Total { get; } = new();

    /// <summary>The device the traffic goes through.</summary>
    public SmmuV3 Device => _target.Device;

    /// <summary>Counts per StreamID, in order of first appearance.</summary>
    public IReadOnlyDictionary<uint, ReplayTally> Streams => _streams;

    /// <summary>The first disagreements, in row order.</summary>
    public IReadOnlyList<Disagreement> Disagreements => _disagreements;

    /// <summary>Faults by event type name; transactions terminated without an event record count under "abort".</summary>
    public SortedDictionary<string, long> FaultsByType()
    {
        var faults = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (int type = 0; type < _faults.Length; type++)
        {
            if (_faults[type] > 0)
            {
                faults[EventRecord.TypeName((EventType)type)] = _faults[type];
            }
        }

        if (_aborts > 0)
        {
            faults["abort"] = _aborts;
        }

        return faults;
    }

    /// <summary>Replays every row of <paramref name="source"/>.</summary>
    /// <param name="source">The rows.</param>
    /// <param name="progress">Told how far through the input the replay is, now and then; or null.</param>
    public void Replay(IReplaySource source, Action<double?>? progress = null)
    {
        SmmuV3 device = _target.Device;
        _since = CacheCounters.Read(device.Statistics);
        long row = 0;
        while (source.TryRead(out ReplayRow next))
        {
            row++;
            if (next.Request.StreamId != _currentSid || _current is null)
            {
                SwitchStream(next.Request.StreamId);
            }

            TranslationResult result = device.Translate(next.Request);

            _current!.Translations++;
            if (!result.IsSuccess)
            {
                CountFault(result);
            }

            if (next.Check != RowCheck.None)
            {
                Compare(row, next, result);
            }

            if (progress is not null && row % ProgressInterval == 0)
            {
                progress(source.Fraction);
            }
        }

        SwitchStream(_currentSid);
        Total.Translations = row;
        Total.Counters = CacheCounters.Read(device.Statistics);
        progress?.Invoke(1);
    }

    private void CountFault(TranslationResult result)
    {
        _current!.Faults++;
        Total.Faults++;
        if (result.Fault == EventType.None)
        {
            _aborts++;
        }
        else
        {
            _faults[(byte)result.Fault]++;
        }

        if (result.FaultRecorded)
        {
            _target.AcknowledgeEvents();
        }
    }

    /// <summary>Gives the counters since the last switch to the stream that made them.</summary>
    private void SwitchStream(uint sid)
    {
        var now = CacheCounters.Read(_target.Device.Statistics);
        if (_current is not null)
        {
            _current.Counters += now - _since;
        }

        _since = now;
        _currentSid = sid;
        if (!_streams.TryGetValue(sid, out _current))
        {
            _current = new ReplayTally();
            _streams.Add(sid, _current);
        }
    }

    private void Compare(long row, in ReplayRow next, TranslationResult result)
    {
        ReplayTally stream = _current!;
        if (next.Check == RowCheck.Unmapped)
        {
            stream.Unmapped++;
            Total.Unmapped++;
            if (result.Outcome == TranslationOutcome.Faulted && result.Fault == EventType.FTranslation)
            {
                stream.UnmappedFaulted++;
                Total.UnmappedFaulted++;
            }
            else
            {
                Disagree(row, next.Request, "F_TRANSLATION", result);
            }

            return;
        }

        stream.Compared++;
        Total.Compared++;
        if (!result.IsSuccess || result.PhysicalAddress != next.ExpectedPa)
        {
            Disagree(row, next.Request, Hex(next.ExpectedPa), result);
            return;
        }

        // The permission the row records: each access it forbids must fault with F_PERMISSION (IHI0070 §7.3; AP and S2AP, DDI0487 D8.4).
        if (next.Permission != 0 && _target.Checker is SmmuV3 checker)
        {
            foreach (AccessKind forbidden in Forbidden(next.Permission))
            {
                var probe = next.Request with { Access = forbidden };
                TranslationResult denied = checker.Translate(probe);
                if (denied.Outcome != TranslationOutcome.Faulted || denied.Fault != EventType.FPermission)
                {
                    Disagree(row, probe, "F_PERMISSION", denied, checker);
                    return;
                }
            }
        }

        stream.Agreed++;
        Total.Agreed++;
    }

    private static readonly AccessKind[] ReadOnly = [AccessKind.Write];
    private static readonly AccessKind[] WriteOnly = [AccessKind.Read];

    private static AccessKind[] Forbidden(byte permission) => permission switch
    {
        1 => ReadOnly,
        2 => WriteOnly,
        _ => [],
    };

    private void Disagree(long row, TranslationRequest request, string expected, TranslationResult result, SmmuV3? device = null)
    {
        if (_disagreements.Count >= _keep)
        {
            return;
        }

        // Explain reads through caches of its own, so the replayed device's counters and TLB are untouched.
        var explanation = (device ?? _target.Device).Explain(request);
        string got = result.IsSuccess
            ? Hex(result.PhysicalAddress)
            : result.Fault == EventType.None ? "abort (no event)" : EventRecord.TypeName(result.Fault);
        _disagreements.Add(new Disagreement(
            row,
            request.StreamId,
            Hex(request.Address),
            AccessName(request.Access),
            expected,
            got,
            [.. explanation.Steps.Select(step => step.ToString())]));
    }

    /// <summary>The access as scenario files and traces spell it.</summary>
    /// <param name="access">The access.</param>
    /// <returns>"read", "write" or "exec".</returns>
    public static string AccessName(AccessKind access) => access switch
    {
        AccessKind.Write => "write",
        AccessKind.Execute => "exec",
        _ => "read",
    };

    private static string Hex(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");
}
