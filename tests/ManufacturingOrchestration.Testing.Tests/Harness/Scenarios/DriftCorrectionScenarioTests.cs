using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Scenarios.Reconciliation;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>
/// Stock drift correction tested through the harness: the orchestrator quarantines a lot, then someone changes the
/// ERP's stock behind its back; a reconciliation finds the drift, alerts once and, when enabled, corrects the ERP.
/// </summary>
public sealed class DriftCorrectionScenarioTests
{
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Capacitor = new("CAP-100UF");
    private static readonly SupplierId Acme = new("S-ACME");
    private static readonly ActorId QualityManager = new("qm-quinn");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reconcile_ErpReleasedAQuarantinedLotByHand_AlertsWarehouseLeadAndPlannerOnceAndChangesNothing()
    {
        await using var harness = await StartWithQuarantinedLotAsync("L-1", new DriftCorrectionOptions());
        var lot = new LotId("L-1");
        var effectsBefore = harness.Effects.Count;
        SetErpStock(harness, lot, StockCategory.Unrestricted, 100);

        var first = await harness.ReconcileAsync([lot], Ct);
        var second = await harness.ReconcileAsync([lot], Ct);

        first.AlertsRaised.Should().Equal(lot);
        second.AlertsRaised.Should().BeEmpty();
        second.AlertsAlreadyRaised.Should().Equal(lot);
        var erpFindings = first.Findings.Where(f => f.DisagreeingSystems.Contains(ReconciliationSystems.Erp)).ToArray();
        erpFindings.Select(f => f.Category).Should().BeEquivalentTo([StockCategory.Blocked, StockCategory.Unrestricted]);
        erpFindings.Should().OnlyContain(f => f.ReferenceSystem == ReconciliationSystems.Orchestrator);
        harness.Effects.Count.Should().Be(effectsBefore + 1, "one alert, no correction");
        harness.Effects.Records[^1].CommandKind.Should().Be(CommandKinds.NotificationSend);
        var sent = DriftAlerts(harness, lot).Should().ContainSingle().Subject;
        sent.Request.Roles.Should().Equal(Role.WarehouseLead, Role.Planner);
        sent.Request.Body.Should().Contain("Blocked");
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100, "the default workflow only alerts");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Reconcile_CorrectionEnabled_MovesTheErpStockBackToBlockedAndTheNextRunFindsNoErpDrift()
    {
        await using var harness = await StartWithQuarantinedLotAsync("L-2", new DriftCorrectionOptions { CorrectErpStockCategory = true });
        var lot = new LotId("L-2");
        SetErpStock(harness, lot, StockCategory.Unrestricted, 100);

        await harness.ReconcileAsync([lot], Ct);
        var after = await harness.ReconcileAsync([lot], Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(100);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(0);
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory, lot).Should().HaveCount(2, "the quarantine, then the correction");
        after.Findings.Should().NotContain(f => f.DisagreeingSystems.Contains(ReconciliationSystems.Erp));
        (await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct)).Should().ContainSingle(r => r.Action == "drift-correction-planned");
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Reconcile_CorrectionEnabledButTheErpTotalDiffers_OnlyAlertsBecauseACountIsNeeded()
    {
        await using var harness = await StartWithQuarantinedLotAsync("L-3", new DriftCorrectionOptions { CorrectErpStockCategory = true });
        var lot = new LotId("L-3");
        SetErpStock(harness, lot, StockCategory.Unrestricted, 80);

        await harness.ReconcileAsync([lot], Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory, lot).Should().ContainSingle("only the quarantine was posted");
        DriftAlerts(harness, lot).Should().ContainSingle();
        (await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct)).Should().Contain(r => r.Action == "drift-correction-skipped" && r.Reason.Contains("count", StringComparison.Ordinal));
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Reconcile_CorrectionEnabled_ErpBlockedByAPersonOnAReleasedLot_WaitsForTheReleaseApproverBeforeUnblocking()
    {
        await using var harness = await StartWithReleasedLotAsync("L-4", new DriftCorrectionOptions { CorrectErpStockCategory = true });
        var lot = new LotId("L-4");
        SetErpStock(harness, lot, StockCategory.Blocked, 100);

        await harness.ReconcileAsync([lot], Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(100, "nobody approved unblocking it yet");
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory, lot).Should().ContainSingle("only the release of the inspection was posted");
        DriftAlerts(harness, lot).Should().ContainSingle();
        var pending = await harness.AssertPendingApprovalAsync(lot.Value, Ct);
        pending.Role.Should().Be(Role.QualityManager);
        pending.Gate.Should().Be("CorrectStockCategory");
        pending.ReasonCode.Should().Be(ReasonCodes.ReleaseAuthorityUnverified);
        (await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct)).Should().ContainSingle(r => r.Action == "drift-correction-awaiting-approval")
            .Which.Reason.Should().Contain("Blocked → Unrestricted");

