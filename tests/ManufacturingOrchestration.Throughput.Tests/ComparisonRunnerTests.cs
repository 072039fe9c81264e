using ManufacturingOrchestration.Comparison;

namespace ManufacturingOrchestration.Throughput.Tests;

/// <summary>
/// The comparison command's smoke run: every configuration in its own process (the built runners beside this test's
/// output), one round under server GC with the latency round. Asserts that every run verified and the table is printed;
/// never a speed or a floor.
/// </summary>
public sealed class ComparisonRunnerTests
{
    [Fact]
    public async Task RunAsync_OneSmallRound_EveryRunVerifiesAndTheTableIsPrinted()
    {
        var (options, error) = ComparisonOptions.Parse(["--lots", "300", "--rounds", "1", "--gc", "server", "--no-warmup"]);
        error.Should().BeNull();
        using var output = new StringWriter();

        var exitCode = await ComparisonRunner.RunAsync(options!, output, TestContext.Current.CancellationToken);

        var text = output.ToString();
        exitCode.Should().Be(0, text);
        text.Should().Contain("| MassTransit 8.5.12, in memory |")
            .And.Contain("| ours, NRules workflow, in memory |")
            .And.Contain("| ours, NRules workflow, SQLite |")
            .And.Contain("| ours, engine alone (plain C#), in memory |")
            .And.Contain("× MT events/s")
            .And.Contain("p99 ms")
            .And.Contain("PASS  every run verified");
    }

    [Fact]
    public async Task RunAsync_RunnerMissing_ExitsWithTwoAndNamesIt()
    {
        var options = new ComparisonOptions { Lots = 10, Rounds = 1, ThroughputDll = "/nonexistent/runner.dll" };
        using var output = new StringWriter();

        var exitCode = await ComparisonRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        exitCode.Should().Be(2);
        output.ToString().Should().Contain("/nonexistent/runner.dll");
    }

    [Fact]
    public void Median_EvenAndOddCounts_AreTheMiddle()
    {
        ComparisonRunner.Median([3, 1, 2]).Should().Be(2);
        ComparisonRunner.Median([4, 1, 3, 2]).Should().Be(2.5);
    }
}
