using System.Text.RegularExpressions;

namespace ManufacturingOrchestration.Samples.Tests.Shared;

/// <summary>A sample run in-process through its command line: the exit code and what it wrote to each stream.</summary>
internal sealed partial record SampleRun(int ExitCode, string Output, string Error)
{
    /// <summary>How long a sample run may take before it is cancelled (it then exits 130, and the test fails on that).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(3);

    /// <summary>The folder the run said it wrote to (its <c>Output folder:</c> line), or empty.</summary>
    public string OutputFolder => OutputFolderLine().Match(Output).Groups["path"].Value;

    /// <summary>Runs a sample's entry point with <paramref name="args"/>, cancelled after <see cref="TimeLimit"/>.</summary>
    public static async Task<SampleRun> StartAsync(Func<IReadOnlyList<string>, TextWriter, TextWriter, CancellationToken, Task<int>> sample, params string[] args)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeLimit);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await sample(args, output, error, limit.Token);
        return new SampleRun(exitCode, output.ToString(), error.ToString());
    }

    [GeneratedRegex(@"^Output folder: (?<path>.+?) \((?:new|kept)", RegexOptions.Multiline)]
    private static partial Regex OutputFolderLine();
}
