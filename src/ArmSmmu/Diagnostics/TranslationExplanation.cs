using System.Globalization;
using System.Text;

namespace ArmSmmu.Diagnostics;

/// <summary>One step of a translation as <see cref="SmmuV3.Explain"/> saw it: a structure fetched, a decision taken, a descriptor read.</summary>
/// <param name="Stage">Which part of the pipeline: "registers", "stream table", "STE", "substream", "CD", "walk", "result".</param>
/// <param name="Text">What happened, in words, with the spec field names.</param>
/// <param name="Address">The address read, when the step read memory.</param>
/// <param name="Value">The value read (the first word for multi-word structures).</param>
public sealed record ExplanationStep(string Stage, string Text, ulong? Address = null, ulong? Value = null)
{
    /// <inheritdoc />
    public override string ToString()
    {
        string where = Address is ulong a ? string.Create(CultureInfo.InvariantCulture, $" [0x{a:X}]") : string.Empty;
        string what = Value is ulong v ? string.Create(CultureInfo.InvariantCulture, $" = 0x{v:X16}") : string.Empty;
        return $"{Stage,-13} {Text}{where}{what}";
    }
}

/// <summary>
/// The answer to "why did this transaction do that?": every structure the SMMU fetched, every decision it took and
/// every descriptor it read for one transaction, with the result it would give.
/// </summary>
/// <param name="Request">The transaction explained.</param>
/// <param name="Result">The result the SMMU gives it (the same as <see cref="SmmuV3.Translate"/> would, with empty caches).</param>
/// <param name="Steps">The steps, in order.</param>
public sealed record TranslationExplanation(TranslationRequest Request, TranslationResult Result, IReadOnlyList<ExplanationStep> Steps)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"StreamID 0x{Request.StreamId:X}");
        if (Request.SubstreamId is uint ssid)
        {
            text.Append(CultureInfo.InvariantCulture, $" SubstreamID 0x{ssid:X}");
        }

        text.Append(CultureInfo.InvariantCulture, $" {Request.Access} 0x{Request.Address:X}").AppendLine();
        foreach (var step in Steps)
        {
            text.Append("  ").Append(step).AppendLine();
        }

        return text.ToString();
    }
}
