using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Throughput.Tests;

public sealed class CountingPlantTests
{
    // Lot 0: failed, critical (a supplier case is due); lot 1: passed; lot 5: failed, major, class C material (no case).
    private static readonly InspectionScenario Scenario = new(20);

    [Fact]
    public async Task VerifyEffects_EveryDueEffectOnceAndInOrder_FindsNothingWrong()
    {
        using var plant = new CountingPlant(Scenario);

        await ApplyEverythingDueAsync(plant);

        Verify(plant).Should().BeEmpty();
        plant.ViolationCount.Should().Be(0);
    }

    [Fact]
    public async Task VerifyEffects_ASupplierCaseMissing_NamesTheLotAndWhatItHad()
    {
        using var plant = new CountingPlant(Scenario);

        await ApplyEverythingDueAsync(plant, skip: k => k == 0 ? CommandKinds.QmsOpenSupplierCase : null);

        Verify(plant).Should().ContainSingle().Which.Should().Be("L-0000000: expected ERP block, hold move, buyer notification, supplier case, had ERP block, hold move, buyer notification");
    }

    [Fact]
    public async Task VerifyEffects_ALotNotIncluded_MustHaveHadNoEffect()
    {
        using var plant = new CountingPlant(Scenario);
        await ApplyEverythingDueAsync(plant);

        var failures = new List<string>();
        plant.VerifyEffects(k => k != 1, failures);

        failures.Should().ContainSingle().Which.Should().Be("L-0000001: expected no effect, had ERP release");
    }

    [Fact]
    public async Task ChangeStockCategory_ASecondTimeForALot_IsAViolation()
    {
        using var plant = new CountingPlant(Scenario);
        await ApplyEverythingDueAsync(plant);

        var again = await Handler<ChangeStockCategoryRequest>(plant).ExecuteAsync(ErpChange(1, "again"), TestContext.Current.CancellationToken);

        again.IsSuccess.Should().BeTrue("the change itself is what the scenario makes due; that it came twice is what is wrong");
        Verify(plant).Should().ContainSingle().Which.Should().Be("erp.change-stock-category again: applied to L-0000001 a second time");
    }

    [Fact]
    public async Task CreateMoveTask_BeforeTheLotsErpChange_IsAViolation()
    {
        using var plant = new CountingPlant(Scenario);

        await Handler<CreateMoveTaskRequest>(plant).ExecuteAsync(Move(5, "early"), TestContext.Current.CancellationToken);

        Verify(plant).Should().Contain("wms.create-move-task early: acts on L-0000005 before its ERP change");
    }

    [Fact]
    public async Task ChangeStockCategory_ToTheWrongCategory_IsRefusedAndRecorded()
    {
        using var plant = new CountingPlant(Scenario);

        var result = await Handler<ChangeStockCategoryRequest>(plant).ExecuteAsync(ErpChange(5, "wrong") with { ToCategory = StockCategory.Unrestricted }, TestContext.Current.CancellationToken);

        result.IsSuccess.Should().BeFalse();
        Verify(plant).Should().Contain("erp.change-stock-category wrong: not 100 EA of M-005 at P3 from quality inspection to Blocked");
    }

    [Fact]
    public async Task Commands_DueNowhereOrForUnknownLots_AreRefused()
    {
        using var plant = new CountingPlant(Scenario);
        var ct = TestContext.Current.CancellationToken;

        (await Handler<HoldWorkOrderRequest>(plant).ExecuteAsync(new HoldWorkOrderRequest { Context = Context("hold"), Order = new OrderId("WO-1"), Lot = new LotId("L-0000000") }, ct)).IsSuccess.Should().BeFalse();
        (await Handler<ChangeStockCategoryRequest>(plant).ExecuteAsync(ErpChange(1, "unknown") with { Lot = new LotId("L-0000099") }, ct)).IsSuccess.Should().BeFalse();
        (await Handler<CreateMoveTaskRequest>(plant).ExecuteAsync(Move(1, "passed"), ct)).IsSuccess.Should().BeFalse();
        (await Handler<OpenSupplierCaseRequest>(plant).ExecuteAsync(SupplierCase(5, "no-case-due"), ct)).IsSuccess.Should().BeFalse();

        plant.ViolationCount.Should().Be(4);
        Verify(plant).Should().Contain("mes.hold-work-order hold: due nowhere in the scenario");
    }

    [Fact]
    public void VerifyEffects_MoreViolationsThanKept_CountsTheRest()
    {
        using var plant = new CountingPlant(Scenario);
        var handler = Handler<ReevaluateAllocationsRequest>(plant);
        for (var i = 0; i < CountingPlant.KeptViolations + 5; i++)
        {
            _ = handler.ExecuteAsync(new ReevaluateAllocationsRequest { Context = Context("r" + i), Lot = new LotId("L-0000000") }, TestContext.Current.CancellationToken);
        }

        var failures = Verify(plant);

        failures.Count(f => f.StartsWith("erp.reevaluate-allocations", StringComparison.Ordinal)).Should().Be(CountingPlant.KeptViolations);
        failures.Should().Contain("25 commands violated the scenario in all");
    }

