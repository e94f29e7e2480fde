using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Decoding;
using ArmSmmu.Structures;
using Spectre.Console;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary><c>smmu info</c>: the default device's ID registers, each value decoded field by field by ArmSmmu.Structures.</summary>
internal sealed class InfoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context) => CommandFactory.WithJsonSwitch(
        "info",
        "Show the ID registers of the default SMMU (SmmuFeatures.Default), decoded field by field.",
        "Print the registers as JSON: name, offset and value as numbers, and each field as name/bits/value/meaning.",
        json => Run(context, SmmuFeatures.Default, json));

    private static int Run(CliContext context, SmmuFeatures features, bool json)
    {
        (ulong Offset, uint Value)[] registers =
        [
            (SmmuRegister.IDR0, features.Idr0),
            (SmmuRegister.IDR1, features.Idr1),
            (SmmuRegister.IDR3, features.Idr3),
            (SmmuRegister.IDR5, features.Idr5),
            (SmmuRegister.IIDR, features.Iidr),
            (SmmuRegister.AIDR, features.Aidr),
        ];

        if (json)
        {
            var report = new InfoReport("SmmuFeatures.Default", [.. registers.Select(r =>
            {
                RegisterKind register = RegisterKind.All.First(k => k.Offset == r.Offset);
                return new DecodedRegister(register.Name, r.Offset, r.Value, DecodeJson.Hex(r.Value), register.Describe(r.Value, null));
            })]);
            DecodeJson.Write(context.Output, report, DecodeJsonContext.Default.InfoReport);
            return 0;
        }

        var table = new Table { Title = new TableTitle("SMMUv3 ID registers (SmmuFeatures.Default)") };
        table.AddColumns("Register", "Offset", "Value", "Field", "Bits", "Raw", "Meaning");
        foreach ((ulong offset, uint value) in registers)
        {
            RegisterKind register = RegisterKind.All.First(r => r.Offset == offset);
            bool firstRow = true;
            foreach (DecodedField field in register.Describe(value, null))
            {
                // Plain Text cells: "[3:2]" must not be read as Spectre markup.
                table.AddRow(
                    new Text(firstRow ? register.Name : string.Empty),
                    new Text(firstRow ? string.Create(CultureInfo.InvariantCulture, $"0x{offset:X4}") : string.Empty),
                    new Text(firstRow ? string.Create(CultureInfo.InvariantCulture, $"0x{value:X8}") : string.Empty),
                    new Text(field.Name),
                    new Text(field.Bits),
                    new Text(field.Value.ToString(CultureInfo.InvariantCulture)),
                    new Text(field.Meaning));
                firstRow = false;
            }

            table.AddEmptyRow();
        }

        context.Console.Write(table);
        return 0;
    }
}
