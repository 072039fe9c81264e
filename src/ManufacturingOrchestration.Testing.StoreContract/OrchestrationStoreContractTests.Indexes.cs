using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Testing.StoreContract;

/// <summary>The cross-partition indexes: keys by what their instances wait for, audit records by action and time.</summary>
public abstract partial class OrchestrationStoreContractTests
{
    private const string Approval = "approval";
    private const string Timer = "timer";

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — instance added changed and removed: follows the current state.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_InstanceAddedChangedAndRemoved_FollowsTheCurrentState()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, WaitingStep("lot-A", 0, Approval));
        await CommitAsync(store, WaitingStep("lot-B", 0, Approval));
        var bothWaiting = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);

        await CommitAsync(store, WaitingStep("lot-A", 1, Timer));
        var afterChange = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);
        var timers = await store.ReadPartitionsWaitingForAsync(Timer, null, 100, Ct);

        await CommitAsync(store, WaitingStep("lot-B", 1));
        var afterRemoval = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);

        bothWaiting.Should().Equal("lot-A", "lot-B");
        afterChange.Should().Equal(["lot-B"], "lot-A's new state waits for a timer, no longer for an approval");
        timers.Should().Equal("lot-A");
        afterRemoval.Should().BeEmpty("lot-B's new state has no instance left");
        (await store.ReadPartitionsWaitingForAsync("nothing-waits-for-this", null, 100, Ct)).Should().BeEmpty();
    }

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — several instances of one key: listed once until the last one goes.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_SeveralInstancesOfOneKey_ListedOnceUntilTheLastOneGoes()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, WaitingStep("lot-A", 0, Approval, Approval, Timer));
        var twoApprovals = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);

        await CommitAsync(store, WaitingStep("lot-A", 1, Approval));
        var oneApproval = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);
        var timerGone = await store.ReadPartitionsWaitingForAsync(Timer, null, 100, Ct);

        twoApprovals.Should().Equal(["lot-A"], "a key is listed once however many of its instances wait for the value");
        oneApproval.Should().Equal(["lot-A"], "one approval instance still waits");
        timerGone.Should().BeEmpty();
    }

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — commit without new state: keeps the key listed.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_CommitWithoutNewState_KeepsTheKeyListed()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, WaitingStep("lot-A", 0, Approval));

        await CommitAsync(store, new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, Audit = NewAudit("lot-A", AuditHead.Genesis, 1, out _) });

        (await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct)).Should().Equal(["lot-A"], "a step that leaves the state unchanged leaves the index unchanged");
    }

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — group commit: index reflects the last state of each key.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_GroupCommit_IndexReflectsTheLastStateOfEachKey()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, WaitingStep("lot-C", 0, Approval));

        await store.CommitAsync(
            [
                WaitingStep("lot-A", 0, Approval),
                WaitingStep("lot-B", 0, Approval),
                WaitingStep("lot-B", 1),
                WaitingStep("lot-C", 1),
                WaitingStep("lot-D", 0),
                WaitingStep("lot-D", 1, Approval),
            ],
            Ct);

        (await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct)).Should().Equal(
            ["lot-A", "lot-D"],
            "within one batch the last state committed for a key decides, whether it adds or removes the key");
    }

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — failed group commit: leaves the index unchanged.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_FailedGroupCommit_LeavesTheIndexUnchanged()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, WaitingStep("lot-A", 0, Approval));

        var act = async () => await store.CommitAsync([WaitingStep("lot-A", 1), WaitingStep("lot-B", 0, Approval), WaitingStep("lot-C", 5, Approval)], Ct);

        await act.Should().ThrowAsync<ConcurrencyConflictException>();
        (await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct)).Should().Equal(["lot-A"], "nothing of a failed batch is visible, in the index neither");
    }

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — paged: returns every key once in ordinal order.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_Paged_ReturnsEveryKeyOnceInOrdinalOrder()
    {
        var store = await NewStoreAsync();
        var keys = new[] { "lot-b", "lot-A", "order/WO-1", "lot-a2", "lot-B", "lot-a10" };
        foreach (var key in keys)
        {
            await CommitAsync(store, WaitingStep(key, 0, Approval));
        }

        await CommitAsync(store, WaitingStep("lot-not-waiting", 0, Timer));

        var first = await store.ReadPartitionsWaitingForAsync(Approval, null, 4, Ct);
        var second = await store.ReadPartitionsWaitingForAsync(Approval, first[^1], 4, Ct);
        var afterLast = await store.ReadPartitionsWaitingForAsync(Approval, second[^1], 4, Ct);
        var none = await store.ReadPartitionsWaitingForAsync(Approval, null, 0, Ct);

        var ordinal = keys.Order(StringComparer.Ordinal).ToArray();
        first.Should().Equal(ordinal[..4]);
        second.Should().Equal(ordinal[4..]);
        afterLast.Should().BeEmpty();
        none.Should().BeEmpty();
    }

    /// <summary><c>ReadPartitionsWaitingForAsync</c> — after reopen and prune: still exact.</summary>
    [Fact]
    public async Task ReadPartitionsWaitingForAsync_AfterReopenAndPrune_StillExact()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "old", T0));
        await CommitAsync(store, WaitingStep("lot-A", 0, Approval) with { ProcessedEvents = [new EventKey(QmsSource, "old")], NewCommands = [NewCommand("lot-A", 0, OutboxStatus.Completed, T0)] });
        await CommitAsync(store, WaitingStep("lot-B", 0, Approval));
        await CommitAsync(store, WaitingStep("lot-B", 1));

        store = await ReopenAsync(store);
        var reopened = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);
        (await store.PruneAsync(T0.AddDays(1), Ct)).Should().BeGreaterThan(0, "the processed event and the completed command are older than the cut-off");
        var pruned = await store.ReadPartitionsWaitingForAsync(Approval, null, 100, Ct);

        reopened.Should().Equal("lot-A");
        pruned.Should().Equal(["lot-A"], "retention prunes inbox and outbox rows, never partition state or its index");
    }

    /// <summary><c>ReadAuditByActionAsync</c> — across partitions: only that action oldest first.</summary>
    [Fact]
    public async Task ReadAuditByActionAsync_AcrossPartitions_OnlyThatActionOldestFirst()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, ActionStep("lot-A", 0, AuditHead.Genesis, out var headA, ("transition", T0), ("sla-breached", T0.AddMinutes(30))));
        await CommitAsync(store, ActionStep("lot-B", 0, AuditHead.Genesis, out _, ("sla-breached", T0.AddMinutes(10)), ("approval", T0.AddMinutes(11))));
        await CommitAsync(store, ActionStep("lot-A", 1, headA, out _, ("sla-breached", T0.AddMinutes(20))));

        var breaches = await store.ReadAuditByActionAsync("sla-breached", null, null, 100, Ct);

        breaches.Select(r => (r.PartitionKey, r.Sequence)).Should().Equal(("lot-B", 1L), ("lot-A", 3L), ("lot-A", 2L));
        breaches.Should().OnlyContain(r => r.Action == "sla-breached");
        breaches[1].Should().Be((await store.ReadAuditAsync("lot-A", 3, Ct))[0], "the index returns the stored records themselves");
        (await store.ReadAuditByActionAsync("approval", null, null, 100, Ct)).Select(r => r.PartitionKey).Should().Equal("lot-B");
        (await store.ReadAuditByActionAsync("no-such-action", null, null, 100, Ct)).Should().BeEmpty();
    }

    /// <summary><c>ReadAuditByActionAsync</c> — time range and max count: start inclusive end exclusive oldest kept.</summary>
    [Fact]
    public async Task ReadAuditByActionAsync_TimeRangeAndMaxCount_StartInclusiveEndExclusiveOldestKept()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, ActionStep("lot-A", 0, AuditHead.Genesis, out _, [.. new[] { 0, 5, 10, 15, 20 }.Select(m => ("sla-breached", T0.AddMinutes(m)))]));

        var inRange = await store.ReadAuditByActionAsync("sla-breached", T0.AddMinutes(5), T0.AddMinutes(15), 100, Ct);
        var fromOnly = await store.ReadAuditByActionAsync("sla-breached", T0.AddMinutes(10), null, 100, Ct);
        var toOnly = await store.ReadAuditByActionAsync("sla-breached", null, T0.AddMinutes(5), 100, Ct);
        var oldestTwo = await store.ReadAuditByActionAsync("sla-breached", null, null, 2, Ct);
        var oldestInRange = await store.ReadAuditByActionAsync("sla-breached", T0.AddMinutes(1), null, 1, Ct);

        inRange.Select(r => r.RecordedAt).Should().Equal([T0.AddMinutes(5), T0.AddMinutes(10)], "the start is inclusive and the end exclusive");
        fromOnly.Select(r => r.RecordedAt).Should().Equal(T0.AddMinutes(10), T0.AddMinutes(15), T0.AddMinutes(20));
        toOnly.Select(r => r.RecordedAt).Should().Equal(T0);
        oldestTwo.Select(r => r.RecordedAt).Should().Equal(T0, T0.AddMinutes(5));
        oldestInRange.Select(r => r.RecordedAt).Should().Equal(T0.AddMinutes(5));
    }

    /// <summary><c>ReadAuditByActionAsync</c> — same moment in one group commit: in commit order.</summary>
    [Fact]
    public async Task ReadAuditByActionAsync_SameMomentInOneGroupCommit_InCommitOrder()
    {
        var store = await NewStoreAsync();
        var at = T0.AddHours(1);

        await store.CommitAsync(
            [
                ActionStep("lot-Z", 0, AuditHead.Genesis, out _, ("sla-breached", at)),
                ActionStep("lot-A", 0, AuditHead.Genesis, out _, ("sla-breached", at)),
                ActionStep("lot-M", 0, AuditHead.Genesis, out _, ("sla-breached", at.AddTicks(-1))),
            ],
            Ct);

        (await store.ReadAuditByActionAsync("sla-breached", null, null, 100, Ct)).Select(r => r.PartitionKey).Should().Equal(
            ["lot-M", "lot-Z", "lot-A"],
            "time decides first, to the tick; records of the same moment come in the order they were committed");
    }

    /// <summary><c>ReadAuditByActionAsync</c> — failed commit reopen and prune: only committed records kept.</summary>
    [Fact]
    public async Task ReadAuditByActionAsync_FailedCommitReopenAndPrune_OnlyCommittedRecordsKept()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, ActionStep("lot-A", 0, AuditHead.Genesis, out _, ("sla-breached", T0)));
        var failing = async () => await store.CommitAsync([ActionStep("lot-B", 0, AuditHead.Genesis, out _, ("sla-breached", T0.AddMinutes(1))), NewStep("lot-A", 7)], Ct);
        await failing.Should().ThrowAsync<ConcurrencyConflictException>();

        store = await ReopenAsync(store);
        await store.PruneAsync(T0.AddDays(30), Ct);

        (await store.ReadAuditByActionAsync("sla-breached", null, null, 100, Ct)).Select(r => r.PartitionKey).Should().Equal(
            ["lot-A"],
            "a failed batch adds nothing, and the audit trail with its index survives a restart and is never pruned");
    }

    /// <summary><c>ReadIndexes</c> — negative max count: throws.</summary>
    [Fact]
    public async Task ReadIndexes_NegativeMaxCount_Throws()
    {
        var store = await NewStoreAsync();

        var waiting = async () => await store.ReadPartitionsWaitingForAsync(Approval, null, -1, Ct);
        var byAction = async () => await store.ReadAuditByActionAsync("sla-breached", null, null, -1, Ct);

        await waiting.Should().ThrowAsync<ArgumentOutOfRangeException>();
        await byAction.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    /// <summary>
    /// <c>ReadQueues</c> — negative max count: the pending-event, due-timer, rejection and dead-letter reads throw, naming
    /// the argument, instead of returning everything (a database that reads a negative limit as none).
    /// </summary>
    [Fact]
    public async Task ReadQueues_NegativeMaxCount_ThrowsNamingTheArgument()
    {
        var store = await NewStoreAsync();

        var pending = async () => await store.ReadPendingEventsAsync(null, 0, -1, Ct);
        var timers = async () => await store.ReadDueTimersAsync(T0.AddDays(1), -1, Ct);
        var rejections = async () => await store.ReadRejectionsAsync(null, null, -1, Ct);
        var deadLetters = async () => await store.ReadDeadLettersAsync(new DeadLetterQuery { MaxCount = -1 }, Ct);

        (await pending.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("maxCount");
        (await timers.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("maxCount");
        (await rejections.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("maxCount");
        (await deadLetters.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("query.MaxCount");
    }

    /// <summary>A step whose new state has one waiting instance per value given (none when no value is given).</summary>
    private static StepCommit WaitingStep(string partitionKey, long expectedVersion, params string[] waitingFor) => NewStep(partitionKey, expectedVersion) with
    {
        NewState = NewState(partitionKey, expectedVersion + 1) with
        {
            Instances = [.. waitingFor.Select((value, i) => NewInstance($"{partitionKey}-{expectedVersion + 1}-{i}", value))],
        },
    };

    private static WorkflowInstanceState NewInstance(string id, string waitingFor) => new()
    {
        Id = id,
        Workflow = "finished-goods-release",
        Version = 1,
        Fingerprint = "fp-1",
        StartedBy = new EventKey(QmsSource, $"{id}-evt"),
        WaitingFor = waitingFor,
        Since = T0,
        Data = "{\"gate\":\"ReleaseLot\"}",
    };

    /// <summary>A step that appends audit records with the given actions and times, continuing the chain at <paramref name="head"/>.</summary>
    private static StepCommit ActionStep(string partitionKey, long expectedVersion, AuditHead head, out AuditHead newHead, params (string Action, DateTimeOffset At)[] records)
    {
        var audit = new List<AuditRecord>(records.Length);
        foreach (var (action, at) in records)
        {
            var draft = new AuditRecord
            {
                PartitionKey = partitionKey,
                Sequence = 0,
                RecordedAt = at,
                Actor = "system:finished-goods-release",
                Action = action,
                Reason = $"{action} at {at:O}",
                Workflow = "finished-goods-release",
                WorkflowVersion = 1,
                PreviousHash = string.Empty,
                Hash = string.Empty,
            };
            audit.Add(AuditHashes.Chain(head, draft, out head));
        }

        newHead = head;
        return NewStep(partitionKey, expectedVersion) with { Audit = audit };
    }
}
