using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Samples.QuickStart;

/// <summary>The README's quick start: a failed incoming inspection quarantines a lot in the ERP and the WMS.</summary>
public static class QuickStartSample
{
    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the lot ends up blocked, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("QuickStart", "The README's quick start: a failed incoming inspection quarantines a lot in the ERP and the WMS, on a SQLite store.")
            .WithOutput("the SQLite store (quickstart.db)")
            .RunAsync(args, output, error, async (options, o, c) => await RunAsync(options.FreshStorePath("quickstart.db"), o, c) > 0, cancellationToken);

    /// <summary>Runs the quick start on a SQLite file and returns the lot's blocked quantity in the simulated ERP.</summary>
    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="output">Where to write what happens.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The blocked quantity.</returns>
    public static async Task<decimal> RunAsync(string databasePath, TextWriter output, CancellationToken cancellationToken)
    {
        using var plant = new PlantSimulator();
        plant.AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") });
        plant.AddMaterial(new MaterialDefinition { Id = new MaterialId("CAP-100UF"), BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = new SupplierId("S-ACME") });
        plant.AddLot(new MaterialLot { Id = new LotId("L-1"), Material = new MaterialId("CAP-100UF"), Site = new SiteId("P1"), Unit = UnitOfMeasure.Each, Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(500) }] }, new BinId("RCV-P1"));

        // --- quick start (README) ---
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseSqlite(databasePath)                 // durable, zero set-up
            .UseAdapters(plant.Adapters)             // your ERP/MES/QMS/WMS connectors
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());               // shipped workflow + standard rules
        await using var provider = services.BuildServiceProvider();
        var orchestrator = provider.GetRequiredService<Orchestrator>();
        await orchestrator.StartAsync(cancellationToken);
        var result = await orchestrator.PublishAsync(new EventEnvelope
        {
            Id = "qi-4711", Source = "qms://plant-1", Type = EventTypes.InspectionFailed, Site = new SiteId("P1"),
            Data = new InspectionFailed { InspectionLot = new InspectionLotId("IL-4711"), Lot = new LotId("L-1"), Material = new MaterialId("CAP-100UF"), Site = new SiteId("P1"), Severity = DefectSeverity.Major },
        }, cancellationToken);
        // --- end of quick start ---

        await orchestrator.WaitForIdleAsync(cancellationToken);
        foreach (var record in await orchestrator.GetAuditTrailAsync("L-1", cancellationToken))
        {
            await output.WriteLineAsync($"audit: {record.Action}: {record.Reason}");
        }

        await orchestrator.StopAsync(cancellationToken);
        var blocked = plant.Erp.QuantityIn(new LotId("L-1"), StockCategory.Blocked);
        await output.WriteLineAsync($"{result.Status}: ERP blocked {blocked} EA of L-1; WMS move tasks: {plant.Wms.MoveTasks.Count}; supplier cases: {plant.Qms.SupplierCases.Count}");
        return blocked;
    }
}
