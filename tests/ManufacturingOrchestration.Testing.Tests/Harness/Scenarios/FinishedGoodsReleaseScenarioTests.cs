using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>Scenario 2 (finished-goods release) tested through the harness, with its genealogy repository.</summary>
public sealed class FinishedGoodsReleaseScenarioTests
{
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Board = new("PCB-1");
    private static readonly LotId FinishedLot = new("FG-1");
    private static readonly OrderId Order = new("WO-7");
    private static readonly ActorId QualityManager = new("qm-quinn");
    private static readonly ActorId Stranger = new("rel-unknown");
    private static readonly ActorId QualityEngineer = new("qe-eve");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LotReleased_ReleasesStockAndShipmentHold_UpdatesAtp_NotifiesCustomerService_PublishesGenealogyOnce()
    {
        await using var harness = await StartWithFinishedLotAsync(StockCategory.QualityInspection);

        var results = await harness.PublishAndWaitAsync([Released("rel-1", "SO-1", "SO-2"), Released("rel-1", "SO-1", "SO-2")], Ct);

        results.Select(r => r.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Duplicate);
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.EffectCounts(FinishedLot).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpPlaceShipmentHold] = 1, // the hold the plant placed before the release
            [CommandKinds.ErpChangeStockCategory] = 1,
            [CommandKinds.ErpReleaseShipmentHold] = 1,
            [CommandKinds.ErpUpdateAtp] = 1,
            [CommandKinds.NotificationSend] = 1,
        });
        harness.Effects.For(CommandKinds.ErpSystem).Select(e => e.CommandKind).Should().EndWith(CommandKinds.ErpUpdateAtp, "ATP is updated after the stock change");
        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(50);
        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(0);
        harness.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeFalse();
        harness.Plant.Erp.GetAtp(Board, Site).Should().Be(50);
        harness.Plant.Notification.SentTo(Role.CustomerService, Site).Should().ContainSingle()
            .Which.Request.Body.Should().Contain("SO-1").And.Contain("SO-2");

        var repository = harness.Traceability.Should().BeOfType<InMemoryTraceabilityRepository>().Subject;
        repository.PublishedCount.Should().Be(1);
        var genealogy = await repository.GetAsync(FinishedLot, Ct);
        genealogy!.ProducedBy.Should().Be(Order);
        genealogy.ReleasedBy.Should().Be(QualityManager);
        genealogy.Links.Select(l => l.ComponentLot.Value).Should().BeEquivalentTo(["L-100", "L-101"]);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task LotReleased_LotInBlockedStock_IsRefusedAndNothingIsReleasedOrPublished()
    {
        await using var harness = await StartWithFinishedLotAsync(StockCategory.Blocked);

        await harness.PublishAndWaitAsync([Released("rel-2", "SO-1")], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.ErpPlaceShipmentHold] = 1 });
        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Blocked).Should().Be(50);
        harness.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeTrue();
        (await harness.Traceability!.GetAsync(FinishedLot, Ct)).Should().BeNull();
        (await harness.Orchestrator.GetAuditTrailAsync(FinishedLot.Value, Ct)).Should().ContainSingle(r => r.Action == "transition-rejected")
            .Which.Reason.Should().StartWith("lot.");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task LotReleased_RegulatedSiteByAReleaserUnknownToTheDirectory_MovesNothingUntilTheReleaseApproverSigns()
    {
        await using var harness = await StartWithFinishedLotAsync(StockCategory.QualityInspection, regulated: true);

        await harness.PublishAndWaitAsync([Released("rel-3", Stranger, "SO-1")], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.ErpPlaceShipmentHold] = 1 }, "a claimed release moves no stock and lifts no hold");
        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(50);
        harness.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeTrue();
        harness.Plant.Erp.GetAtp(Board, Site).Should().BeNull("ATP was never updated");
        (await harness.Traceability!.GetAsync(FinishedLot, Ct)).Should().BeNull();
        var pending = await harness.AssertPendingApprovalAsync(FinishedLot.Value, Ct);
        pending.Role.Should().Be(Role.QualityManager);
        pending.Gate.Should().Be("ReleaseLot");
        pending.ReasonCode.Should().Be(ReasonCodes.ApprovalRequired);

        await harness.ApproveAsync(FinishedLot.Value, QualityManager, "Batch record reviewed", Ct);

        await harness.AssertNoOpenDeadLettersAsync(Ct);
        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(50);
        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(0);
        harness.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeFalse();
        harness.Plant.Erp.GetAtp(Board, Site).Should().Be(50);
        harness.Plant.Notification.SentTo(Role.CustomerService, Site).Should().ContainSingle().Which.Request.Body.Should().Contain("SO-1");
        harness.Effects.For(CommandKinds.ErpSystem).Select(e => e.CommandKind).Should().Equal(
            CommandKinds.ErpPlaceShipmentHold, CommandKinds.ErpChangeStockCategory, CommandKinds.ErpReleaseShipmentHold, CommandKinds.ErpUpdateAtp);
        (await harness.Traceability!.GetAsync(FinishedLot, Ct))!.Links.Should().HaveCount(2);
        (await harness.Orchestrator.GetAuditTrailAsync(FinishedLot.Value, Ct)).Should().ContainSingle(r => r.Action == "release-approved")
            .Which.Reason.Should().Contain("qm-quinn").And.Contain("rel-unknown");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task LotReleased_ByAReleaserWithoutTheReleaseRoleAtTheSite_WaitsForTheReleaseApproverAndARefusalKeepsTheLotInInspection()
    {
        await using var harness = await StartWithFinishedLotAsync(StockCategory.QualityInspection);

        await harness.PublishAndWaitAsync([Released("rel-4", QualityEngineer, "SO-1")], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.ErpPlaceShipmentHold] = 1 });
        var pending = await harness.AssertPendingApprovalAsync(FinishedLot.Value, Ct);
        pending.Role.Should().Be(Role.QualityManager);
        pending.ReasonCode.Should().Be(ReasonCodes.ReleaseAuthorityUnverified);

        await harness.RefuseAsync(FinishedLot.Value, QualityManager, "Batch record incomplete", Ct);

        harness.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(50);
        harness.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeTrue();
        harness.Plant.Erp.GetAtp(Board, Site).Should().BeNull("ATP was never updated");
        harness.Plant.Notification.SentTo(Role.CustomerService, Site).Should().BeEmpty();
        harness.Plant.Notification.SentTo(Role.QualityEngineer, Site).Should().ContainSingle().Which.Request.Body.Should().Contain("Batch record incomplete");
        (await harness.Traceability!.GetAsync(FinishedLot, Ct)).Should().BeNull();
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task NoTraceabilityRepository_TheReleaseWorkflowDoesNotStart_NamingThePublication()
    {
        var start = async () => await StartWithFinishedLotAsync(StockCategory.QualityInspection, withTraceability: false);

        var refusal = (await start.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        refusal.ReasonCode.Should().Be(ReasonCodes.RequiredOperationsMissing);
        refusal.Message.Should().Contain("finished-goods-release@1 needs 'traceability.publish-genealogy': no traceability adapter is composed for 'traceability.publish-genealogy'");
    }

    private static async Task<OrchestrationTestHarness> StartWithFinishedLotAsync(StockCategory category, bool withTraceability = true, bool regulated = false)
    {
        var options = new OrchestrationTestHarnessOptions
        {
            Workflows = { FinishedGoodsReleaseWorkflow.Create },
            Traceability = withTraceability ? time => new InMemoryTraceabilityRepository(time) : _ => null,
            Actors =
            {
                new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = Site }] },
                new Actor { Id = QualityEngineer, Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = Site }] },
            },
        };
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1"), IsRegulated = regulated });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Board, BaseUnit = UnitOfMeasure.Each });
        harness.Plant.AddLot(
            new MaterialLot
            {
                Id = FinishedLot,
                Material = Board,
                Site = Site,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = category, Quantity = Quantity.Each(50) }],
                QualityDecision = category == StockCategory.Blocked ? QualityDecision.Rejected : QualityDecision.Pending,
            },
            new BinId("FG-P1"));
        var hold = await harness.Plant.Erp.PlaceShipmentHoldAsync(
            new PlaceShipmentHoldRequest { Context = new CommandContext { IdempotencyKey = "plant-hold-FG-1", CorrelationId = "plant" }, Lot = FinishedLot },
            Ct);
        hold.IsSuccess.Should().BeTrue();
        harness.Plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-100"), ProducedLot = FinishedLot, Order = Order, Quantity = Quantity.Each(40) });
        harness.Plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-101"), ProducedLot = FinishedLot, Order = Order, Quantity = Quantity.Each(10) });
        return await harness.StartAsync(Ct);
    }

    private static EventEnvelope Released(string id, params string[] backorders) => Released(id, QualityManager, backorders);

    private static EventEnvelope Released(string id, ActorId releasedBy, params string[] backorders) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.LotReleased,
        Site = Site,
        Data = new LotReleased { Lot = FinishedLot, Material = Board, Site = Site, ReleasedBy = releasedBy, ProducedBy = Order, Backorders = backorders },
    };
}
