using System.Globalization;
using System.Runtime.CompilerServices;
using ArmSmmu.Translation;

namespace ArmSmmu;

// Diagnostics: Explain runs the real pipeline on a probe device whose caches are off and whose memory is a
// copy-on-write overlay, noting each step, so the answer is exact and the real device and memory are untouched.
public sealed partial class SmmuV3
{
    private List<ExplanationStep>? _explanation;

    /// <summary>
    /// Explains how the SMMU translates <paramref name="request"/> now: the registers that matter, the STE and CD
    /// it fetches (and, for an invalid one, which rule of IHI0070 §5.2.2 / §5.4.2 it breaks), the SubstreamID
    /// decisions and every descriptor of the walk, then the result. Nothing is changed: no event is recorded, no
    /// cache is filled, no Access flag or dirty state is written, no stall is left outstanding.
    /// </summary>
    /// <param name="request">The transaction to explain.</param>
    /// <returns>The steps and the result, which equals what <see cref="Translate"/> gives once the caches hold nothing stale.</returns>
    public TranslationExplanation Explain(in TranslationRequest request)
    {
        var probe = new SmmuV3(new OverlayMemory(_memory), Features with { TlbEntries = 0, ConfigCacheEntries = 0 });
        lock (_lock)
        {
            probe.CopyRegistersFrom(this);
        }

        probe._explanation = [];
        var result = probe.Translate(request);
        probe.Note("result", result.ToString());
        return new TranslationExplanation(request, result, probe._explanation);
    }

    private void Note(string stage, string text, ulong? address = null, ulong? value = null) =>
        _explanation?.Add(new ExplanationStep(stage, text, address, value));

    // Interpolated notes are formatted only while explaining: the translation path pays one null check otherwise.
    private void Note(string stage, [InterpolatedStringHandlerArgument("")] ref NoteText text, ulong? address = null, ulong? value = null)
    {
        if (_explanation is not null)
        {
            _explanation.Add(new ExplanationStep(stage, text.ToStringAndClear(), address, value));
        }
    }

    [InterpolatedStringHandler]
    private ref struct NoteText
    {
        private DefaultInterpolatedStringHandler _text;

        public NoteText(int literalLength, int formattedCount, SmmuV3 device, out bool enabled)
        {
            enabled = device._explanation is not null;
            _text = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
        }

        public void AppendLiteral(string value) => _text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

        public string ToStringAndClear() => _text.ToStringAndClear();
    }

    private bool Explaining => _explanation is not null;

    // The walk, with every descriptor access noted when explaining.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private WalkResult Walk(ulong address, in TranslationRegime regime, AccessIntent access) =>
        _explanation is null ? _walker.Walk(address, regime, access) : WalkExplained(address, regime, access);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WalkResult WalkExplained(ulong address, in TranslationRegime regime, AccessIntent access)
    {
        var trace = new WalkTrace();
        var walk = _walker.Walk(address, regime, access, trace);
        NoteWalk(trace);
        return walk;
    }

    private WalkResult WalkStage2(ulong ipa, in Stage2Config stage2, FaultClass purpose)
    {
        if (_explanation is null)
        {
            return _walker.WalkStage2(ipa, stage2, AccessIntent.TableRead, purpose);
        }

        var trace = new WalkTrace();
        var walk = _walker.WalkStage2(ipa, stage2, AccessIntent.TableRead, purpose, trace);
        NoteWalk(trace);
        return walk;
    }

    private void NoteWalk(WalkTrace trace)
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
            Note("walk", $"{(step.Stage2 ? "stage 2" : "stage 1")} level {step.Level} descriptor {action}{purpose}: {kind}", step.PhysicalAddress, step.Descriptor);
        }
    }
}
