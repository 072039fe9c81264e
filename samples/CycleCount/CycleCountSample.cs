using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Samples.CycleCount;

/// <summary>
/// Scenario 3: cycle-count discrepancies. A count within tolerance is posted to the ERP at once. A count over
/// tolerance pauses the lot's picks in the WMS and waits for a cycle-count supervisor: the counter tries to approve
/// their own count (refused: segregation of duties), then the scripted supervisor signs, the adjustment is posted and
/// picks resume. An over-tolerance count of a controlled material also opens a root-cause investigation in the QMS.
/// </summary>
public static class CycleCountSample
{
    private static readonly LotId ScrewLot = new("L-SCR-001");
    private static readonly LotId ScrewLot2 = new("L-SCR-002");
    private static readonly LotId GoldLot = new("L-AU-001");

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("CycleCount", "Scenario 3: cycle-count discrepancy → pause picks, supervisor approval (never the counter), ERP adjustment.")
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
        await using var host = await SampleHost.StartAsync(options.Seed, b => b.AddScenario(CycleCountWorkflow.Create), cancellationToken: cancellationToken);
        var plant = host.Plant;
        Plants.AddLot(plant, ScrewLot.Value, Plants.Screws, Plants.P1.Id, 1000, StockCategory.Unrestricted);
        Plants.AddLot(plant, ScrewLot2.Value, Plants.Screws, Plants.P2.Id, 500, StockCategory.Unrestricted);
        Plants.AddLot(plant, GoldLot.Value, Plants.GoldWire, Plants.P3.Id, 50, StockCategory.Unrestricted);

        await output.WriteLineAsync($"1. P1: {ScrewLot} counted 995 against 1000 on the books (within tolerance for a C item).");
        await host.PublishAndWaitAsync(cancellationToken, Counted(ScrewLot, Plants.Screws, Plants.P1.Id, book: 1000, counted: 995));
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync($"2. P2: {ScrewLot2} counted 400 against 500 — over tolerance: picks pause, a supervisor must approve.");
        await host.PublishAndWaitAsync(cancellationToken, Counted(ScrewLot2, Plants.Screws, Plants.P2.Id, book: 500, counted: 400));
        await host.WriteNewEffectsAsync(output);
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync(ScrewLot2.Value, cancellationToken)).Single();
        var pausedWhileWaiting = plant.Wms.ArePicksPaused(ScrewLot2);
        await output.WriteLineAsync($"    waiting: {pending.Subject} — role {pending.Role}, counted by {pending.Requester}; picks paused: {pausedWhileWaiting}");

        await output.WriteLineAsync($"   {Plants.Counter} tries to approve their own count:");
        await host.SignAsync(pending, ScrewLot2.Value, approve: true, "I am sure", cancellationToken, signer: Plants.Counter);
        await host.Orchestrator.WaitForIdleAsync(cancellationToken);
        var refused = (await host.Orchestrator.GetAuditTrailAsync(ScrewLot2.Value, cancellationToken)).Where(r => r.Action == "approval-refused-invalid").ToArray();
        foreach (var record in refused)
        {
            await output.WriteLineAsync($"    refused: {record.Reason}");
        }

        var signed = await host.ApproveAllPendingAsync("Recounted with the warehouse lead: 400 confirmed.", cancellationToken);
        await output.WriteLineAsync($"   {Plants.CountSupervisor} signs ({signed} approval):");
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync($"3. P3: {GoldLot} (controlled gold wire) counted 45 against 50 — approval and a root-cause investigation.");
        await host.PublishAndWaitAsync(cancellationToken, Counted(GoldLot, Plants.GoldWire, Plants.P3.Id, book: 50, counted: 45));
        await host.WriteNewEffectsAsync(output);
        signed += await host.ApproveAllPendingAsync("Variance explained by a scale calibration error; adjustment accepted.", cancellationToken);
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync();
        var signatures = await host.WriteSignatureTrailAsync(output, cancellationToken);
        var facts = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["p1.unrestricted"] = plant.Erp.QuantityIn(ScrewLot, StockCategory.Unrestricted),
            ["p2.unrestricted"] = plant.Erp.QuantityIn(ScrewLot2, StockCategory.Unrestricted),
            ["p2.picks-paused-while-waiting"] = pausedWhileWaiting ? 1 : 0,
            ["p2.picks-paused-at-end"] = plant.Wms.ArePicksPaused(ScrewLot2) ? 1 : 0,
            ["p2.self-approvals-refused"] = refused.Length,
            ["p3.unrestricted"] = plant.Erp.QuantityIn(GoldLot, StockCategory.Unrestricted),
            ["p3.root-cause-investigations"] = plant.Qms.Nonconformances.Count(n => n.Lots.Contains(GoldLot)),
            ["approvals.signed"] = signed,
        };
        var report = await host.ReportAsync("cycle-count", signatures, facts, cancellationToken);
        await output.WriteLineAsync();
        await SampleHost.WriteSummaryAsync(report, output);
        return report;
    }

    private static EventEnvelope Counted(LotId lot, MaterialId material, SiteId site, decimal book, decimal counted) => new()
    {
        Id = "count-" + lot.Value,
        Source = "wms://" + site.Value,
        Type = EventTypes.CycleCountRecorded,
        Site = site,
        Data = new CycleCountRecorded
        {
            Count = new Model.CycleCount
            {
                Id = new CycleCountId("CC-" + lot.Value),
                Material = material,
                Lot = lot,
                Site = site,
                Bin = new BinId("RCV-" + site.Value),
                BookQuantity = Quantity.Each(book),
                CountedQuantity = Quantity.Each(counted),
                CountedBy = Plants.Counter,
            },
        },
    };
}
