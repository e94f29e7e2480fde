using ArmSmmu.Cli;

namespace ArmSmmu.Tests.Cli;

/// <summary>Runs the smmu tool in-process and captures what it writes.</summary>
internal static class CliRunner
{
    public static (int Code, string Output, string Error) Run(params string[] args) => RunWithInput(string.Empty, args);

    public static (int Code, string Output, string Error) RunWithInput(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        int code = CliApp.Run(args, output, error, reader);
        return (code, output.ToString(), error.ToString());
    }
}
