using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>LoadPartitionAsync</c> — never committed: returns null.</summary>
    [Fact]
    public async Task LoadPartitionAsync_NeverCommitted_ReturnsNull()
    {
        var store = await NewStoreAsync();

        var state = await store.LoadPartitionAsync("lot-unknown", Ct);

        state.Should().BeNull();
    }

    /// <summary><c>LoadPartitionsAsync</c> — several keys at once: each committed state as <c>LoadPartitionAsync</c> reads it, keys never committed absent.</summary>
    [Fact]
    public async Task LoadPartitionsAsync_SeveralKeys_ReturnsEachCommittedStateAndLeavesOutTheOthers()
    {
        var store = await NewStoreAsync();
        await store.CommitAsync(
            [
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewState = NewState("lot-A", 1, "\"a\"") },
                new StepCommit { PartitionKey = "lot-B", ExpectedVersion = 0, NewState = NewState("lot-B", 1, "\"b\"") },
            ],
            Ct);
        await CommitAsync(store, new StepCommit { PartitionKey = "lot-B", ExpectedVersion = 1, NewState = NewState("lot-B", 2, "\"b2\"") });

        var loaded = await store.LoadPartitionsAsync(["lot-A", "lot-B", "lot-unknown"], Ct);

        loaded.Keys.Should().BeEquivalentTo(["lot-A", "lot-B"]);
        loaded["lot-A"].Version.Should().Be(1);
        loaded["lot-A"].Values["marker"].Should().Be("\"a\"");
        loaded["lot-B"].Version.Should().Be(2);
        loaded["lot-B"].Values["marker"].Should().Be("\"b2\"");
        (await store.LoadPartitionsAsync([], Ct)).Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — new partition: state is loaded back.</summary>
    [Fact]
    public async Task CommitAsync_NewPartition_StateIsLoadedBack()
    {
        var store = await NewStoreAsync();
        var state = NewState("lot-A", 1, "\"first\"") with
        {
            LastSequenceBySource = new Dictionary<string, long>(StringComparer.Ordinal) { [QmsSource] = 7 },
            Parked = null,
        };

        await CommitAsync(store, new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewState = state });

        var loaded = await store.LoadPartitionAsync("lot-A", Ct);
        loaded.Should().NotBeNull();
        loaded!.Version.Should().Be(1);
        loaded.Values.Should().ContainKey("marker").WhoseValue.Should().Be("\"first\"");
        loaded.LastSequenceBySource.Should().ContainKey(QmsSource).WhoseValue.Should().Be(7);
    }

    /// <summary><c>CommitAsync</c> — stale expected version: throws concurrency conflict and keeps state.</summary>
    [Fact]
    public async Task CommitAsync_StaleExpectedVersion_ThrowsConcurrencyConflictAndKeepsState()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0));
        await CommitAsync(store, NewStep("lot-A", 1));

        var act = async () => await CommitAsync(store, NewStep("lot-A", 1));

        var thrown = await act.Should().ThrowAsync<ConcurrencyConflictException>();
        thrown.Which.PartitionKey.Should().Be("lot-A");
        thrown.Which.Expected.Should().Be(1);
        thrown.Which.Actual.Should().Be(2);
        thrown.Which.ReasonCode.Should().Be(ReasonCodes.ConcurrencyConflict);
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(2);
    }

    /// <summary><c>CommitAsync</c> — new state version not expected plus one: throws and commits nothing.</summary>
    [Fact]
    public async Task CommitAsync_NewStateVersionNotExpectedPlusOne_ThrowsAndCommitsNothing()
    {
        var store = await NewStoreAsync();

        var act = async () => await CommitAsync(store, new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewState = NewState("lot-A", 5) });

        await act.Should().ThrowAsync<Exception>();
        (await store.LoadPartitionAsync("lot-A", Ct)).Should().BeNull();
    }

    /// <summary><c>CommitAsync</c> — batch with stale version in later commit: throws and nothing of the batch is visible.</summary>
    [Fact]
    public async Task CommitAsync_BatchWithStaleVersionInLaterCommit_ThrowsAndNothingOfTheBatchIsVisible()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-B", 0));
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));
        var batch = FullBatchFor("lot-A", NewStep("lot-B", 0));

        var act = async () => await store.CommitAsync(batch, Ct);

        await act.Should().ThrowAsync<ConcurrencyConflictException>();
        await AssertNothingOfFullBatchVisibleAsync(store);
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1);
    }

    /// <summary><c>CommitAsync</c> — batch with invalid audit continuation in later commit: throws and nothing of the batch is visible.</summary>
    [Fact]
    public async Task CommitAsync_BatchWithInvalidAuditContinuationInLaterCommit_ThrowsAndNothingOfTheBatchIsVisible()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));
        var draftHead = new AuditHead { Count = 4, Hash = new string('a', 64) };
        var badAudit = NewAudit("lot-B", draftHead, 1, out _);
        var batch = FullBatchFor("lot-A", NewStep("lot-B", 0) with { Audit = badAudit });

        var act = async () => await store.CommitAsync(batch, Ct);

        await act.Should().ThrowAsync<Exception>();
        await AssertNothingOfFullBatchVisibleAsync(store);
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
        (await store.ReadAuditAsync("lot-B", 1, Ct)).Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — batch retried with current versions: applies everything.</summary>
    [Fact]
    public async Task CommitAsync_BatchRetriedWithCurrentVersions_AppliesEverything()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));
        var batch = FullBatchFor("lot-A", NewStep("lot-B", 0));

        await store.CommitAsync(batch, Ct);

        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Should().BeEmpty();
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Should().ContainSingle().Which.Ordinal.Should().Be(0);
        (await store.ReadAuditAsync("lot-A", 1, Ct)).Should().HaveCount(2);
        (await store.ReadPendingEventsAsync("lot-C", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("follow-up-1");
        (await store.ReadDueTimersAsync(T0.AddDays(1), 100, Ct)).Select(t => t.Id).Should().Equal("timer-A");
        (await store.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct)).Select(d => d.Id).Should().Equal("dl-A");
    }

    /// <summary><c>CommitAsync</c> — two steps of one partition in one batch: applies both in order.</summary>
    [Fact]
    public async Task CommitAsync_TwoStepsOfOnePartitionInOneBatch_AppliesBothInOrder()
    {
        var store = await NewStoreAsync();
        var first = NewAudit("lot-A", AuditHead.Genesis, 1, out var head);
        var second = NewAudit("lot-A", head, 2, out head);

        await store.CommitAsync(
            [
                NewStep("lot-A", 0) with { Audit = first },
                NewStep("lot-A", 1) with { Audit = second, NewState = NewState("lot-A", 2) with { AuditHead = head } },
            ],
            Ct);

        var state = await store.LoadPartitionAsync("lot-A", Ct);
        state!.Version.Should().Be(2);
        state.AuditHead.Should().Be(head);
        (await store.ReadAuditAsync("lot-A", 1, Ct)).Select(r => r.Sequence).Should().Equal(1, 2, 3);
    }

    /// <summary><c>CommitAsync</c> — without new state: keeps version and applies the rest.</summary>
    [Fact]
    public async Task CommitAsync_WithoutNewState_KeepsVersionAndAppliesTheRest()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0));
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));

        await CommitAsync(store, new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, ProcessedEvents = [new EventKey(QmsSource, "a-1")] });

        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — concurrent commits with same expected version: exactly one wins.</summary>
    [Fact]
    public async Task CommitAsync_ConcurrentCommitsWithSameExpectedVersion_ExactlyOneWins()
    {
        var store = await NewStoreAsync();
        const int Workers = 8;
        var head = AuditHead.Genesis;
        for (var round = 0; round < 20; round++)
        {
            var expected = (long)round;
            var audit = NewAudit("lot-A", head, 1, out var nextHead);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, Workers).Select(worker => Task.Run(
                async () =>
                {
                    await start.Task;
                    try
                    {
                        await CommitAsync(store, new StepCommit
                        {
                            PartitionKey = "lot-A",
                            ExpectedVersion = expected,
                            NewState = NewState("lot-A", expected + 1, $"\"worker-{worker}\""),
                            Audit = audit,
                        });
                        return worker;
                    }
                    catch (ConcurrencyConflictException)
                    {
                        return -1;
                    }
                },
                Ct)).ToArray();

            start.SetResult();
            var outcomes = await Task.WhenAll(attempts);

            var winners = outcomes.Where(w => w >= 0).ToArray();
            winners.Should().ContainSingle($"exactly one commit at version {expected} may win");
            var state = await store.LoadPartitionAsync("lot-A", Ct);
            state!.Version.Should().Be(expected + 1);
            state.Values["marker"].Should().Be($"\"worker-{winners[0]}\"");
            head = nextHead;
        }

        (await store.ReadAuditAsync("lot-A", 1, Ct)).Should().HaveCount(20);
    }

    /// <summary><c>CommitAsync</c> — concurrent callers some stale: each succeeds or fails alone.</summary>
    [Fact]
    public async Task CommitAsync_ConcurrentCallersSomeStale_EachSucceedsOrFailsAlone()
    {
        var store = await NewStoreAsync();
        const int Keys = 24;
        for (var k = 0; k < Keys; k++)
        {
            await CommitAsync(store, NewStep($"lot-{k}", 0));
        }

        // Every other caller expects a version its key never had; the rest are right. All start at once.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Keys).Select(k => Task.Run(
            async () =>
            {
                await start.Task;
                var command = NewCommand($"lot-{k}", 1);
                try
                {
                    await CommitAsync(store, new StepCommit
                    {
                        PartitionKey = $"lot-{k}",
                        ExpectedVersion = k % 2 == 0 ? 1 : 7,
                        NewState = NewState($"lot-{k}", k % 2 == 0 ? 2 : 8),
                        NewCommands = [command],
                    });
                    return true;
                }
                catch (ConcurrencyConflictException)
                {
                    return false;
                }
            },
            Ct)).ToArray();
        start.SetResult();
        var committed = await Task.WhenAll(calls);

        for (var k = 0; k < Keys; k++)
        {
            var right = k % 2 == 0;
            committed[k].Should().Be(right, $"lot-{k}'s call {(right ? "was" : "was not")} at the stored version");
            (await store.LoadPartitionAsync($"lot-{k}", Ct))!.Version.Should().Be(right ? 2 : 1);
            (await store.ReadCommandAsync(NewCommand($"lot-{k}", 1).IdempotencyKey, Ct)).Should().Match<OutboxEntry?>(c => (c != null) == right, "a failed call leaves none of its writes");
        }
    }

    /// <summary>A batch whose first commit writes one of everything for <paramref name="partitionKey"/>, followed by <paramref name="last"/>.</summary>
    private StepCommit[] FullBatchFor(string partitionKey, StepCommit last)
    {
        var command = NewCommand(partitionKey, 0);
        return
        [
            NewStep(partitionKey, 0) with
            {
                ProcessedEvents = [new EventKey(QmsSource, "a-1")],
                NewCommands = [command],
                Audit = NewAudit(partitionKey, AuditHead.Genesis, 2, out _),
                FollowUpEvents = [NewEvent("lot-C", "follow-up-1")],
                Timers = [NewTimer("timer-A", partitionKey, T0.AddMinutes(5))],
                DeadLetters = [NewDeadLetter("dl-A", command, T0)],
            },
            last,
        ];
    }

    private async Task AssertNothingOfFullBatchVisibleAsync(IOrchestrationStore store)
    {
        (await store.LoadPartitionAsync("lot-A", Ct)).Should().BeNull("the state must not be committed");
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal(["a-1"], "the processed event must stay pending");
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Should().BeEmpty("no command may be planned");
        (await store.ReadPartitionsWithPendingCommandsAsync(Ct)).Should().NotContain("lot-A");
        (await store.ReadCommandAsync(NewCommand("lot-A", 0).IdempotencyKey, Ct)).Should().BeNull();
        (await store.ReadAuditAsync("lot-A", 1, Ct)).Should().BeEmpty("no audit record may be appended");
        (await store.ReadAuditPartitionsAsync(Ct)).Should().NotContain("lot-A");
        (await store.ReadPendingEventsAsync("lot-C", 0, 100, Ct)).Should().BeEmpty("no follow-up event may be accepted");
        (await store.ReadDueTimersAsync(T0.AddDays(1), 100, Ct)).Should().BeEmpty("no timer may be scheduled");
        (await store.ReadNextTimerDueAsync(Ct)).Should().BeNull();
        (await store.ReadDeadLettersAsync(new DeadLetterQuery { OnlyOpen = false }, Ct)).Should().BeEmpty("no dead letter may be added");
        (await AcceptAsync(store, NewEvent("lot-C", "follow-up-1"))).Should().Equal([true], "the follow-up was never accepted, so it is not a duplicate");
    }
}
