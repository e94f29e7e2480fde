using System.Runtime.CompilerServices;

namespace ArmSmmu.Fuzz;

/// <summary>
/// The message of an invariant check, formatted only when the check fails: the checks run after every guest
/// operation, and formatting a dozen messages per operation that nobody reads cost more than the operations.
/// </summary>
[InterpolatedStringHandler]
internal ref struct FailureMessage
{
    private DefaultInterpolatedStringHandler _text;

    public FailureMessage(int literalLength, int formattedCount, bool condition, out bool format)
    {
        format = !condition;
        _text = format ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    public string ToStringAndClear() => _text.ToStringAndClear();
}
