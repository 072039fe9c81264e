using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>Scenario 1 (incoming inspection) tested the way a user of the Testing package would: harness, simulators, fake clock.</summary>
public sealed class IncomingInspectionScenarioTests
{
    private static readonly SiteId Plant1 = new("P1");
    private static readonly SiteId RegulatedPlant = new("P3");
    private static readonly MaterialId Capacitor = new("CAP-100UF");
    private static readonly SupplierId Acme = new("S-ACME");
    private static readonly SupplierId Beta = new("S-BETA");
    private static readonly ActorId Inspector = new("insp-ines");
    private static readonly ActorId QualityManager = new("qm-quinn");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InspectionFailed_PartlyConsumedLot_QuarantinedInEverySystemExactlyOnce()
    {
        await using var harness = CreateSut();
        var lot = AddLotInInspection(harness, "L-100", Plant1, quantity: 60, consumed: 40);
        var order = new OrderId("WO-1");
        harness.Plant.AddOrder(new ProductionOrder { Id = order, Material = new MaterialId("PCB-1"), Site = Plant1, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.InProgress });
        harness.Plant.Erp.AddAllocation(new Allocation { Order = order, Lot = lot, Material = Capacitor, Quantity = Quantity.Each(20) });
        harness.Plant.AddGenealogy(new GenealogyLink { ComponentLot = lot, Order = order, Quantity = Quantity.Each(40) });
        await harness.StartAsync(Ct);

        var results = await harness.PublishAndWaitAsync([Failed(lot, Plant1, "evt-failed-1"), Failed(lot, Plant1, "evt-failed-1")], Ct);

        results.Select(r => r.Status).Should().Equal(Engine.Execution.PublishStatus.Accepted, Engine.Execution.PublishStatus.Duplicate);
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpChangeStockCategory] = 1,
            [CommandKinds.WmsCreateMoveTask] = 1,
            [CommandKinds.ErpReevaluateAllocations] = 1,
            [CommandKinds.NotificationSend] = 1,
            [CommandKinds.ProcurementRequestAlternateSupply] = 1,
            [CommandKinds.QmsOpenSupplierCase] = 1,
            [CommandKinds.MesHoldWorkOrder] = 1,
            [CommandKinds.MesRequestContainmentCheck] = 1,
        });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(60);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(0);
        var move = harness.Plant.Wms.MoveTasks.Should().ContainSingle().Subject;
        move.ToBin.Should().Be(new BinId("HOLD-P1"));
        move.TargetCategory.Should().Be(StockCategory.Blocked);
        harness.Plant.Notification.SentTo(Role.Buyer, Plant1).Should().ContainSingle();
        var alternate = harness.Plant.Procurement.AlternateSupplyRequests.Should().ContainSingle().Subject.Request;
        alternate.Quantity.Should().Be(Quantity.Each(20), "the allocated quantity must be covered");
        alternate.PreferredSuppliers.Should().Equal(Beta);
        alternate.ExcludedSupplier.Should().Be(Acme);
        var supplierCase = harness.Plant.Qms.SupplierCases.Should().ContainSingle().Subject;
        supplierCase.Supplier.Should().Be(Acme);
        var scar = harness.Plant.Qms.GetCorrectiveAction(new CorrectiveActionId(supplierCase.Id))!;
        scar.Kind.Should().Be(CorrectiveActionKind.Scar);
        scar.Stage.Should().Be(CorrectiveActionStage.Issued);
        scar.Lots.Should().Contain(lot);
        harness.Plant.Qms.FireCorrectiveAction(scar.Id, StateMachines.CorrectiveActionTrigger.Advance, StateMachines.CorrectiveActionTriggerArgs.None)
            .GetValueOrThrow().Stage.Should().Be(CorrectiveActionStage.Containment);
        harness.Plant.Mes.GetWorkOrder(order)!.Status.Should().Be(ProductionOrderStatus.Held);
        harness.Plant.Mes.ContainmentChecks.Should().ContainSingle().Which.Orders.Should().Equal(order);
        var state = await harness.Orchestrator.GetPartitionAsync(lot.Value, Ct);
        state!.Lot!.QuantityIn(StockCategory.Blocked).Value.Should().Be(60);
        (await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct)).Should().ContainSingle(r => r.Action == "processed")
            .Which.Explanation.Should().Contain("mo.inspection-failed.quarantine");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task InspectionFailed_PartialRejectOfMixedLot_MovesOnlyTheBlockedQuantityToHold()
    {
        await using var harness = CreateSut();
        var lot = new LotId("L-150");
        harness.Plant.AddLot(
            new MaterialLot
            {
                Id = lot,
                Material = Capacitor,
                Site = Plant1,
                Supplier = Acme,
                Unit = UnitOfMeasure.Each,
                Buckets =
                [
                    new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(60) },
                    new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(40) },
                ],
            },
            new BinId("RCV-P1"));
        await harness.StartAsync(Ct);
        var failed = Failed(lot, Plant1, "evt-failed-150");

        await harness.PublishAndWaitAsync([failed with { Data = ((InspectionFailed)failed.Data!) with { RejectedQuantity = Quantity.Each(20) } }], Ct);

        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(20);
        var move = harness.Plant.Wms.MoveTasks.Should().ContainSingle().Subject;
        move.Quantity.Should().Be(20);
        move.SourceCategory.Should().Be(StockCategory.Blocked);
        move.TargetCategory.Should().Be(StockCategory.Blocked);
        var lines = harness.Plant.Wms.GetStock(lot)!.Lines.Select(l => (l.Bin.Value, l.Category, l.Quantity.Value));
        lines.Should().BeEquivalentTo(new[]
        {
            ("HOLD-P1", StockCategory.Blocked, 20m),
            ("RCV-P1", StockCategory.QualityInspection, 40m),
            ("RCV-P1", StockCategory.Unrestricted, 40m),
        });
    }

    [Fact]
    public async Task InspectionPassed_RegulatedSite_WaitsForAQualityManagerEscalatesAtTheDeadlineAndReleasesWhenSigned()
    {
        await using var harness = CreateSut();
        var lot = AddLotInInspection(harness, "L-300", RegulatedPlant, quantity: 100);
        await harness.StartAsync(Ct);
        var start = harness.Time.GetUtcNow();

        await harness.PublishAndWaitAsync([Passed(lot, RegulatedPlant, "evt-passed-3")], Ct);

        harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, lot);
        var pending = await harness.AssertPendingApprovalAsync(lot.Value, Ct);
        pending.Role.Should().Be(Role.QualityManager);
        pending.Requester.Should().Be(Inspector);
        pending.DueAt.Should().Be(start + TimeSpan.FromHours(4));

        await harness.ApproveAsync(lot.Value, Inspector, "I inspected it myself", Ct);
        harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, lot);

        await harness.AdvanceAsync(TimeSpan.FromHours(4), Ct);
        var overdue = harness.Plant.Notification.SentTo(Role.QualityManager, RegulatedPlant).Should().ContainSingle().Subject;
        overdue.Request.Subject.Should().Contain("Approval overdue");
        overdue.SentAt.Should().Be(start + TimeSpan.FromHours(4));
        (await harness.AssertPendingApprovalAsync(lot.Value, Ct)).EscalationLevel.Should().Be(1);

        await harness.ApproveAsync(lot.Value, QualityManager, "Certificate and sample results reviewed", Ct);

        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, lot);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        (await harness.Orchestrator.GetPendingApprovalsAsync(lot.Value, Ct)).Should().BeEmpty();
        var audit = await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct);
        audit.Should().Contain(r => r.Action == "approval-refused-invalid" && r.Reason.StartsWith(ReasonCodes.SelfApproval.Code, StringComparison.Ordinal));
        audit.Should().ContainSingle(r => r.Action == "sla-breached");
        audit.Should().ContainSingle(r => r.Action == "e-signature:approve").Which.Actor.Should().Be(QualityManager.Value);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task InspectionPassed_RegulatedSiteReleaseRefused_LotStaysInInspectionAndQualityEngineersAreTold()
    {
        await using var harness = CreateSut();
        var lot = AddLotInInspection(harness, "L-400", RegulatedPlant, quantity: 40);
        await harness.StartAsync(Ct);
        await harness.PublishAndWaitAsync([Passed(lot, RegulatedPlant, "evt-passed-4")], Ct);

        await harness.RefuseAsync(lot.Value, QualityManager, "Certificate of conformance missing", Ct);

        harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, lot);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(40);
        harness.Plant.Notification.SentTo(Role.QualityEngineer, RegulatedPlant).Should().ContainSingle()
            .Which.Request.Body.Should().Contain("Certificate of conformance missing");
        (await harness.Orchestrator.GetPendingApprovalsAsync(lot.Value, Ct)).Should().BeEmpty();
        await harness.AssertAuditIntactAsync(Ct);
    }

    private static OrchestrationTestHarness CreateSut()
    {
        var options = new OrchestrationTestHarnessOptions { Workflows = { IncomingInspectionWorkflow.Create } };
        options.Actors.Add(new Actor { Id = Inspector, Roles = [new RoleAssignment { Role = Role.QualityEngineer }, new RoleAssignment { Role = Role.QualityManager }] });
        options.Actors.Add(new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = RegulatedPlant }] });
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = Plant1, HoldLocation = new BinId("HOLD-P1") });
        harness.AddSite(new SiteProfile { Id = RegulatedPlant, HoldLocation = new BinId("HOLD-P3"), IsRegulated = true });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Acme, AlternateSuppliers = [Beta] });
        return harness;
    }

    private static LotId AddLotInInspection(OrchestrationTestHarness harness, string id, SiteId site, decimal quantity, decimal consumed = 0)
    {
        var lot = new LotId(id);
        harness.Plant.AddLot(
            new MaterialLot
            {
                Id = lot,
                Material = Capacitor,
                Site = site,
                Supplier = Acme,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(quantity) }],
                ConsumedQuantity = consumed,
            },
            new BinId("RCV-" + site.Value));
        return lot;
    }

    private static EventEnvelope Failed(LotId lot, SiteId site, string id) => new()
    {
        Id = id,
        Source = "qms://plant",
        Type = EventTypes.InspectionFailed,
        Site = site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot.Value),
            Lot = lot,
            Material = Capacitor,
            Site = site,
            Supplier = Acme,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        },
    };

    private static EventEnvelope Passed(LotId lot, SiteId site, string id) => new()
    {
        Id = id,
        Source = "qms://plant",
        Type = EventTypes.InspectionPassed,
        Site = site,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lot.Value), Lot = lot, Material = Capacitor, Site = site, Inspector = Inspector },
    };
}
