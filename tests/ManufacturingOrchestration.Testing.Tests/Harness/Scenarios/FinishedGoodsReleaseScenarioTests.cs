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
    public async Task NoTraceabilityRepository_TheReleaseWorkflowDoesNotStart_NamingThePublication()
    {
        var start = async () => await StartWithFinishedLotAsync(StockCategory.QualityInspection, withTraceability: false);

        var refusal = (await start.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        refusal.ReasonCode.Should().Be(ReasonCodes.RequiredOperationsMissing);
        refusal.Message.Should().Contain("finished-goods-release@1 needs 'traceability.publish-genealogy': no traceability adapter is composed for 'traceability.publish-genealogy'");
    }

    private static async Task<OrchestrationTestHarness> StartWithFinishedLotAsync(StockCategory category, bool withTraceability = true)
    {
        var options = new OrchestrationTestHarnessOptions
        {
            Workflows = { FinishedGoodsReleaseWorkflow.Create },
            Traceability = withTraceability ? time => new InMemoryTraceabilityRepository(time) : _ => null,
        };
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
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

    private static EventEnvelope Released(string id, params string[] backorders) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.LotReleased,
        Site = Site,
        Data = new LotReleased { Lot = FinishedLot, Material = Board, Site = Site, ReleasedBy = QualityManager, ProducedBy = Order, Backorders = backorders },
    };
}
