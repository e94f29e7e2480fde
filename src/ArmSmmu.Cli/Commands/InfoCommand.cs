using System.CommandLine;
using ArmSmmu.Cli.Decoding;
using Spectre.Console;

namespace ArmSmmu.Cli.Commands;

/// <summary><c>smmu info</c>: the default device's ID registers, each value decoded field by field.</summary>
internal sealed class InfoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("info", "Show the ID registers of the default SMMU (SmmuFeatures.Default), decoded field by field.");
        command.SetAction(_ => Run(context, SmmuFeatures.Default));
        return command;
    }

    private static int Run(CliContext context, SmmuFeatures features)
    {
        var values = new Dictionary<string, uint>
        {
            ["IDR0"] = features.Idr0,
            ["IDR1"] = features.Idr1,
            ["IDR3"] = features.Idr3,
            ["IDR5"] = features.Idr5,
            ["IIDR"] = features.Iidr,
            ["AIDR"] = features.Aidr,
        };

        var table = new Table { Title = new TableTitle("SMMUv3 ID registers (SmmuFeatures.Default)") };
        table.AddColumns("Register", "Offset", "Value", "Field", "Bits", "Raw", "Meaning");
        foreach (RegisterLayout layout in IdRegisterLayouts.Shown)
        {
            uint value = values[layout.Name];
            bool firstRow = true;
            foreach (RegisterField field in layout.Fields)
            {
                uint raw = field.Extract(value);
                // Plain Text cells: "[3:2]" must not be read as Spectre markup.
                table.AddRow(
                    new Text(firstRow ? layout.Name : string.Empty),
                    new Text(firstRow ? $"0x{layout.Offset:X4}" : string.Empty),
                    new Text(firstRow ? $"0x{value:X8}" : string.Empty),
                    new Text(field.Name),
                    new Text(field.BitRange),
                    new Text(raw.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(field.Explain(raw)));
                firstRow = false;
            }

            table.AddEmptyRow();
        }

        context.Console.Write(table);
        return 0;
    }
}
