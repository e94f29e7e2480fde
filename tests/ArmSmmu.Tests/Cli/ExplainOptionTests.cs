namespace ArmSmmu.Tests.Cli;

/// <summary>`smmu run --explain`: every transaction that does not translate comes with the steps the SMMU took.</summary>
public class ExplainOptionTests
{
    private static string ExamplePath(string name)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "ArmSmmu.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        Assert.NotNull(dir);
        return Path.Combine(dir, "examples", name);
    }

    [Fact]
    public void Run_with_explain_shows_the_walk_that_ended_in_a_permission_fault()
    {
        var output = new StringWriter();
        int code = ArmSmmu.Cli.CliApp.Run(["run", ExamplePath("faults.json"), "--explain"], output, new StringWriter());
        string text = output.ToString();

        Assert.Equal(0, code);
        Assert.Contains("Why #", text, StringComparison.Ordinal);
        Assert.Contains("stage 1 level 3 descriptor read: page", text, StringComparison.Ordinal);
        Assert.Contains("F_PERMISSION at stage 1, CLASS IN: abort, recorded", text, StringComparison.Ordinal);
        Assert.Contains("Config 0b0xx: every transaction is aborted, without an event", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_without_explain_prints_no_explanations()
    {
        var output = new StringWriter();
        ArmSmmu.Cli.CliApp.Run(["run", ExamplePath("faults.json")], output, new StringWriter());
        Assert.DoesNotContain("Why #", output.ToString(), StringComparison.Ordinal);
    }
}
