using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// What a node keeps while it polls a quiet store for a long time, and what a start that the store fails part way leaves
/// behind. Every node runs on a fake clock of its own; every wait is bounded.
/// </summary>
public sealed class StartAndPollFailureTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private const int Polls = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NodeOnANotifyingStore_PollingAQuietStoreManyTimes_KeepsOneWaitForNotificationsAndIsStillWokenByIt()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, counting) = NotifyingStore.Wrap(inner);
        var notifying = (NotifyingStore)counting;
        await using var a = Node("node-a", store);
        await a.StartAsync();

        (await UntilAsync(() => counting.InboxScans >= Polls, a)).Should().BeTrue();

        notifying.PendingWaits.Should().BeLessThanOrEqualTo(1, "a wait no notification ended still covers what is accepted after the next polls: a new one per poll would pile up until shutdown");

        // Accepted by another node: with the clock standing still, only the notification makes this node look.
        a.AddLotInInspection("LOT-1", 100);
        await AcceptElsewhereAsync(inner, a, "LOT-1");
        notifying.Notify();
        (await UntilAsync(async () => (await inner.ReadPendingEventsAsync(null, 0, 1, Ct)).Count == 0)).Should().BeTrue("the notification wakes the poll");
    }

    [Fact]
    public async Task NodeOnAStoreWithoutNotifications_PollingManyTimes_StillFindsEventsAcceptedElsewhere()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, counting) = CountingStore.Wrap(inner);
        await using var a = Node("node-a", store);
        await a.StartAsync();

        (await UntilAsync(() => counting.InboxScans >= Polls, a)).Should().BeTrue();

        a.AddLotInInspection("LOT-1", 100);
        await AcceptElsewhereAsync(inner, a, "LOT-1");
        (await UntilAsync(async () => (await inner.ReadPendingEventsAsync(null, 0, 1, Ct)).Count == 0, a)).Should().BeTrue("the next poll finds the event");
    }

    [Fact]
    public async Task ClusteredStart_TheStoreFailingTheFirstRound_ThrowsAndLeavesTheNodeStoppedWithItsLeasesGivenBack()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(inner);
        await using var a = Node("node-a", store);

        // The round has taken the heartbeat, the bucket and the singleton when the store fails its recovery read.
        flaky.FailNext(nameof(IOrchestrationStore.ReadPartitionsWithPendingCommandsAsync));
        await FluentActions.Awaiting(() => a.Orchestrator.StartAsync(Ct)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*unreachable*");

        AssertStopped(a);
        (await inner.ReadLeasesAsync(string.Empty, Ct)).Should().NotContain(l => l.Owner == "node-a", "a node that did not start holds nothing the others wait for");
        await a.Orchestrator.StopAsync(Ct).WaitAsync(Limit, Ct);
        await FluentActions.Awaiting(() => a.Orchestrator.StartAsync(Ct)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*already started*", "an orchestrator starts once");

        // Another node starting now takes the bucket and the singleton at once, instead of after the leases expire.
        await using var b = Node("node-b", store);
        await b.StartAsync().WaitAsync(Limit, Ct);
        b.Orchestrator.Cluster!.OwnedBuckets.Should().Equal(0);
        b.Orchestrator.Cluster!.HoldsSingleton.Should().BeTrue();
    }

    [Fact]
    public async Task Start_TheStoreFailingTheRecoveryRead_ThrowsAndLeavesTheOrchestratorStoppedForANewOneToRecover()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(inner);
        await using var a = new EngineTestHost(store: store);
        a.AddLotInInspection("LOT-1", 100);
        await AcceptElsewhereAsync(inner, a, "LOT-1");

        flaky.FailNext(nameof(IOrchestrationStore.ReadPendingEventsAsync));
        await FluentActions.Awaiting(() => a.Orchestrator.StartAsync(Ct)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*unreachable*");

        AssertStopped(a);
        await a.Orchestrator.StopAsync(Ct).WaitAsync(Limit, Ct);
        await a.Orchestrator.DisposeAsync().AsTask().WaitAsync(Limit, Ct);
        AssertStopped(a);

        // The event stayed pending in the store: the next orchestrator on it recovers it.
        await using var b = new EngineTestHost(store: store);
        b.AddLotInInspection("LOT-1", 100);
        await b.StartAsync().WaitAsync(Limit, Ct);
        await b.WaitForIdleAsync();
        (await inner.ReadPendingEventsAsync(null, 0, 1, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Confirmation_RenewingAfterARoundGaveTheBucketBack_LeavesTheBucketFreeForTheOthers()
    {
        var (a, gated, fence) = await ConfirmingNodeAsync();
        await using var _ = a;
        var cluster = a.Orchestrator.Runtime.Cluster!;
        var round = await HoldRoundAsync(a, gated);
        var renewal = gated.Hold(nameof(IOrchestrationStore.TryAcquireLeaseGrantAsync), "bucket:1");
        var confirmation = cluster.ConfirmAsync(fence, Ct).AsTask();
        await renewal.Arrived.WaitAsync(Limit, Ct);

        // The round gives bucket 1 back (two live nodes now) while the confirmation's renewal waits.
        round.Open();
        (await UntilAsync(async () => (await a.Store.ReadLeasesAsync("bucket:1", Ct)).Count == 0)).Should().BeTrue();
        renewal.Open();

        (await confirmation.WaitAsync(Limit, Ct)).Should().BeFalse("the node gave the bucket back");
        cluster.OwnedBuckets.Should().Equal(0);
        (await a.Store.ReadLeasesAsync("bucket:1", Ct)).Should().NotContain(l => l.Owner == "node-a" && l.Until > a.Time.GetUtcNow(), "a lease the node took again but does not use would keep the other nodes off the bucket until it expires");
    }

    [Fact]
    public async Task Confirmation_RenewingWhileARoundGivesTheBucketBack_IsRefused()
    {
        var (a, gated, fence) = await ConfirmingNodeAsync();
        await using var _ = a;
        var cluster = a.Orchestrator.Runtime.Cluster!;
        var round = await HoldRoundAsync(a, gated);
        var renewal = gated.Hold(nameof(IOrchestrationStore.TryAcquireLeaseGrantAsync), "bucket:1");
        var confirmation = cluster.ConfirmAsync(fence, Ct).AsTask();
        await renewal.Arrived.WaitAsync(Limit, Ct);

        // The round has dropped bucket 1 and not yet released its lease in the store when the renewal goes through.
        var release = gated.Hold(nameof(IOrchestrationStore.ReleaseLeaseAsync), "bucket:1");
        round.Open();
        await release.Arrived.WaitAsync(Limit, Ct);
        renewal.Open();

        var confirmed = await confirmation.WaitAsync(Limit, Ct);
        release.Open();
        confirmed.Should().BeFalse("the node no longer holds the bucket: its commands are not sent");
        (await UntilAsync(async () => (await a.Store.ReadLeasesAsync("bucket:1", Ct)).Count == 0)).Should().BeTrue();
    }

    /// <summary>
    /// A node alone with two buckets, another node's heartbeat written in the store (so the next round gives one back),
    /// and the fence of bucket 1, which the next confirmation renews in the store.
    /// </summary>
    private static async Task<(EngineTestHost Node, GatedStore Gated, LeaseFence Fence)> ConfirmingNodeAsync()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, gated) = GatedStore.Wrap(inner);
        var a = Node("node-a", store, buckets: 2);
        await a.StartAsync();
        var cluster = a.Orchestrator.Runtime.Cluster!;
        cluster.OwnedBuckets.Should().Equal(0, 1);
        var key = Enumerable.Range(0, 100).Select(i => "LOT-" + i).First(k => cluster.BucketOf(k) == 1);
        var fence = cluster.FenceOf(key)!;
        var now = a.Time.GetUtcNow();
        (await inner.TryAcquireLeaseGrantAsync(ClusterCoordinator.NodePrefix + "node-b", "node-b", now.AddHours(1), now, Ct)).Should().NotBeNull();
        return (a, gated, fence);
    }

    /// <summary>
    /// Moves the clock a third of the lease on (a confirmation renews from then), and on until the next round starts
    /// (its wait may have been armed after the first move), and holds that round before it renews anything.
    /// </summary>
    private static async Task<GatedStore.Gate> HoldRoundAsync(EngineTestHost node, GatedStore gated)
    {
        var round = gated.Hold(nameof(IOrchestrationStore.TryAcquireLeaseGrantAsync), ClusterCoordinator.NodePrefix + "node-a");
        node.Time.Advance(TimeSpan.FromSeconds(3));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Limit);
        while (!round.Arrived.IsCompleted)
        {
            // A second of real time for the round to reach the store before the clock moves on: the lease must not run out.
            await Task.WhenAny(round.Arrived, Task.Delay(TimeSpan.FromSeconds(1), limit.Token));
            limit.IsCancellationRequested.Should().BeFalse("the round starts once the clock has moved a third of the lease past its wait");
            if (!round.Arrived.IsCompleted)
            {
                node.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return round;
    }

    /// <summary>Not running, and none of its workers either.</summary>
    private static void AssertStopped(EngineTestHost node)
    {
        node.Orchestrator.IsRunning.Should().BeFalse();
        node.Orchestrator.Runtime.Workers.Select(w => w.Loop).Should().OnlyContain(loop => loop == null || loop.IsCompleted, "a start that failed leaves no worker running");
    }

    /// <summary>A node with one bucket (by default), a lease of 9 s and a poll every second; audit checkpoints are taken on request only.</summary>
    private static EngineTestHost Node(string id, IOrchestrationStore store, int buckets = 1) =>
        new(
            o =>
            {
                o.Settings.NodeId = id;
                o.Settings.CheckpointInterval = TimeSpan.FromDays(1);
                o.Settings.Cluster.Enabled = true;
                o.Settings.Cluster.BucketCount = buckets;
                o.Settings.Cluster.LeaseDuration = TimeSpan.FromSeconds(9);
                o.Settings.Cluster.PollInterval = TimeSpan.FromSeconds(1);
            },
            store);

    /// <summary>Accepts a failed inspection of <paramref name="lot"/> straight into the store, as another node would.</summary>
    private static async Task AcceptElsewhereAsync(IOrchestrationStore store, EngineTestHost node, string lot)
    {
        var envelope = EngineTestHost.Failed(lot, "f-" + lot, sequence: 1);
        var accepted = new bool[1];
        await store.AcceptAsync([new InboxEvent { Key = new EventKey(envelope.Source, envelope.Id), PartitionKey = envelope.EffectivePartitionKey, AcceptedAt = node.Time.GetUtcNow(), Envelope = envelope }], accepted, Ct);
        accepted[0].Should().BeTrue();
    }

    private static Task<bool> UntilAsync(Func<bool> condition, params EngineTestHost[] nodes) =>
        UntilAsync(() => Task.FromResult(condition()), nodes);

    /// <summary>Moves the nodes' clocks a second at a time until the condition holds; <see langword="false"/> when it did not within <see cref="Limit"/>.</summary>
    private static Task<bool> UntilAsync(Func<Task<bool>> condition, params EngineTestHost[] nodes) =>
        NodeClocks.AdvanceUntilAsync(condition, Limit, nodes);

    /// <summary>A store that counts the scans of the whole inbox; every call reaches the inner store.</summary>
    public class CountingStore : DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private int _inboxScans;

        /// <summary>How many reads of the pending events of every key were made.</summary>
        public int InboxScans => Volatile.Read(ref _inboxScans);

        public static (IOrchestrationStore Store, CountingStore Counting) Wrap(IOrchestrationStore inner) => Wrap<CountingStore>(inner);

        protected static (IOrchestrationStore Store, CountingStore Counting) Wrap<TProxy>(IOrchestrationStore inner)
            where TProxy : CountingStore
        {
            var store = DispatchProxy.Create<IOrchestrationStore, TProxy>();
            var proxy = (CountingStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationStore.ReadPendingEventsAsync) && args is [null, ..])
            {
                Interlocked.Increment(ref _inboxScans);
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

    /// <summary>
    /// A counting store with change notifications, sent only by <see cref="Notify"/>; it keeps every wait it handed out,
    /// to tell how many are still waiting.
    /// </summary>
    public class NotifyingStore : CountingStore, IStoreChangeNotifications
    {
        private readonly Lock _gate = new();
        private readonly List<Task> _waits = [];
        private TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The waits handed out that neither a notification nor their token has ended.</summary>
        public int PendingWaits
        {
            get
            {
                lock (_gate)
                {
                    return _waits.Count(w => !w.IsCompleted);
                }
            }
        }

        public static new (IOrchestrationStore Store, CountingStore Counting) Wrap(IOrchestrationStore inner) => Wrap<NotifyingStore>(inner);

        public Task WaitForAcceptedEventsAsync(CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                var wait = _accepted.Task.WaitAsync(cancellationToken);
                _waits.Add(wait);
                return wait;
            }
        }

        /// <summary>Ends every wait, as a store does when events were accepted.</summary>
        public void Notify()
        {
            TaskCompletionSource accepted;
            lock (_gate)
            {
                accepted = _accepted;
                _accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            accepted.TrySetResult();
        }
    }

    /// <summary>A store whose chosen calls wait until the test lets them through; every call reaches the inner store.</summary>
    public class GatedStore : DispatchProxy
    {
        private readonly Lock _gate = new();
        private readonly List<Gate> _gates = [];
        private IOrchestrationStore _inner = null!;

        public static (IOrchestrationStore Store, GatedStore Gated) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, GatedStore>();
            var proxy = (GatedStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        /// <summary>Holds the next call of <paramref name="method"/> on the lease <paramref name="leaseKey"/> until the gate opens.</summary>
        public Gate Hold(string method, string leaseKey)
        {
            var gate = new Gate(method, leaseKey);
            lock (_gate)
            {
                _gates.Add(gate);
            }

            return gate;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            Gate? held = null;
            lock (_gate)
            {
                if (args is [string key, ..] && _gates.Find(g => g.Method == targetMethod.Name && g.LeaseKey == key) is { } gate)
                {
                    _gates.Remove(gate);
                    held = gate;
                }
            }

            if (held is null)
            {
                return Forward(targetMethod, args);
            }

            held.Arrive();
            return targetMethod.Name switch
            {
                nameof(IOrchestrationStore.TryAcquireLeaseGrantAsync) => new ValueTask<LeaseGrant?>(AfterAsync(held, () => ((ValueTask<LeaseGrant?>)Forward(targetMethod, args)!).AsTask())),
                nameof(IOrchestrationStore.ReleaseLeaseAsync) => new ValueTask(AfterAsync(held, () => ((ValueTask)Forward(targetMethod, args)!).AsTask())),
                _ => throw new NotSupportedException(targetMethod.Name),
            };
        }

        private static async Task<T> AfterAsync<T>(Gate gate, Func<Task<T>> call)
        {
            await gate.Opened;
            return await call();
        }

        private static async Task AfterAsync(Gate gate, Func<Task> call)
        {
            await gate.Opened;
            await call();
        }

        private object? Forward(MethodInfo targetMethod, object?[]? args)
        {
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

        /// <summary>One held call: <see cref="Arrived"/> when it came, let through by <see cref="Open"/>.</summary>
        public sealed class Gate(string method, string leaseKey)
        {
            private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public string Method { get; } = method;

            public string LeaseKey { get; } = leaseKey;

            public Task Arrived => _arrived.Task;

            internal Task Opened => _opened.Task.WaitAsync(Limit, Ct);

            public void Open() => _opened.TrySetResult();

            internal void Arrive() => _arrived.TrySetResult();
        }
    }
}
