using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Decoding;
using ArmSmmu.Cli.Scenarios;
using ArmSmmu.Driver;
using ArmSmmu.Structures;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu atos &lt;scenario.json&gt; --sid N --address HEX [--type auto|s1|s2|s12] [--access read|write|exec]
/// [--ssid N] [--privileged] [--json]</c>: configures a scenario's streams and mappings, performs one address
/// translation operation through SMMU_GATOS_* (IHI0070 chapter 9) and decodes GATOS_PAR. Exit 0 for a successful
/// translation, 1 for a fault in PAR, 2 for bad input.
/// </summary>
internal sealed class AtosCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var file = new Argument<string>("scenario") { Description = "A scenario file (docs/scenario-format.md) whose streams and mappings are set up first; its transactions are not run." };
        var sid = new Option<string>("--sid") { Description = "StreamID (decimal or 0x hex).", Required = true };
        var address = new Option<string>("--address") { Description = "Input address: a VA, or an IPA with --type s2.", Required = true };
        var type = new Option<string>("--type")
        {
            Description = "Stages to look up: s1 (VA to IPA/PA), s2 (IPA to PA), s12 (VA to PA), or auto (from the stream's mode).",
            DefaultValueFactory = _ => "auto",
        };
        var access = new Option<string>("--access") { Description = "read, write or exec.", DefaultValueFactory = _ => "read" };
        var ssid = new Option<string?>("--ssid") { Description = "SubstreamID (PASID), if any." };
        var privileged = new Option<bool>("--privileged") { Description = "A privileged access (PnU = 1)." };
        var json = CommandFactory.Json("Print GATOS_PAR and its fields as JSON.");
        return CommandFactory.Create(
            "atos",
            "Translate one address of a scenario's stream through the SMMU_GATOS_* registers and decode GATOS_PAR.",
            parse => Run(
                context,
                parse.GetValue(file) ?? string.Empty,
                new Request(parse.GetValue(sid) ?? string.Empty, parse.GetValue(address) ?? string.Empty, parse.GetValue(type) ?? "auto", parse.GetValue(access) ?? "read", parse.GetValue(ssid), parse.GetValue(privileged)),
                parse.GetValue(json)),
            file,
            sid,
            address,
            type,
            access,
            ssid,
            privileged,
            json);
    }

    private static int Run(CliContext context, string path, Request request, bool json)
    {
        Scenario scenario;
        Iommu iommu;
        try
        {
            scenario = ScenarioLoader.Load(path);
            iommu = ScenarioRunner.Configure(scenario, path);
        }
        catch (ScenarioException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }

        uint streamId = (uint)Number("--sid", request.Sid, uint.MaxValue);
        uint? substreamId = request.Ssid is null ? null : (uint)Number("--ssid", request.Ssid, (1u << 20) - 1);
        if (!HexWords.TryParse(request.Address, out ulong address, out string? reason))
        {
            throw new CliUsageException($"--address '{request.Address}' {reason}.");
        }

        AccessKind access;
        try
        {
            access = ScenarioValues.ParseAccess(request.Access);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException("--access: " + ex.Message + ".", ex);
        }

        AtosType type = TypeOf(request.Type, scenario.Streams.FirstOrDefault(s => s.StreamId == streamId));
        GatosParRegister par = iommu.TranslateWithAtos(streamId, address, type, access, substreamId, request.Privileged);
        IReadOnlyList<DecodedField> fields = par.Describe();
        if (json)
        {
            DecodeJson.Write(context.Output, new DecodedRegister("GATOS_PAR", SmmuRegister.GATOS_PAR, par.Value, DecodeJson.Hex(par.Value), fields), DecodeJsonContext.Default.DecodedRegister);
        }
        else
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ATOS {Name(type)} {Name(access)} of 0x{address:X} for StreamID 0x{streamId:X}{(substreamId is uint s ? $" SubstreamID 0x{s:X}" : string.Empty)}{(request.Privileged ? ", privileged" : string.Empty)}:"));
            context.Console.Write(FieldTable.Create(string.Create(CultureInfo.InvariantCulture, $"GATOS_PAR = 0x{par.Value:X16}"), fields));
            context.Output.WriteLine(par.Fault
                ? $"Fault: {AtosFaultCode.Name(par.FaultCode)}{FaultWhere(par)}; no event record was written (IHI0070 §9)."
                : string.Create(CultureInfo.InvariantCulture, $"Output address 0x{(par.OutputAddress | (address & ((1UL << par.SizeShift) - 1))):X} in a 2^{par.SizeShift}-byte translation at 0x{par.OutputAddress:X}."));
        }

        return par.Fault ? CliApp.RuntimeError : 0;
    }

    private static string FaultWhere(GatosParRegister par) => par.Reason switch
    {
        0b01 => string.Create(CultureInfo.InvariantCulture, $" at stage 2, fetching the CD at IPA 0x{par.FaultAddress:X}"),
        0b10 => string.Create(CultureInfo.InvariantCulture, $" at stage 2, fetching a stage-1 table at IPA 0x{par.FaultAddress:X}"),
        0b11 => par.FaultAddress == 0 ? " at stage 2, on the input IPA" : string.Create(CultureInfo.InvariantCulture, $" at stage 2, on IPA 0x{par.FaultAddress:X}"),
        _ => string.Empty,
    };

    private static AtosType TypeOf(string text, StreamSpec? stream) => text switch
    {
        "s1" => AtosType.Stage1,
        "s2" => AtosType.Stage2,
        "s12" => AtosType.Stage1And2,
        "auto" => stream?.ModeValue switch
        {
            StreamMode.Stage1 => AtosType.Stage1,
            StreamMode.Stage2 => AtosType.Stage2,
            _ => AtosType.Stage1And2,
        },
        _ => throw new CliUsageException($"--type '{text}': expected auto, s1, s2 or s12."),
    };

    private static string Name(AccessKind access) => access switch
    {
        AccessKind.Write => "write",
        AccessKind.Execute => "instruction fetch",
        _ => "read",
    };

    private static string Name(AtosType type) => type switch
    {
        AtosType.Stage1 => "stage 1",
        AtosType.Stage2 => "stage 2",
        _ => "stage 1 and 2",
    };

    // Decimal, or hex with 0x, as a scenario's streamId and pasids are written.
    private static ulong Number(string option, string text, ulong maximum)
    {
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        bool parsed = hex
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!parsed || value > maximum)
        {
            throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"{option} '{text}': expected a number (decimal, or hex with 0x) up to {maximum}."));
        }

        return value;
    }

    private readonly record struct Request(string Sid, string Address, string Type, string Access, string? Ssid, bool Privileged);
}
