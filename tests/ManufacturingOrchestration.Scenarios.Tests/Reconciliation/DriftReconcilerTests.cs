using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Scenarios.Reconciliation;

namespace ManufacturingOrchestration.Scenarios.Tests.Reconciliation;

public class DriftReconcilerTests
{
    [Fact]
    public async Task ReconcileAsync_PlantedCategoryDrift_ReportsEachCategoryWithQuantitiesAndSystems()
    {
        await using var host = await CreateHost().StartAsync();
        // The orchestrator quarantined the lot; the ERP and the WMS still show it unrestricted.
        await SeedAsync(host, StoreSeed.Lot("L-1", (StockCategory.Blocked, 100)));
        host.Plant.AddLot(StoreSeed.Lot("L-1", (StockCategory.Unrestricted, 100)), new BinId("A-01"));

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-1")], EngineTestHost.Ct);

        report.LotsChecked.Should().Equal(new LotId("L-1"));
        report.Findings.Should().HaveCount(2);
        var blocked = report.Findings.Single(f => f.Category == StockCategory.Blocked);
        blocked.Quantities.Should().Equal(new Dictionary<string, Quantity>
        {
            [ReconciliationSystems.Orchestrator] = Quantity.Each(100),
            [ReconciliationSystems.Erp] = Quantity.Each(0),
            [ReconciliationSystems.Wms] = Quantity.Each(0),
        });
        blocked.DisagreeingSystems.Should().Equal(ReconciliationSystems.Erp, ReconciliationSystems.Wms);
        blocked.ReferenceSystem.Should().Be(ReconciliationSystems.Orchestrator);
        blocked.Site.Should().Be(EngineTestHost.Site);
        var unrestricted = report.Findings.Single(f => f.Category == StockCategory.Unrestricted);
        unrestricted.Quantities[ReconciliationSystems.Erp].Should().Be(Quantity.Each(100));
        unrestricted.Quantities[ReconciliationSystems.Orchestrator].Should().Be(Quantity.Each(0));
        report.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task ReconcileAsync_SameDriftTwice_AlertsWarehouseLeadAndPlannerExactlyOnce()
    {
        await using var host = await CreateHost().StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-2", (StockCategory.Blocked, 100)));
        host.Plant.AddLot(StoreSeed.Lot("L-2", (StockCategory.Unrestricted, 100)));
        var sut = CreateSut(host);

        var first = await sut.ReconcileAsync([new LotId("L-2")], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        var second = await sut.ReconcileAsync([new LotId("L-2")], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        first.AlertsRaised.Should().Equal(new LotId("L-2"));
        second.AlertsRaised.Should().BeEmpty();
        second.AlertsAlreadyRaised.Should().Equal(new LotId("L-2"));
        second.Findings.Should().HaveCount(2, "the drift is still reported");
        var sent = host.Plant.Notification.Sent.Where(n => n.Request.Lot == new LotId("L-2")).ToArray();
        sent.Should().ContainSingle();
        sent[0].Request.Roles.Should().Equal(Role.WarehouseLead, Role.Planner);
        sent[0].Request.ReasonCode.Should().Be(ReasonCodes.StockDrift);
        sent[0].Request.Body.Should().Contain("Blocked").And.Contain("erp 0 EA");
        host.Plant.Erp.QuantityIn(new LotId("L-2"), StockCategory.Unrestricted).Should().Be(100, "the default workflow only alerts");
        (await host.Orchestrator.GetAuditTrailAsync("L-2", EngineTestHost.Ct)).Should().Contain(r => r.Workflow == DriftCorrectionWorkflow.Name);
    }

    [Fact]
    public async Task ReconcileAsync_ConsistentLots_FindNothingAndSendNothing()
    {
        await using var host = await CreateHost().StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-3", (StockCategory.Unrestricted, 60), (StockCategory.QualityInspection, 40)));
        host.Plant.AddLot(StoreSeed.Lot("L-3", (StockCategory.Unrestricted, 60), (StockCategory.QualityInspection, 40)), new BinId("A-02"));
        host.Plant.AddLot(StoreSeed.Lot("L-4", (StockCategory.Unrestricted, 5)), new BinId("A-03"));

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-3"), new LotId("L-4")], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        report.LotsChecked.Should().HaveCount(2);
        report.HasDrift.Should().BeFalse(string.Join("; ", report.Findings));
        report.AlertsRaised.Should().BeEmpty();
        host.Plant.Notification.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task ReconcileAsync_WmsShort_ReportsOnlyTheWmsAsDisagreeing()
    {
        await using var host = await CreateHost().StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-5", (StockCategory.Unrestricted, 100)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-5", (StockCategory.Unrestricted, 100)));
        host.Plant.Wms.AddStock(new LotId("L-5"), new BinId("A-04"), Quantity.Each(90));

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-5")], EngineTestHost.Ct);

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.DisagreeingSystems.Should().Equal(ReconciliationSystems.Wms);
        finding.Quantities[ReconciliationSystems.Wms].Should().Be(Quantity.Each(90));
        finding.Quantities[ReconciliationSystems.Erp].Should().Be(Quantity.Each(100));
    }

    [Fact]
    public async Task ReconcileAsync_LotUnknownToTheOrchestrator_ComparesWmsAgainstErp()
    {
        await using var host = await CreateHost().StartAsync();
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-6", (StockCategory.QualityInspection, 50)));
        host.Plant.Wms.AddStock(new LotId("L-6"), new BinId("A-05"), Quantity.Each(50), StockCategory.Unrestricted);

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-6")], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        report.Findings.Should().HaveCount(2).And.OnlyContain(f => f.ReferenceSystem == ReconciliationSystems.Erp && f.DisagreeingSystems.SequenceEqual(new[] { ReconciliationSystems.Wms }));
        report.AlertsRaised.Should().Equal(new LotId("L-6"));
        host.Plant.Notification.SentTo(Role.WarehouseLead, EngineTestHost.Site).Should().ContainSingle();
    }

    [Fact]
    public async Task ReconcileAsync_CorrectionEnabled_MovesErpStockToTheOrchestratorsCategory()
    {
        await using var host = await CreateHost(new DriftCorrectionOptions { CorrectErpStockCategory = true }).StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-7", (StockCategory.Blocked, 100)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-7", (StockCategory.Unrestricted, 100)));
        var sut = CreateSut(host);

        await sut.ReconcileAsync([new LotId("L-7")], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        var after = await sut.ReconcileAsync([new LotId("L-7")], EngineTestHost.Ct);

        host.Plant.Erp.QuantityIn(new LotId("L-7"), StockCategory.Blocked).Should().Be(100, await host.DescribeDeadLettersAsync());
        host.Plant.Erp.QuantityIn(new LotId("L-7"), StockCategory.Unrestricted).Should().Be(0);
        after.HasDrift.Should().BeFalse();
        (await host.Orchestrator.GetAuditTrailAsync("L-7", EngineTestHost.Ct)).Should().Contain(r => r.Action == "drift-correction-planned");
    }

    [Fact]
    public async Task ReconcileAsync_CorrectionEnabledButTotalsDiffer_OnlyAlerts()
    {
        await using var host = await CreateHost(new DriftCorrectionOptions { CorrectErpStockCategory = true }).StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-8", (StockCategory.Blocked, 100)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-8", (StockCategory.Unrestricted, 80)));

