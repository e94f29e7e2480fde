using System.CommandLine;

namespace ArmSmmu.Cli;

/// <summary>One <c>smmu</c> subcommand: builds its System.CommandLine definition, with an action bound to the context.</summary>
internal interface ICliCommand
{
    /// <summary>Creates the command, its options and its action.</summary>
    /// <param name="context">Where the command writes.</param>
    /// <returns>The command to add to the root.</returns>
    Command Build(CliContext context);
}
