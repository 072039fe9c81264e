using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Audit;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// Clustered nodes on one in-memory store whose calls can fail once, each node on a fake clock of its own: what a node
/// takes over while the store fails it for a moment is still taken over in full.
/// </summary>
public sealed class ClusterTakeoverFailureTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NodeTakingABucket_TheStoreFailingTheTakeoverRoundsRecovery_StillSendsTheBucketsPendingCommands()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, flaky) = FlakyStore.Wrap(inner);
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await a.StartAsync();
        await b.StartAsync();
        a.Orchestrator.Cluster!.OwnedBuckets.Should().Equal(0);
        b.Orchestrator.Cluster!.OwnedBuckets.Should().BeEmpty();
        a.AddLotInInspection("LOT-1", 100);
        (await a.Orchestrator.PublishAsync(EngineTestHost.Failed("LOT-1", "f-LOT-1", sequence: 1), Ct)).Status.Should().Be(PublishStatus.Accepted);
        (await UntilAsync(async () => (await inner.ReadPendingEventsAsync(null, 0, 1, Ct)).Count == 0 && (await inner.ReadPartitionsWithPendingCommandsAsync(Ct)).Count == 0 && a.Orchestrator.Backlog == 0, a)).Should().BeTrue();
        await a.Orchestrator.StopAsync(Ct);

        // A command of A's whose completion A did not record (as if A died between the send and the commit).
        var sent = (await inner.ReadCommandAsync(a.Plant.Effects.Records.First().IdempotencyKey, Ct))!;
        var version = (await inner.LoadPartitionAsync(sent.PartitionKey, Ct))!.Version;
        await inner.CommitAsync([new StepCommit { PartitionKey = sent.PartitionKey, ExpectedVersion = version, UpdatedCommands = [sent with { Status = OutboxStatus.Pending, Attempts = 0 }] }], Ct);

        // B takes the bucket at its next round; the store fails that round's read of the partitions with pending commands.
        flaky.FailNext(nameof(IOrchestrationStore.ReadPartitionsWithPendingCommandsAsync));
        (await UntilAsync(() => Task.FromResult(b.Orchestrator.Cluster!.OwnedBuckets.Count == 1), b)).Should().BeTrue();
        (await UntilAsync(() => Task.FromResult(flaky.Failed), b)).Should().BeTrue();

        (await UntilAsync(async () => (await inner.ReadPartitionsWithPendingCommandsAsync(Ct)).Count == 0, b))
            .Should().BeTrue("the bucket B holds has a pending command: a round that failed after taking it recovers it at the next");
        (await inner.ReadCommandAsync(sent.IdempotencyKey, Ct))!.Status.Should().Be(OutboxStatus.Completed);
    }

    [Fact]
    public async Task NodeTakingTheSingleton_TheStoreFailingItsCheckpointSigning_StillDeliversToTheAuditSinks()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, flaky) = FlakyStore.Wrap(inner);
        var sink = new RecordingAuditSink("siem");
        var signer = new HmacAuditCheckpointSigner(Enumerable.Repeat((byte)7, 32).ToArray());
        await using var b = Node("node-b", store, plant: null, sink: sink, signer: signer);

        // Another node holds the singleton for a few seconds more: B takes it at a later round, not at its start.
        var now = b.Time.GetUtcNow();
        (await inner.TryAcquireLeaseGrantAsync(ClusterCoordinator.SingletonKey, "node-x", now.AddSeconds(4), now, Ct)).Should().NotBeNull();
        await b.StartAsync();
        b.Orchestrator.Cluster!.HoldsSingleton.Should().BeFalse();

        flaky.FailNext(nameof(IOrchestrationStore.ReadLatestCheckpointAsync));
        (await UntilAsync(() => Task.FromResult(flaky.Failed), b)).Should().BeTrue();

        b.AddLotInInspection("LOT-1", 100);
        (await b.Orchestrator.PublishAsync(EngineTestHost.Failed("LOT-1", "f-LOT-1", sequence: 1), Ct)).Status.Should().Be(PublishStatus.Accepted);
        (await UntilAsync(async () => (await inner.ReadAuditFeedAsync(0, 1, Ct)).Count > 0, b)).Should().BeTrue();
        var delivered = await UntilAsync(() => Task.FromResult(sink.Received.Count > 0), b);

        b.Orchestrator.Cluster!.HoldsSingleton.Should().BeTrue();
        delivered.Should().BeTrue("the holder of the singleton delivers the audit records to the sinks, whatever failed as it took it");
    }

    /// <summary>A node with one bucket; audit checkpoints are taken on request only.</summary>
    private static EngineTestHost Node(string id, IOrchestrationStore store, EngineTestHost? plant, RecordingAuditSink? sink = null, IAuditCheckpointSigner? signer = null) =>
        new(
            o =>
            {
                o.AuditCheckpointSigner = signer;
                if (sink is not null)
                {
                    o.AuditSinks.Add(sink);
                }

                o.Settings.NodeId = id;
                o.Settings.CheckpointInterval = TimeSpan.FromDays(1);
                o.Settings.Cluster.Enabled = true;
                o.Settings.Cluster.BucketCount = 1;
                o.Settings.Cluster.LeaseDuration = TimeSpan.FromSeconds(9);
                o.Settings.Cluster.PollInterval = TimeSpan.FromSeconds(1);
            },
            store,
            adapters: plant is null ? null : _ => plant.Plant.Adapters);

    /// <summary>Moves the nodes' clocks a second at a time until the condition holds; <see langword="false"/> when it did not within <see cref="Limit"/>.</summary>
    private static Task<bool> UntilAsync(Func<Task<bool>> condition, params EngineTestHost[] nodes) =>
        NodeClocks.AdvanceUntilAsync(condition, Limit, nodes);

    /// <summary>A store whose next call of a chosen method throws, once; every other call reaches the inner store.</summary>
    public class FlakyStore : DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private string? _failNext;
        private int _failed;

        /// <summary>Whether the chosen call has failed.</summary>
        public bool Failed => Volatile.Read(ref _failed) == 1;

        public static (IOrchestrationStore Store, FlakyStore Flaky) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, FlakyStore>();
            var proxy = (FlakyStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        /// <summary>Makes the next call of <paramref name="method"/> throw.</summary>
        public void FailNext(string method)
        {
            Volatile.Write(ref _failed, 0);
            Volatile.Write(ref _failNext, method);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (Volatile.Read(ref _failNext) is { } failing && failing == targetMethod.Name && Interlocked.CompareExchange(ref _failNext, null, failing) == (object)failing)
            {
                Volatile.Write(ref _failed, 1);
                throw new InvalidOperationException("The store is unreachable for a moment.");
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
