using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Testing.Tests.Harness;

public sealed class OrchestrationTestHarnessTests
{
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Capacitor = new("CAP-100UF");
    private static readonly SupplierId Supplier = new("S-ACME");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishAndWaitAsync_FailedInspection_LotBlockedOnceAndAuditIntact()
    {
        await using var harness = await CreateSut("LOT-1").StartAsync(Ct);

        var results = await harness.PublishAndWaitAsync([Failed("LOT-1", "evt-1"), Failed("LOT-1", "evt-1")], Ct);

        results.Select(r => r.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Duplicate);
        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-1")).System.Should().Be("erp");
        harness.Plant.Erp.QuantityIn(new LotId("LOT-1"), StockCategory.Blocked).Should().Be(60);
        (await harness.AssertAuditIntactAsync(Ct)).RecordsChecked.Should().BeGreaterThan(0);
        await harness.AssertNoOpenDeadLettersAsync(Ct);
    }

    [Fact]
    public async Task AssertEffectOnce_NoEffect_ThrowsSayingWhatWasFound()
    {
        await using var harness = await CreateSut("LOT-2").StartAsync(Ct);

        var act = () => harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-2"));

        act.Should().Throw<OrchestrationAssertionException>().WithMessage("*found 0*");
    }

    [Fact]
    public async Task AssertNoEffect_EffectApplied_Throws()
    {
        await using var harness = await CreateSut("LOT-3").StartAsync(Ct);
        await harness.PublishAndWaitAsync([Failed("LOT-3", "evt-3")], Ct);

        var act = () => harness.AssertNoEffect(CommandKinds.ErpChangeStockCategory, new LotId("LOT-3"));

        act.Should().Throw<OrchestrationAssertionException>();
        harness.EffectsOf(CommandKinds.ErpChangeStockCategory).Should().ContainSingle();
    }

    [Fact]
    public async Task AdvanceAsync_TransientErpFailure_TheDurableRetryFiresAtItsTimeAndSucceeds()
    {
        await using var harness = await CreateSut("LOT-4").StartAsync(Ct);
        harness.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1);
        var start = harness.Time.GetUtcNow();

        await harness.PublishAndWaitAsync([Failed("LOT-4", "evt-4")], Ct);
        var beforeRetry = harness.EffectsOf(CommandKinds.ErpChangeStockCategory, new LotId("LOT-4")).Count;
        await harness.AdvanceAsync(TimeSpan.FromHours(1), Ct);

        beforeRetry.Should().Be(0);
        harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, new LotId("LOT-4")).Timestamp.Should().BeAfter(start).And.BeBefore(start + TimeSpan.FromHours(1));
        harness.Time.GetUtcNow().Should().Be(start + TimeSpan.FromHours(1));
        await harness.AssertNoOpenDeadLettersAsync(Ct);
    }

    [Fact]
    public async Task AdvanceAsync_NegativeDuration_Throws()
    {
        await using var harness = CreateSut();

        await harness.Invoking(h => h.AdvanceAsync(TimeSpan.FromSeconds(-1), Ct)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    private static OrchestrationTestHarness CreateSut(params string[] lots)
    {
        var harness = new OrchestrationTestHarness();
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Supplier });
        foreach (var lot in lots)
        {
            harness.Plant.AddLot(new MaterialLot
            {
                Id = new LotId(lot),
                Material = Capacitor,
                Site = Site,
                Supplier = Supplier,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(60) }],
            }, new BinId("RCV-P1"));
        }

        return harness;
    }

    private static EventEnvelope Failed(string lot, string id) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionFailed,
        Site = Site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot),
            Lot = new LotId(lot),
            Material = Capacitor,
            Site = Site,
            Supplier = Supplier,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        },
    };
}
