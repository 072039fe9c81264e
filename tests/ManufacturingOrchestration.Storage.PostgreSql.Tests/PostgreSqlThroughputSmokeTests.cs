using ManufacturingOrchestration.Throughput;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>
/// The throughput runner on the PostgreSQL store, small: every outcome of the standard scenario verified on a real server
/// (the runner's own schema, dropped afterwards). Never a speed.
/// </summary>
public sealed class PostgreSqlThroughputSmokeTests
{
    private readonly PostgreSqlCluster _cluster;

    public PostgreSqlThroughputSmokeTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    [Fact]
    public async Task RunAsync_UserWorkflowOnPostgreSql_VerifiesEveryOutcomeAndDropsItsSchema()
    {
        _cluster.SkipWhenUnavailable();
        var schemasBefore = await RunSchemasAsync();
        var options = new ThroughputOptions
        {
            Store = ThroughputStore.PostgreSql,
            PostgreSqlConnectionString = _cluster.ConnectionString,
            Workflow = ThroughputWorkflow.User,
            Lots = 300,
            Parallelism = 2,
            WarmUp = false,
        };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Passed.Should().BeTrue();
        report.Processed.Should().Be(300);
        output.ToString().Should().Contain("store postgresql").And.NotContain(PostgreSqlCluster.Password);
        (await RunSchemasAsync()).Should().Be(schemasBefore);
    }

    [Fact]
    public async Task RunAsync_TwoNodeProcessesOnOneSchema_VerifiesEveryOutcomeAcrossTheNodesAndDropsItsSchema()
    {
        _cluster.SkipWhenUnavailable();
        var schemasBefore = await RunSchemasAsync();
        var options = new ThroughputOptions
        {
            Store = ThroughputStore.PostgreSql,
            PostgreSqlConnectionString = _cluster.ConnectionString,
            Workflow = ThroughputWorkflow.User,
            Lots = 400,
            Parallelism = 2,
            Nodes = 2,

            // Longer than the default, so that a loaded machine's pauses do not move a bucket during this short run (the
            // per-node check of the simulators' effects would report it), yet short enough to share the buckets out soon.
            LeaseDuration = TimeSpan.FromSeconds(15),
            WarmUp = false,
        };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Failures.Should().BeEmpty(output.ToString());
        report.Passed.Should().BeTrue();
        report.Processed.Should().Be(400);
        var text = output.ToString();
        text.Should().Contain("2 node processes in cluster mode").And.Contain("node 0").And.Contain("node 1").And.NotContain(PostgreSqlCluster.Password);
        (await RunSchemasAsync()).Should().Be(schemasBefore);
    }

    /// <summary>How many of the runner's schemas (<c>mo_run_…</c>) the server holds.</summary>
    private Task<object?> RunSchemasAsync() => _cluster.ScalarAsync("SELECT COUNT(*) FROM pg_namespace WHERE nspname LIKE 'mo_run_%'");
}
