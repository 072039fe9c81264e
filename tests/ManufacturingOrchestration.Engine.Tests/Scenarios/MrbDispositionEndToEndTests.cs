using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Engine.Tests.Scenarios;

public class MrbDispositionEndToEndTests
{
    private static readonly NonconformanceId Ncr = new("NC-77");

    [Fact]
    public async Task UseAsIs_WithJustificationAndAuthorizer_ReleasesBlockedStockAndExecutesTheDisposition()
    {
        await using var host = await StartWithBlockedLotAsync("L-10", 100);

        await host.PublishAndWaitAsync(Decided("L-10", "mrb-1", UseAsIs("L-10", 100, "Deviation within functional tolerance (eng. report ER-12)", ScenarioTestHost.QualityManagerId)));

        await host.ShouldHaveNoDeadLettersAsync();
        var lot = new LotId("L-10");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.ErpMovements("343").Should().Be(1);
        var ncr = host.Plant.Qms.GetNonconformance(Ncr)!;
        ncr.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        ncr.Dispositions.Should().ContainSingle().Which.Justification.Should().Contain("ER-12");
        var audit = await host.AuditOfAsync("L-10");
        audit.Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(MrbUseAsIsRule.RuleName);
        (await host.Orchestrator.GetPartitionAsync("L-10", ScenarioTestHost.Ct))!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(100);
        await host.ShouldHaveValidAuditAsync();
    }

    [Theory]
    [InlineData(null, "qm-bob", "ncr.justification-required")]
    [InlineData("Within functional tolerance", null, "ncr.authorizer-required")]
    public async Task UseAsIs_WithoutJustificationOrAuthorizer_IsRejectedAuditedAndNothingExecuted(string? justification, string? authorizer, string reason)
    {
        await using var host = await StartWithBlockedLotAsync("L-11", 100);

        await host.PublishAndWaitAsync(Decided("L-11", "mrb-2", UseAsIs("L-11", 100, justification, authorizer is null ? null : new ActorId(authorizer))));

        host.Plant.Erp.QuantityIn(new LotId("L-11"), StockCategory.Blocked).Should().Be(100);
        host.Plant.Effects.Records.Should().BeEmpty();
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Approved);
        var audit = await host.AuditOfAsync("L-11");
        var rejected = audit.Should().ContainSingle(r => r.Action == "transition-rejected").Subject;
        rejected.Reason.Should().StartWith(reason);
        rejected.Explanation.Should().Contain(MrbUseAsIsRule.RuleName);
        audit.Should().NotContain(r => r.Action == "processed");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Rework_MarksLotReworkedMovesItToInspectionAndCreatesAReinspection_ThenAPassingReinspectionReleasesIt()
    {
        await using var host = await StartWithBlockedLotAsync("L-12", 80);

        await host.PublishAndWaitAsync(Decided("L-12", "mrb-3", new MrbDispositionLine { Disposition = MrbDisposition.Rework, Lot = new LotId("L-12"), Quantity = Quantity.Each(80) }));

        await host.ShouldHaveNoDeadLettersAsync();
        var lot = new LotId("L-12");
        host.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(80);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.ErpMovements("349").Should().Be(1);
        var reinspection = host.Plant.Qms.InspectionLots.Should().ContainSingle().Subject;
        reinspection.Origin.Should().Be(InspectionOrigin.Reinspection);
        reinspection.Quantity.Should().Be(Quantity.Each(80));
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Dispositioned, "the disposition is executed only after the re-inspection");
        (await host.Orchestrator.GetPartitionAsync("L-12", ScenarioTestHost.Ct))!.Lot!.RequiresReinspection.Should().BeTrue();
        (await host.AuditOfAsync("L-12")).Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(MrbReworkRule.RuleName);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-12", "reinspection-passed"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        (await host.Orchestrator.GetPartitionAsync("L-12", ScenarioTestHost.Ct))!.Lot!.RequiresReinspection.Should().BeFalse();
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task ReturnToSupplier_ReleasesFromBlockedReturnsAndNotifiesTheSupplier()
    {
        await using var host = await StartWithBlockedLotAsync("L-13", 60);

        await host.PublishAndWaitAsync(Decided("L-13", "mrb-4", new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = new LotId("L-13"), Quantity = Quantity.Each(60) }));