    [Theory]
    [InlineData("L-0000003", true)]
    [InlineData("L-0000020", false)]
    [InlineData("L-3", false)]
    [InlineData("L-000000x", false)]
    [InlineData("X-0000003", false)]
    public async Task GetLot_AnswersTheScenariosLotsInInspectionAndNothingElse(string lot, bool known)
    {
        using var plant = new CountingPlant(Scenario);

        var answer = await ((IQueryHandler<GetLotQuery, MaterialLot?>)plant).QueryAsync(new GetLotQuery(new LotId(lot)), TestContext.Current.CancellationToken);

        if (known)
        {
            answer.Should().NotBeNull();
            answer!.QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(InspectionScenario.LotQuantity));
            answer.Site.Should().Be(Scenario.SiteOf(3).Id);
        }
        else
        {
            answer.Should().BeNull();
        }
    }

    [Fact]
    public void Adapters_CarryEveryOperationTheInspectionWorkflowsNeed()
    {
        using var plant = new CountingPlant(Scenario);

        foreach (var operation in new[] { QueryKinds.ErpGetLot, QueryKinds.ErpGetMaterial, QueryKinds.ErpGetOpenAllocations, QueryKinds.QmsGetSupplierQualityHistory, QueryKinds.MesGetConsumers, CommandKinds.ErpChangeStockCategory, CommandKinds.WmsCreateMoveTask, CommandKinds.NotificationSend, CommandKinds.QmsOpenSupplierCase, CommandKinds.MesReleaseWorkOrder })
        {
            plant.Adapters.Supports(operation, Scenario.SiteOf(0).Id).Should().BeTrue(operation);
        }
    }

    private static List<string> Verify(CountingPlant plant)
    {
        var failures = new List<string>();
        plant.VerifyEffects(static _ => true, failures);
        return failures;
    }

    private static async Task ApplyEverythingDueAsync(CountingPlant plant, Func<int, string?>? skip = null)
    {
        var ct = TestContext.Current.CancellationToken;
        for (var k = 0; k < Scenario.Lots; k++)
        {
            await Handler<ChangeStockCategoryRequest>(plant).ExecuteAsync(ErpChange(k, "erp-" + k), ct);
            if (!InspectionScenario.IsFailed(k))
            {
                continue;
            }

            await Handler<CreateMoveTaskRequest>(plant).ExecuteAsync(Move(k, "move-" + k), ct);
            await Handler<SendNotificationRequest>(plant).ExecuteAsync(BuyerNotice(k, "notice-" + k), ct);
            if (Scenario.NeedsSupplierCase(k) && skip?.Invoke(k) != CommandKinds.QmsOpenSupplierCase)
            {
                await Handler<OpenSupplierCaseRequest>(plant).ExecuteAsync(SupplierCase(k, "case-" + k), ct);
            }
        }
    }

    private static ICommandHandler<T> Handler<T>(CountingPlant plant)
        where T : AdapterCommand => (ICommandHandler<T>)(object)plant;

    private static CommandContext Context(string key) => new() { IdempotencyKey = key, CorrelationId = "c-" + key, Site = Scenario.SiteOf(0).Id };

    private static ChangeStockCategoryRequest ErpChange(int k, string key) => new()
    {
        Context = Context(key),
        Lot = new LotId(InspectionScenario.LotId(k)),
        Material = Scenario.MaterialOf(k).Id,
        Site = Scenario.SiteOf(k).Id,
        Quantity = Quantity.Each(InspectionScenario.LotQuantity),
        FromCategory = StockCategory.QualityInspection,
        ToCategory = InspectionScenario.IsFailed(k) ? StockCategory.Blocked : StockCategory.Unrestricted,
    };

    private static CreateMoveTaskRequest Move(int k, string key) => new()
    {
        Context = Context(key),
        Lot = new LotId(InspectionScenario.LotId(k)),
        Site = Scenario.SiteOf(k).Id,
        ToBin = Scenario.SiteOf(k).HoldLocation!.Value,
    };

    private static SendNotificationRequest BuyerNotice(int k, string key) => new()
    {
        Context = Context(key),
        Roles = [Role.Buyer],
        Site = Scenario.SiteOf(k).Id,
        Subject = "Lot failed inspection",
        Body = "Blocked.",
        Lot = new LotId(InspectionScenario.LotId(k)),
    };

    private static OpenSupplierCaseRequest SupplierCase(int k, string key) => new()
    {
        Context = Context(key),
        Supplier = Scenario.MaterialOf(k).Supplier!.Value,
        Problem = "Critical defect",
        Lots = [new LotId(InspectionScenario.LotId(k))],
    };
}
