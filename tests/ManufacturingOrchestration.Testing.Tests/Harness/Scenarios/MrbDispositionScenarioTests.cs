using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>Scenario 1b (MRB disposition of a blocked lot) tested through the harness.</summary>
public sealed class MrbDispositionScenarioTests
{
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Capacitor = new("CAP-100UF");
    private static readonly SupplierId Acme = new("S-ACME");
    private static readonly NonconformanceId Ncr = new("NC-77");
    private static readonly ActorId QualityManager = new("qm-quinn");
    private static readonly ActorId SecondQualityManager = new("qm-rita");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReturnToSupplier_PostsOneReturnFromBlocked_NotifiesTheSupplierAndClosesTheNcr()
    {
        await using var harness = await StartWithBlockedLotAsync("L-13", 60);
        var lot = new LotId("L-13");

        await harness.PublishAndWaitAsync([Decided(lot, "mrb-13", new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = lot, Quantity = Quantity.Each(60) })], Ct);

        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpPostGoodsMovement] = 1,
            [CommandKinds.ProcurementNotifySupplier] = 1,
            [CommandKinds.QmsRecordDisposition] = 1,
            [CommandKinds.QmsUpdateNonconformanceStatus] = 1,
        });
        harness.Effects.For(CommandKinds.ErpSystem).Select(e => e.Summary[..3]).Should().Equal("122");
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(0);
        harness.Plant.Wms.GetStock(lot)!.Lines.Should().BeEmpty("the WMS followed the return");
        harness.Plant.Procurement.SupplierNotices.Should().ContainSingle().Which.Request.Supplier.Should().Be(Acme);
        harness.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task ReturnToSupplier_ReturnRefusedByErp_QuantityStaysBlockedAndNeverUnrestricted()
    {
        await using var harness = await StartWithBlockedLotAsync("L-14", 60);
        var lot = new LotId("L-14");
        harness.Plant.Faults.FailNext(CommandKinds.ErpPostGoodsMovement, 1, AdapterResultStatus.PermanentFailure);

        await harness.PublishAndWaitAsync([Decided(lot, "mrb-14", new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = lot, Quantity = Quantity.Each(60) })], Ct);

        harness.EffectsOf(CommandKinds.ErpChangeStockCategory).Should().BeEmpty();
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(60);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(0);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ReturnToSupplier_ExpiredOrReworkedLot_IsReturnedFromBlocked(bool expired, bool reworked)
    {
        await using var harness = await StartWithBlockedLotAsync("L-15", 60, expiry: expired ? new DateOnly(2000, 1, 1) : null, reworked: reworked);
        var lot = new LotId("L-15");

        await harness.PublishAndWaitAsync([Decided(lot, "mrb-15", new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = lot, Quantity = Quantity.Each(60) })], Ct);

        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.Effects.For(CommandKinds.ErpSystem).Select(e => e.Summary[..3]).Should().Equal("122");
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        harness.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
    }

    [Fact]
    public async Task UseAsIs_WithoutJustification_IsRefusedAuditedAndNothingReachesAnySystem()
    {
        await using var harness = await StartWithBlockedLotAsync("L-11", 100);
        var lot = new LotId("L-11");

        await harness.PublishAndWaitAsync([Decided(lot, "mrb-11", new MrbDispositionLine { Disposition = MrbDisposition.UseAsIs, Lot = lot, Quantity = Quantity.Each(100), Authorizer = QualityManager })], Ct);

        harness.Effects.Count.Should().Be(0);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(100);
        harness.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Approved);
        var audit = await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct);
        audit.Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith(ReasonCodes.JustificationRequired.Code);
        audit.Should().NotContain(r => r.Action == "processed");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Rework_MovesTheLotToInspectionWithAReinspection_ThenOnlyAPassingReinspectionReleasesIt()
    {
        await using var harness = await StartWithBlockedLotAsync("L-12", 80);
        var lot = new LotId("L-12");

        await harness.PublishAndWaitAsync([Decided(lot, "mrb-12", new MrbDispositionLine { Disposition = MrbDisposition.Rework, Lot = lot, Quantity = Quantity.Each(80) })], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpChangeStockCategory] = 1,
            [CommandKinds.QmsCreateInspectionLot] = 1,
            [CommandKinds.QmsRecordDisposition] = 1,
        });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(80);
        harness.Plant.Qms.InspectionLots.Should().ContainSingle().Which.Origin.Should().Be(InspectionOrigin.Reinspection);
        harness.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Dispositioned, "it is executed only after the re-inspection");
        (await harness.Orchestrator.GetPartitionAsync(lot.Value, Ct))!.Lot!.RequiresReinspection.Should().BeTrue();

        await harness.PublishAndWaitAsync([Reinspected(lot, "reinspection-12")], Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory, lot).Should().HaveCount(2);
        (await harness.Orchestrator.GetPartitionAsync(lot.Value, Ct))!.Lot!.RequiresReinspection.Should().BeFalse();
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task UseAsIs_RegulatedSite_WaitsForAnotherQualityManagersJustifiedSignature_ThenReleasesAndExecutesTheNcr()
    {
        await using var harness = await StartWithBlockedLotAsync("L-20", 100, regulated: true);
        var lot = new LotId("L-20");
        var line = new MrbDispositionLine { Disposition = MrbDisposition.UseAsIs, Lot = lot, Quantity = Quantity.Each(100), Justification = "Within functional tolerance (ER-12)", Authorizer = QualityManager };

        await harness.PublishAndWaitAsync([Decided(lot, "mrb-20", line)], Ct);

        harness.Effects.Count.Should().Be(0, "nothing is posted before the approval");
        var pending = await harness.AssertPendingApprovalAsync(lot.Value, Ct);
        pending.Role.Should().Be(Role.QualityManager);
        pending.Requester.Should().Be(QualityManager);
        pending.JustificationRequired.Should().BeTrue();

        await harness.AnswerApprovalAsync(lot.Value, harness.Identity(QualityManager), SignatureMeaning.Approve, "concession granted", "ER-12 reviewed: fit, form and function unaffected", Ct);
        harness.Effects.Count.Should().Be(0, "whoever recorded the MRB decision may not approve it");

        await harness.AnswerApprovalAsync(lot.Value, harness.Identity(SecondQualityManager), SignatureMeaning.Approve, "concession granted", "ER-12 reviewed: fit, form and function unaffected", Ct);

        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpChangeStockCategory] = 1,
            [CommandKinds.QmsRecordDisposition] = 1,
            [CommandKinds.QmsUpdateNonconformanceStatus] = 1,
        });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        var ncr = harness.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        ncr.Dispositions.Should().ContainSingle().Which.Signature!.Signer.Should().Be(SecondQualityManager);
        var audit = await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct);
        audit.Should().Contain(a => a.Action == "approval-refused-invalid" && a.Reason.StartsWith(ReasonCodes.SelfApproval.Code, StringComparison.Ordinal));
        audit.Should().ContainSingle(a => a.Action == "e-signature:approve").Which.Actor.Should().Be(SecondQualityManager.Value);
        await harness.AssertAuditIntactAsync(Ct);
    }

    private static async Task<OrchestrationTestHarness> StartWithBlockedLotAsync(string lotId, decimal quantity, bool regulated = false, DateOnly? expiry = null, bool reworked = false)
    {
        var options = new OrchestrationTestHarnessOptions { Workflows = { IncomingInspectionWorkflow.Create, MrbDispositionWorkflow.Create } };
        options.Actors.Add(new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = Site }] });
        options.Actors.Add(new Actor { Id = SecondQualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = Site }] });
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1"), IsRegulated = regulated });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Acme });
        harness.Plant.AddLot(
            new MaterialLot
            {
                Id = new LotId(lotId),
                Material = Capacitor,
                Site = Site,
                Supplier = Acme,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(quantity) }],
                QualityDecision = QualityDecision.Rejected,
                ExpiryDate = expiry,
                RequiresReinspection = reworked,
            },
            new BinId("HOLD-P1"));
        harness.Plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = Ncr,
            Problem = "Capacitance out of tolerance",
            Site = Site,
            Material = Capacitor,
            Lots = [new LotId(lotId)],
            Quantity = Quantity.Each(quantity),
            Supplier = Acme,
            Status = NonconformanceStatus.Approved,
        });
        return await harness.StartAsync(Ct);
    }

    private static EventEnvelope Decided(LotId lot, string id, MrbDispositionLine line) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.MrbDispositionDecided,
        Site = Site,
        Data = new MrbDispositionDecided { Nonconformance = Ncr, Lot = lot, Material = Capacitor, Site = Site, Lines = [line], DecidedBy = QualityManager },
    };

    private static EventEnvelope Reinspected(LotId lot, string id) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionPassed,
        Site = Site,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-RE-" + lot.Value), Lot = lot, Material = Capacitor, Site = Site, Origin = InspectionOrigin.Reinspection },
    };
}
