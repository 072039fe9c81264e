using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class TimerAndRetryFailureTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task TimerHandlerFails_TheTimerIsTriedAgainShortlyAndFires()
    {
        // The step-deadline timer is read once with data its handler cannot read. The handler's failure must not leave
        // the timer marked as in progress for the life of the process: it is read and handled again after a short wait.
        var (store, faults) = FaultingStore.Wrap(new InMemoryOrchestrationStore());
        var logs = new CapturingLoggerFactory();
        await using var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(2) };
                o.LoggerFactory = logs;
            },
            store,
            workflows: [DeadlineWorkflow()]).StartAsync();
        host.AddLotInInspection("L-T1", 10);
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1000);
        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-T1", "t-1"));

        faults.CorruptDueTimerReads = 1;
        host.Time.Advance(TimeSpan.FromMinutes(11));
        await AdvanceUntilAsync(host, () => host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Count > 0, "the deadline's alert is sent once its timer is handled again");
        await host.WaitForIdleAsync();

        faults.CorruptDueTimerReads.Should().BeNegative("the timer was read once with unreadable data");
        logs.Entries.Where(e => e.Id.Id == 1001).Should().ContainSingle("the handler failed on the unreadable copy only");
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-T1", Ct)).Should().ContainSingle(a => a.Action == "sla-breached");
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().BeAfter(host.Time.GetUtcNow(), "only the ERP command's retry timer is left");
    }

    private static WorkflowDefinition DeadlineWorkflow() =>
        new WorkflowBuilder("release-with-deadline", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .WithDeadline(TimeSpan.FromMinutes(10), Role.Planner)
            .Step("release", WorkflowStepKind.Plan, ctx =>
            {
                var passed = (InspectionPassed)ctx.Event.Data;
                ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest { Context = c, Lot = passed.Lot, Material = passed.Material, Site = passed.Site, Quantity = Quantity.Each(10), FromCategory = StockCategory.QualityInspection, ToCategory = StockCategory.Unrestricted });
            })
            .Build();

    /// <summary>
    /// Advances the fake clock in small steps until <paramref name="done"/> holds, for at most
    /// <see cref="EngineTestHost.IdleTimeout"/>: for work that waits on the clock while the orchestrator does not look idle.
    /// </summary>
    private static async Task AdvanceUntilAsync(EngineTestHost host, Func<bool> done, string because)
    {
        var waited = Stopwatch.StartNew();
        while (!done() && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(20, Ct);
        }

        done().Should().BeTrue(because);
    }

    /// <summary>A store that hands out due timers with unreadable data, and otherwise forwards every call.</summary>
    public class FaultingStore : DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private int _corruptDueTimerReads;

        /// <summary>How many of the next reads of due timers that return a timer with data return its data unreadable.</summary>
        public int CorruptDueTimerReads
        {
            get => Volatile.Read(ref _corruptDueTimerReads);
            set => Volatile.Write(ref _corruptDueTimerReads, value);
        }

        public static (IOrchestrationStore Store, FaultingStore Faults) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, FaultingStore>();
            var proxy = (FaultingStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            object? result;
            try
            {
                result = targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }

            return targetMethod.Name == nameof(IOrchestrationStore.ReadDueTimersAsync)
                ? CorruptAsync((ValueTask<IReadOnlyList<DurableTimer>>)result!)
                : result;
        }

        private async ValueTask<IReadOnlyList<DurableTimer>> CorruptAsync(ValueTask<IReadOnlyList<DurableTimer>> read)
        {
            var timers = await read;
            if (!timers.Any(t => t.Data is not null) || Interlocked.Decrement(ref _corruptDueTimerReads) < 0)
            {
                return timers;
            }

            return [.. timers.Select(t => t.Data is null ? t : t with { Data = "{" })];
        }
    }
}
