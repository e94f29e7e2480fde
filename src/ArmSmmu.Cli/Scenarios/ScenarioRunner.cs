using System.Globalization;
using ArmSmmu.Device;
using ArmSmmu.Driver;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Runs a validated <see cref="Scenario"/> on a fresh <see cref="Iommu"/>: configures its streams, PASIDs and mappings
/// through the host API (real STEs, CDs and page tables, commands through the command queue), presents every
/// transaction to the SMMU in order, and checks each result against its expectation.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Runs <paramref name="scenario"/>, keeping every row of the report.</summary>
    /// <param name="scenario">A scenario that <see cref="ScenarioLoader"/> accepted.</param>
    /// <param name="source">Where it came from (a file name), for messages.</param>
    /// <param name="explain">Also explain, step by step, every transaction that does not succeed (SmmuV3.Explain).</param>
    /// <returns>The results, events and counters.</returns>
    /// <exception cref="ScenarioException">The host API refused part of the configuration (e.g. a stage-2 mapping over the IPA window a nested stream reserves).</exception>
    public static ScenarioReport Run(Scenario scenario, string source, bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Run(scenario, scenario.Transactions, source, new ScenarioRunOptions { Explain = explain, KeepRows = int.MaxValue });
    }

    /// <summary>
    /// Runs the streams of <paramref name="header"/> and then each of <paramref name="transactions"/> as it is
    /// enumerated, so the transactions can be read from a file while they run; the report keeps only the first rows.
    /// </summary>
    /// <param name="header">A scenario whose features and streams <see cref="ScenarioLoader"/> accepted (its own transactions are ignored).</param>
    /// <param name="transactions">The transactions, validated, in order.</param>
    /// <param name="source">Where they came from (a file name), for messages.</param>
    /// <param name="options">What to explain and how many rows to keep.</param>
    /// <param name="observer">Sees every row as it happens (e.g. to write it out), or null.</param>
    /// <returns>The first rows, the tally and the counters.</returns>
    /// <exception cref="ScenarioException">The host API refused part of the configuration.</exception>
    public static ScenarioReport Run(Scenario header, IEnumerable<TransactionSpec> transactions, string source, ScenarioRunOptions options, IScenarioObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);

        Iommu iommu = Configure(header, source, options.CheckDriver ? header.ToFeatures() with { CheckDriver = true } : null);
        var kept = new List<TransactionReport>();
        var failures = new List<TransactionReport>();
        var events = new List<EventReport>();
        List<EventReport> setup = Drain(iommu, null);
        events.AddRange(setup.Take(options.KeepEvents));
        observer?.Setup(setup);
        int count = setup.Count, index = 0, expected = 0, met = 0;
        foreach (TransactionSpec transaction in transactions)
        {
            index++;
            TranslationRequest request = transaction.ToRequest();

            // Explained before it runs: the explanation sees the state the transaction meets, and changes none of it.
            bool viaFunction = request.Kind == TransactionKind.AtsTranslationRequest;
            var explanation = options.Explain && !viaFunction ? iommu.Device.Explain(request) : null;
            TranslationResult result = viaFunction
                ? iommu.GetAtsEndpoint(request.StreamId)!.Translate(request.Address, request.Access, request.SubstreamId, request.Privileged)
                : iommu.Device.Translate(request);
            List<EventReport> raised = Drain(iommu, index);
            var report = Report(index, transaction, result) with
            {
                Events = raised.Count == 0 ? null : raised,
                Explanation = explanation is not null && !result.IsSuccess ? [.. explanation.Steps.Select(step => step.ToString())] : null,
            };

            count += raised.Count;
            events.AddRange(raised.Take(options.KeepEvents - events.Count));
            expected += report.Met is null ? 0 : 1;
            met += report.Met == true ? 1 : 0;
            if (kept.Count < options.KeepRows)
            {
                kept.Add(report);
            }

            if (report.Met == false && failures.Count < options.KeepRows)
            {
                failures.Add(report);
            }

            observer?.Transaction(report);
        }

        return new ScenarioReport(header.Name, kept, events, Counters(iommu.Statistics))
        {
            TransactionCount = index,
            EventCount = count,
            Failures = failures,
            ExpectationsTotal = expected,
            ExpectationsMet = met,
            DriverChecks = DriverCheckLine.Of(iommu.Device),
        };
    }

    /// <summary>
    /// A fresh SMMU with the scenario's features, brought up by the host driver, with its streams, PASIDs and mappings
    /// configured (the scenario's transactions are not run): what a trace replayed against the scenario meets.
    /// </summary>
    /// <param name="header">A scenario whose features and streams <see cref="ScenarioLoader"/> accepted.</param>
    /// <param name="source">Where it came from (a file name), for messages.</param>
    /// <param name="features">The device's features; null for the scenario's own (<see cref="Scenario.ToFeatures"/>). A sweep passes them with other cache sizes.</param>
    /// <returns>The configured SMMU.</returns>
    /// <exception cref="ScenarioException">The host API refused part of the configuration.</exception>
    public static Iommu Configure(Scenario header, string source, SmmuFeatures? features = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(source);
        var iommu = new Iommu(features ?? header.ToFeatures());
        var pageIn = new List<(uint StreamId, MappingSpec Mapping)>();
        for (int i = 0; i < header.Streams.Count; i++)
        {
            Configure(iommu, header.Streams[i], source, Index("$.streams", i), pageIn);
        }

        if (pageIn.Count > 0)
        {
            iommu.SetPageFaultHandler(group => PageIn(iommu, pageIn, group));
        }

        return iommu;
    }

    // The host side of the SVA loop: a page request inside a "pageIn" mapping maps all of it, once (IHI0070 §8).
    private static PriResponseCode PageIn(Iommu iommu, List<(uint StreamId, MappingSpec Mapping)> pageIn, PageRequestGroup group)
    {
        foreach (var request in group.Requests)
        {
            int found = pageIn.FindIndex(p => p.StreamId == group.StreamId && p.Mapping.Pasid == group.SubstreamId
                && request.PageAddress - p.Mapping.IovaValue < p.Mapping.SizeValue);
            if (found < 0)
            {
                return PriResponseCode.InvalidRequest;
            }

            MappingSpec m = pageIn[found].Mapping;
            pageIn.RemoveAt(found);
            iommu.Map(group.StreamId, m.IovaValue, m.PaValue, m.SizeValue, Permissions(m.PermissionsValue), m.Pasid);
        }

        return PriResponseCode.Success;
    }

    private static void Configure(Iommu iommu, StreamSpec stream, string source, string path, List<(uint StreamId, MappingSpec Mapping)> pageIn)
    {
        string at = path;
        try
        {
            StreamMode mode = stream.ModeValue;
            var options = new StreamOptions
            {
                Granule = stream.GranuleValue,

                // A device with a small OAS has a small IAS too; nested stage 1 outputs IPAs of this size.
                IntermediateAddressBits = Math.Min(StreamOptions.Default.IntermediateAddressBits, iommu.Driver.Capabilities.InputAddressBits),
            };
            iommu.ConfigureStream(stream.StreamId, mode, options);
            for (int i = 0; i < (stream.Pasids?.Count ?? 0); i++)
            {
                at = Index(path + ".pasids", i);
                iommu.CreatePasid(stream.StreamId, stream.Pasids![i]);
            }

            for (int i = 0; i < stream.Mappings.Count; i++)
            {
                at = Index(path + ".mappings", i);
                MappingSpec m = stream.Mappings[i];
                if (mode == StreamMode.Stage2)
                {
                    iommu.MapStage2(stream.StreamId, m.IovaValue, m.PaValue, m.SizeValue, Permissions(m.PermissionsValue));
                }
                else
                {
                    iommu.Map(stream.StreamId, m.IovaValue, m.PaValue, m.SizeValue, Permissions(m.PermissionsValue), m.Pasid);
                }
            }

            for (int i = 0; i < (stream.Stage2Mappings?.Count ?? 0); i++)
            {
                at = Index(path + ".stage2Mappings", i);
                MappingSpec m = stream.Stage2Mappings![i];
                iommu.MapStage2(stream.StreamId, m.IovaValue, m.PaValue, m.SizeValue, Permissions(m.PermissionsValue));
            }

            if (stream.Ats is AtsSpec ats)
            {
                at = path + ".ats";
                iommu.EnableAts(stream.StreamId, new AtsEndpointOptions { AtcEntries = ats.AtcEntries ?? AtsEndpointOptions.Default.AtcEntries });
                pageIn.AddRange(ats.PageIn.Select(m => (stream.StreamId, m)));
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // The loader checks what a file can get wrong on its own; what is left is what this host driver refuses.
            throw new ScenarioException(source, at, null, null, "the host driver refused it: " + HostMessage(ex), ex);
        }
    }

    /// <summary>The exception's first line without the " (Parameter 'x')" the runtime appends, which names C# code, not the file.</summary>
    private static string HostMessage(Exception ex)
    {
        string message = ex.Message.Split('\n')[0].TrimEnd('\r');
        if (ex is ArgumentException { ParamName: string name })
        {
            message = message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
        }

        return message;
    }

    private static IoPagePermissions Permissions(MappingPermissions p) =>
        (p.Read ? IoPagePermissions.Read : IoPagePermissions.None)
        | (p.Write ? IoPagePermissions.Write : IoPagePermissions.None)
        | (p.Execute ? IoPagePermissions.Execute : IoPagePermissions.None)
        | (p.PrivilegedOnly ? IoPagePermissions.Privileged : IoPagePermissions.None);

    private static TransactionReport Report(int index, TransactionSpec transaction, TranslationResult result)
    {
        ulong address = transaction.AddressValue;
        string? pa = result.IsSuccess ? Hex(result.PhysicalAddress) : null;
        string? fault = result.Fault == EventType.None ? null : EventRecord.TypeName(result.Fault);
        Expect? expect = transaction.Expect;
        string? expected = null;
        bool? met = null;
        string? mismatch = null;
        if (expect is not null)
        {
            expected = Describe(expect.Outcome, expect.PaValue is ulong e ? Hex(e) : null, expect.Fault);
            var wrong = new List<string>();
            if (expect.OutcomeValue is TranslationOutcome outcome && outcome != result.Outcome)
            {
                wrong.Add("outcome");
            }

            if (expect.PaValue is ulong expectedPa && (!result.IsSuccess || result.PhysicalAddress != expectedPa))
            {
                wrong.Add("address");
            }

            if (expect.FaultValue is EventType expectedFault && expectedFault != result.Fault)
            {
                wrong.Add("fault");
            }

            met = wrong.Count == 0;
            if (!met.Value)
            {
                mismatch = $"{string.Join(", ", wrong)}: expected {expected}, got {Describe(OutcomeName(result.Outcome), pa, fault)}";
            }
        }

        return new TransactionReport(
            index,
            transaction.StreamId,
            transaction.Pasid,
            transaction.Access,
            transaction.Privileged,
            address,
            Hex(address),
            OutcomeName(result.Outcome),
            result.IsSuccess ? result.PhysicalAddress : null,
            pa,
            fault,
            result.FaultRecorded,
            expected,
            met,
            mismatch,
            transaction.Description);
    }

    private static string Describe(string? outcome, string? pa, string? fault) =>
        string.Join(' ', new[] { outcome, pa, fault }.Where(s => s is not null));

    private static string OutcomeName(TranslationOutcome outcome) => outcome switch
    {
        TranslationOutcome.Translated => "translated",
        TranslationOutcome.Bypassed => "bypassed",
        TranslationOutcome.Stalled => "stalled",
        _ => "faulted",
    };

    private static List<EventReport> Drain(Iommu iommu, int? transaction) =>
        [.. iommu.DrainEvents().Select(record => Report(transaction, record))];

    private static EventReport Report(int? transaction, EventRecord record)
    {
        // IHI0070 §7.3: which fields a record has depends on its type; Describe() lists exactly those.
        IReadOnlyList<DecodedField> fields = record.Describe();
        DecodedField? Field(string name) => fields.FirstOrDefault(f => f.Name == name);
        bool substream = Field("SSV") is { Value: 1 } || (record.Type == EventType.CBadSubstreamId);
        bool? stage2 = Field("S2") is DecodedField s2 ? s2.Value == 1 : null;
        string? cls = Field("CLASS") is DecodedField c ? ((FaultClass)c.Value).ToString() : null;
        ulong? ipa = stage2 == true && Field("IPA") is DecodedField i ? i.Value : null;
        ulong? input = Field("InputAddr") is DecodedField a ? a.Value : null;
        ulong[] words = [record.Dw0, record.Dw1, record.Dw2, record.Dw3];
        return new EventReport(
            transaction,
            EventRecord.TypeName(record.Type),
            record.StreamId,
            substream ? record.SubstreamId : null,
            input,
            ipa,
            cls,
            stage2,
            words,
            [.. words.Select(Hex16)],
            record.ToString());
    }

    private static StatisticsReport Counters(SmmuStatistics s)
    {
        var tlb = s.Tlb.Snapshot();
        var ste = s.SteCache.Snapshot();
        var cd = s.CdCache.Snapshot();
        return new StatisticsReport(
            tlb.Hits, tlb.Misses, tlb.HitRate, s.Walks, s.DescriptorReads, ste.Hits, ste.Misses, cd.Hits, cd.Misses, s.Commands, s.EventsWritten, s.EventsDiscarded);
    }

    private static string Hex(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");

    private static string Hex16(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X16}");

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
}

/// <summary>How <see cref="ScenarioRunner"/> runs a scenario and how much of it the report keeps.</summary>
public sealed record ScenarioRunOptions
{
    /// <summary>Explain, step by step, every transaction that does not succeed (SmmuV3.Explain).</summary>
    public bool Explain { get; init; }

    /// <summary>How many transaction rows, and how many failed expectations, the report keeps in full.</summary>
    public int KeepRows { get; init; } = 100;

    /// <summary>How many event records the report keeps in full.</summary>
    public int KeepEvents { get; init; } = 100;

    /// <summary>Run with the driver-bug detector on (<see cref="SmmuFeatures.CheckDriver"/>).</summary>
    public bool CheckDriver { get; init; }
}

/// <summary>Sees each row of a run as it happens, e.g. to write it out without keeping it.</summary>
public interface IScenarioObserver
{
    /// <summary>The event records raised while the streams were set up.</summary>
    /// <param name="events">The records, oldest first.</param>
    void Setup(IReadOnlyList<EventReport> events);

    /// <summary>One transaction's result, with the event records it raised.</summary>
    /// <param name="report">The row.</param>
    void Transaction(TransactionReport report);
}
