using ManufacturingOrchestration.Comparison.MassTransit;

namespace ManufacturingOrchestration.Throughput.Tests;

/// <summary>The MassTransit baseline's smoke run, in process: it must do the scenario's work exactly, never at a speed.</summary>
public sealed class MassTransitRunnerTests
{
    [Fact]
    public async Task RunAsync_SmokeRun_VerifiesEveryEffectAndDuplicate()
    {
        var options = new MassTransitOptions { Lots = 500, Parallelism = 2, WarmUp = false, Json = true };
        using var output = new StringWriter();

        var result = await MassTransitRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        result.Failures.Should().BeEmpty(output.ToString());
        result.Passed.Should().BeTrue();
        result.Processed.Should().Be(500);
        result.Events.Should().Be(505, "1% of the events are re-sent with the same message id and must have no effect");
        output.ToString().Should().Contain("RESULT {").And.Contain("PASS");
    }

    [Theory]
    [InlineData("--lots", "0")]
    [InlineData("--rate", "-1")]
    [InlineData("--store", "sqlite")]
    public void Parse_BadArgument_ReturnsAnErrorAndNoOptions(string name, string value)
    {
        var (options, error) = MassTransitOptions.Parse([name, value]);

        options.Should().BeNull();
        error.Should().NotBeNullOrWhiteSpace();
    }
}