        await CreateSut(host).ReconcileAsync([new LotId("L-8")], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        host.Plant.Erp.QuantityIn(new LotId("L-8"), StockCategory.Unrestricted).Should().Be(80);
        host.Plant.Notification.Sent.Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-8", EngineTestHost.Ct)).Should().Contain(r => r.Action == "drift-correction-skipped" && r.Reason.Contains("count", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconcileAsync_ParkedLot_ReportedButNotAlerted()
    {
        await using var host = await CreateHost().StartAsync();
        await StoreSeed.SeedAsync(host.Store, new PartitionState
        {
            Key = "L-9",
            Lot = StoreSeed.Lot("L-9", (StockCategory.Blocked, 10)),
            Parked = new ParkInfo { DeadLetterId = "dl-9", Since = host.Time.GetUtcNow(), ReasonCode = ReasonCodes.AdapterPermanent },
        });
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-9", (StockCategory.Unrestricted, 10)));

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-9")], EngineTestHost.Ct);

        report.Findings.Should().HaveCount(2).And.OnlyContain(f => f.Parked);
        report.AlertsRaised.Should().BeEmpty();
    }

    [Fact]
    public async Task ReconcileAsync_FailingErp_RecordsAProblemAndGoesOn()
    {
        await using var host = await CreateHost().StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-10", (StockCategory.Unrestricted, 10)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-10", (StockCategory.Unrestricted, 10)));
        host.Plant.Faults.FailNext(Adapters.QueryKinds.ErpGetStock, 1);

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-10")], EngineTestHost.Ct);

