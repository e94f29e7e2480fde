using System.Globalization;
using System.Text.Json;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Reads a scenario file and validates all of it before anything runs: JSON syntax, unknown or missing properties,
/// value spellings, alignment, overlaps, and references between streams and transactions.
/// </summary>
public static class ScenarioLoader
{
    /// <summary>Loads and validates the scenario in <paramref name="path"/>.</summary>
    /// <param name="path">A JSON file.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioException">The file cannot be read or is not a valid scenario; the message names the place.</exception>
    public static Scenario Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScenarioException(path, null, null, null, "cannot read the file: " + ex.Message, ex);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and validates a scenario held in a string.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Name of the source, used in messages (a file name).</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioException">Not a valid scenario; the message names the place.</exception>
    public static Scenario Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.Scenario);
        }
        catch (JsonException ex)
        {
            throw new ScenarioException(source, ex.Path, ex.LineNumber + 1, ex.BytePositionInLine + 1, JsonReason(ex), ex);
        }

        if (scenario is null)
        {
            throw new ScenarioException(source, "$", null, null, "the scenario is null; expected an object");
        }

        new Validator(source).Check(scenario);
        return scenario;
    }

    /// <summary>The serializer's message without its own "Path: … | LineNumber: …" suffix, which the exception already places.</summary>
    private static string JsonReason(JsonException ex)
    {
        string message = ex.Message;
        int suffix = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (suffix < 0)
        {
            suffix = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        message = suffix >= 0 ? message[..suffix] : message;
        const string RequiredPrefix = "JSON deserialization for type '";
        if (message.StartsWith(RequiredPrefix, StringComparison.Ordinal))
        {
            // "… for type 'ArmSmmu.Cli.Scenarios.MappingSpec' was missing required properties including: 'pa'."
            int including = message.IndexOf("including: ", StringComparison.Ordinal);
            string names = including >= 0 ? message[(including + "including: ".Length)..].TrimEnd('.') : string.Empty;
            return "missing required property " + names;
        }

        const string UnmappedPrefix = "The JSON property '";
        if (message.StartsWith(UnmappedPrefix, StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            string name = message[UnmappedPrefix.Length..message.IndexOf('\'', UnmappedPrefix.Length)];
            return $"unknown property '{name}'";
        }

        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            // The serializer names the enclosing .NET type, which says nothing to the author of the file.
            return "the value has the wrong JSON type for this property (see docs/scenario-format.md)";
        }

        return message.TrimEnd('.');
    }

    /// <summary>The semantic checks, each naming the JSON path of the value it rejects.</summary>
    private sealed class Validator(string source)
    {
        private static readonly int[] OutputSizes = [32, 36, 40, 42, 44, 48, 52];

        public void Check(Scenario scenario)
        {
            SmmuFeatures features = CheckFeatures(scenario.Features);
            var streams = new Dictionary<uint, StreamSpec>();
            for (int i = 0; i < scenario.Streams.Count; i++)
            {
                string path = Index("$.streams", i);
                StreamSpec stream = scenario.Streams[i] ?? throw Fail(path, "a stream must be an object, not null");
                if (!streams.TryAdd(stream.StreamId, stream))
                {
                    throw Fail(path + ".streamId", $"stream {stream.StreamId} is defined twice");
                }

                CheckStream(stream, path, features);
            }

            for (int i = 0; i < scenario.Transactions.Count; i++)
            {
                string path = Index("$.transactions", i);
                TransactionSpec transaction = scenario.Transactions[i] ?? throw Fail(path, "a transaction must be an object, not null");
                CheckTransaction(transaction, path, streams);
            }
        }

        private SmmuFeatures CheckFeatures(FeaturesSpec? spec)
        {
            if (spec is null)
            {
                return SmmuFeatures.Default;
            }

            if (spec.Oas is int oas && !OutputSizes.Contains(oas))
            {
                throw Fail("$.features.oas", $"{oas} is not an output address size (expected one of {string.Join(", ", OutputSizes)})");
            }

            if (spec.Granules is not null)
            {
                for (int i = 0; i < spec.Granules.Count; i++)
                {
                    Value(Index("$.features.granules", i), () => ScenarioValues.ParseGranule(spec.Granules[i]));
                }

                if (spec.Granules.Count == 0)
                {
                    throw Fail("$.features.granules", "at least one granule must be supported");
                }
            }

            SmmuFeatures features = spec.ApplyTo(SmmuFeatures.Default);
            if (!features.Stage1 && !features.Stage2)
            {
                throw Fail("$.features", "an SMMU must support stage 1, stage 2 or both");
            }

            return features;
        }

        private void CheckStream(StreamSpec stream, string path, SmmuFeatures features)
        {
            if (stream.StreamId >> features.StreamIdBits != 0)
            {
                throw Fail(path + ".streamId", $"StreamID {stream.StreamId} does not fit the device's {features.StreamIdBits}-bit StreamIDs");
            }

            StreamMode mode = Value(path + ".mode", () => ScenarioValues.ParseMode(stream.Mode));
            var granule = Value(path + ".granule", () => stream.GranuleValue);
            bool stage1 = mode is StreamMode.Stage1 or StreamMode.Nested;
            bool stage2 = mode is StreamMode.Stage2 or StreamMode.Nested;
            if ((stage1 && !features.Stage1) || (stage2 && !features.Stage2))
            {
                throw Fail(path + ".mode", $"mode \"{stream.Mode}\" needs stage {(stage1 && !features.Stage1 ? 1 : 2)}, which the features turn off");
            }

            if (stream.Granule is not null && !GranuleSupported(features, granule.PageShift))
            {
                throw Fail(path + ".granule", $"the {stream.Granule} granule is not among the device's granules");
            }

            if (!stage1 && !stage2 && stream.Mappings.Count > 0)
            {
                throw Fail(path + ".mappings", $"an {stream.Mode} stream does not translate, so it cannot have mappings");
            }

            if (stream.Pasids is not null)
            {
                if (!stage1)
                {
                    throw Fail(path + ".pasids", $"PASIDs given for a {stream.Mode} stream; only stage1 and nested streams have stage-1 contexts");
                }

                var seen = new HashSet<uint>();
                for (int i = 0; i < stream.Pasids.Count; i++)
                {
                    uint pasid = stream.Pasids[i];
                    CheckPasid(Index(path + ".pasids", i), pasid, features);
                    if (!seen.Add(pasid))
                    {
                        throw Fail(Index(path + ".pasids", i), $"PASID {pasid} is listed twice");
                    }
                }
            }

            if (stream.Stage2Mappings is not null && mode != StreamMode.Nested)
            {
                throw Fail(path + ".stage2Mappings", $"stage2Mappings belong to nested streams; a {stream.Mode} stream " +
                    (mode == StreamMode.Stage2 ? "lists its stage-2 mappings under \"mappings\"" : "has no stage 2"));
            }

            CheckMappings(stream.Mappings, path + ".mappings", granule.PageShift, mode == StreamMode.Stage2 ? 2 : 1, stream, features);
            if (stream.Stage2Mappings is not null)
            {
                CheckMappings(stream.Stage2Mappings, path + ".stage2Mappings", granule.PageShift, 2, stream, features);
            }
        }

        private void CheckMappings(List<MappingSpec> mappings, string path, int pageShift, int stage, StreamSpec stream, SmmuFeatures features)
        {
            ulong granuleSize = 1UL << pageShift;
            string granuleName = string.Create(CultureInfo.InvariantCulture, $"{granuleSize >> 10}K");
            var placed = new List<(uint? Pasid, ulong Start, ulong End, int Index)>();
            for (int i = 0; i < mappings.Count; i++)
            {
                string at = Index(path, i);
                MappingSpec mapping = mappings[i] ?? throw Fail(at, "a mapping must be an object, not null");
                ulong iova = Value(at + ".iova", () => mapping.IovaValue);
                ulong pa = Value(at + ".pa", () => mapping.PaValue);
                ulong size = Value(at + ".size", () => mapping.SizeValue);
                MappingPermissions permissions = Value(at + ".permissions", () => mapping.PermissionsValue);
                if (size % granuleSize != 0)
                {
                    throw Fail(at + ".size", $"size {mapping.Size} (0x{size:X}) is not a multiple of the {granuleName} granule");
                }

                if (iova % granuleSize != 0)
                {
                    throw Fail(at + ".iova", $"address {mapping.Iova} is not aligned to the {granuleName} granule");
                }

                if (pa % granuleSize != 0)
                {
                    throw Fail(at + ".pa", $"address {mapping.Pa} is not aligned to the {granuleName} granule");
                }

                if (iova + size < iova || pa + size < pa)
                {
                    throw Fail(at + ".size", "the mapping runs past the end of the 64-bit address space");
                }

                // The output of a stage-1 mapping of a nested stream is an IPA; every other output is a PA.
                bool outputIsPhysical = stage == 2 || stream.ModeValue != StreamMode.Nested;
                if (outputIsPhysical && features.OutputAddressBits < 64 && (pa + size - 1) >> features.OutputAddressBits != 0)
                {
                    throw Fail(at + ".pa", $"the range {mapping.Pa} + {mapping.Size} goes beyond the {features.OutputAddressBits}-bit output address size");
                }

                if (stage == 2 && permissions.PrivilegedOnly)
                {
                    throw Fail(at + ".permissions", "\"p\" (privileged-only) is a stage-1 permission; stage 2 does not distinguish privilege");
                }

                if (mapping.Pasid is uint pasid)
                {
                    if (stage == 2)
                    {
                        throw Fail(at + ".pasid", "PASID given for a stage-2 mapping; PASIDs select stage-1 contexts");
                    }

                    if (stream.Pasids is null || !stream.Pasids.Contains(pasid))
                    {
                        throw Fail(at + ".pasid", $"PASID {pasid} is not in the stream's \"pasids\" list");
                    }
                }

                foreach (var other in placed)
                {
                    if (other.Pasid == mapping.Pasid && iova < other.End && other.Start < iova + size)
                    {
                        throw Fail(at, $"mapping 0x{iova:X}-0x{iova + size - 1:X} overlaps mapping {other.Index} (0x{other.Start:X}-0x{other.End - 1:X}) of the same address space");
                    }
                }

                placed.Add((mapping.Pasid, iova, iova + size, i));
            }
        }

        private void CheckTransaction(TransactionSpec transaction, string path, Dictionary<uint, StreamSpec> streams)
        {
            if (!streams.TryGetValue(transaction.StreamId, out StreamSpec? stream))
            {
                throw Fail(path + ".streamId", $"stream {transaction.StreamId} is not defined in \"streams\"");
            }

            Value(path + ".address", () => transaction.AddressValue);
            Value(path + ".access", () => transaction.AccessValue);
            if (transaction.Pasid is uint pasid)
            {
                if (stream.ModeValue is not (StreamMode.Stage1 or StreamMode.Nested))
                {
                    throw Fail(path + ".pasid", $"PASID given for stream {stream.StreamId}, a {stream.Mode} stream; only stage1 and nested streams take PASIDs");
                }

                CheckPasid(path + ".pasid", pasid, SmmuFeatures.Default);
            }

            if (transaction.Expect is not Expect expect)
            {
                return;
            }

            TranslationOutcome? outcome = Value(path + ".expect.outcome", () => expect.OutcomeValue);
            Value(path + ".expect.pa", () => expect.PaValue);
            Value(path + ".expect.fault", () => expect.FaultValue);
            if (expect.Pa is not null && outcome is TranslationOutcome.Faulted or TranslationOutcome.Stalled)
            {
                throw Fail(path + ".expect.pa", $"an output address cannot be expected of a {expect.Outcome} transaction");
            }

            if (expect.Fault is not null && outcome is TranslationOutcome.Translated or TranslationOutcome.Bypassed)
            {
                throw Fail(path + ".expect.fault", $"a fault cannot be expected of a {expect.Outcome} transaction");
            }
        }

        private void CheckPasid(string path, uint pasid, SmmuFeatures features)
        {
            if (pasid == 0)
            {
                throw Fail(path, "PASID 0 is the stream's default address space: leave \"pasid\" out instead");
            }

            if (pasid >> features.SubstreamIdBits != 0)
            {
                throw Fail(path, $"PASID {pasid} does not fit the device's {features.SubstreamIdBits}-bit SubstreamIDs");
            }
        }

        private static bool GranuleSupported(SmmuFeatures features, int pageShift) => pageShift switch
        {
            12 => features.Granule4K,
            14 => features.Granule16K,
            _ => features.Granule64K,
        };

        private T Value<T>(string path, Func<T> parse)
        {
            try
            {
                return parse();
            }
            catch (FormatException ex)
            {
                throw Fail(path, ex.Message);
            }
        }

        private ScenarioException Fail(string path, string reason) => new(source, path, null, null, reason);

        private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
    }
}
