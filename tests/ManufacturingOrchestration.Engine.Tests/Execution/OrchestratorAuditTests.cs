using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorAuditTests
{
    [Fact]
    public async Task MixedRun_AuditVerifiesAndShutdownCheckpointHoldsEveryHead()
    {
        await using var host = await TestWorkflows.NotifyHost(before: ctx =>
        {
            if (ctx.EventKey.Id == "poison")
            {
                throw new InvalidOperationException("poison");
            }
        }).StartAsync();

        // Success, retry, out-of-order, permanent failure + skip, poison + skip.
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("retry", "r1", sequence: 1));
        await TestWorkflows.AdvanceUntilAsync(host, () => TestWorkflows.Delivered(host.Plant, "retry").Count == 1, TimeSpan.FromMinutes(1));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("ok", "o1"), TestWorkflows.Signal("retry", "r0", sequence: 0));
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("dead", "d1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("dead", "d2"), TestWorkflows.Signal("sick", "poison"), TestWorkflows.Signal("sick", "s2"));
        foreach (var deadLetter in await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct))
        {
            (await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Skip, "audit test"))).Succeeded.Should().BeTrue();
        }

        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        var verification = await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct);
        verification.IsValid.Should().BeTrue(string.Join("; ", verification.Violations.Select(v => v.Message)));
        verification.ChainsChecked.Should().Be(4);
        (await host.Orchestrator.GetAuditTrailAsync("retry", EngineTestHost.Ct)).Select(r => r.Action).Should().Equal("processed", "out-of-order");
        (await host.Orchestrator.GetAuditTrailAsync("dead", EngineTestHost.Ct)).Select(r => r.Action).Should().Equal("processed", "dead-lettered", "operator-skip", "processed");
        (await host.Orchestrator.GetAuditTrailAsync("sick", EngineTestHost.Ct)).Select(r => r.Action).Should().Equal("step-failed", "operator-skip", "processed");

        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        var checkpoint = await host.Store.ReadLatestCheckpointAsync(EngineTestHost.Ct);
        checkpoint.Should().NotBeNull();
        checkpoint!.TakenAt.Should().Be(host.Time.GetUtcNow());
        checkpoint.Heads.Keys.Should().BeEquivalentTo(["ok", "retry", "dead", "sick"]);
        foreach (var key in checkpoint.Heads.Keys)
        {
            var state = await host.Store.LoadPartitionAsync(key, EngineTestHost.Ct);
            checkpoint.Heads[key].Should().Be(state!.AuditHead, key);
            checkpoint.Heads[key].Count.Should().Be((await host.Store.ReadAuditAsync(key, 1, EngineTestHost.Ct)).Count);
        }
    }

    [Fact]
    public async Task CheckpointAuditAsync_TwiceInARow_ChainsCheckpoints()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));

        var first = await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e2"));
        var second = await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);

        second.Number.Should().Be(first.Number + 1);
        second.PreviousHash.Should().Be(first.Hash);
        first.Heads["k"].Count.Should().Be(1);
        second.Heads["k"].Count.Should().Be(2);
    }

    [Fact]
    public async Task CheckpointAuditAsync_WithKey_SignsChainedCheckpointsAndTheVerifierReportsTheirDeletion()
    {
        var signer = new HmacAuditCheckpointSigner(Enumerable.Repeat((byte)7, 32).ToArray());
        await using var host = await TestWorkflows.NotifyHost(o => o.AuditCheckpointSigner = signer).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e2"));

        var checkpoint = await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        checkpoint.Number.Should().Be(2, "the orchestrator signed a checkpoint at start: the store held none signed");
        checkpoint.PreviousMac.Should().NotBeNull();
        checkpoint.Mac.Should().Be(signer.Sign(AuditHashes.CheckpointMacPayload(checkpoint)));
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();

        var store = (InMemoryOrchestrationStore)host.Store;
        store.TamperWithCheckpoints(checkpoints => checkpoints.Clear());
        store.TamperWithAudit("k", chain => chain.RemoveAt(chain.Count - 1));
        host.Time.Advance(TimeSpan.FromMinutes(3));

        var violation = (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.CheckpointMissing);
        violation.PartitionKey.Should().Be("k");
        violation.Sequence.Should().Be(1);
    }

    [Fact]
    public async Task Restart_CheckpointCarriesHeadsOfTheEarlierRun()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        (await second.PublishAsync(TestWorkflows.Signal("j", "j1"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
        await second.WaitForIdleAsync(EngineTestHost.Ct);
        TestWorkflows.Delivered(host.Plant, "j").Should().Equal("j1");
        (await second.GetAuditTrailAsync("j", EngineTestHost.Ct)).Should().ContainSingle();
        await second.StopAsync(EngineTestHost.Ct);

        var checkpoint = await host.Store.ReadLatestCheckpointAsync(EngineTestHost.Ct);
        checkpoint!.Heads.Keys.Should().BeEquivalentTo(["k", "j"], $"checkpoint {checkpoint.Number}");
        checkpoint.Number.Should().Be(2);
    }

    [Fact]
    public async Task StopAsync_NothingAuditedSinceTheLastCheckpoint_TakesNoOther()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        var taken = await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);

        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        (await host.Store.ReadLatestCheckpointsAsync(10, EngineTestHost.Ct)).Should().ContainSingle()
            .Which.Number.Should().Be(taken.Number, "the latest checkpoint already holds every head: another would write them all again");
    }

    [Fact]
    public async Task StopAsync_ARecordAuditedAfterTheLastCheckpoint_CheckpointsIt()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        host.Orchestrator.Runtime.Heads.Should().BeEmpty("the checkpoint holds k's head: the node keeps only heads it has not checkpointed");
        await host.PublishAndWaitAsync(TestWorkflows.Signal("j", "j1"));
        host.Orchestrator.Runtime.Heads.Keys.Should().Equal("j");

        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        var checkpoint = await host.Store.ReadLatestCheckpointAsync(EngineTestHost.Ct);
        checkpoint!.Number.Should().Be(2);
        checkpoint.Heads.Keys.Should().BeEquivalentTo(["k", "j"]);
    }

    [Fact]
    public async Task StopAsync_TheStoreFailingTheCheckpoint_LogsItAndCompletesTheStop()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        var logs = new CapturingLoggerFactory();
        await using var host = await new EngineTestHost(o => o.LoggerFactory = logs, store, workflows: [TestWorkflows.Notify()]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        recorded.Failing = nameof(IOrchestrationStore.AppendCheckpointAsync);

        await host.Orchestrator.Invoking(o => o.StopAsync(EngineTestHost.Ct)).Should().NotThrowAsync("a checkpoint the store cannot take must not fail the host's shutdown");

        host.Orchestrator.IsRunning.Should().BeFalse();
        logs.Entries.Should().ContainSingle(e => e.Id.Id == 1006).Which.Exception.Should().BeOfType<InvalidOperationException>();
        recorded.Failing = null;
        (await store.ReadLatestCheckpointAsync(EngineTestHost.Ct)).Should().BeNull();
        (await store.ReadAuditAsync("k", 1, EngineTestHost.Ct)).Should().NotBeEmpty("what was committed stays in the store");
    }

    [Fact]
    public async Task PeriodicCheckpoint_TheStoreFailing_IsLoggedAndTakenAtTheNextInterval()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        var logs = new CapturingLoggerFactory();
        await using var host = await new EngineTestHost(o => o.LoggerFactory = logs, store, workflows: [TestWorkflows.Notify()]).StartAsync();
        var interval = host.Options.Settings.CheckpointInterval;
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        recorded.Failing = nameof(IOrchestrationStore.AppendCheckpointAsync);

        await AdvanceUntilAsync(host, interval, () => Task.FromResult(host.Orchestrator.ConsecutiveAuditCheckpointFailures >= 2));
        logs.Entries.Count(e => e.Id.Id == 1005).Should().BeGreaterThanOrEqualTo(2, "each failed checkpoint is logged");
        recorded.Failing = null;
        await AdvanceUntilAsync(host, interval, async () => await store.ReadLatestCheckpointAsync(EngineTestHost.Ct) is not null);
        await AdvanceUntilAsync(host, interval, () => Task.FromResult(host.Orchestrator.ConsecutiveAuditCheckpointFailures == 0));

        var checkpoint = await store.ReadLatestCheckpointAsync(EngineTestHost.Ct);
        checkpoint!.Heads.Keys.Should().Equal(["k"], "the heads the failed checkpoint held are kept for the next one");
        logs.Entries.Where(e => e.Id.Id == 1005).Should().AllSatisfy(e => e.Level.Should().Be(Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    [Fact]
    public async Task Restart_AfterARunWhoseLastRecordsNoCheckpointHolds_ChecksThemIn()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(store: store, workflows: [TestWorkflows.Notify()]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e2"), TestWorkflows.Signal("j", "j1"));

        // The run ends as a killed one would, as far as the trail goes: its last records are in no checkpoint.
        recorded.Failing = nameof(IOrchestrationStore.AppendCheckpointAsync);
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);
        recorded.Failing = null;
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.StopAsync(EngineTestHost.Ct);

        var checkpoint = await store.ReadLatestCheckpointAsync(EngineTestHost.Ct);
        checkpoint!.Number.Should().Be(2, "the second run read back what the first committed after its last checkpoint, and checked it in");
        foreach (var key in new[] { "k", "j" })
        {
            var trail = await store.ReadAuditAsync(key, 1, EngineTestHost.Ct);
            checkpoint.Heads[key].Should().Be(new AuditHead { Count = trail.Count, Hash = trail[^1].Hash }, "the checkpoint pins the end of every chain");
            AuditVerifier.VerifyChain(key, trail, checkpoint).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Checkpoint_SavesTheFeedsEnd_AndTheNextStartReadsTheFeedOnlyAfterIt()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(store: store, workflows: [TestWorkflows.Notify()]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        (await store.ReadAuditSinkCursorAsync("$audit-checkpoints", EngineTestHost.Ct)).Should().Be(await FeedEndAsync(store));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("j", "j1"));
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);
        var end = await FeedEndAsync(store);
        (await store.ReadAuditSinkCursorAsync("$audit-checkpoints", EngineTestHost.Ct)).Should().Be(end, "the stop's checkpoint covers the whole feed");
        await AssertSavedPositionCoveredAsync(store, (await store.ReadLatestCheckpointAsync(EngineTestHost.Ct))!);

        recorded.FeedReadsAfter.Clear();
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);

        recorded.FeedReadsAfter.Should().Equal([end], "a start reads back only what no stored checkpoint covers: here, nothing");
        second.Runtime.Heads.Should().BeEmpty();
    }

    [Fact]
    public async Task Checkpoint_ACommitInTheStoreWhoseHeadIsNotNotedYet_WaitsForItAndHoldsIt()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(store: store, workflows: [TestWorkflows.Notify()]).StartAsync();
        using var held = await PublishHeldInItsCommitAsync(host, recorded, TestWorkflows.Signal("k", "e1"));

        // The record is in the feed, its head not yet with the node: a checkpoint now must not claim the feed's end.
        var checkpointing = host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        await Task.WhenAny(checkpointing, Task.Delay(200, EngineTestHost.Ct));
        checkpointing.IsCompleted.Should().BeFalse("the checkpoint waits for the commit the feed showed it");
        held.Release();
        var checkpoint = await checkpointing.WaitAsync(TimeSpan.FromSeconds(60), EngineTestHost.Ct);

        (await store.ReadAuditSinkCursorAsync("$audit-checkpoints", EngineTestHost.Ct)).Should().BePositive();
        await AssertSavedPositionCoveredAsync(store, checkpoint);
    }

    [Fact]
    public async Task Checkpoint_NothingNewInTheFeed_SavesNoPositionAgain()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(store: store, workflows: [TestWorkflows.Notify()]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        var saves = recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.TrySaveAuditSinkCursorAsync));

        await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);

        saves.Should().Be(1);
        recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.TrySaveAuditSinkCursorAsync)).Should().Be(saves, "the feed has not moved since the position saved");
    }

    [Fact]
    public async Task Restart_FeedPositionNotSaved_ReadsTheFeedAgainAndTakesNoCheckpointForWhatTheLatestHolds()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        var logs = new CapturingLoggerFactory();
        await using var host = await new EngineTestHost(o => o.LoggerFactory = logs, store, workflows: [TestWorkflows.Notify()]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"), TestWorkflows.Signal("j", "j1"));
        recorded.Failing = nameof(IOrchestrationStore.TrySaveAuditSinkCursorAsync);
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);
        recorded.Failing = null;
        logs.Entries.Should().ContainSingle(e => e.Id.Id == 1104, "the checkpoint stands; only its feed position was not saved");

        recorded.FeedReadsAfter.Clear();
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);

        recorded.FeedReadsAfter.Should().StartWith(0L, "no position was saved: the feed is read from its start");
        second.Runtime.Heads.Should().BeEmpty("every record read is in the latest checkpoint already");
        await second.StopAsync(EngineTestHost.Ct);
        (await store.ReadLatestCheckpointsAsync(10, EngineTestHost.Ct)).Should().ContainSingle("nothing was audited beyond the first run's checkpoint");
    }

    [Fact]
    public async Task Checkpoint_ACommitInFlightLongerThanTheWait_IsTakenAndLeavesTheSavedPositionWhereItWas()
    {
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(store: store, workflows: [TestWorkflows.Notify()]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("j", "j1"));
        await host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        var saved = await store.ReadAuditSinkCursorAsync("$audit-checkpoints", EngineTestHost.Ct);
        using var held = await PublishHeldInItsCommitAsync(host, recorded, TestWorkflows.Signal("k", "e1"));

        // The commit stays in flight while the clock passes the checkpoint's wait for it.
        var checkpointing = host.Orchestrator.CheckpointAuditAsync(EngineTestHost.Ct);
        await AdvanceUntilAsync(host, TimeSpan.FromSeconds(1), () => Task.FromResult(checkpointing.IsCompleted));
        var checkpoint = await checkpointing;

        checkpoint.Number.Should().Be(2, "the checkpoint is taken");
        (await store.ReadAuditSinkCursorAsync("$audit-checkpoints", EngineTestHost.Ct)).Should().Be(saved, "the feed's end it read holds a record whose head it may not have");
    }

    [Fact]
    public async Task StopAsync_NothingEverAudited_StoresNoCheckpoint()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        (await host.Store.ReadLatestCheckpointAsync(EngineTestHost.Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Restart_NothingAuditedInTheSecondRun_LeavesTheFirstRunsCheckpointTheLatest()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k", "e1"));
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.StopAsync(EngineTestHost.Ct);

        var checkpoint = await host.Store.ReadLatestCheckpointAsync(EngineTestHost.Ct);
        checkpoint!.Number.Should().Be(1);
        checkpoint.Heads.Keys.Should().Equal("k");
    }

    /// <summary>Moves the host's clock an interval at a time until the condition holds (the checkpoint loop runs on it), within a minute.</summary>
    private static async Task AdvanceUntilAsync(EngineTestHost host, TimeSpan interval, Func<Task<bool>> condition)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(EngineTestHost.Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            limit.Token.ThrowIfCancellationRequested();
            host.Time.Advance(interval);
            await Task.Delay(20, limit.Token);
        }
    }

    /// <summary>
    /// Publishes an event whose first commit reaches the store and then waits there, before the worker notes its heads,
    /// until released (or disposed: a worker left waiting in its commit would hold the host's disposal).
    /// </summary>
    private static async Task<HeldCommit> PublishHeldInItsCommitAsync(EngineTestHost host, ClusteredOrchestratorTests.RecordingStore recorded, EventEnvelope envelope)
    {
        var held = new HeldCommit();
        recorded.AfterNextCommit = held.Hold;
        try
        {
            (await host.Orchestrator.PublishAsync(envelope, EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
            await held.Reached.WaitAsync(TimeSpan.FromSeconds(60), EngineTestHost.Ct);
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Every record up to the saved position is in the checkpoint (its head, or a later one of its partition).</summary>
    private static async Task AssertSavedPositionCoveredAsync(IOrchestrationStore store, AuditCheckpoint checkpoint)
    {
        var saved = await store.ReadAuditSinkCursorAsync("$audit-checkpoints", EngineTestHost.Ct);
        foreach (var entry in (await store.ReadAuditFeedAsync(0, 100_000, EngineTestHost.Ct)).Where(e => e.Position <= saved))
        {
            checkpoint.Heads.Should().ContainKey(entry.Record.PartitionKey);
            checkpoint.Heads[entry.Record.PartitionKey].Count.Should().BeGreaterThanOrEqualTo(entry.Record.Sequence, $"the record at feed position {entry.Position} is before the saved position");
        }
    }

    private static async Task<long> FeedEndAsync(IOrchestrationStore store) =>
        (await store.ReadAuditFeedAsync(0, 100_000, EngineTestHost.Ct)).Select(e => e.Position).DefaultIfEmpty().Max();

    private sealed class HeldCommit : IDisposable
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public Task Hold()
        {
            _reached.TrySetResult();
            return _release.Task;
        }

        public void Release() => _release.TrySetResult();

        public void Dispose() => Release();
    }
}
