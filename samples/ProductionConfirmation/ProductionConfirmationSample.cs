using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Samples.ProductionConfirmation;

/// <summary>
/// Scenario 5: a production order confirmed in parts. The MES reports 40 boards (2 scrapped) of 100: the ERP and the
/// MES record the partial confirmation, the order is in progress and its component reservations are kept for the
/// remaining 60. The final confirmation completes the order everywhere and tells the planner which reservations are
/// left to release. A confirmation for an order on hold is refused by the order state machine (<c>order.held</c>),
/// audited, posts nothing to the ERP or the MES, and the planner and quality engineering are told to confirm again once
/// the hold is lifted.
/// </summary>
public static class ProductionConfirmationSample
{
    private static readonly OrderId Order = new("WO-3001");
    private static readonly OrderId HeldOrder = new("WO-3002");

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("ProductionConfirmation", "Scenario 5: partial and final production confirmations → ERP and MES, reservations kept then released.")
            .RunAsync(args, output, error, async (options, o, c) => (await RunAsync(options, o, c)).Passed, cancellationToken);

    /// <summary>Runs the scenario and writes what happens.</summary>
    /// <param name="options">The options (the seed).</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<SampleReport> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        await using var host = await SampleHost.StartAsync(options.Seed, b => b.AddScenario(ProductionConfirmationWorkflow.Create), cancellationToken: cancellationToken);
        var plant = host.Plant;
        Plants.AddLot(plant, "L-CAP-0900", Plants.Capacitor, Plants.P2.Id, 400, StockCategory.Unrestricted);
        plant.AddOrder(new ProductionOrder
        {
            Id = Order,
            Material = Plants.Board,
            Site = Plants.P2.Id,
            PlannedQuantity = Quantity.Each(100),
            Status = ProductionOrderStatus.Released,
            Allocations = [new Allocation { Order = Order, Lot = new LotId("L-CAP-0900"), Material = Plants.Capacitor, Quantity = Quantity.Each(200) }],
        });
        plant.AddOrder(new ProductionOrder { Id = HeldOrder, Material = Plants.Board, Site = Plants.P2.Id, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.Held, StatusBeforeHold = ProductionOrderStatus.Released });

        await output.WriteLineAsync($"1. {Order}: 40 good, 2 scrapped (partial).");
        await host.PublishAndWaitAsync(cancellationToken, Confirmed("conf-1", Order, 40, 2, isFinal: false));
        await host.WriteNewEffectsAsync(output);
        var afterPartial = (await host.Orchestrator.GetPartitionAsync("order/" + Order.Value, cancellationToken))?.Order;
        await output.WriteLineAsync($"    order {afterPartial?.Status}, {afterPartial?.RemainingQuantity} remaining; reservations kept.");

        await output.WriteLineAsync($"2. {Order}: 60 good (final).");
        await host.PublishAndWaitAsync(cancellationToken, Confirmed("conf-2", Order, 60, null, isFinal: true));
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync($"3. {HeldOrder} is on hold; the MES confirms 10 anyway.");
        await host.PublishAndWaitAsync(cancellationToken, Confirmed("conf-3", HeldOrder, 10, null, isFinal: false));
        var rejected = (await host.Orchestrator.GetAuditTrailAsync("order/" + HeldOrder.Value, cancellationToken)).Where(r => r.Action == "confirmation-refused").ToArray();
        foreach (var record in rejected)
        {
            await output.WriteLineAsync($"    refused and audited: {record.Reason}");
        }

        await host.WriteNewEffectsAsync(output);

        var facts = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["remaining-after-partial"] = afterPartial?.RemainingQuantity ?? -1,
            ["erp-confirmed"] = plant.Erp.GetOrder(Order)?.ConfirmedQuantity ?? 0,
            ["erp-scrap"] = plant.Erp.GetOrder(Order)?.ScrapQuantity ?? 0,
            ["erp-completed"] = plant.Erp.GetOrder(Order)?.Status == ProductionOrderStatus.Completed ? 1 : 0,
            ["mes-completed"] = plant.Mes.GetWorkOrder(Order)?.Status == ProductionOrderStatus.Completed ? 1 : 0,
            ["planner-notices"] = plant.Notification.SentTo(Role.Planner, Plants.P2.Id).Count(n => n.Request.Order == Order),
            ["held-order-notices"] = plant.Notification.SentTo(Role.Planner, Plants.P2.Id).Count(n => n.Request.Order == HeldOrder),
            ["held-order-rejections"] = rejected.Length,
            ["held-order-confirmed"] = plant.Erp.GetOrder(HeldOrder)?.ConfirmedQuantity ?? 0,
        };
        var report = await host.ReportAsync("production-confirmation", [], facts, cancellationToken);
        await output.WriteLineAsync();
        await SampleHost.WriteSummaryAsync(report, output);
        return report;
    }

    private static EventEnvelope Confirmed(string id, OrderId order, decimal yield, decimal? scrap, bool isFinal) => new()
    {
        Id = id,
        Source = "mes://P2",
        Type = EventTypes.ProductionConfirmed,
        Site = Plants.P2.Id,
        Data = new ProductionConfirmed
        {
            Order = order,
            Material = Plants.Board,
            Site = Plants.P2.Id,
            Yield = Quantity.Each(yield),
            Scrap = scrap is { } s ? Quantity.Each(s) : null,
            IsFinal = isFinal,
            ProducedLot = new LotId("FG-" + order.Value),
        },
    };
}
