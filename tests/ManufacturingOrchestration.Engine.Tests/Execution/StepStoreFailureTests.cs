using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// A store read a step makes fails for a moment: the event is a pending event like any other whose commit failed, tried
/// again after a short wait and before the key's later events; it is not a failed step, dead-lettered with its key parked.
/// </summary>
public sealed class StepStoreFailureTests
{
    private const string Lot = "L-SF1";

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task Redecision_StoreFailsReadingWhatTheFirstDecisionCarriedOut_IsDecidedAgainAfterTheWaitAndBeforeTheKeysLaterEvent()
    {
        var (store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = new EngineTestHost(o => o.Settings.Parallelism = 1, store);
        host.AddLotInInspection(Lot, 100);
        await host.StartAsync();

        // The ERP refuses the quarantine as stale (scripted): the failure is decided again, and the redecision's read of
        // what the first decision carried out fails once.
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1, AdapterResultStatus.Stale);
        flaky.FailNext(nameof(IOrchestrationStore.ReadCommandsCausedByAsync));
        (await host.Orchestrator.PublishAsync(EngineTestHost.Failed(Lot, "qi-fail"), Ct)).Status.Should().Be(PublishStatus.Accepted);
        await UntilAsync(host, () => Task.FromResult(flaky.Failed), advance: false);

        // A later event of the lot, accepted while the redecision waits for its retry.
        (await host.Orchestrator.PublishAsync(Consumed("mes-consumed-late"), Ct)).Status.Should().Be(PublishStatus.Accepted);
        await UntilAsync(host, async () => (await AuditAsync(host)).Any(r => r.Event?.Id == "mes-consumed-late") || (await OpenDeadLettersAsync(host)).Count > 0, advance: true);
        await host.WaitForIdleAsync();

        (await OpenDeadLettersAsync(host)).Should().BeEmpty("a store that failed for a moment is not an operator's task");
        (await host.Orchestrator.GetPartitionAsync(Lot, Ct))!.IsParked.Should().BeFalse();
        var audit = await AuditAsync(host);
        audit.Should().NotContain(r => r.Action == "step-failed");
        audit.Should().ContainSingle(r => r.Action == "redecision");
        var redecided = audit.FindIndex(r => r.Action == "processed" && r.Event != null && r.Event.Value.Id.StartsWith("qi-fail~", StringComparison.Ordinal));
        redecided.Should().BeGreaterThan(-1, "the redecision is processed once the store answers");
        audit.FindIndex(r => r.Event?.Id == "mes-consumed-late").Should().BeGreaterThan(redecided, "the key's events are processed in order");
        host.Plant.Erp.QuantityIn(new LotId(Lot), StockCategory.Blocked).Should().Be(100, "the redecision blocks the lot");
        (await store.ReadPendingEventsAsync(Lot, 0, 10, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Step_WorkflowThrowsWhatAStoreMightThrow_IsStillDeadLetteredAndTheKeyParked()
    {
        // Not the store: the workflow's own failure, of the same exception type as the store's in the test above.
        var (store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(
            o => o.Settings.Parallelism = 1,
            store,
            workflows: [new WorkflowBuilder("broken", 1)
                .TriggeredBy(EventTypes.InspectionFailed)
                .Step("throw", WorkflowStepKind.Decide, _ => throw new InvalidOperationException("The store is unreachable for a moment."))
                .Build()]).StartAsync();

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Lot, "qi-fail"));

        flaky.Failed.Should().BeFalse();
        (await OpenDeadLettersAsync(host)).Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.StepFailed);
        (await host.Orchestrator.GetPartitionAsync(Lot, Ct))!.IsParked.Should().BeTrue();
    }

    private static EventEnvelope Consumed(string id) => new()
    {
        Id = id,
        Source = "mes://plant-1",
        Type = EventTypes.LotConsumed,
        Site = EngineTestHost.Site,
        PartitionKey = Lot,
        Data = new LotConsumed { Lot = new LotId(Lot), Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Order = new OrderId("WO-1"), Quantity = Quantity.Each(1) },
    };

    private static async Task<List<AuditRecord>> AuditAsync(EngineTestHost host) => [.. await host.Orchestrator.GetAuditTrailAsync(Lot, Ct)];

    private static async Task<IReadOnlyList<DeadLetter>> OpenDeadLettersAsync(EngineTestHost host) =>
        await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct);

    /// <summary>
    /// Waits for the condition, for at most <see cref="EngineTestHost.IdleTimeout"/>; with <paramref name="advance"/> the
    /// orchestrator's clock moves a quarter second at a time meanwhile, past the short wait before a retry.
    /// </summary>
    private static async Task UntilAsync(EngineTestHost host, Func<Task<bool>> condition, bool advance)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            waited.Elapsed.Should().BeLessThan(EngineTestHost.IdleTimeout, "the condition should hold long before");
            if (advance)
            {
                host.Time.Advance(TimeSpan.FromMilliseconds(250));
            }

            await Task.Delay(20, Ct);
        }
    }
}
