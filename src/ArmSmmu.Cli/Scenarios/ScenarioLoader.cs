using System.Globalization;
using System.Text.Json;
using ArmSmmu.Driver;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Reads a scenario file whole and validates it: JSON syntax, unknown or missing properties, value spellings,
/// alignment, overlaps, and references between streams and transactions. <see cref="ScenarioReader"/> does the same
/// one transaction at a time, for files too long to hold.
/// </summary>
public static class ScenarioLoader
{
    /// <summary>Loads and validates the scenario in <paramref name="path"/>, transactions included.</summary>
    /// <param name="path">A JSON file.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioException">The file cannot be read or is not a valid scenario; the message names the place.</exception>
    public static Scenario Load(string path)
    {
        using ScenarioReader reader = ScenarioReader.Open(path);
        return ReadAll(reader);
    }

    /// <summary>Parses and validates a scenario held in a string.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Name of the source, used in messages (a file name).</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioException">Not a valid scenario; the message names the place.</exception>
    public static Scenario Parse(string json, string source)
    {
        using ScenarioReader reader = ScenarioReader.FromText(json, source);
        return ReadAll(reader);
    }

    private static Scenario ReadAll(ScenarioReader reader)
    {
        Scenario scenario = reader.Header;
        scenario.Transactions = [.. reader.ReadTransactions()];
        return scenario;
    }

    /// <summary>The semantic checks, each naming the JSON path of the value it rejects.</summary>
    internal sealed class Validator(string source)
    {
        private static readonly int[] OutputSizes = [32, 36, 40, 42, 44, 48, 52];
        private readonly Dictionary<uint, StreamSpec> _streams = [];
        private SmmuFeatures _features = SmmuFeatures.Default;

        /// <summary>Everything but the transactions.</summary>
        public void CheckHeader(Scenario scenario)
        {
            SmmuFeatures features = _features = CheckFeatures(scenario.Features);
            Dictionary<uint, StreamSpec> streams = _streams;
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
                throw Fail(path + ".streamId", $"StreamID {stream.StreamId} does not fit the device's {features.StreamIdBits}-bit StreamIDs (expected 0 to {(1L << features.StreamIdBits) - 1})");
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
            if (stream.Ats is AtsSpec ats)
            {
                if (!stage1 && !stage2)
                {
                    throw Fail(path + ".ats", $"an {stream.Mode} stream does not translate, so it cannot use ATS");
                }

                if (!features.Ats || ats.AtcEntries is < 1)
                {
                    throw Fail(path + ".ats", !features.Ats ? "the features turn ATS off" : "atcEntries must be at least 1");
                }

                CheckMappings(ats.PageIn, path + ".ats.pageIn", granule.PageShift, mode == StreamMode.Stage2 ? 2 : 1, stream, features);
            }
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

                // The runner's streams take 48-bit IOVAs (StreamOptions) and IPAs no wider than the device's IAS.
                int inputBits = stage == 2
                    ? Math.Min(StreamOptions.Default.IntermediateAddressBits, features.InputAddressBits)
                    : StreamOptions.Default.InputAddressBits;
                if (iova >> inputBits != 0 || (iova + size - 1) >> inputBits != 0 || iova + size < iova)
                {
                    throw Fail(at + ".iova", $"the range {mapping.Iova} + {mapping.Size} exceeds the {inputBits}-bit input address size (IAS)");
                }

                if (pa + size < pa)
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

        /// <summary>One transaction, against the streams <see cref="CheckHeader"/> saw.</summary>
        public void CheckTransaction(TransactionSpec? transaction, string path, long line)
        {
            _line = line;
            try
            {
                CheckTransaction(transaction ?? throw Fail(path, "a transaction must be an object, not null"), path);
            }
            finally
            {
                _line = null;
            }
        }

        private void CheckTransaction(TransactionSpec transaction, string path)
        {
            if (!_streams.TryGetValue(transaction.StreamId, out StreamSpec? stream))
            {
                throw Fail(path + ".streamId", $"stream {transaction.StreamId} is not defined in \"streams\"");
            }

            Value(path + ".address", () => transaction.AddressValue);
            Value(path + ".access", () => transaction.AccessValue);
            if (Value(path + ".kind", () => transaction.KindValue) == TransactionKind.AtsTranslationRequest && stream.Ats is null)
            {
                throw Fail(path + ".kind", $"stream {transaction.StreamId} has no \"ats\" function to send an ATS transaction");
            }

            if (transaction.Pasid is uint pasid)
            {
                if (stream.ModeValue is not (StreamMode.Stage1 or StreamMode.Nested))
                {
                    throw Fail(path + ".pasid", $"PASID given for stream {stream.StreamId}, a {stream.Mode} stream; only stage1 and nested streams take PASIDs");
                }

                CheckPasid(path + ".pasid", pasid, _features);
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

        private long? _line;

        private ScenarioException Fail(string path, string reason) => new(source, path, _line, null, reason);

        private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
    }
}
