using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public class FinishedGoodsReleaseEndToEndTests
{
    private static readonly LotId FinishedLot = new("FG-1");
    private static readonly OrderId Order = new("WO-7");

    [Fact]
    public async Task LotReleased_ReleasesStockAndShipmentHoldUpdatesAtpNotifiesCustomerServiceAndPublishesGenealogyOnce()
    {
        await using var host = await StartWithFinishedLotAsync(StockCategory.QualityInspection);

        await host.PublishAndWaitAsync(Released("rel-1", "SO-1", "SO-2"));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(50);
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(0);
        host.ErpMovements("321").Should().Be(1);
        host.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeFalse();
        host.Plant.Erp.GetAtp(ScenarioTestHost.Board, EngineTestHost.Site).Should().Be(50);
        var notice = host.Plant.Notification.SentTo(Role.CustomerService, EngineTestHost.Site).Should().ContainSingle().Subject;
        notice.Request.Body.Should().Contain("SO-1").And.Contain("SO-2");
        notice.Request.Lot.Should().Be(FinishedLot);

        var record = await host.Traceability.GetAsync(FinishedLot, ScenarioTestHost.Ct);
        record.Should().NotBeNull();
        record!.ProducedBy.Should().Be(Order);
        record.ReleasedBy.Should().Be(ScenarioTestHost.QualityManagerId);
        record.Links.Select(l => l.ComponentLot.Value).Should().BeEquivalentTo(["L-100", "L-101"]);
        record.PublicationKeys.Should().ContainSingle();
        using (var file = JsonDocument.Parse(await File.ReadAllTextAsync(host.Traceability.PathOf(FinishedLot), ScenarioTestHost.Ct)))
        {
            file.RootElement.GetProperty("lot").GetString().Should().Be("FG-1");
            file.RootElement.GetProperty("links").GetArrayLength().Should().Be(2);
        }

        Directory.GetFiles(host.TraceabilityDirectory).Should().ContainSingle("the write goes through a temporary file that is renamed");
        var processed = (await host.AuditOfAsync("FG-1")).Should().ContainSingle(r => r.Action == "processed").Subject;
        processed.Explanation.Should().Contain(LotReleasedShipmentRule.RuleName)
            .And.Contain(LotReleasedBackorderRule.RuleName)
            .And.Contain(LotReleasedGenealogyWithLinksRule.RuleName);
        processed.Reason.Should().Contain(CommandKinds.TraceabilityPublishGenealogy);
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task LotReleased_WithoutBackordersOrGenealogy_PublishesAnEmptyGenealogyAndNotifiesNobody()
    {
        await using var host = await ScenarioTestHost.StartAsync();
        host.AddLot("FG-2", 20, StockCategory.QualityInspection, ScenarioTestHost.Board);

        await host.PublishAndWaitAsync(ScenarioTestHost.Envelope("rel-2", EventTypes.LotReleased, new LotReleased
        {
            Lot = new LotId("FG-2"),
            Material = ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            ReleasedBy = ScenarioTestHost.QualityManagerId,
        }));

        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Traceability.GetAsync(new LotId("FG-2"), ScenarioTestHost.Ct))!.Links.Should().BeEmpty();
        (await host.AuditOfAsync("FG-2")).Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(LotReleasedGenealogyRule.RuleName);
    }

    [Fact]
    public async Task LotReleased_LotInBlockedStock_IsRejectedAndNothingIsReleasedOrPublished()
    {
        await using var host = await StartWithFinishedLotAsync(StockCategory.Blocked);

        await host.PublishAndWaitAsync(Released("rel-3", "SO-1"));

        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Blocked).Should().Be(50);
        host.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeTrue();
        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Traceability.GetAsync(FinishedLot, ScenarioTestHost.Ct)).Should().BeNull();
        (await host.AuditOfAsync("FG-1")).Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith("lot.");
        await host.ShouldHaveValidAuditAsync();
    }

    private static async Task<ScenarioTestHost> StartWithFinishedLotAsync(StockCategory category)
    {
        var host = await ScenarioTestHost.StartAsync();

        host.AddLot("FG-1", 50, category, ScenarioTestHost.Board);
        (await host.Plant.Erp.PlaceShipmentHoldAsync(new PlaceShipmentHoldRequest
        {
            Context = new CommandContext { IdempotencyKey = "seed-hold", CorrelationId = "seed" },
            Lot = FinishedLot,
        }, ScenarioTestHost.Ct)).IsSuccess.Should().BeTrue();
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-100"), ProducedLot = FinishedLot, Order = Order, Quantity = Quantity.Each(40) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-101"), ProducedLot = FinishedLot, Order = Order, Quantity = Quantity.Each(10) });
        return host;
    }

    [Fact]
    public async Task LotReleased_NamingAnUnregulatedSite_ForALotAtARegulatedSite_IsRejectedAndReleasesNothing()
    {
        // qm-bob is quality manager at P1, which is not regulated; the finished lot lies in inspection at the regulated P3.
        var regulated = new SiteProfile { Id = new SiteId("P3"), HoldLocation = new BinId("HOLD-P3"), IsRegulated = true };
        var host = new EngineTestHost(
            o =>
            {
                o.Actors = new Engine.Approvals.InMemoryActorDirectory([new Actor { Id = ScenarioTestHost.QualityManagerId, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = EngineTestHost.Site }] }]);
                o.Adapters.Add(CommandKinds.TraceabilitySystem, new Engine.Traceability.TraceabilityRepositoryAdapter(new Testing.InMemoryTraceabilityRepository()));
            },
            scenarioWorkflows: services => [FinishedGoodsReleaseWorkflow.Create(new ScenarioServices(services.Rules, new SiteDirectory([EngineTestHost.SiteProfile, regulated])) { Actors = services.Actors })]);
        await using var _ = host;
        host.Plant.AddSite(regulated);
        host.Plant.AddLot(
            new MaterialLot
            {
                Id = FinishedLot,
                Material = ScenarioTestHost.Board,
                Site = regulated.Id,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(50) }],
            },
            new BinId("FG-P3"));
        await host.StartAsync();

        await host.PublishAndWaitAsync(Released("rel-p3"));

        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(50, "a release at the regulated site waits for its quality manager's signature");
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(0);
        (await host.Orchestrator.GetAuditTrailAsync(FinishedLot.Value, ScenarioTestHost.Ct)).Should().ContainSingle(r => r.Action == "transition-rejected")
            .Which.Reason.Should().StartWith(ReasonCodes.OutOfRange.Code).And.Contain("P3");
    }

    private static EventEnvelope Released(string eventId, params string[] backorders) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.LotReleased, new LotReleased
        {
            Lot = FinishedLot,
            Material = ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            ReleasedBy = ScenarioTestHost.QualityManagerId,
            ProducedBy = Order,
            Backorders = backorders,
        }, source: "qms://plant-1");
}
