namespace ArmSmmu.Structures;

/// <summary>Checks shared by the generated record constructors.</summary>
internal static class RecordIo
{
    /// <summary>Checks a span passed to a record constructor.</summary>
    public static void RequireLength(ReadOnlySpan<ulong> words, int count, string record)
    {
        if (words.Length < count)
        {
            throw new ArgumentException($"{record} needs {count} 64-bit words, got {words.Length}.", nameof(words));
        }
    }
}
