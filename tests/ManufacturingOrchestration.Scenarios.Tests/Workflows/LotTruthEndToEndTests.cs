using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>
/// The lot the decisions read follows the plant: a consumption posted outside the orchestrator either reaches it as an
/// event (the copy follows) or not (the ERP refuses the stale quarantine, the lot is read again and the failure decided
/// again). Either way the remaining stock ends blocked and held, containment runs, nothing is dead-lettered.
/// </summary>
public sealed class LotTruthEndToEndTests
{
    private static readonly LotId Lot = new("L-200");
    private static readonly OrderId Order = new("WO-2");

    [Fact]
    public async Task ReleasedLot_ConsumedWithTheEventDelivered_FailedInspectionBlocksWhatIsLeftAndContains()
    {
        await using var host = await StartAsync();
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        await ConsumeInTheErpAsync(host, 40);

        await host.PublishAndWaitAsync(Consumed(40, "mes-consumed-1"));
        (await host.Store.LoadPartitionAsync(Lot.Value, EngineTestHost.Ct))!.Lot!.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(60), "the copy follows the consumption");

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));

        await AssertContainedAsync(host);
        (await AuditActionsAsync(host)).Should().NotContain("redecision", "the copy was current, nothing had to be decided again");
    }

    [Fact]
    public async Task ReleasedLot_ConsumedWithoutTheEvent_StaleQuarantineIsDecidedAgainOnTheErpLot()
    {
        await using var host = await StartAsync();
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        await ConsumeInTheErpAsync(host, 40);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));

        await AssertContainedAsync(host);
        var audit = await host.Store.ReadAuditAsync(Lot.Value, 0, EngineTestHost.Ct);
        audit.Should().ContainSingle(r => r.Action == "redecision")
            .Which.Reason.Should().StartWith("lot.insufficient-quantity: erp.change-stock-category was refused as stale");
        var redecision = audit.Single(r => r.Action == "redecision");
        redecision.Actor.Should().Be("system:orchestrator");
        redecision.Reason.Should().Contain("lot L-200 is read again from the ERP").And.Contain("(redecision 1 of at most 3, ");
        var first = await host.Store.ReadCommandsCausedByAsync(new EventKey("qms://plant-1", "qi-fail"), EngineTestHost.Ct);
        var stale = first.Where(c => c.Kind == CommandKinds.ErpChangeStockCategory).Should().ContainSingle().Subject;
        stale.Status.Should().Be(OutboxStatus.Superseded);
        stale.LastError.Should().StartWith("lot.insufficient-quantity");
        first.Where(c => c.Ordinal > stale.Ordinal).Should().NotBeEmpty().And.OnlyContain(
            c => c.Status == OutboxStatus.Superseded && c.LastError!.StartsWith("withdrawn: erp.change-stock-category of the same event", StringComparison.Ordinal),
            "the first decision's later commands were planned on the stale lot: they are withdrawn, not sent");
        var pass = await host.Store.ReadCommandsCausedByAsync(new EventKey("qms://plant-1", "qi-pass"), EngineTestHost.Ct);
        pass.Should().OnlyContain(c => c.Status == OutboxStatus.Completed, "another event's commands are not touched");
    }

    [Fact]
    public async Task StaleRefusal_WhenTheEventCannotBeReadToDecideItAgain_WaitsForARetryAndIsThenDecidedAgain()
    {
        var store = UnreadableEventsOnce.Wrap(new InMemoryOrchestrationStore());
        await using var host = await StartAsync(store: store);
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        await ConsumeInTheErpAsync(host, 40);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));
        var waiting = (await host.Store.ReadCommandsCausedByAsync(new EventKey("qms://plant-1", "qi-fail"), EngineTestHost.Ct)).Single(c => c.Kind == CommandKinds.ErpChangeStockCategory);
        waiting.Status.Should().Be(OutboxStatus.Pending, "the store failed once: the command waits for its retry instead of being dead-lettered");
        waiting.LastError.Should().Contain("could not be read to decide it again");

        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.WaitForIdleAsync();

        await AssertContainedAsync(host);
        (await AuditActionsAsync(host)).Should().ContainSingle(a => a == "redecision");
    }

    [Fact]
    public async Task StaleRefusal_WithRedecisionsSwitchedOff_IsDeadLetteredAsBefore()
    {
        await using var host = await StartAsync(o => o.Settings.MaxRedecisions = 0);
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        await ConsumeInTheErpAsync(host, 40);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        host.Plant.Erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(60);
    }

    [Fact]
    public async Task StaleRefusal_WithoutFirstTouchErpReads_IsDeadLettered_ForNothingWouldReadTheLotAgain()
    {
        await using var host = await StartAsync(o => o.Settings.BootstrapFromErp = false);
        await host.PublishAndWaitAsync(new EventEnvelope
        {
            Id = "gr-1",
            Source = "erp://plant-1",
            Type = EventTypes.GoodsReceived,
            Site = EngineTestHost.Site,
            Data = new GoodsReceived { Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Quantity = Quantity.Each(100), Supplier = EngineTestHost.Supplier },
        });
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1, AdapterResultStatus.Stale);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));

        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle()
            .Which.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        (await AuditActionsAsync(host)).Should().NotContain("redecision");
    }

    [Fact]
    public async Task StaleRefusal_AfterTheLastRedecision_IsDeadLettered()
    {
        // The ERP keeps refusing as stale (a scripted answer), so every redecision fails the same way.
        await using var host = await StartAsync(o => o.Settings.MaxRedecisions = 2);
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 3, AdapterResultStatus.Stale);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));

        (await AuditActionsAsync(host)).Count(a => a == "redecision").Should().Be(2);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle()
            .Which.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public async Task Redecision_DoesNotSendAgainWhatTheFirstDecisionCarriedOut()
    {
        // The first decision's quarantine and hold move take effect, then its notification is refused as stale (scripted):
        // the redecision finds nothing left to block, plans the hold move again and only audits it, and sends the
        // notification and the rest it had not reached.
        await using var host = await StartAsync();
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        host.Plant.Faults.FailCausedBy(CommandKinds.NotificationSend, "qi-fail", AdapterResultStatus.Stale);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot.Value, "qi-fail"));

        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty(await host.DescribeDeadLettersAsync());
        var audit = await AuditActionsAsync(host);
        audit.Should().Contain("redecision").And.Contain("already-done");
        host.Plant.Erp.Calls.Count(c => c.Operation == CommandKinds.ErpChangeStockCategory).Should().Be(2, "the release, then the quarantine once");
        host.Plant.Erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(100);
        host.Plant.Wms.MoveTasks.Should().ContainSingle(t => t.Lot == Lot, "the hold move took effect once and is not sent again").Which.ToBin.Should().Be(new BinId("HOLD-P1"));
        host.Plant.Notification.SentTo(Role.Buyer, EngineTestHost.Site).Should().ContainSingle("the refused notification goes out once, under the redecision");
        host.Plant.Qms.SupplierCases.Should().ContainSingle();
    }

    [Fact]
    public async Task Intake_RefusesAnEventCarryingTheReservedRedecisionAttributes()
    {
        await using var host = await StartAsync();
        var forged = EngineTestHost.Failed(Lot.Value, "forged") with
        {
            Extensions = new Dictionary<string, System.Text.Json.JsonElement> { ["moredecision"] = System.Text.Json.JsonSerializer.SerializeToElement(1) },
        };

        var result = await host.Orchestrator.PublishAsync(forged, EngineTestHost.Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.ReservedAttribute);
    }

    private static async Task<EngineTestHost> StartAsync(Action<OrchestratorOptions>? configure = null, IOrchestrationStore? store = null)
    {
        var host = new EngineTestHost(
            configure,
            store,
            scenarioWorkflows: s => [GoodsReceiptWorkflow.Create(s), StockMovementWorkflow.Create(s), IncomingInspectionWorkflow.Create(s)]);
        host.AddLotInInspection(Lot.Value, 100);
        host.Plant.AddOrder(new ProductionOrder { Id = Order, Material = new MaterialId("PCB-1"), Site = EngineTestHost.Site, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.InProgress });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Lot, Order = Order, Quantity = Quantity.Each(40) });
        return await host.StartAsync();
    }

    private static async Task ConsumeInTheErpAsync(EngineTestHost host, decimal quantity)
    {
        var posted = await host.Plant.Erp.PostGoodsMovementAsync(new PostGoodsMovementRequest
        {
            Context = new CommandContext { IdempotencyKey = "mes-261-" + quantity, CorrelationId = "shop-floor" },
            Movement = new GoodsMovement
            {
                Kind = MovementKind.Consumption,
                Lot = Lot,
                Material = EngineTestHost.Capacitor,
                Site = EngineTestHost.Site,
                Quantity = Quantity.Each(quantity),
                FromCategory = StockCategory.Unrestricted,
                Order = Order,
            },
        }, EngineTestHost.Ct);
        posted.IsSuccess.Should().BeTrue(posted.ToString());
    }

    private static EventEnvelope Consumed(decimal quantity, string id) => new()
    {
        Id = id,
        Source = "mes://plant-1",
        Type = EventTypes.LotConsumed,
        Site = EngineTestHost.Site,
        Data = new LotConsumed { Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Order = Order, Quantity = Quantity.Each(quantity) },
    };

    private static async Task AssertContainedAsync(EngineTestHost host)
    {
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty(await host.DescribeDeadLettersAsync());
        host.Plant.Erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(60);
        host.Plant.Erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);
        host.Plant.Wms.MoveTasks.Should().ContainSingle(t => t.Lot == Lot).Which.ToBin.Should().Be(new BinId("HOLD-P1"));
        host.Plant.Wms.QuantityIn(Lot, new BinId("HOLD-P1")).Should().Be(60);
        host.Plant.Mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Held, "containment holds the order that consumed the lot");
        var state = await host.Store.LoadPartitionAsync(Lot.Value, EngineTestHost.Ct);
        state!.Lot!.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(60));
        state.IsParked.Should().BeFalse();
    }

    private static async Task<List<string>> AuditActionsAsync(EngineTestHost host) =>
        (await host.Store.ReadAuditAsync(Lot.Value, 0, EngineTestHost.Ct)).Select(r => r.Action).ToList();

    /// <summary>A store whose first <see cref="IOrchestrationStore.ReadEventAsync"/> fails, as a store can for a moment.</summary>
    public class UnreadableEventsOnce : System.Reflection.DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private int _failures = 1;

        public static IOrchestrationStore Wrap(IOrchestrationStore inner)
        {
            var proxy = Create<IOrchestrationStore, UnreadableEventsOnce>();
            ((UnreadableEventsOnce)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IOrchestrationStore.ReadEventAsync) && Interlocked.Decrement(ref _failures) >= 0)
            {
                return ValueTask.FromException<InboxEvent?>(new IOException("The store is briefly unavailable."));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
