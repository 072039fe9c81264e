using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Testing.StoreContract;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Storage;

public sealed class InMemoryOrchestrationStoreTests : OrchestrationStoreContractTests
{
    private static readonly InMemoryStoreOptions Hourly = new() { RetentionWindow = TimeSpan.FromHours(1), PruneInterval = TimeSpan.FromMinutes(10) };

    protected override ValueTask<IOrchestrationStore> CreateStoreAsync() => ValueTask.FromResult<IOrchestrationStore>(new InMemoryOrchestrationStore());

    [Fact]
    public async Task RetentionWindow_ElapsesOnTheClock_PrunesWhatIsOlderThanTheWindowAndNothingElse()
    {
        var time = new FakeTimeProvider(T0);
        using var store = new InMemoryOrchestrationStore(Hourly, time);
        var old = await SettleAsync(store, "lot-A", "old", T0);
        var pending = NewCommand("lot-P", 0, OutboxStatus.Pending, T0);
        var deadLettered = NewCommand("lot-P", 1, OutboxStatus.DeadLettered, T0);
        await AcceptAsync(store, NewEvent("lot-P", "waiting", T0));
        await CommitAsync(store, NewStep("lot-P", 0) with { NewCommands = [pending, deadLettered], DeadLetters = [NewDeadLetter("dl-1", deadLettered, T0)] });

        time.Advance(TimeSpan.FromMinutes(30));

        store.LastPruneCutOff.Should().Be(T0.AddMinutes(30) - TimeSpan.FromHours(1));
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().NotBeNull("nothing is older than the window yet");
        (await store.ReadEventAsync(new EventKey(QmsSource, "old"), Ct)).Should().NotBeNull();

        var recent = await SettleAsync(store, "lot-B", "recent", T0.AddMinutes(40));
        time.Advance(TimeSpan.FromMinutes(40));

        store.LastPruneCutOff.Should().Be(T0.AddMinutes(10));
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().BeNull("the finished command left the window");
        (await store.ReadEventAsync(new EventKey(QmsSource, "old"), Ct)).Should().BeNull("the processed event left the window");
        (await store.ReadCommandAsync(recent.IdempotencyKey, Ct)).Should().NotBeNull();
        (await store.ReadEventAsync(new EventKey(QmsSource, "recent"), Ct)).Should().NotBeNull();
        (await store.ReadPendingCommandsAsync("lot-P", Ct)).Select(c => c.IdempotencyKey).Should().Equal(pending.IdempotencyKey);
        (await store.ReadCommandAsync(deadLettered.IdempotencyKey, Ct)).Should().NotBeNull("an open dead letter still needs its command");
        (await store.ReadPendingEventsAsync("lot-P", 0, 10, Ct)).Select(e => e.Key.Id).Should().Equal("waiting");
        (await store.ReadAuditAsync("lot-A", 1, Ct)).Should().HaveCount(1, "the audit trail is never pruned");
        (await AcceptAsync(store, NewEvent("lot-B", "recent", time.GetUtcNow()), NewEvent("lot-P", "waiting", time.GetUtcNow())))
            .Should().Equal([false, false], "events inside the window and pending events are still duplicates");
        (await AcceptAsync(store, NewEvent("lot-A", "old", time.GetUtcNow()))).Should().Equal([true], "de-duplication holds for the window, not longer");
    }

    [Fact]
    public async Task Dispose_RetentionWindowElapsesAfterwards_NothingIsPruned()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryOrchestrationStore(Hourly, time);
        var old = await SettleAsync(store, "lot-A", "old", T0);

        store.Dispose();
        time.Advance(TimeSpan.FromHours(3));

