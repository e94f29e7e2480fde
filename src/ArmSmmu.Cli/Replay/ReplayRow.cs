namespace ArmSmmu.Cli.Replay;

/// <summary>What a row says the recorded platform's answer was, when it says anything.</summary>
internal enum RowCheck : byte
{
    /// <summary>Nothing to compare (a plain trace line, or a recording row whose mapping later changed).</summary>
    None,

    /// <summary><c>agree == yes</c>: the mapping the platform used is the final one; the model must give the same PA and permission.</summary>
    Agree,

    /// <summary><c>final == fault</c>: the IOVA was unmapped by the end; the model must fault with F_TRANSLATION.</summary>
    Unmapped,
}

/// <summary>One transaction to replay, and what it must give when the row carries the platform's answer.</summary>
/// <param name="Request">The transaction.</param>
/// <param name="Check">What to compare.</param>
/// <param name="ExpectedPa">For <see cref="RowCheck.Agree"/>: the platform's PA.</param>
/// <param name="Permission">For <see cref="RowCheck.Agree"/>: the final leaf's permission (bit 0 read, bit 1 write), 0 when the row has none.</param>
internal readonly record struct ReplayRow(TranslationRequest Request, RowCheck Check, ulong ExpectedPa, byte Permission);

/// <summary>A stream of rows to replay: a recording's translations.tsv or a DMA trace.</summary>
internal interface IReplaySource : IDisposable
{
    /// <summary>How far through the input the reader is, 0 to 1, or null when the length is unknown (standard input).</summary>
    double? Fraction { get; }

    /// <summary>The next row, skipping comments and blank lines.</summary>
    /// <param name="row">The row.</param>
    /// <returns>False at the end of the input.</returns>
    /// <exception cref="ReplayInputException">A line is not a valid row.</exception>
    bool TryRead(out ReplayRow row);
}

/// <summary>A line of a trace or recording that cannot be replayed; the message names the file and line.</summary>
internal sealed class ReplayInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplayInputException()
    {
    }

    /// <summary>Creates the exception with the message the user sees.</summary>
    /// <param name="message">"file:line: reason".</param>
    public ReplayInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message the user sees and its cause.</summary>
    /// <param name="message">"file:line: reason".</param>
    /// <param name="innerException">The cause.</param>
    public ReplayInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
