using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Scenarios.Checks;

namespace ManufacturingOrchestration.Scenarios.Tests.Checks;

public class OrchestrationChecksTests
{
    private static readonly OrderId Order = new("WO-7");

    [Fact]
    public async Task CanGoodsIssueAsync_UnrestrictedOwnStock_AllowedWithQuantities()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-1", (StockCategory.Unrestricted, 100), (StockCategory.QualityInspection, 20)));

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-1"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeTrue(result.ToString());
        result.Reasons.Should().BeEmpty();
        result.UsableQuantity.Should().Be(Quantity.Each(100));
        result.QuantitiesByCategory.Should().BeEquivalentTo(new Dictionary<StockCategory, Quantity>
        {
            [StockCategory.Unrestricted] = Quantity.Each(100),
            [StockCategory.QualityInspection] = Quantity.Each(20),
        });
        result.LotVersion.Should().Be(3);
        result.Notes.Should().ContainSingle().Which.Should().Contain("WO-7");
    }

    [Fact]
    public async Task CanGoodsIssueAsync_StockInQualityInspection_RefusedAsNotUnrestricted()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-2", (StockCategory.QualityInspection, 100)));

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-2"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Contain([ReasonCodes.InsufficientQuantity, ReasonCodes.WithdrawalNotUnrestricted]);
        result.UsableQuantity.Should().Be(Quantity.Each(0));
    }

    [Fact]
    public async Task CanGoodsIssueAsync_ExpiredLot_RefusedAsExpired()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-3", (StockCategory.Unrestricted, 100)) with { ExpiryDate = new DateOnly(2026, 10, 1) });

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-3"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.LotExpired);
    }

    [Fact]
    public async Task CanGoodsIssueAsync_LotExpiringOnTheSitesDate_IsJudgedByTheSitesCalendarNotUtc()
    {
        // 06:00 UTC on 2 November is still 1 November in Los Angeles: a lot expiring on 1 November is usable there today.
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-3b", (StockCategory.Unrestricted, 100)) with { ExpiryDate = new DateOnly(2026, 11, 1) });
        var pacific = new ScenarioServices(host.Services.Rules, new SiteDirectory([new SiteProfile { Id = EngineTestHost.Site, HoldLocation = new BinId("HOLD-P1"), TimeZone = "America/Los_Angeles" }]));
        var utc = new ScenarioServices(host.Services.Rules, new SiteDirectory([new SiteProfile { Id = EngineTestHost.Site, HoldLocation = new BinId("HOLD-P1") }]));

        var atPacificSite = await new OrchestrationChecks(host.Orchestrator, pacific).CanGoodsIssueAsync(new LotId("L-3b"), Quantity.Each(40), Order, EngineTestHost.Ct);
        var atUtcSite = await new OrchestrationChecks(host.Orchestrator, utc).CanGoodsIssueAsync(new LotId("L-3b"), Quantity.Each(40), Order, EngineTestHost.Ct);

        atPacificSite.Allowed.Should().BeTrue(string.Join("; ", atPacificSite.Reasons));
        atUtcSite.ReasonCodes.Should().Equal(ReasonCodes.LotExpired);
    }

    [Fact]
    public async Task CanGoodsIssueAsync_OnHoldAndExpired_ReportsEveryReason()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-4", (StockCategory.Unrestricted, 100)) with { Holds = ["customer-complaint"], ExpiryDate = new DateOnly(2026, 10, 1) });

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-4"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().BeEquivalentTo([ReasonCodes.LotOnHold, ReasonCodes.LotExpired]);
        result.Reasons.Single(r => r.Code == ReasonCodes.LotOnHold).Message.Should().Contain("customer-complaint");
    }

    [Fact]
    public async Task CanGoodsIssueAsync_MoreThanUsable_RefusedAsInsufficient()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-5", (StockCategory.Unrestricted, 30)));

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-5"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public async Task CanGoodsIssueAsync_VendorConsignment_RefusedUntilOwned()
    {
        await using var host = new EngineTestHost();
        var lot = StoreSeed.Lot("L-6") with { Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Ownership = StockOwnership.VendorConsignment, Quantity = Quantity.Each(100) }] };
        await SeedLotAsync(host, lot);

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-6"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.ConsignmentNotOwned);
    }

    [Fact]
    public async Task CanGoodsIssueAsync_UnknownLot_RefusedAsUnknown()
    {
        await using var host = new EngineTestHost();

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-404"), Quantity.Each(1), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.LotUnknown);
        result.LotVersion.Should().BeNull();
    }

    [Fact]
    public async Task CanGoodsIssueAsync_ClosedOrder_RefusedByTheOrderMachine()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-7", (StockCategory.Unrestricted, 100)));
        await StoreSeed.SeedAsync(host.Store, new PartitionState
        {
            Key = "order/WO-7",
            Order = new ProductionOrder { Id = Order, Material = new MaterialId("PCB-1"), Site = EngineTestHost.Site, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.Closed },
        });

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-7"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.OrderClosed);
        result.Notes.Should().BeEmpty();
    }

    [Fact]
    public async Task CanGoodsIssueAsync_ParkedLot_RefusedUntilTheOperatorActs()
    {
        await using var host = new EngineTestHost();
        await StoreSeed.SeedAsync(host.Store, new PartitionState
        {
            Key = "L-8",
            Lot = StoreSeed.Lot("L-8", (StockCategory.Unrestricted, 100)),
            Parked = new ParkInfo { DeadLetterId = "dl-1", Since = host.Time.GetUtcNow(), ReasonCode = ReasonCodes.AdapterPermanent },
        });

        var result = await CreateSut(host).CanGoodsIssueAsync(new LotId("L-8"), Quantity.Each(40), Order, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.PartitionParked);
        result.Reasons[0].Message.Should().Contain("dl-1");
        var lenient = new OrchestrationChecks(host.Orchestrator, host.Services, new OrchestrationCheckOptions { BlockWhileParked = false });
        (await lenient.CanGoodsIssueAsync(new LotId("L-8"), Quantity.Each(40), Order, EngineTestHost.Ct)).Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task CanShipAsync_PendingApproval_RefusedAsApprovalRequired()
    {
        await using var host = new EngineTestHost();
        var pending = new PendingApproval
        {
            RequestId = "req-1",
            Role = Role.QualityManager,
            Site = EngineTestHost.Site,
            Subject = "Release lot L-9",
            ReasonCode = ReasonCodes.ApprovalRequired,
            Gate = "ReleaseLot",
            RequestedAt = host.Time.GetUtcNow(),
        };
        await StoreSeed.SeedAsync(host.Store, new PartitionState
        {
            Key = "L-9",
            Lot = StoreSeed.Lot("L-9", (StockCategory.Unrestricted, 100)),
            Instances =
            [
                new WorkflowInstanceState
                {
                    Id = "req-1", Workflow = "finished-goods-release", Version = 1, Fingerprint = "f", StartedBy = new EventKey("qms://p1", "e1"),
                    WaitingFor = ApprovalRequest.WaitingFor, Since = host.Time.GetUtcNow(), Data = pending.ToJson(),
                },
            ],
        });

        var result = await CreateSut(host).CanShipAsync(new LotId("L-9"), null, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Equal(ReasonCodes.ApprovalRequired);
        result.Reasons[0].Message.Should().Contain("Release lot L-9").And.Contain("quality-manager");
    }

    [Fact]
    public async Task CanShipAsync_ReleasedLot_AllowedForAllUsableStock()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-10", (StockCategory.Unrestricted, 100)));

        var result = await CreateSut(host).CanShipAsync(new LotId("L-10"), null, EngineTestHost.Ct);

        result.Allowed.Should().BeTrue(result.ToString());
        result.Check.Should().Be(OrchestrationChecks.ShipCheck);
        result.RequestedQuantity.Should().BeNull();
    }

    [Fact]
    public async Task CanShipAsync_BlockedLot_Refused()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-11", (StockCategory.Blocked, 100)) with { QualityDecision = QualityDecision.Rejected });

        var result = await CreateSut(host).CanShipAsync(new LotId("L-11"), null, EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Contain(ReasonCodes.InsufficientQuantity);
        result.Reasons.Should().Contain(r => r.Message.Contains("Blocked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CanShipAsync_InTransitStock_RefusedAsNotUsable()
    {
        await using var host = new EngineTestHost();
        await SeedLotAsync(host, StoreSeed.Lot("L-12", (StockCategory.InTransit, 50)));

        var result = await CreateSut(host).CanShipAsync(new LotId("L-12"), Quantity.Each(10), EngineTestHost.Ct);

        result.Allowed.Should().BeFalse();
        result.ReasonCodes.Should().Contain([ReasonCodes.InsufficientQuantity, ReasonCodes.InTransitNotUsable]);
    }

    [Fact]
    public async Task Checks_OnARunningOrchestrator_WriteNothing()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var seeded = await SeedLotAsync(host, StoreSeed.Lot("L-13", (StockCategory.Unrestricted, 100), (StockCategory.Blocked, 5)));
        var sut = CreateSut(host);

        await sut.CanGoodsIssueAsync(new LotId("L-13"), Quantity.Each(40), Order, EngineTestHost.Ct);
        await sut.CanGoodsIssueAsync(new LotId("L-13"), Quantity.Each(400), Order, EngineTestHost.Ct);
        await sut.CanShipAsync(new LotId("L-13"), null, EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        var after = await host.Store.LoadPartitionAsync("L-13", EngineTestHost.Ct);
        after.Should().BeEquivalentTo(seeded);
        (await host.Store.ReadAuditAsync("L-13", 1, EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadPendingCommandsAsync("L-13", EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadPartitionsWithPendingCommandsAsync(EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadPartitionAsyncOrNull("order/WO-7")).Should().BeNull();
        host.Plant.Effects.Records.Should().BeEmpty();
        host.Plant.Erp.Calls.Should().BeEmpty("a check never asks the ERP");
        host.Plant.Wms.Calls.Should().BeEmpty();
    }

    private static OrchestrationChecks CreateSut(EngineTestHost host) => new(host.Orchestrator, host.Services);

    private static Task<PartitionState> SeedLotAsync(EngineTestHost host, MaterialLot lot) =>
        StoreSeed.SeedAsync(host.Store, new PartitionState { Key = lot.Id.Value, Lot = lot });
}

internal static class StoreTestExtensions
{
    public static ValueTask<PartitionState?> ReadPartitionAsyncOrNull(this IOrchestrationStore store, string key) =>
        store.LoadPartitionAsync(key, EngineTestHost.Ct);
}
