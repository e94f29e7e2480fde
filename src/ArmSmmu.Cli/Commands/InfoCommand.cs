using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Decoding;
using ArmSmmu.Device;
using ArmSmmu.Structures;
using Spectre.Console;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary><c>smmu info</c>: the default device's ID registers, and its PMCG's, each value decoded field by field by ArmSmmu.Structures.</summary>
internal sealed class InfoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context) => CommandFactory.WithJsonSwitch(
        "info",
        "Show the ID registers of the default SMMU (SmmuFeatures.Default) and of its PMCG, decoded field by field.",
        "Print the registers as JSON: name, offset and value as numbers, and each field as name/bits/value/meaning.",
        json => Run(context, SmmuFeatures.Default, json));

    private static int Run(CliContext context, SmmuFeatures features, bool json)
    {
        DecodedRegister[] registers =
        [
            .. new (ulong Offset, uint Value)[]
            {
                (SmmuRegister.IDR0, features.Idr0),
                (SmmuRegister.IDR1, features.Idr1),
                (SmmuRegister.IDR3, features.Idr3),
                (SmmuRegister.IDR5, features.Idr5),
                (SmmuRegister.IIDR, features.Iidr),
                (SmmuRegister.AIDR, features.Aidr),
            }.Select(r =>
            {
                RegisterKind register = RegisterKind.All.First(k => k.Offset == r.Offset);
                return Decoded(register.Name, r.Offset, r.Value, register.Describe(r.Value, null));
            }),
        ];

        // IHI0070 §10.5.2.13, §10.5.2.16: what the PMCG implements, read from the group itself.
        SmmuPerformanceMonitor? pmcg = new SmmuV3(new SparseMemory(), features).PerformanceMonitor;
        DecodedRegister[]? monitor = null;
        if (pmcg is not null)
        {
            uint cfgr = pmcg.ReadRegister32(PmcgRegister.CFGR);
            uint ceid0 = (uint)pmcg.ReadRegister64(PmcgRegister.CEID0);
            monitor =
            [
                Decoded("PMCG_CFGR", PmcgRegister.CFGR, cfgr, new PmcgCfgrRegister(cfgr).Describe()),
                Decoded("PMCG_CEID0", PmcgRegister.CEID0, ceid0, new PmcgCeid0Register(ceid0).Describe()),
            ];
        }

        if (json)
        {
            DecodeJson.Write(context.Output, new InfoReport("SmmuFeatures.Default", registers, monitor), DecodeJsonContext.Default.InfoReport);
            return 0;
        }

        context.Console.Write(Table("SMMUv3 ID registers (SmmuFeatures.Default)", registers));
        if (monitor is not null)
        {
            context.Console.Write(Table("PMCG (IHI0070 chapter 10), offsets from the PMCG base", monitor));
        }

        return 0;
    }

    private static DecodedRegister Decoded(string name, ulong offset, uint value, IReadOnlyList<DecodedField> fields) =>
        new(name, offset, value, DecodeJson.Hex(value), fields);

    private static Table Table(string title, IEnumerable<DecodedRegister> registers)
    {
        var table = new Table { Title = new TableTitle(title) };
        table.AddColumns("Register", "Offset", "Value", "Field", "Bits", "Raw", "Meaning");
        foreach (DecodedRegister register in registers)
        {
            bool firstRow = true;
            foreach (DecodedField field in register.Fields)
            {
                // Plain Text cells: "[3:2]" must not be read as Spectre markup.
                table.AddRow(
                    new Text(firstRow ? register.Register : string.Empty),
                    new Text(firstRow ? string.Create(CultureInfo.InvariantCulture, $"0x{register.Offset:X4}") : string.Empty),
                    new Text(firstRow ? string.Create(CultureInfo.InvariantCulture, $"0x{register.Value:X8}") : string.Empty),
                    new Text(field.Name),
                    new Text(field.Bits),
                    new Text(field.Value.ToString(CultureInfo.InvariantCulture)),
                    new Text(field.Meaning));
                firstRow = false;
            }

            table.AddEmptyRow();
        }

        return table;
    }
}
