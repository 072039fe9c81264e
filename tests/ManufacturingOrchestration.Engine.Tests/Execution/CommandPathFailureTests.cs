using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class CommandPathFailureTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task CommandOutcomeCommitFails_TheKeysNextEventWaitsForItsUnfinishedCommand()
    {
        // a1's command fails transiently and the commit of that outcome is refused: the command stays pending in the
        // store. a2, queued meanwhile and taken in a round of its own, must not have its command sent before a1's.
        GatedNotificationAdapter? gate = null;
        var (store, faults) = FaultyStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.MaxBatchSize = 1;
            },
            store,
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, gate = new GatedNotificationAdapter(plant.Notification, r => r.Subject == "a:a1")));
        await host.StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        faults.RefuseCommitOnce = commits => commits.Any(c => c.UpdatedCommands.Count > 0);

        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a1"), Ct);
        await gate!.Entered.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a2"), Ct);
        gate.Open();

        // The key's commands are resumed after a short wait on the orchestrator's clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!TestWorkflows.Delivered(host.Plant, "a").Contains("a2") && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, Ct);
        }

        await host.WaitForIdleAsync();

        faults.RefuseCommitOnce.Should().BeNull("the outcome of a1's first attempt was refused once");
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal(["a1", "a2"], "the commands of a key are executed in order");
        (await store.ReadPendingCommandsAsync("a", Ct)).Should().BeEmpty();
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Restart_ReadingTheKeysPendingCommandsFailsOnce_TheyStillRunAndBeforeTheKeysWaitingEvent()
    {
        // Stopped while a1's command is held in the adapter, with a2 waiting: at the next start the read of a's pending
        // commands fails once. The read is tried again; a2's command is not sent before a1's, and a1's is not left behind.
        GatedNotificationAdapter? gate = null;
        var (store, faults) = FaultyStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = new EngineTestHost(
            o => o.Settings.Parallelism = 1,
            store,
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, gate = new GatedNotificationAdapter(plant.Notification)));
        await host.StartAsync();
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a1"), Ct);
        await gate!.Entered.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a2"), Ct);
        using (var expired = new CancellationTokenSource())
        {
            await expired.CancelAsync();
            await host.Orchestrator.StopAsync(expired.Token);
        }

        (await store.ReadPendingCommandsAsync("a", Ct)).Should().ContainSingle();
        gate.Open();
        faults.FailPendingCommandReads = 1;
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(Ct);

        // A read that failed is tried again after a short wait on the orchestrator's clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!TestWorkflows.Delivered(host.Plant, "a").Contains("a2") && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, Ct);
        }

        await second.WaitForIdleAsync(Ct).WaitAsync(EngineTestHost.IdleTimeout, Ct);
        faults.FailPendingCommandReads.Should().BeLessThanOrEqualTo(0, "the read failed once");
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal(["a1", "a2"], "the commands of a key are executed in order, none left pending");
        (await store.ReadPendingCommandsAsync("a", Ct)).Should().BeEmpty();
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task ErpReadRetriedThenRecovered_ManyKeys_TheKeyCacheStaysWithinItsBoundOnceIdle()
    {
        // One worker keeps at most 64 keys once idle. Each of 80 lots has its first-touch ERP read fail once and then
        // succeed on its retry timer: once every event is processed, the keys have nothing in progress.
        const int lots = 80;
        await using var host = await new EngineTestHost(o =>
        {
            o.Settings.Parallelism = 1;
            o.Settings.KeyCacheCapacity = 1;
        }).StartAsync();
        for (var i = 0; i < lots; i++)
        {
            host.AddLotInInspection($"L-{i}", 10);
        }

        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, lots);
        await host.PublishAndWaitAsync([.. Enumerable.Range(0, lots).Select(i => EngineTestHost.Passed($"L-{i}", $"p{i}"))]);
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Effects.Records.Count(r => r.CommandKind == CommandKinds.ErpChangeStockCategory) == lots, TimeSpan.FromMinutes(1));

        host.Plant.Effects.Records.Count(r => r.CommandKind == CommandKinds.ErpChangeStockCategory).Should().Be(lots);
        (await host.Store.ReadPendingEventsAsync(null, 0, 10, Ct)).Should().BeEmpty();
        host.Orchestrator.Runtime.Workers.Should().AllSatisfy(w => w.CachedKeys.Should().BeLessThanOrEqualTo(64));
    }

    [Fact]
    public async Task TargetAsksToWaitLongerThanTheCalendarLasts_TheCommandWaitsAndTheWorkerGoesOn()
    {
        // A target may ask for any non-negative wait, and a host may honour any (MaxRetryAfter). One past the end of
        // the calendar must not stop the worker: the command waits (its key with it) and the worker's other keys go on.
        await using var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.Retry = new RetryPolicy { MaxRetryAfter = TimeSpan.MaxValue };
            },
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, new WaitForeverAdapter(plant.Notification, "a:a1"))).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"), TestWorkflows.Signal("b", "b1"));

        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        var pending = (await host.Store.ReadPendingCommandsAsync("a", Ct)).Should().ContainSingle().Subject;
        pending.Attempts.Should().Be(1);
        pending.NextAttemptAt.Should().Be(DateTimeOffset.MaxValue);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        await host.Orchestrator.StopAsync(Ct);
    }

    /// <summary>Answers the notification with <paramref name="subject"/> as a transient failure that asks to wait <see cref="TimeSpan.MaxValue"/>.</summary>
    private sealed class WaitForeverAdapter(ICommandHandler<SendNotificationRequest> inner, string subject) : ICommandHandler<SendNotificationRequest>
    {
        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken) =>
            request.Subject == subject
                ? ValueTask.FromResult(AdapterResult.Transient("Come back much later.", TimeSpan.MaxValue))
                : inner.ExecuteAsync(request, cancellationToken);
    }

    /// <summary>A store that refuses a matching commit once, or fails some reads, and otherwise forwards every call.</summary>
    public class FaultyStore : DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private Func<IReadOnlyList<StepCommit>, bool>? _refuseCommitOnce;
        private int _failPendingCommandReads;

        /// <summary>Refuses, once, the first commit whose batch it matches (then cleared).</summary>
        public Func<IReadOnlyList<StepCommit>, bool>? RefuseCommitOnce
        {
            get => Volatile.Read(ref _refuseCommitOnce);
            set => Volatile.Write(ref _refuseCommitOnce, value);
        }

        /// <summary>How many of the next reads of a key's pending commands fail.</summary>
        public int FailPendingCommandReads
        {
            get => Volatile.Read(ref _failPendingCommandReads);
            set => Volatile.Write(ref _failPendingCommandReads, value);
        }

        public static (IOrchestrationStore Store, FaultyStore Faults) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, FaultyStore>();
            var proxy = (FaultyStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationStore.CommitAsync) && RefuseCommitOnce is { } refuse && refuse((IReadOnlyList<StepCommit>)args![0]!))
            {
                RefuseCommitOnce = null;
                throw new InvalidOperationException("The store refused the commit.");
            }

            if (targetMethod.Name == nameof(IOrchestrationStore.ReadPendingCommandsAsync) && Interlocked.Decrement(ref _failPendingCommandReads) >= 0)
            {
                throw new InvalidOperationException("The store is unreachable.");
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
