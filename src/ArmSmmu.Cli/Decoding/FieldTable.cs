using System.Globalization;
using ArmSmmu.Structures;
using Spectre.Console;

namespace ArmSmmu.Cli.Decoding;

/// <summary>Renders decoded fields as a Spectre table: Field, Bits, Value, Meaning.</summary>
internal static class FieldTable
{
    /// <summary>A table of <paramref name="fields"/>.</summary>
    /// <param name="title">Table title.</param>
    /// <param name="fields">Decoded fields.</param>
    /// <returns>The table.</returns>
    public static Table Create(string title, IEnumerable<DecodedField> fields)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(title)) };
        table.AddColumns("Field", "Bits", "Value", "Meaning");
        foreach (DecodedField field in fields)
        {
            // Plain Text cells: "[3:2]" must not be read as Spectre markup.
            table.AddRow(new Text(field.Name), new Text(field.Bits), new Text(FormatValue(field.Value)), new Text(field.Meaning));
        }

        return table;
    }

    /// <summary>Small values in decimal, the rest in hex.</summary>
    /// <param name="value">A field value.</param>
    /// <returns>The text.</returns>
    public static string FormatValue(ulong value) => value < 10
        ? value.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");
}
