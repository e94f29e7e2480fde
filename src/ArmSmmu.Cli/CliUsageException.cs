namespace ArmSmmu.Cli;

/// <summary>Bad input on the command line (an argument, a word, a file): reported as one message with exit code 2.</summary>
internal sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliUsageException()
    {
    }

    /// <summary>Creates the exception with the message the user sees.</summary>
    /// <param name="message">Names the argument and the reason.</param>
    public CliUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message the user sees and its cause.</summary>
    /// <param name="message">Names the argument and the reason.</param>
    /// <param name="innerException">The cause.</param>
    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
