using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Samples.IncomingInspection;

/// <summary>
/// Scenario 1 across three plants. A capacitor lot at P1 fails its tolerance check after 40 pieces were already
/// built into a work order: the ERP blocks it, the WMS moves it to the hold bin, procurement is told and asked for an
/// alternate supply, the supplier gets a quality case with the evidence, the consuming work order is held and a
/// containment check starts. A passing lot at P2 is released. A passing lot at P3 (regulated) waits for the quality
/// manager's signature, then is released. Finally the MRB decides to return the failed lot to the supplier.
/// </summary>
public static class IncomingInspectionSample
{
    private static readonly LotId FailedLot = new("L-CAP-0815");
    private static readonly LotId PassingLot = new("L-CAP-0816");
    private static readonly LotId RegulatedLot = new("L-CAP-0817");
    private static readonly OrderId WorkOrder = new("WO-1001");
    private static readonly NonconformanceId Ncr = new("NC-0815");

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("IncomingInspection", "Scenario 1: incoming inspection → release or quarantine → ERP correction, across three plants.")
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
        await using var host = await SampleHost.StartAsync(
            options.Seed,
            b => b.AddIncomingInspection().AddScenario(MrbDispositionWorkflow.Create),
            cancellationToken: cancellationToken);
        var plant = host.Plant;

        // The plants: three capacitor lots waiting in quality inspection; 40 pieces of the P1 lot are already in WO-1001.
        Plants.AddLot(plant, FailedLot.Value, Plants.Capacitor, Plants.P1.Id, 60, StockCategory.QualityInspection, consumed: 40);
        Plants.AddLot(plant, PassingLot.Value, Plants.Capacitor, Plants.P2.Id, 100, StockCategory.QualityInspection);
        Plants.AddLot(plant, RegulatedLot.Value, Plants.Capacitor, Plants.P3.Id, 80, StockCategory.QualityInspection);
        plant.AddOrder(new ProductionOrder { Id = WorkOrder, Material = Plants.Board, Site = Plants.P1.Id, PlannedQuantity = Quantity.Each(40), Status = ProductionOrderStatus.InProgress });
        plant.AddGenealogy(new GenealogyLink { ComponentLot = FailedLot, Order = WorkOrder, Quantity = Quantity.Each(40) });

        await output.WriteLineAsync($"1. P1: lot {FailedLot} fails the capacitance tolerance check (40 of 100 pieces already in {WorkOrder}).");
        await host.PublishAndWaitAsync(cancellationToken, Failed(FailedLot, Plants.P1.Id));
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync($"2. P2: lot {PassingLot} passes.");
        await host.PublishAndWaitAsync(cancellationToken, Passed(PassingLot, Plants.P2.Id));
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync($"3. P3 (regulated): lot {RegulatedLot} passes; the release waits for the quality manager.");
        await host.PublishAndWaitAsync(cancellationToken, Passed(RegulatedLot, Plants.P3.Id));
        var waiting = await host.Orchestrator.GetPendingApprovalsAsync(RegulatedLot.Value, cancellationToken);
        foreach (var request in waiting)
        {
            await output.WriteLineAsync($"    waiting: {request.Subject} — role {request.Role} at {request.Site}, asked by {request.Requester}");
        }

        var signed = await host.ApproveAllPendingAsync("Inspection record reviewed; certificate of conformance on file.", cancellationToken);
        await output.WriteLineAsync($"    the quality manager signed {signed} approval(s):");
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync($"4. MRB: {Ncr} on lot {FailedLot} is dispositioned 'return to supplier'.");
        plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = Ncr,
            Problem = "Capacitance out of tolerance",
            Site = Plants.P1.Id,
            Material = Plants.Capacitor,
            Lots = [FailedLot],
            Quantity = Quantity.Each(60),
            Supplier = Plants.Acme,
            Status = NonconformanceStatus.Approved,
        });
        var blockedBeforeMrb = plant.Erp.QuantityIn(FailedLot, StockCategory.Blocked);
        await host.PublishAndWaitAsync(cancellationToken, new EventEnvelope
        {
            Id = "mrb-0815",
            Source = "qms://plant-1",
            Type = EventTypes.MrbDispositionDecided,
            Site = Plants.P1.Id,
            Data = new MrbDispositionDecided
            {
                Nonconformance = Ncr,
                Lot = FailedLot,
                Material = Plants.Capacitor,
                Site = Plants.P1.Id,
                Lines = [new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = FailedLot, Quantity = Quantity.Each(60) }],
                DecidedBy = Plants.MrbMember,
            },
        });
        await host.WriteNewEffectsAsync(output);

        await output.WriteLineAsync();
        var signatures = await host.WriteSignatureTrailAsync(output, cancellationToken);
        var facts = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["p1.blocked-after-inspection"] = blockedBeforeMrb,
            ["p1.blocked-after-mrb"] = plant.Erp.QuantityIn(FailedLot, StockCategory.Blocked),
            ["p1.move-tasks-to-hold"] = plant.Wms.MoveTasks.Count(t => t.Lot == FailedLot && t.ToBin == Plants.P1.HoldLocation),
            ["p1.supplier-cases"] = plant.Qms.SupplierCases.Count,
            ["p1.work-order-held"] = plant.Mes.GetWorkOrder(WorkOrder)?.Status == ProductionOrderStatus.Held ? 1 : 0,
            ["p1.containment-checks"] = plant.Mes.ContainmentChecks.Count,
            ["p1.buyer-alerts"] = plant.Notification.SentTo(Role.Buyer, Plants.P1.Id).Count,
            ["p1.supplier-notices"] = plant.Procurement.SupplierNotices.Count,
            ["p1.ncr-executed"] = plant.Qms.GetNonconformance(Ncr)?.Status == NonconformanceStatus.DispositionExecuted ? 1 : 0,
            ["p2.unrestricted"] = plant.Erp.QuantityIn(PassingLot, StockCategory.Unrestricted),
            ["p3.unrestricted"] = plant.Erp.QuantityIn(RegulatedLot, StockCategory.Unrestricted),
            ["approvals.waited"] = waiting.Count,
            ["approvals.signed"] = signed,
        };
        var report = await host.ReportAsync("incoming-inspection", signatures, facts, cancellationToken);
        await output.WriteLineAsync();
        await SampleHost.WriteSummaryAsync(report, output);
        return report;
    }

    private static EventEnvelope Failed(LotId lot, SiteId site) => new()
    {
        Id = "insp-" + lot.Value,
        Source = "qms://" + site.Value,
        Type = EventTypes.InspectionFailed,
        Site = site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot.Value),
            Lot = lot,
            Material = Plants.Capacitor,
            Site = site,
            Supplier = Plants.Acme,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance 82 µF measured, tolerance 100 µF ±10 %",
            Evidence = [new EvidenceReference { Location = new Uri($"https://qms.example/evidence/{lot.Value}.pdf"), MediaType = "application/pdf" }],
        },
    };

    private static EventEnvelope Passed(LotId lot, SiteId site) => new()
    {
        Id = "insp-" + lot.Value,
        Source = "qms://" + site.Value,
        Type = EventTypes.InspectionPassed,
        Site = site,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lot.Value), Lot = lot, Material = Plants.Capacitor, Site = site, Inspector = Plants.Inspector },
    };
}
