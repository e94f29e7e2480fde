using System.Diagnostics.Metrics;
using ArmSmmu.Device;
using ArmSmmu.Structures;

namespace ArmSmmu.Diagnostics.DriverCheck;

/// <summary>
/// The state of the driver-bug detector of one SMMU: the write log the driver writes through, the TLBIs consumed since
/// the last CMD_SYNC, and the reports made (each finding once). The checks themselves run in SmmuV3.DriverCheck.cs,
/// where the caches are.
/// </summary>
/// <remarks>
/// Locks: <see cref="TranslationLock"/> serialises checked translations (it is taken before the device lock); the state
/// lock below is only ever taken last, briefly, so command processing (under the device lock) can note commands.
/// </remarks>
internal sealed class DriverChecker
{
    private const int MaxKeptReports = 10_000;

    private static readonly Meter CheckMeter = new(SmmuStatistics.MeterName, "1.0");
    private static readonly Counter<long> Reports = CheckMeter.CreateCounter<long>(
        "smmu.driver_check.reports", description: "Driver mistakes found by the driver-bug detector, by kind (tag smmu.mistake)");

    private readonly Lock _state = new();
    private readonly List<Command> _unsynchronisedTlbis = [];
    private readonly HashSet<string> _reported = [];
    private readonly List<DriverCheckReport> _reports = [];
    private long _findings;
    private readonly long[] _counts = new long[Enum.GetValues<DriverMistake>().Length];

    public DriverChecker(IPhysicalMemory memory) => Memory = new DriverWriteLog(memory);

    /// <summary>The memory the driver must write through for write-order checks (returned by <see cref="SmmuV3.Memory"/>).</summary>
    public DriverWriteLog Memory { get; }

    public Lock TranslationLock { get; } = new();

    /// <summary>The reports kept so far (the first 10,000; the counts cover all).</summary>
    public IReadOnlyList<DriverCheckReport> Kept
    {
        get
        {
            lock (_state)
            {
                return [.. _reports];
            }
        }
    }

    /// <summary>Number of reports of one kind.</summary>
    public long Count(DriverMistake mistake)
    {
        lock (_state)
        {
            return _counts[(int)mistake];
        }
    }

    /// <summary>A command was consumed (called under the device lock): TLBIs wait for their CMD_SYNC, which also closes every published structure.</summary>
    public void OnCommand(in Command command)
    {
        if (command.Opcode == CommandOpcode.Sync)
        {
            lock (_state)
            {
                _unsynchronisedTlbis.Clear();
            }

            Memory.Synchronised();
        }
        else if (TlbiCoverage.IsTlbi(command.Opcode))
        {
            lock (_state)
            {
                _unsynchronisedTlbis.Add(command);
            }
        }
    }

    /// <summary>The TLBIs not yet followed by a CMD_SYNC that <paramref name="covers"/> matches; each is handed out once.</summary>
    public List<Command> TakeUnsynchronisedTlbis(Func<Command, bool> covers)
    {
        lock (_state)
        {
            var taken = _unsynchronisedTlbis.FindAll(c => covers(c));
            _unsynchronisedTlbis.RemoveAll(c => covers(c));
            return taken;
        }
    }

    /// <summary>A number no other finding has: the key of a finding that can only happen once by construction.</summary>
    public long NextFinding() => Interlocked.Increment(ref _findings);

    /// <summary>
    /// Records a finding unless the same one (same key) was reported before; true when it is new and should be raised.
    /// </summary>
    public bool Add(DriverCheckReport report, string key)
    {
        lock (_state)
        {
            if (!_reported.Add(key))
            {
                return false;
            }

            _counts[(int)report.Mistake]++;
            if (_reports.Count < MaxKeptReports)
            {
                _reports.Add(report);
            }
        }

        Reports.Add(1, new KeyValuePair<string, object?>("smmu.mistake", report.Mistake.ToString()));
        return true;
    }
}
