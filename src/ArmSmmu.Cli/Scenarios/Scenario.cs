using System.Text.Json.Serialization;
using ArmSmmu.Driver;
using ArmSmmu.Translation;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// A scenario for <c>smmu run</c>: a device configuration (features), streams with their mappings, and transactions
/// with the outcome each is expected to have. The format is documented in docs/scenario-format.md.
/// </summary>
public sealed class Scenario
{
    /// <summary>Short name, shown in reports.</summary>
    public string? Name { get; set; }

    /// <summary>What the scenario shows.</summary>
    public string? Description { get; set; }

    /// <summary>Overrides of the default device features; null keeps <see cref="SmmuFeatures.Default"/>.</summary>
    public FeaturesSpec? Features { get; set; }

    /// <summary>The streams (devices) to configure.</summary>
    public List<StreamSpec> Streams { get; set; } = [];

    /// <summary>The transactions to translate, in order.</summary>
    public List<TransactionSpec> Transactions { get; set; } = [];

    /// <summary>The device features the scenario runs on: the default with <see cref="Features"/> applied.</summary>
    /// <returns>The features.</returns>
    public SmmuFeatures ToFeatures() => Features?.ApplyTo(SmmuFeatures.Default) ?? SmmuFeatures.Default;
}

/// <summary>A few <see cref="SmmuFeatures"/> overrides; a null member keeps the default.</summary>
public sealed class FeaturesSpec
{
    /// <summary>Stage-1 translation supported (IDR0.S1P).</summary>
    public bool? Stage1 { get; set; }

    /// <summary>Stage-2 translation supported (IDR0.S2P).</summary>
    public bool? Stage2 { get; set; }

    /// <summary>Output address size in bits: 32, 36, 40, 42, 44, 48 or 52 (IDR5.OAS).</summary>
    public int? Oas { get; set; }

    /// <summary>Granules supported: any of "4k", "16k", "64k" (IDR5.GRANxx).</summary>
    public List<string>? Granules { get; set; }

    /// <summary>Range invalidation supported (IDR3.RIL).</summary>
    public bool? Ril { get; set; }

    /// <summary>The features with these overrides applied.</summary>
    /// <param name="baseline">The features to start from.</param>
    /// <returns>The new features.</returns>
    public SmmuFeatures ApplyTo(SmmuFeatures baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        SmmuFeatures features = baseline with
        {
            Stage1 = Stage1 ?? baseline.Stage1,
            Stage2 = Stage2 ?? baseline.Stage2,
            OutputAddressBits = Oas ?? baseline.OutputAddressBits,
            RangeInvalidation = Ril ?? baseline.RangeInvalidation,
        };
        if (Granules is not null)
        {
            var set = Granules.Select(g => ScenarioValues.ParseGranule(g).PageShift).ToHashSet();
            features = features with { Granule4K = set.Contains(12), Granule16K = set.Contains(14), Granule64K = set.Contains(16) };
        }

        return features;
    }
}

/// <summary>One stream (one StreamID) and how it translates.</summary>
public sealed class StreamSpec
{
    /// <summary>The StreamID.</summary>
    public required uint StreamId { get; set; }

    /// <summary>What the stream does.</summary>
    public string? Description { get; set; }

    /// <summary>"abort", "bypass", "stage1", "stage2" or "nested".</summary>
    public required string Mode { get; set; }

    /// <summary>Translation granule for both stages: "4k" (default), "16k" or "64k".</summary>
    public string? Granule { get; set; }

    /// <summary>PASIDs (SubstreamIDs) with their own stage-1 address space; stage1 and nested streams only.</summary>
    public List<uint>? Pasids { get; set; }

    /// <summary>Stage-1 mappings (IOVA to PA, or to IPA for nested); for a stage2 stream, the stage-2 mappings (IPA to PA).</summary>
    public List<MappingSpec> Mappings { get; set; } = [];

    /// <summary>Nested streams only: the stage-2 mappings (IPA to PA) under the stage-1 ones.</summary>
    public List<MappingSpec>? Stage2Mappings { get; set; }

    /// <summary>The parsed <see cref="Mode"/>.</summary>
    [JsonIgnore]
    public StreamMode ModeValue => ScenarioValues.ParseMode(Mode);

    /// <summary>The device is a PCIe function with ATS (and PRI): an ATC, and pages the host maps when it asks for them.</summary>
    public AtsSpec? Ats { get; set; }

    /// <summary>The parsed <see cref="Granule"/> (4 KB when absent).</summary>
    [JsonIgnore]
    public Granule GranuleValue => Granule is null ? Translation.Granule.Size4K : ScenarioValues.ParseGranule(Granule);
}

/// <summary>One mapping: a range of input addresses, where it goes, and what it allows.</summary>
public sealed class MappingSpec
{
    /// <summary>Input address (IOVA, or IPA for stage-2 mappings), hex.</summary>
    public required string Iova { get; set; }