        await harness.ApproveAsync(lot.Value, QualityManager, "The block was a mistake: lot L-4 passed inspection", Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        (await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct)).Should().ContainSingle(r => r.Action == "drift-correction-planned")
            .Which.Reason.Should().Contain("approved by qm-quinn");
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Reconcile_CorrectionEnabled_UnblockingRefused_LeavesTheErpBlockedAndTellsTheNotifiedRoles()
    {
        await using var harness = await StartWithReleasedLotAsync("L-5", new DriftCorrectionOptions { CorrectErpStockCategory = true });
        var lot = new LotId("L-5");
        SetErpStock(harness, lot, StockCategory.Blocked, 100);
        await harness.ReconcileAsync([lot], Ct);

        await harness.RefuseAsync(lot.Value, QualityManager, "Blocked on purpose: customer complaint under review", Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(100);
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory, lot).Should().ContainSingle();
        DriftAlerts(harness, lot).Should().HaveCount(2).And.Contain(n => n.Request.Subject.Contains("correction refused", StringComparison.Ordinal));
        (await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct)).Should().ContainSingle(r => r.Action == "drift-correction-refused");
        await harness.AssertAuditIntactAsync(Ct);
    }

    private static async Task<OrchestrationTestHarness> StartWithQuarantinedLotAsync(string lotId, DriftCorrectionOptions drift)
    {
        var harness = await StartAsync(lotId, drift);
        await harness.PublishAndWaitAsync([Failed(new LotId(lotId))], Ct);
        harness.Plant.Erp.QuantityIn(new LotId(lotId), StockCategory.Blocked).Should().Be(100, "the quarantine was posted");
        return harness;
    }

    private static async Task<OrchestrationTestHarness> StartWithReleasedLotAsync(string lotId, DriftCorrectionOptions drift)
    {
        var harness = await StartAsync(lotId, drift);
        await harness.PublishAndWaitAsync([Passed(new LotId(lotId))], Ct);
        harness.Plant.Erp.QuantityIn(new LotId(lotId), StockCategory.Unrestricted).Should().Be(100, "the release was posted");
        return harness;
    }

    private static async Task<OrchestrationTestHarness> StartAsync(string lotId, DriftCorrectionOptions drift)
    {
        var harness = new OrchestrationTestHarness(new OrchestrationTestHarnessOptions
        {
            Workflows = { IncomingInspectionWorkflow.Create, services => DriftCorrectionWorkflow.Create(services, drift) },
            Actors = { new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = Site }] } },
        });
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Supplier = Acme });
        harness.Plant.AddLot(Lot(lotId, StockCategory.QualityInspection, 100), new BinId("RCV-P1"));
        await harness.StartAsync(Ct);
        return harness;
    }

    private static IReadOnlyList<SentNotification> DriftAlerts(OrchestrationTestHarness harness, LotId lot) =>
        harness.Plant.Notification.Sent.Where(n => n.Request.Lot == lot && n.Request.ReasonCode == ReasonCodes.StockDrift).ToArray();

    /// <summary>Someone changes the ERP's stock of the lot directly, outside the orchestrator.</summary>
    private static void SetErpStock(OrchestrationTestHarness harness, LotId lot, StockCategory category, decimal quantity) =>
        harness.Plant.Erp.AddLot(Lot(lot.Value, category, quantity));

    private static MaterialLot Lot(string id, StockCategory category, decimal quantity) => new()
    {
        Id = new LotId(id),
        Material = Capacitor,
        Site = Site,
        Supplier = Acme,
        Unit = UnitOfMeasure.Each,
        Buckets = [new StockBucket { Category = category, Quantity = Quantity.Each(quantity) }],
    };

    private static EventEnvelope Passed(LotId lot) => new()
    {
        Id = "passed-" + lot.Value,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionPassed,
        Site = Site,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lot.Value), Lot = lot, Material = Capacitor, Site = Site },
    };

    private static EventEnvelope Failed(LotId lot) => new()
    {
        Id = "failed-" + lot.Value,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionFailed,
        Site = Site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot.Value),
            Lot = lot,
            Material = Capacitor,
            Site = Site,
            Supplier = Acme,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        },
    };
}
