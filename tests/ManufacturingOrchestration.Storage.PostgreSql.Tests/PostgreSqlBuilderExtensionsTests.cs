using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

public sealed class PostgreSqlBuilderExtensionsTests
{
    private readonly PostgreSqlCluster _cluster;

    public PostgreSqlBuilderExtensionsTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UsePostgreSql_ConnectionString_ComposesAnOrchestratorWhoseProcessedEventsAreInTheDatabase()
    {
        var schema = PostgreSqlCluster.NewSchema("di");
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UsePostgreSql(_cluster.ConnectionString, o => o.Schema = schema)
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());

        await using (var provider = services.BuildServiceProvider())
        {
            var orchestrator = provider.GetRequiredService<Orchestrator>();
            orchestrator.Store.Should().BeOfType<PostgreSqlOrchestrationStore>().Which.Schema.Should().Be(schema);
            await orchestrator.StartAsync(Ct);
            var result = await orchestrator.PublishAsync(
                new EventEnvelope
                {
                    Id = "e-1",
                    Source = "qms://p1",
                    Type = EventTypes.SupplierUpdated,
                    Data = new SupplierUpdated { Supplier = new SupplierId("S-1"), Change = "approved" },
                },
                Ct);
            result.Status.Should().Be(PublishStatus.Accepted);
            await orchestrator.WaitForIdleAsync(Ct);
            await orchestrator.StopAsync(Ct);
        }

        await using var reopened = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(schema), cancellationToken: Ct);
        (await reopened.ReadAuditAsync("supplier/S-1", 1, Ct)).Should().ContainSingle().Which.Action.Should().Be("ignored");
    }

    [Fact]
    public async Task UsePostgreSql_LoggerFactoryInTheContainer_TheStoreLogsWhyItIsNotListening()
    {
        var schema = PostgreSqlCluster.NewSchema("di");
        using var logs = new CapturingLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        var listen = new Npgsql.NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { Password = "Wr0ng-listen-secret" }.ConnectionString;
        services.AddManufacturingOrchestration(mo => mo.UsePostgreSql(_cluster.ConnectionString, o => (o.Schema, o.ListenConnectionString) = (schema, listen)));

        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IOrchestrationStore>().Should().BeOfType<PostgreSqlOrchestrationStore>().Subject;
        await store.WaitForAcceptedEventsAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        logs.Entries.Should().ContainSingle(static e => e.Level == LogLevel.Warning).Which.Message.Should().Contain(schema).And.NotContain("Wr0ng-listen-secret");
    }

    [Fact]
    public async Task UsePostgreSql_DataSourceRegisteredInTheContainer_UsesItAndLeavesItOpen()
    {
        var schema = PostgreSqlCluster.NewSchema("di");
        var services = new ServiceCollection();
        services.AddSingleton(_cluster.DataSource);
        services.AddManufacturingOrchestration(mo => mo.UsePostgreSql(o => o.Schema = schema));

        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IOrchestrationStore>().Should().BeOfType<PostgreSqlOrchestrationStore>().Which.Schema.Should().Be(schema);
        }

        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {schema}.mo_schema_version")).Should().Be((long)PostgreSqlOrchestrationStore.SchemaVersion, "the shared data source is still usable after the container is gone");
    }

    [Fact]
    public async Task UsePostgreSql_NoDataSourceRegistered_FailsSayingWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UsePostgreSql());
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOrchestrationStore>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*NpgsqlDataSource registered in the container*");
    }

    [Fact]
    public async Task UsePostgreSql_FromConfiguration_OpensTheSchemaWithTheBoundSettings()
    {
        var schema = PostgreSqlCluster.NewSchema("config");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ManufacturingOrchestration:PostgreSql:ConnectionString"] = _cluster.ConnectionString,
            ["ManufacturingOrchestration:PostgreSql:Schema"] = schema,
            ["ManufacturingOrchestration:PostgreSql:CommandTimeout"] = "00:00:05",
            ["ManufacturingOrchestration:PostgreSql:RetentionWindow"] = "1.00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UsePostgreSql(configuration.GetSection("ManufacturingOrchestration:PostgreSql")));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IOrchestrationStore>().Should().BeOfType<PostgreSqlOrchestrationStore>().Subject;

        store.Schema.Should().Be(schema);
        store.Target.Should().NotContain(PostgreSqlCluster.Password);
    }

    [Fact]
    public async Task UsePostgreSql_SettingsOutOfRange_RefuseTheStartNamingEachWithoutThePassword()
    {
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UsePostgreSql(_cluster.ConnectionString, o =>
        {
            o.Schema = "Not-A-Schema";
            o.CommandTimeout = TimeSpan.Zero;
        }));
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOrchestrationStore>();

        var refused = act.Should().Throw<OptionsValidationException>().Which;
        refused.Failures.Should().HaveCount(2);
        refused.Message.Should().Contain("Schema").And.Contain("CommandTimeout").And.NotContain(PostgreSqlCluster.Password);
    }
}
