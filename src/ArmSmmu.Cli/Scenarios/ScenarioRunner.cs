using System.Globalization;
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
    /// <summary>Runs <paramref name="scenario"/>.</summary>
    /// <param name="scenario">A scenario that <see cref="ScenarioLoader"/> accepted.</param>
    /// <param name="source">Where it came from (a file name), for messages.</param>
    /// <returns>The results, events and counters.</returns>
    /// <param name="explain">Also explain, step by step, every transaction that does not succeed (SmmuV3.Explain).</param>
    /// <exception cref="ScenarioException">The host API refused part of the configuration (e.g. a stage-2 mapping over the IPA window a nested stream reserves).</exception>
    public static ScenarioReport Run(Scenario scenario, string source, bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(source);

        Iommu iommu = Setup(scenario, source, scenario.ToFeatures());
        var events = new List<EventReport>();
        Drain(iommu, null, events);
        var transactions = new List<TransactionReport>(scenario.Transactions.Count);
        for (int i = 0; i < scenario.Transactions.Count; i++)
        {
            TransactionSpec transaction = scenario.Transactions[i];
            var request = new TranslationRequest(
                transaction.StreamId, transaction.AddressValue, transaction.AccessValue, transaction.Pasid, transaction.Privileged, transaction.Secure);

            // Explained before it runs: the explanation sees the state the transaction meets, and changes none of it.
            var explanation = explain ? iommu.Device.Explain(request) : null;
            TranslationResult result = iommu.Device.Translate(request);
            var report = Report(i + 1, transaction, result);
            transactions.Add(explanation is not null && !result.IsSuccess
                ? report with { Explanation = [.. explanation.Steps.Select(step => step.ToString())] }
                : report);
            Drain(iommu, i + 1, events);
        }

        return new ScenarioReport(scenario.Name, transactions, events, Counters(iommu.Statistics));
    }

    /// <summary>Brings up a fresh <see cref="Iommu"/> and configures the scenario's streams, PASIDs and mappings; its transactions are not run.</summary>
    /// <param name="scenario">A scenario that <see cref="ScenarioLoader"/> accepted.</param>
    /// <param name="source">Where it came from (a file name), for messages.</param>
    /// <param name="features">The device's features: the scenario's own (<see cref="Scenario.ToFeatures"/>), possibly with other cache sizes.</param>
    /// <returns>The configured IOMMU.</returns>
    /// <exception cref="ScenarioException">The host API refused part of the configuration.</exception>
    public static Iommu Setup(Scenario scenario, string source, SmmuFeatures features)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var iommu = new Iommu(features);
        for (int i = 0; i < scenario.Streams.Count; i++)
        {
            Configure(iommu, scenario.Streams[i], source, Index("$.streams", i));
        }

        return iommu;
    }

    private static void Configure(Iommu iommu, StreamSpec stream, string source, string path)
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
            Hex(transaction.AddressValue),
            OutcomeName(result.Outcome),
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

    private static void Drain(Iommu iommu, int? transaction, List<EventReport> events)
    {
        foreach (EventRecord record in iommu.DrainEvents())
        {
            events.Add(Report(transaction, record));
        }
    }

    private static EventReport Report(int? transaction, EventRecord record)
    {
        // IHI0070 §7.3: which fields a record has depends on its type; Describe() lists exactly those.
        IReadOnlyList<DecodedField> fields = record.Describe();
        DecodedField? Field(string name) => fields.FirstOrDefault(f => f.Name == name);
        bool substream = Field("SSV") is { Value: 1 } || (record.Type == EventType.CBadSubstreamId);
        bool? stage2 = Field("S2") is DecodedField s2 ? s2.Value == 1 : null;
        string? cls = Field("CLASS") is DecodedField c ? ((FaultClass)c.Value).ToString() : null;
        string? ipa = stage2 == true && Field("IPA") is DecodedField i ? Hex(i.Value) : null;
        string? input = Field("InputAddr") is DecodedField a ? Hex(a.Value) : null;
        return new EventReport(
            transaction,
            EventRecord.TypeName(record.Type),
            Hex(record.StreamId),
            substream ? record.SubstreamId : null,
            input,
            ipa,
            cls,
            stage2,
            [Hex16(record.Dw0), Hex16(record.Dw1), Hex16(record.Dw2), Hex16(record.Dw3)],
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
