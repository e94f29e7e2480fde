using System.Globalization;
using System.Runtime.CompilerServices;
using ArmSmmu.Translation;

namespace ArmSmmu.Diagnostics;

/// <summary>
/// Collects the steps of one <see cref="SmmuV3.Explain"/>. The pipeline stages hold a reference that is null on
/// a real device, so a translation that is not being explained pays one null check per note and formats nothing.
/// </summary>
internal sealed class ExplanationRecorder
{
    private readonly List<ExplanationStep> _steps = [];

    public IReadOnlyList<ExplanationStep> Steps => _steps;

    public void Add(string stage, string text, ulong? address, ulong? value) =>
        _steps.Add(new ExplanationStep(stage, text, address, value));

    // Every descriptor access of a walk, in the order the walker made them.
    public void AddWalk(WalkTrace trace)
    {
        foreach (var step in trace.Steps)
        {
            string action = step.Action == WalkTraceAction.Update ? "updated by hardware (IHI0070 §3.13)" : "read";
            string purpose = step.Stage2 && step.Purpose != FaultClass.IN ? $" for a {step.Purpose} access" : string.Empty;
            string kind = (step.Descriptor & 3) switch
            {
                0 or 2 => "invalid (bit 0 = 0)",
                1 => step.Level == 3 ? "reserved encoding at level 3 (invalid)" : "block",
                _ => step.Level == 3 ? "page" : "table",
            };
            string stage = step.Stage2 ? "stage 2" : "stage 1";
            string text = string.Create(CultureInfo.InvariantCulture, $"{stage} level {step.Level} descriptor {action}{purpose}: {kind}");
            Add("walk", text, step.PhysicalAddress, step.Descriptor);
        }
    }
}

/// <summary>Notes on a recorder that may be null: the call sites of the pipeline read as one line each.</summary>
internal static class ExplanationNotes
{
    public static void Note(this ExplanationRecorder? recorder, string stage, string text, ulong? address = null, ulong? value = null) =>
        recorder?.Add(stage, text, address, value);

    // Interpolated notes are formatted only while explaining: the translation path pays one null check otherwise.
    public static void Note(
        this ExplanationRecorder? recorder, string stage, [InterpolatedStringHandlerArgument("recorder")] ref NoteText text, ulong? address = null, ulong? value = null)
    {
        if (recorder is not null)
        {
            recorder.Add(stage, text.ToStringAndClear(), address, value);
        }
    }

    /// <summary>Builds a note's text only when a recorder is listening.</summary>
    [InterpolatedStringHandler]
    internal ref struct NoteText
    {
        private DefaultInterpolatedStringHandler _text;

        public NoteText(int literalLength, int formattedCount, ExplanationRecorder? recorder, out bool enabled)
        {
            enabled = recorder is not null;
            _text = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
        }

        public void AppendLiteral(string value) => _text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

        public string ToStringAndClear() => _text.ToStringAndClear();
    }
}