        report.Problems.Should().ContainSingle().Which.System.Should().Be(ReconciliationSystems.Erp);
        report.HasDrift.Should().BeFalse();
    }

    [Fact]
    public async Task ReconcileAsync_Drifts_CountedInTheDriftsMetric()
    {
        await using var host = await CreateHost().StartAsync();
        using var listener = new DriftListener(host.Orchestrator.Telemetry.Meter);
        await SeedAsync(host, StoreSeed.Lot("L-11", (StockCategory.Blocked, 100)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-11", (StockCategory.Unrestricted, 100)));
        await SeedAsync(host, StoreSeed.Lot("L-12", (StockCategory.Unrestricted, 7)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-12", (StockCategory.Unrestricted, 7)));

        var report = await CreateSut(host).ReconcileAsync([new LotId("L-11"), new LotId("L-12")], EngineTestHost.Ct);

        report.Findings.Should().HaveCount(2);
        listener.Total.Should().Be(2);
        listener.Categories.Should().BeEquivalentTo([nameof(StockCategory.Blocked), nameof(StockCategory.Unrestricted)]);
    }

    [Fact]
    public async Task ReconcileAsync_LongRunWithTheErpToWmsInterface_NoWmsDriftUntilOnePostingIsLost()
    {
        await using var host = await new EngineTestHost(scenarioWorkflows: s => [IncomingInspectionWorkflow.Create(s), DriftCorrectionWorkflow.Create(s)]).StartAsync();
        var lots = Enumerable.Range(1, 60).Select(i => host.AddLotInInspection($"LW-{i:00}", 10 * i).Id).ToArray();
        var sut = CreateSut(host);

        // The morning: every inspection's ERP postings reach the WMS (releases in place, quarantines then moved to hold).
        await host.PublishAndWaitAsync([.. lots.Take(40).Select((lot, i) => i % 4 == 3 ? EngineTestHost.Failed(lot.Value, "evt-" + lot.Value) : EngineTestHost.Passed(lot.Value, "evt-" + lot.Value))]);
        var morning = await sut.ReconcileAsync(lots, EngineTestHost.Ct);

        // The afternoon: the interface loses the release of one lot.
        var lost = lots[47];
        host.Plant.ErpToWmsInterface.LoseNext(lost);
        await host.PublishAndWaitAsync([.. lots.Skip(40).Select(lot => EngineTestHost.Passed(lot.Value, "evt-" + lot.Value))]);
        var afternoon = await sut.ReconcileAsync(lots, EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        host.Plant.ErpToWmsInterface.DeliveredCount.Should().BeGreaterThanOrEqualTo(59);
        host.Plant.ErpToWmsInterface.Refused.Should().BeEmpty();
        morning.LotsChecked.Should().HaveCount(60);
        morning.HasDrift.Should().BeFalse(string.Join("; ", morning.Findings.Concat<object>(morning.Problems)));
        host.Plant.Wms.QuantityIn(lots[3], new BinId("HOLD-P1")).Should().Be(40, "a failed lot was quarantined and moved to hold");
        afternoon.LotsChecked.Should().HaveCount(60);
        afternoon.LotsWithDrift.Should().Equal(lost);
        afternoon.Findings.Should().HaveCount(2, "the lot's release is missing in the WMS: too much in inspection, too little unrestricted")
            .And.OnlyContain(f => f.DisagreeingSystems.SequenceEqual(new[] { ReconciliationSystems.Wms }) && f.ReferenceSystem == ReconciliationSystems.Orchestrator);
        var released = afternoon.Findings.Single(f => f.Category == StockCategory.Unrestricted);
        released.Quantities[ReconciliationSystems.Orchestrator].Should().Be(Quantity.Each(480));
        released.Quantities[ReconciliationSystems.Erp].Should().Be(Quantity.Each(480));
        released.Quantities[ReconciliationSystems.Wms].Should().Be(Quantity.Each(0));
        afternoon.AlertsRaised.Should().Equal(lost);
        host.Plant.Notification.Sent.Should().ContainSingle(n => n.Request.ReasonCode == ReasonCodes.StockDrift).Which.Request.Lot.Should().Be(lost);
    }

    [Fact]
    public async Task RecentReports_KeepsOnlyTheConfiguredNumber()
    {
        await using var host = await CreateHost().StartAsync();
        var sut = new DriftReconciler(host.Orchestrator, new DriftReconcilerOptions { ReportsKept = 2 });

        for (var i = 0; i < 3; i++)
        {
            await sut.ReconcileAsync([], EngineTestHost.Ct);
        }

        sut.RecentReports.Should().HaveCount(2);
        sut.LatestReport.Should().BeSameAs(sut.RecentReports[^1]);
    }

    internal static EngineTestHost CreateHost(DriftCorrectionOptions? options = null) =>
        new(scenarioWorkflows: s => [DriftCorrectionWorkflow.Create(s, options)]);

    internal static DriftReconciler CreateSut(EngineTestHost host) => new(host.Orchestrator);

    internal static Task<PartitionState> SeedAsync(EngineTestHost host, MaterialLot lot) =>
        StoreSeed.SeedAsync(host.Store, new PartitionState { Key = lot.Id.Value, Lot = lot });

    private sealed class DriftListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(long Value, string? Category)> _measurements = new();

        public DriftListener(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "mo.reconciliation.drifts")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? category = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "category")
                    {
                        category = tag.Value as string;
                    }
                }

                _measurements.Enqueue((value, category));
            });
            _listener.Start();
        }

        public long Total => _measurements.Sum(m => m.Value);

        public IReadOnlyList<string?> Categories => _measurements.Select(m => m.Category).ToArray();

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task GetDrifts_FromRecentReports_FilteredByLotAndSite()
    {
        await using var host = await CreateHost().StartAsync();
        await SeedAsync(host, StoreSeed.Lot("L-1", (StockCategory.Blocked, 10)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-1", (StockCategory.Unrestricted, 10)));
        await SeedAsync(host, StoreSeed.Lot("L-2", (StockCategory.Unrestricted, 3)));
        host.Plant.Erp.AddLot(StoreSeed.Lot("L-2", (StockCategory.Unrestricted, 4)));
        var sut = CreateSut(host);
        sut.GetDrifts(OperatorQueryFilter.None).Should().BeEmpty();
        await sut.ReconcileAsync([new LotId("L-1"), new LotId("L-2")], EngineTestHost.Ct);

        sut.GetDrifts(OperatorQueryFilter.None).Should().HaveCount(3);
        sut.GetDrifts(new OperatorQueryFilter { Lot = new LotId("L-2") }).Should().ContainSingle().Which.Quantities[ReconciliationSystems.Erp].Should().Be(Quantity.Each(4));
        sut.GetDrifts(new OperatorQueryFilter { Site = new SiteId("P9") }).Should().BeEmpty();
        sut.Invoking(s => s.GetDrifts(new OperatorQueryFilter { Workflow = "x" })).Should().Throw<ArgumentException>();
        sut.Invoking(s => s.GetDrifts(new OperatorQueryFilter { PartitionKey = "L-1" })).Should().Throw<ArgumentException>();
    }
}
