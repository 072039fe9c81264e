using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;

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
}