        await host.ShouldHaveNoDeadLettersAsync();
        var lot = new LotId("L-13");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(0, "the released quantity left with the return");
        host.ErpMovements("343").Should().Be(1);
        host.ErpMovements("122").Should().Be(1);
        var erpKinds = host.Plant.Effects.Records.Where(r => r.System == CommandKinds.ErpSystem).Select(r => r.Summary[..3]).ToArray();
        erpKinds.Should().Equal("343", "122");
        host.Plant.Procurement.SupplierNotices.Should().ContainSingle().Which.Request.Supplier.Should().Be(EngineTestHost.Supplier);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        (await host.AuditOfAsync("L-13")).Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(MrbReturnToSupplierRule.RuleName);
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Scrap_UnregulatedSite_PostsScrapFromBlocked()
    {
        await using var host = await StartWithBlockedLotAsync("L-14", 30);

        await host.PublishAndWaitAsync(Decided("L-14", "mrb-5", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-14"), Quantity = Quantity.Each(30) }));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.QuantityIn(new LotId("L-14"), StockCategory.Blocked).Should().Be(0);
        host.ErpMovements("555").Should().Be(1);
        host.Plant.Erp.GetLot(new LotId("L-14"))!.ScrappedQuantity.Should().Be(30);
        (await host.Orchestrator.GetPartitionAsync("L-14", ScenarioTestHost.Ct))!.Lot!.ScrappedQuantity.Should().Be(30);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.DispositionExecuted);
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Scrap_RegulatedSite_RecordsTheApprovalRequiredAndPostsNothing()
    {
        await using var host = await StartWithBlockedLotAsync("L-15", 30, regulated: true);

        await host.PublishAndWaitAsync(Decided("L-15", "mrb-6", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-15"), Quantity = Quantity.Each(30) }));

        host.Plant.Erp.QuantityIn(new LotId("L-15"), StockCategory.Blocked).Should().Be(30);
        host.ErpMovements("555").Should().Be(0);
        host.Plant.Qms.GetNonconformance(Ncr)!.Status.Should().Be(NonconformanceStatus.Approved, "nothing was executed, so nothing is recorded as executed");
        var audit = await host.AuditOfAsync("L-15");
        audit.Should().Contain(r => r.Action == "approval-required" && r.Reason.Contains("approval.required", StringComparison.Ordinal));
        audit.Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain("mo.policy.regulated-site-approval").And.Contain("Scrap 30 EA of lot L-15");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Disposition_NonconformanceNotApproved_IsRejectedByTheNcrMachine()
    {
        await using var host = await StartWithBlockedLotAsync("L-16", 10, ncrStatus: NonconformanceStatus.UnderReview);

        await host.PublishAndWaitAsync(Decided("L-16", "mrb-7", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-16"), Quantity = Quantity.Each(10) }));

        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.AuditOfAsync("L-16")).Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith("ncr.not-approved");
    }

    [Fact]
    public async Task Disposition_SameEventTwice_ExecutesOnce()
    {
        await using var host = await StartWithBlockedLotAsync("L-17", 10);
        var decided = Decided("L-17", "mrb-8", new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = new LotId("L-17"), Quantity = Quantity.Each(10) });

        await host.PublishAndWaitAsync(decided);
        (await host.Orchestrator.PublishAsync(decided, ScenarioTestHost.Ct)).Status.Should().Be(Engine.Execution.PublishStatus.Duplicate);
        await host.Orchestrator.WaitForIdleAsync(ScenarioTestHost.Ct);

        host.ErpMovements("555").Should().Be(1);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }

    private static async Task<ScenarioTestHost> StartWithBlockedLotAsync(string lotId, decimal quantity, bool regulated = false, NonconformanceStatus ncrStatus = NonconformanceStatus.Approved)
    {
        var host = await ScenarioTestHost.StartAsync(regulated);
        host.AddLot(lotId, quantity, StockCategory.Blocked);
        host.Plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = Ncr,
            Problem = "Capacitance out of tolerance",
            Site = EngineTestHost.Site,
            Material = EngineTestHost.Capacitor,
            Lots = [new LotId(lotId)],
            Quantity = Quantity.Each(quantity),
            Supplier = EngineTestHost.Supplier,
            Status = ncrStatus,
        });
        return host;
    }

    private static MrbDispositionLine UseAsIs(string lotId, decimal quantity, string? justification, ActorId? authorizer) => new()
    {
        Disposition = MrbDisposition.UseAsIs,
        Lot = new LotId(lotId),
        Quantity = Quantity.Each(quantity),
        Justification = justification,
        Authorizer = authorizer,
    };

    private static EventEnvelope Decided(string lotId, string eventId, params MrbDispositionLine[] lines) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.MrbDispositionDecided, new MrbDispositionDecided
        {
            Nonconformance = Ncr,
            Lot = new LotId(lotId),
            Material = EngineTestHost.Capacitor,
            Site = EngineTestHost.Site,
            Lines = lines,
            DecidedBy = ScenarioTestHost.QualityManagerId,
        }, source: "qms://plant-1");
}
