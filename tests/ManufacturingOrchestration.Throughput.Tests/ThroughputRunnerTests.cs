namespace ManufacturingOrchestration.Throughput.Tests;

public sealed class ThroughputRunnerTests
{
    [Fact]
    public async Task RunAsync_SmokeRunInMemory_VerifiesEveryOutcome()
    {
        var options = new ThroughputOptions { Lots = 2_000, Parallelism = 2, WarmUp = false };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Passed.Should().BeTrue();
        report.Processed.Should().Be(2_000);
        report.Events.Should().Be(2_020, "1% of the events are re-sent as duplicates");
        report.LatencySamples.Should().Be(2_000);
        report.MaxBacklog.Should().BeLessThanOrEqualTo(report.BacklogBound + 2_000);
        output.ToString().Should().Contain("PASS");
    }

    [Fact]
    public async Task RunAsync_QueueCapacityBelowTheBatches_CompletesWithTheBacklogBoundedByIt()
    {
        var options = new ThroughputOptions { Lots = 2_000, Parallelism = 2, QueueCapacity = 64, WarmUp = false };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Passed.Should().BeTrue(output.ToString());
        report.BacklogBound.Should().Be(128);
        report.MaxBacklog.Should().BeLessThanOrEqualTo(128 + 32, "the four publishers' batches of 256 wait for the 128 slots instead of queueing 2,000 events");
    }

    [Fact]
    public async Task RunAsync_UserWorkflow_VerifiesTheSameOutcomesAsTheShippedOne()
    {
        var options = new ThroughputOptions { Workflow = ThroughputWorkflow.User, Lots = 1_000, Parallelism = 2, WarmUp = false };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Passed.Should().BeTrue();
        report.Processed.Should().Be(1_000);
        output.ToString().Should().Contain("user workflow");
    }

    [Fact]
    public async Task RunAsync_PlainWorkflowOpenLoop_VerifiesAndWritesTheResultLine()
    {
        var options = new ThroughputOptions { Workflow = ThroughputWorkflow.Plain, Lots = 300, Parallelism = 2, WarmUp = false, Rate = 3_000, Json = true };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        var result = StandardScenario.RunResult.Find(output.ToString());
        result.Should().NotBeNull(output.ToString());
        result!.Runner.Should().Be("plain");
        result.Passed.Should().BeTrue();
        result.Processed.Should().Be(300);
        result.Rate.Should().Be(3_000);
    }

    [Fact]
    public void ToResult_CarriesTheCollectorsPauseIntoTheResultLine()
    {
        var report = new ThroughputReport { Options = new ThroughputOptions(), GcPause = TimeSpan.FromMilliseconds(123.5) };

        var line = report.ToResult().ToLine();

        StandardScenario.RunResult.Find(line)!.GcPauseMs.Should().Be(123.5);
    }

    [Fact]
    public async Task RunAsync_SmokeRunOnSqlite_VerifiesEveryOutcome()
    {
        var options = new ThroughputOptions { Store = ThroughputStore.Sqlite, Lots = 500, Parallelism = 2, WarmUp = false };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Passed.Should().BeTrue();
        report.Processed.Should().Be(500);
    }

    [Fact]
    public async Task RunAsync_CountingPlantOnSqlite_VerifiesEveryOutcomeWithEnvelopesMadeAsPublished()
    {
        var options = new ThroughputOptions { Store = ThroughputStore.Sqlite, Plant = ThroughputPlant.Counting, Lots = 700, Parallelism = 2, BatchSize = 64, WarmUp = false };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Processed.Should().Be(700);
        report.Events.Should().Be(707);
        output.ToString().Should().Contain("counting plant");
    }

    [Fact]
    public async Task RunAsync_CountingPlantOpenLoop_PublishesEveryEventOnce()
    {
        var options = new ThroughputOptions { Workflow = ThroughputWorkflow.User, Plant = ThroughputPlant.Counting, Lots = 400, Parallelism = 2, WarmUp = false, Rate = 4_000 };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Processed.Should().Be(400);
        report.LatencySamples.Should().Be(400);
    }
}
