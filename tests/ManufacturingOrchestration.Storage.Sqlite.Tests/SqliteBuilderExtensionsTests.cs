using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

public class SqliteBuilderExtensionsTests
{
    [Fact]
    public async Task UseSqlite_ComposesAnOrchestratorWhoseAcceptedEventsAreInTheFile()
    {
        using var folder = new TempFolder();
        var path = folder.NewDatabasePath();
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseSqlite(path, o => o.Synchronous = SqliteSynchronousMode.Full).UseAdapters(plant.Adapters).AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") }).AddIncomingInspection());

        await using (var provider = services.BuildServiceProvider())
        {
            var orchestrator = provider.GetRequiredService<Orchestrator>();
            orchestrator.Store.Should().BeOfType<SqliteOrchestrationStore>().Which.Path.Should().Be(Path.GetFullPath(path));
            await orchestrator.StartAsync(TestContext.Current.CancellationToken);
            var result = await orchestrator.PublishAsync(new EventEnvelope
            {
                Id = "e-1",
                Source = "qms://p1",
                Type = EventTypes.SupplierUpdated,
                Data = new SupplierUpdated { Supplier = new SupplierId("S-1"), Change = "approved" },
            }, TestContext.Current.CancellationToken);
            result.Status.Should().Be(PublishStatus.Accepted);
            await orchestrator.WaitForIdleAsync(TestContext.Current.CancellationToken);
            await orchestrator.StopAsync(TestContext.Current.CancellationToken);
        }

        using var reopened = SqliteOrchestrationStore.Open(path);
        (await reopened.ReadAuditAsync("supplier/S-1", 1, TestContext.Current.CancellationToken)).Should().ContainSingle().Which.Action.Should().Be("ignored");
    }

    [Fact]
    public async Task UseSqlite_FromConfiguration_OpensThePathWithTheBoundSettings()
    {
        using var folder = new TempFolder();
        var path = folder.NewDatabasePath();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ManufacturingOrchestration:Sqlite:Path"] = path,
            ["ManufacturingOrchestration:Sqlite:Synchronous"] = "Full",
            ["ManufacturingOrchestration:Sqlite:BusyTimeout"] = "00:00:02",
            ["ManufacturingOrchestration:Sqlite:MaxReaderConnections"] = "2",
            ["ManufacturingOrchestration:Sqlite:RetentionWindow"] = "3.00:00:00",
            ["ManufacturingOrchestration:Sqlite:PruneInterval"] = "00:30:00",
        }).Build();
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseSqlite(configuration.GetSection("ManufacturingOrchestration:Sqlite"))
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<Orchestrator>().Store.Should().BeOfType<SqliteOrchestrationStore>().Which;

        store.Path.Should().Be(Path.GetFullPath(path));
        store.Options.Synchronous.Should().Be(SqliteSynchronousMode.Full);
        store.Options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(2));
        store.Options.MaxReaderConnections.Should().Be(2);
        store.Options.RetentionWindow.Should().Be(TimeSpan.FromDays(3));
        store.Options.PruneInterval.Should().Be(TimeSpan.FromMinutes(30));
    }

    [Fact]
    public async Task UseSqlite_FromConfigurationWithoutPathAndARangeWrong_RefusedNamingBoth()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ManufacturingOrchestration:Sqlite:MaxReaderConnections"] = "0",
        }).Build();
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseSqlite(configuration.GetSection("ManufacturingOrchestration:Sqlite"))
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());
        await using var provider = services.BuildServiceProvider();

        var refused = provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>().Which;

        refused.OptionsType.Should().Be<SqliteStoreOptions>();
        refused.Failures.Should().Equal(
            "Path: ManufacturingOrchestration:Sqlite:Path is required: the SQLite database file.",
            "MaxReaderConnections: The field SqliteStoreOptions.MaxReaderConnections must be between 1 and 2147483647.");
    }

    [Fact]
    public async Task UseSqlite_SettingOutOfRangeInCode_RefusedBeforeTheFileIsCreated()
    {
        using var folder = new TempFolder();
        var path = folder.NewDatabasePath();
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseSqlite(path, o => o.PruneInterval = TimeSpan.Zero)
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());
        await using var provider = services.BuildServiceProvider();

        var refused = provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>().Which;

        refused.Failures.Should().Equal("PruneInterval: The field SqliteStoreOptions.PruneInterval must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.");
        File.Exists(path).Should().BeFalse();
    }
}