        store.LastPruneCutOff.Should().BeNull();
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().NotBeNull("a disposed store's timer no longer prunes");
        (await AcceptAsync(store, NewEvent("lot-A", "old", time.GetUtcNow()))).Should().Equal([false]);
    }

    [Fact]
    public async Task PruneOnTick_PassThrows_TheTickReturnsAndTheNextTickPrunes()
    {
        var time = new FailingClock(new FakeTimeProvider(T0));
        using var store = new InMemoryOrchestrationStore(Hourly, time);
        var old = await SettleAsync(store, "lot-A", "old", T0);

        time.Fail = true;
        var tick = () => time.Inner.Advance(TimeSpan.FromMinutes(70));

        tick.Should().NotThrow("a prune that fails never reaches the timer's thread, the host's");
        store.LastPruneCutOff.Should().BeNull("no pass completed");
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().NotBeNull();

        time.Fail = false;
        time.Inner.Advance(TimeSpan.FromMinutes(10));

        store.LastPruneCutOff.Should().Be(T0.AddMinutes(80) - TimeSpan.FromHours(1));
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().BeNull();
    }

    [Fact]
    public async Task RetentionWindow_Null_NothingIsPrunedAutomatically()
    {
        var time = new FakeTimeProvider(T0);
        using var store = new InMemoryOrchestrationStore(new InMemoryStoreOptions { RetentionWindow = null, PruneInterval = TimeSpan.FromMinutes(10) }, time);
        var old = await SettleAsync(store, "lot-A", "old", T0);

        time.Advance(TimeSpan.FromDays(30));

        store.LastPruneCutOff.Should().BeNull();
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().NotBeNull();
        (await store.PruneAsync(T0.AddMinutes(1), Ct)).Should().Be(2, "pruning by hand still removes the event and its command");
    }

    [Fact]
    public async Task RetentionWindow_LongerThanTheTimeSinceYearOne_PrunesNothingAndCompletesEveryPass()
    {
        // The largest window the settings accept: now minus it is before the first moment a DateTimeOffset can hold.
        var time = new FakeTimeProvider(T0);
        using var store = new InMemoryOrchestrationStore(new InMemoryStoreOptions { RetentionWindow = TimeSpan.MaxValue, PruneInterval = TimeSpan.FromMinutes(10) }, time);
        var old = await SettleAsync(store, "lot-A", "old", T0);

        time.Advance(TimeSpan.FromMinutes(10));

        store.LastPruneCutOff.Should().Be(DateTimeOffset.MinValue, "the pass completed, with a cut-off before anything");
        (await store.ReadCommandAsync(old.IdempotencyKey, Ct)).Should().NotBeNull("nothing is older than a window that reaches back before year 1");
        (await AcceptAsync(store, NewEvent("lot-A", "old", time.GetUtcNow()))).Should().Equal([false], "the processed event is still remembered as a duplicate");
    }

    [Fact]
    public async Task AppendCheckpointAsync_BeyondTheNumberKept_KeepsTheLatestAndTheChainGoesOn()
    {
        const int Appended = InMemoryOrchestrationStore.CheckpointsKept + 4;
        using var store = new InMemoryOrchestrationStore();
        AuditCheckpoint? latest = null;
        for (var i = 0; i < Appended; i++)
        {
            latest = AuditHashes.ChainCheckpoint(latest, T0.AddMinutes(i), PackedAuditHeads.Merge(null, new Dictionary<string, PackedAuditHead> { ["lot-A"] = PackedAuditHead.Pack(new AuditHead { Count = i + 1, Hash = new string('a', 64) }) }), signer: null);
            await store.AppendCheckpointAsync(latest, Ct);
        }

        var kept = await store.ReadLatestCheckpointsAsync(100, Ct);

        kept.Select(c => c.Number).Should().Equal(Enumerable.Range(Appended - InMemoryOrchestrationStore.CheckpointsKept + 1, InMemoryOrchestrationStore.CheckpointsKept).Select(n => (long)n).Reverse(), "the latest are kept, newest first; older ones would grow the store by every head each interval");
        (await store.ReadLatestCheckpointAsync(Ct))!.Number.Should().Be(Appended);
        var stale = AuditHashes.ChainCheckpoint(kept[1], T0, (PackedAuditHeads)latest!.Heads, signer: null);
        await store.Invoking(s => s.AppendCheckpointAsync(stale, Ct).AsTask()).Should().ThrowAsync<AuditCheckpointConflictException>("the chain still continues only from the latest");
        await store.AppendCheckpointAsync(AuditHashes.ChainCheckpoint(latest, T0.AddHours(1), (PackedAuditHeads)latest.Heads, signer: null), Ct);
        (await store.ReadLatestCheckpointAsync(Ct))!.Number.Should().Be(Appended + 1);
    }

    [Theory]
    [InlineData("window", "RetentionWindow: The field InMemoryStoreOptions.RetentionWindow must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.")]
    [InlineData("interval", "PruneInterval: The field InMemoryStoreOptions.PruneInterval must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.")]
    public void Constructor_SettingOutOfRange_ThrowsNamingTheSetting(string setting, string expected)
    {
        var options = new InMemoryStoreOptions();
        if (setting == "window")
        {
            options.RetentionWindow = TimeSpan.Zero;
        }
        else
        {
            options.PruneInterval = TimeSpan.FromSeconds(-1);
        }

        var create = () => new InMemoryOrchestrationStore(options, new FakeTimeProvider(T0));

        create.Should().Throw<ArgumentException>().WithMessage("*" + expected);
    }

    [Fact]
    public void Constructor_Defaults_AreThoseOfTheDurableStores()
    {
        var options = new InMemoryStoreOptions();

        options.RetentionWindow.Should().Be(TimeSpan.FromDays(7));
        options.PruneInterval.Should().Be(TimeSpan.FromHours(1));
    }

    /// <summary>Accepts an event and commits it processed, with one completed command and one audit record.</summary>
    private async Task<OutboxEntry> SettleAsync(InMemoryOrchestrationStore store, string partitionKey, string id, DateTimeOffset at)
    {
        await AcceptAsync(store, NewEvent(partitionKey, id, at));
        var command = NewCommand(partitionKey, 0, OutboxStatus.Completed, at);
        await CommitAsync(store, NewStep(partitionKey, 0) with
        {
            ProcessedEvents = [new EventKey(QmsSource, id)],
            NewCommands = [command],
            Audit = NewAudit(partitionKey, AuditHead.Genesis, 1, out _),
        });
        return command;
    }

    /// <summary>A clock whose reading throws while <see cref="Fail"/> is set (its timers are the inner fake clock's).</summary>
    private sealed class FailingClock(FakeTimeProvider inner) : TimeProvider
    {
        public FakeTimeProvider Inner { get; } = inner;

        public bool Fail { get; set; }

        public override DateTimeOffset GetUtcNow() => Fail ? throw new InvalidOperationException("The clock failed.") : Inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => Inner.CreateTimer(callback, state, dueTime, period);
    }

    // No column hooks: in memory the by-action index and the feed hold the chain's own records, so there is no
    // separately stored value to edit.
    protected override ValueTask<bool> ReplaceAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditRecord record)
    {
        ((InMemoryOrchestrationStore)store).TamperWithAudit(partitionKey, chain => chain[(int)sequence - 1] = record);
        return ValueTask.FromResult(true);
    }

    protected override ValueTask<bool> DeleteAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence)
    {
        ((InMemoryOrchestrationStore)store).TamperWithAudit(partitionKey, chain => chain.RemoveAt((int)sequence - 1));
        return ValueTask.FromResult(true);
    }

    protected override ValueTask<bool> DeleteCheckpointsAsync(IOrchestrationStore store, IReadOnlyCollection<long> numbers)
    {
        ((InMemoryOrchestrationStore)store).TamperWithCheckpoints(checkpoints => checkpoints.RemoveAll(c => numbers.Contains(c.Number)));
        return ValueTask.FromResult(true);
    }

    protected override ValueTask<bool> ReplaceCheckpointAsync(IOrchestrationStore store, long number, AuditCheckpoint checkpoint)
    {
        ((InMemoryOrchestrationStore)store).TamperWithCheckpoints(checkpoints => checkpoints[checkpoints.FindIndex(c => c.Number == number)] = checkpoint);
        return ValueTask.FromResult(true);
    }
}
