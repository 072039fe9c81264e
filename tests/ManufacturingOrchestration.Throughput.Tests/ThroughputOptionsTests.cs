namespace ManufacturingOrchestration.Throughput.Tests;

public sealed class ThroughputOptionsTests
{
    [Fact]
    public void Parse_StoreLotsAndParallelism_AreRead()
    {
        var (options, error) = ThroughputOptions.Parse(["--store", "sqlite", "--lots", "1234", "--parallelism", "3", "--publishers", "2", "--batch", "64"]);

        error.Should().BeNull();
        options!.Store.Should().Be(ThroughputStore.Sqlite);
        options.Lots.Should().Be(1234);
        options.Parallelism.Should().Be(3);
        options.Publishers.Should().Be(2);
        options.BatchSize.Should().Be(64);
        options.QueueCapacity.Should().BeNull("the engine's default applies unless asked");
    }

    [Fact]
    public void Parse_QueueCapacity_IsRead()
    {
        var (options, _) = ThroughputOptions.Parse(["--queue-capacity", "1024"]);

        options!.QueueCapacity.Should().Be(1024);
    }

    [Fact]
    public void Parse_Workflow_IsRead()
    {
        ThroughputOptions.Parse([]).Options!.Workflow.Should().Be(ThroughputWorkflow.Shipped);
        ThroughputOptions.Parse(["--workflow", "user"]).Options!.Workflow.Should().Be(ThroughputWorkflow.User);
        ThroughputOptions.Parse(["--workflow", "shipped"]).Options!.Workflow.Should().Be(ThroughputWorkflow.Shipped);
        ThroughputOptions.Parse(["--workflow", "plain"]).Options!.Workflow.Should().Be(ThroughputWorkflow.Plain);
    }

    [Fact]
    public void Parse_JsonAndRate_AreRead()
    {
        var (options, _) = ThroughputOptions.Parse(["--json", "--rate", "2500.5"]);

        options!.Json.Should().BeTrue();
        options.Rate.Should().Be(2500.5);
        ThroughputOptions.Parse([]).Options!.Rate.Should().BeNull("a run saturates unless a rate is asked for");
    }

    [Fact]
    public void Parse_Burst_UsesOneMillionLots()
    {
        var (options, _) = ThroughputOptions.Parse(["--lots", "10", "--burst"]);

        options!.Lots.Should().Be(ThroughputOptions.BurstLots);
        options.Burst.Should().BeTrue();
        options.Plant.Should().Be(ThroughputPlant.Counting, "a burst measures what the orchestrator holds, not the simulators");
    }

    [Fact]
    public void Parse_Plant_TakesTheNamedPlantAndOverridesTheBurstsDefault()
    {
        ThroughputOptions.Parse([]).Options!.Plant.Should().Be(ThroughputPlant.Simulators);
        ThroughputOptions.Parse(["--plant", "counting"]).Options!.Plant.Should().Be(ThroughputPlant.Counting);
        ThroughputOptions.Parse(["--plant", "simulators", "--burst"]).Options!.Plant.Should().Be(ThroughputPlant.Simulators);
        ThroughputOptions.Parse(["--plant", "fake"]).Error.Should().Contain("Unknown plant 'FAKE'");
    }

    [Fact]
    public void Parse_Postgres_SelectsThePostgreSqlStoreOnThatServer()
    {
        var (options, error) = ThroughputOptions.Parse(["--postgres", "Host=127.0.0.1;Port=5432", "--lots", "10"]);

        error.Should().BeNull();
        options!.Store.Should().Be(ThroughputStore.PostgreSql);
        options.PostgreSqlConnectionString.Should().Be("Host=127.0.0.1;Port=5432");
    }

    [Fact]
    public void Parse_PostgresStoreWithoutAServer_ReturnsAnErrorNamingTheOption()
    {
        var (options, error) = ThroughputOptions.Parse(["--store", "postgres"]);

        options.Should().BeNull();
        error.Should().Contain("--postgres CONNECTION");
    }

    [Fact]
    public async Task RunAsync_PostgreSqlServerNotAnswering_ReportsNotAvailableAndWhy()
    {
        var options = new ThroughputOptions { Store = ThroughputStore.PostgreSql, PostgreSqlConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-not-printed;Timeout=5", Lots = 10, WarmUp = false };
        using var output = new StringWriter();

        var report = await ThroughputRunner.RunAsync(options, output, TestContext.Current.CancellationToken);

        report.Available.Should().BeFalse();
        output.ToString().Should().Contain("store postgres: cannot connect").And.NotContain("secret-not-printed");
    }

    [Theory]
    [InlineData("--store", "oracle")]
    [InlineData("--lots", "0")]
    [InlineData("--lots", "many")]
    [InlineData("--queue-capacity", "0")]
    [InlineData("--workflow", "custom")]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "fast")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--prefill", "1000")]
    public void Parse_BadArgument_ReturnsAnErrorAndNoOptions(string name, string value)
    {
        var (options, error) = ThroughputOptions.Parse([name, value]);

        options.Should().BeNull();
        error.Should().NotBeNullOrWhiteSpace();
    }
}
