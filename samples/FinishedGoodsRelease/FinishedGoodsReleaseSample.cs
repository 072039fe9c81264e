using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Samples.FinishedGoodsRelease;

/// <summary>
/// Scenario 2: a finished-goods lot is released after final quality approval. The stock moves from quality
/// inspection to unrestricted, the shipment hold is lifted, ATP is updated, customer service learns which backorders
/// the lot can fill, and the lot's genealogy (which component lots went into it) is published to the traceability
/// repository — once, under its own idempotency key, even when the release event arrives twice.
/// </summary>
public static class FinishedGoodsReleaseSample
{
    private static readonly LotId FinishedLot = new("FG-2026-1101");
    private static readonly OrderId Order = new("WO-2001");

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("FinishedGoodsRelease", "Scenario 2: finished-goods release → stock, shipment hold, ATP, customer service, genealogy.")
            .WithOutput("the genealogy files (one JSON file per lot)")
            .RunAsync(args, output, error, async (options, o, c) => (await RunAsync(options, o, c)).Passed, cancellationToken);

    /// <summary>Runs the scenario and writes what happens.</summary>
    /// <param name="options">The options: the output folder for the traceability files.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<SampleReport> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var traceability = Path.Combine(options.RequireOutputDirectory(), "traceability");
        if (Directory.Exists(traceability))
        {
            Directory.Delete(traceability, recursive: true);
        }

        await using var host = await SampleHost.StartAsync(options.Seed, b => b.AddScenario(FinishedGoodsReleaseWorkflow.Create), traceabilityDirectory: traceability, cancellationToken: cancellationToken);
        var plant = host.Plant;

        // 50 boards built by WO-2001 from two capacitor lots, waiting in quality inspection behind a shipment hold.
        Plants.AddLot(plant, FinishedLot.Value, Plants.Board, Plants.P1.Id, 50, StockCategory.QualityInspection);
        await plant.Erp.PlaceShipmentHoldAsync(new PlaceShipmentHoldRequest { Context = new CommandContext { IdempotencyKey = "hold-" + FinishedLot.Value, CorrelationId = "seed" }, Lot = FinishedLot }, cancellationToken);
        plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-CAP-0700"), ProducedLot = FinishedLot, Order = Order, Quantity = Quantity.Each(40) });
        plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-CAP-0701"), ProducedLot = FinishedLot, Order = Order, Quantity = Quantity.Each(10) });
        await host.WriteNewEffectsAsync(TextWriter.Null);

        await output.WriteLineAsync($"1. Final quality approval of {FinishedLot} (backorders SO-501 and SO-502 wait for boards).");
        var released = new EventEnvelope
        {
            Id = "release-" + FinishedLot.Value,
            Source = "qms://P1",
            Type = EventTypes.LotReleased,
            Site = Plants.P1.Id,
            Data = new LotReleased { Lot = FinishedLot, Material = Plants.Board, Site = Plants.P1.Id, ReleasedBy = Plants.QualityManager, ProducedBy = Order, Backorders = ["SO-501", "SO-502"] },
        };
        await host.PublishAndWaitAsync(cancellationToken, released);
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync("2. The QMS sends the same release again (a retry on its side).");
        var again = await host.PublishAsync(released, cancellationToken);
        await host.Orchestrator.WaitForIdleAsync(cancellationToken);
        await output.WriteLineAsync($"    {again.Status}: nothing happens twice.");

        var record = await host.Traceability!.GetAsync(FinishedLot, cancellationToken);
        await output.WriteLineAsync($"3. Genealogy published to {host.Traceability.PathOf(FinishedLot)}:");
        foreach (var link in record?.Links ?? [])
        {
            await output.WriteLineAsync($"    {link.ComponentLot} → {FinishedLot} ({link.Quantity} in {link.Order})");
        }

        var facts = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["unrestricted"] = plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted),
            ["quality-inspection"] = plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection),
            ["shipment-hold"] = plant.Erp.HasShipmentHold(FinishedLot) ? 1 : 0,
            ["atp"] = plant.Erp.GetAtp(Plants.Board, Plants.P1.Id) ?? 0,
            ["customer-service-notices"] = plant.Notification.SentTo(Role.CustomerService, Plants.P1.Id).Count,
            ["genealogy-links"] = record?.Links.Count ?? 0,
            ["genealogy-publications"] = record?.PublicationKeys.Count ?? 0,
            ["duplicate-release"] = again.Status == Engine.Execution.PublishStatus.Duplicate ? 1 : 0,
        };
        var report = await host.ReportAsync("finished-goods-release", [], facts, cancellationToken);
        await output.WriteLineAsync();
        await SampleHost.WriteSummaryAsync(report, output);
        return report;
    }
}