    /// <summary>Output address (PA, or IPA for the stage-1 mappings of a nested stream), hex.</summary>
    public required string Pa { get; set; }

    /// <summary>Size: hex ("0x200000") or with a K/M/G suffix ("4K", "2M", "1G"); a multiple of the granule.</summary>
    public required string Size { get; set; }

    /// <summary>"r", "w", "rw", "rx" or "rwx", optionally followed by "p" for privileged-only (stage 1).</summary>
    public required string Permissions { get; set; }

    /// <summary>The PASID whose address space holds the mapping; absent = the stream's default (PASID-less) space.</summary>
    public uint? Pasid { get; set; }

    /// <summary>The parsed <see cref="Iova"/>.</summary>
    [JsonIgnore]
    public ulong IovaValue => ScenarioValues.ParseAddress(Iova);

    /// <summary>The parsed <see cref="Pa"/>.</summary>
    [JsonIgnore]
    public ulong PaValue => ScenarioValues.ParseAddress(Pa);

    /// <summary>The parsed <see cref="Size"/> in bytes.</summary>
    [JsonIgnore]
    public ulong SizeValue => ScenarioValues.ParseSize(Size);

    /// <summary>The parsed <see cref="Permissions"/>.</summary>
    [JsonIgnore]
    public MappingPermissions PermissionsValue => MappingPermissions.Parse(Permissions);
}

/// <summary>One device transaction and, optionally, what it must do.</summary>
public sealed class TransactionSpec
{
    /// <summary>The StreamID; must name a stream of the scenario.</summary>
    public required uint StreamId { get; set; }

    /// <summary>What the transaction checks.</summary>
    public string? Description { get; set; }

    /// <summary>Input address, hex.</summary>
    public required string Address { get; set; }

    /// <summary>"read", "write" or "exec".</summary>
    public required string Access { get; set; }

    /// <summary>SubstreamID (PASID), stage1 and nested streams only.</summary>
    public uint? Pasid { get; set; }

    /// <summary>A privileged access (PnU = 1).</summary>
    public bool Privileged { get; set; }

    /// <summary>A Secure access (SEC_SID = 1): translated through the Secure Stream table, which a scenario does not set up.</summary>
    public bool Secure { get; set; }

    /// <summary>"untranslated" (the default): an ordinary transaction; "ats": through the stream's ATS function (its ATC, Translation Requests and page requests); "translated": an ATS Translated transaction (IHI0070 §3.9.1).</summary>
    public string? Kind { get; set; }

    /// <summary>The parsed <see cref="Kind"/>.</summary>
    [JsonIgnore]
    public TransactionKind KindValue => ScenarioValues.ParseKind(Kind);

    /// <summary>What must happen; null = just report it.</summary>
    public Expect? Expect { get; set; }

    /// <summary>The parsed <see cref="Address"/>.</summary>
    [JsonIgnore]
    public ulong AddressValue => ScenarioValues.ParseAddress(Address);

    /// <summary>The parsed <see cref="Access"/>.</summary>
    [JsonIgnore]
    public AccessKind AccessValue => ScenarioValues.ParseAccess(Access);

    /// <summary>The request to hand to <see cref="SmmuV3.Translate"/>.</summary>
    /// <returns>The request.</returns>
    public TranslationRequest ToRequest() => new(StreamId, AddressValue, AccessValue, Pasid, Privileged, Secure, KindValue);
}

/// <summary>The expected result of a transaction; every given member must match.</summary>
public sealed class Expect
{
    /// <summary>"translated", "bypassed", "faulted" or "stalled".</summary>
    public string? Outcome { get; set; }

    /// <summary>Expected output address, hex (translated or bypassed).</summary>
    public string? Pa { get; set; }

    /// <summary>Expected fault, by its event name (e.g. "F_TRANSLATION", "F_PERMISSION").</summary>
    public string? Fault { get; set; }

    /// <summary>The parsed <see cref="Outcome"/>, or null.</summary>
    [JsonIgnore]
    public TranslationOutcome? OutcomeValue => Outcome is null ? null : ScenarioValues.ParseOutcome(Outcome);

    /// <summary>The parsed <see cref="Pa"/>, or null.</summary>
    [JsonIgnore]
    public ulong? PaValue => Pa is null ? null : ScenarioValues.ParseAddress(Pa);

    /// <summary>The parsed <see cref="Fault"/>, or null.</summary>
    [JsonIgnore]
    public EventType? FaultValue => Fault is null ? null : ScenarioValues.ParseFault(Fault);
}


/// <summary>A PCIe function with ATS and PRI behind a stream (IHI0070 §3.9.1, §8).</summary>
public sealed class AtsSpec
{
    /// <summary>Entries of the function's ATC (default 64).</summary>
    public int? AtcEntries { get; set; }

    /// <summary>Mappings the host's page-fault handler makes when a page request falls inside one (the whole mapping at once); other requests are answered Invalid Request.</summary>
    public List<MappingSpec> PageIn { get; set; } = [];
}
