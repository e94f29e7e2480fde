using System.CommandLine;
using System.Globalization;

namespace ArmSmmu.Cli.Decoding;

/// <summary>
/// The <c>smmu decode</c> options that describe the SMMU an STE or CD is checked against: the default feature set
/// (<see cref="SmmuFeatures.Default"/>) with a few ID-register fields changed.
/// </summary>
internal sealed class FeatureOptions
{
    private readonly Option<int?> _ssidBits = new("--ssid-bits") { Description = "ste/cd checks: IDR1.SSIDSIZE, the SubstreamID width (default 20)." };
    private readonly Option<int?> _oas = new("--oas") { Description = "ste/cd checks: IDR5.OAS in bits, 32 to 52 (default 48)." };
    private readonly Option<bool> _noStage1 = new("--no-stage1") { Description = "ste/cd checks: the SMMU has no stage 1 (IDR0.S1P = 0)." };
    private readonly Option<bool> _noStage2 = new("--no-stage2") { Description = "ste/cd checks: the SMMU has no stage 2 (IDR0.S2P = 0)." };
    private readonly Option<bool> _noCd2l = new("--no-2lvl-cd") { Description = "ste/cd checks: no 2-level CD tables (IDR0.CD2L = 0)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_ssidBits);
        command.Options.Add(_oas);
        command.Options.Add(_noStage1);
        command.Options.Add(_noStage2);
        command.Options.Add(_noCd2l);
    }

    /// <summary>The features the options describe, and how to name them in output.</summary>
    public (SmmuFeatures Features, string Name) Read(ParseResult parse)
    {
        SmmuFeatures f = SmmuFeatures.Default;
        var changes = new List<string>();
        if (parse.GetValue(_ssidBits) is int ssid)
        {
            if (ssid is < 0 or > 20)
            {
                throw new CliUsageException($"--ssid-bits {ssid}: IDR1.SSIDSIZE is 0 to 20.");
            }

            f = f with { SubstreamIdBits = ssid };
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"SSIDSIZE {ssid}"));
        }

        if (parse.GetValue(_oas) is int oas)
        {
            if (oas is not (32 or 36 or 40 or 42 or 44 or 48 or 52))
            {
                throw new CliUsageException($"--oas {oas}: the output address size is 32, 36, 40, 42, 44, 48 or 52 bits.");
            }

            f = f with { OutputAddressBits = oas };
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"OAS {oas}"));
        }

        if (parse.GetValue(_noStage1))
        {
            f = f with { Stage1 = false };
            changes.Add("no stage 1");
        }

        if (parse.GetValue(_noStage2))
        {
            f = f with { Stage2 = false };
            changes.Add("no stage 2");
        }

        if (parse.GetValue(_noCd2l))
        {
            f = f with { TwoLevelCdTable = false };
            changes.Add("no 2-level CD tables");
        }

        if (!f.Stage1 && !f.Stage2)
        {
            throw new CliUsageException("--no-stage1 with --no-stage2: an SMMU has stage 1, stage 2 or both.");
        }

        return (f, changes.Count == 0 ? "the default SMMU (SmmuFeatures.Default)" : "the default SMMU with " + string.Join(", ", changes));
    }
}
