namespace ArmSmmu.Cli;

/// <summary>Entry point of the <c>smmu</c> tool.</summary>
internal static class Program
{
    private static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
