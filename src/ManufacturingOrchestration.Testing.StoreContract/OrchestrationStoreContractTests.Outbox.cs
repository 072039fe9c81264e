using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>ReadPendingCommandsAsync</c> — commands planned out of order: returns ordinal order.</summary>
    [Fact]
    public async Task ReadPendingCommandsAsync_CommandsPlannedOutOfOrder_ReturnsOrdinalOrder()
    {
        var store = await NewStoreAsync();

        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [NewCommand("lot-A", 2), NewCommand("lot-A", 0)] });
        await CommitAsync(store, NewStep("lot-A", 1) with { NewCommands = [NewCommand("lot-A", 1)] });

        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Select(c => c.Ordinal).Should().Equal(0, 1, 2);
        (await store.ReadPendingCommandsAsync("lot-B", Ct)).Should().BeEmpty();
    }

    /// <summary>read commands caused by async returns every command of the event whatever its status.</summary>
    [Fact]
    public async Task ReadCommandsCausedByAsync_ReturnsEveryCommandOfTheEventWhateverItsStatus()
    {
        var store = await NewStoreAsync();
        var first = NewCommand("lot-A", 0);
        var second = NewCommand("lot-A", 1);
        var other = NewCommand("lot-A", 2) with { CausedBy = new EventKey(QmsSource, "another-event") };
        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [second, first, other] });
        await CommitAsync(store, new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, UpdatedCommands = [first with { Status = OutboxStatus.Completed }] });

        var caused = await store.ReadCommandsCausedByAsync(first.CausedBy, Ct);

        caused.Select(c => c.Ordinal).Should().Equal(0, 1);
        caused[0].Status.Should().Be(OutboxStatus.Completed);
        (await store.ReadCommandsCausedByAsync(new EventKey(QmsSource, "never-seen"), Ct)).Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — command updated to completed: is no longer pending but still readable.</summary>
    [Fact]
    public async Task CommitAsync_CommandUpdatedToCompleted_IsNoLongerPendingButStillReadable()
    {
        var store = await NewStoreAsync();
        var first = NewCommand("lot-A", 0);
        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [first, NewCommand("lot-A", 1)] });

        await CommitAsync(store, new StepCommit
        {
            PartitionKey = "lot-A",
            ExpectedVersion = 1,
            UpdatedCommands = [first with { Status = OutboxStatus.Completed, Attempts = 1 }],
        });

        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Select(c => c.Ordinal).Should().Equal(1);
        var read = await store.ReadCommandAsync(first.IdempotencyKey, Ct);
        read.Should().NotBeNull();
        read!.Status.Should().Be(OutboxStatus.Completed);
        read.Attempts.Should().Be(1);
    }

    /// <summary><c>CommitAsync</c> — command rescheduled for retry: stays pending with its new schedule.</summary>
    [Fact]
    public async Task CommitAsync_CommandRescheduledForRetry_StaysPendingWithItsNewSchedule()
    {
        var store = await NewStoreAsync();
        var command = NewCommand("lot-A", 0);
        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [command] });

        await CommitAsync(store, new StepCommit
        {
            PartitionKey = "lot-A",
            ExpectedVersion = 1,
            UpdatedCommands = [command with { Attempts = 2, NextAttemptAt = T0.AddSeconds(8), LastError = "adapter.transient: timeout" }],
        });

        var pending = (await store.ReadPendingCommandsAsync("lot-A", Ct)).Should().ContainSingle().Subject;
        pending.Attempts.Should().Be(2);
        pending.NextAttemptAt.Should().Be(T0.AddSeconds(8));
        pending.LastError.Should().Be("adapter.transient: timeout");
    }

    /// <summary>
    /// <c>CommitAsync</c> — one batch plans a command and then updates it twice: the stored command is the planned one
    /// with the last update's life (status, attempts, schedule, last error), as if the commits had been separate.
    /// </summary>
    [Fact]
    public async Task CommitAsync_CommandPlannedAndUpdatedTwiceInOneBatch_IsStoredAsThePlanWithTheLastUpdate()
    {
        var store = await NewStoreAsync();
        var command = NewCommand("lot-A", 0);
        var other = NewCommand("lot-B", 0);

        await store.CommitAsync(
            [
                NewStep("lot-A", 0) with { NewCommands = [command] },
                NewStep("lot-B", 0) with { NewCommands = [other] },
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, UpdatedCommands = [command with { Kind = "ignored.kind", Attempts = 1, NextAttemptAt = T0.AddSeconds(2), LastError = "adapter.transient: timeout" }] },
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, UpdatedCommands = [command with { Attempts = 2, NextAttemptAt = T0.AddSeconds(8), LastError = "adapter.transient: refused" }] },
            ],
            Ct);

        var stored = (await store.ReadCommandAsync(command.IdempotencyKey, Ct))!;
        stored.Should().BeEquivalentTo(command with { Attempts = 2, NextAttemptAt = T0.AddSeconds(8), LastError = "adapter.transient: refused" }, "an update changes only a command's life");
        (await store.ReadCommandAsync(other.IdempotencyKey, Ct)).Should().BeEquivalentTo(other);
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Should().ContainSingle().Which.Attempts.Should().Be(2);
    }

    /// <summary>
    /// <c>CommitAsync</c> — one batch updates a stored command and one the store never saw (planned before this store
    /// held the partition's outbox): the stored one changes only its life, the unseen one is kept whole.
    /// </summary>
    [Fact]
    public async Task CommitAsync_UpdateOfACommandTheStoreNeverSaw_KeepsItWhole()
    {
        var store = await NewStoreAsync();
        var stored = NewCommand("lot-A", 0);
        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [stored] });
        var unseen = NewCommand("lot-A", 1) with { Attempts = 1, NextAttemptAt = T0.AddSeconds(4), LastError = "adapter.transient: timeout" };

        await CommitAsync(store, new StepCommit
        {
            PartitionKey = "lot-A",
            ExpectedVersion = 1,
            UpdatedCommands = [stored with { Status = OutboxStatus.Completed, Attempts = 1 }, unseen],
        });

        (await store.ReadCommandAsync(stored.IdempotencyKey, Ct)).Should().BeEquivalentTo(stored with { Status = OutboxStatus.Completed, Attempts = 1 });
        var kept = (await store.ReadCommandAsync(unseen.IdempotencyKey, Ct))!;
        kept.Should().BeEquivalentTo(unseen);
        kept.Payload.Utf8Json.ToArray().Should().Equal(unseen.Payload.Utf8Json.ToArray());
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Select(c => c.IdempotencyKey).Should().Equal(unseen.IdempotencyKey);
    }

    /// <summary>
    /// <c>CommitAsync</c> — one batch completes a command and then plans it anew (the same key): the new plan replaces
    /// the stored command whole, as if the commits had been separate.
    /// </summary>
    [Fact]
    public async Task CommitAsync_CommandUpdatedThenPlannedAgainInOneBatch_IsStoredAsTheNewPlan()
    {
        var store = await NewStoreAsync();
        var command = NewCommand("lot-A", 0);
        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [command] });
        var replanned = command with { Kind = command.Kind + ".again", Attempts = 0 };

        await store.CommitAsync(
            [
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, UpdatedCommands = [command with { Status = OutboxStatus.Completed, Attempts = 1 }] },
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, NewCommands = [replanned] },
            ],
            Ct);

        (await store.ReadCommandAsync(command.IdempotencyKey, Ct)).Should().BeEquivalentTo(replanned);
    }

    /// <summary>read partitions with pending commands async lists exactly the partitions with pending commands.</summary>
    [Fact]
    public async Task ReadPartitionsWithPendingCommandsAsync_ListsExactlyThePartitionsWithPendingCommands()
    {
        var store = await NewStoreAsync();
        var doneOfC = NewCommand("lot-C", 0);
        await store.CommitAsync(
            [
                NewStep("lot-A", 0) with { NewCommands = [NewCommand("lot-A", 0)] },
                NewStep("lot-B", 0) with { NewCommands = [NewCommand("lot-B", 0), NewCommand("lot-B", 1)] },
                NewStep("lot-C", 0) with { NewCommands = [doneOfC] },
                NewStep("lot-D", 0),
            ],
            Ct);
        await CommitAsync(store, new StepCommit { PartitionKey = "lot-C", ExpectedVersion = 1, UpdatedCommands = [doneOfC with { Status = OutboxStatus.Completed }] });

        var partitions = await store.ReadPartitionsWithPendingCommandsAsync(Ct);

        partitions.Should().BeEquivalentTo(["lot-A", "lot-B"]);
    }

    /// <summary><c>ReadCommandAsync</c> — by key: returns the command as planned.</summary>
    [Fact]
    public async Task ReadCommandAsync_ByKey_ReturnsTheCommandAsPlanned()
    {
        var store = await NewStoreAsync();
        var command = NewCommand("lot-A", 0) with { RevisionOf = "mo1-00000000000000000000000000000000" };
        await CommitAsync(store, NewStep("lot-A", 0) with { NewCommands = [command] });

        var read = await store.ReadCommandAsync(command.IdempotencyKey, Ct);
        var unknown = await store.ReadCommandAsync("mo1-ffffffffffffffffffffffffffffffff", Ct);

        unknown.Should().BeNull();
        read.Should().NotBeNull();
        read!.PartitionKey.Should().Be("lot-A");
        read.Ordinal.Should().Be(0);
        read.Kind.Should().Be(command.Kind);
        read.CorrelationId.Should().Be(command.CorrelationId);
        read.CausedBy.Should().Be(command.CausedBy);
        read.Step.Should().Be(command.Step);
        read.Workflow.Should().Be(command.Workflow);
        read.CreatedAt.Should().Be(command.CreatedAt);
        read.Status.Should().Be(OutboxStatus.Pending);
        read.RevisionOf.Should().Be(command.RevisionOf);
        read.TraceParent.Should().Be("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        read.Payload.Utf8Json.ToArray().Should().Equal(command.Payload.Utf8Json.ToArray(), "a store keeps a command's bytes as they were given");
    }

    /// <summary><c>CommitAsync</c> — dead letter and park with uncatalogued reason code: read back with the same code.</summary>
    [Fact]
    public async Task CommitAsync_DeadLetterAndParkWithUncataloguedReasonCode_ReadBackWithTheSameCode()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1"));
        var command = NewCommand("lot-A", 0);
        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "e-1")], NewCommands = [command] });

        await CommitAsync(store, new StepCommit
        {
            PartitionKey = "lot-A",
            ExpectedVersion = 1,
            NewState = NewState("lot-A", 2) with { Parked = new ParkInfo { DeadLetterId = "dl-1", Since = T0.AddMinutes(1), ReasonCode = ReasonCode.Parse("plant.erp-refusal-77") } },
            UpdatedCommands = [command with { Status = OutboxStatus.DeadLettered, Attempts = 1 }],
            DeadLetters = [NewDeadLetter("dl-1", command, T0.AddMinutes(1)) with { ReasonCode = ReasonCode.Parse("plant.erp-refusal-77") }],
        });

        var parked = (await store.LoadPartitionAsync("lot-A", Ct))!.Parked!.ReasonCode;
        parked.Code.Should().Be("plant.erp-refusal-77");
        parked.Description.Should().BeEmpty();
        var deadLetter = (await store.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Subject.ReasonCode;
        deadLetter.Code.Should().Be("plant.erp-refusal-77");
        deadLetter.Description.Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — parked partition: keeps later events pending until the unpark commit resolves the dead letter.</summary>
    [Fact]
    public async Task CommitAsync_ParkedPartition_KeepsLaterEventsPendingUntilTheUnparkCommitResolvesTheDeadLetter()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-2"));
        var command = NewCommand("lot-A", 0);
        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "e-1")], NewCommands = [command] });
        var deadLetter = NewDeadLetter("dl-1", command, T0.AddMinutes(1));

        await CommitAsync(store, new StepCommit
        {
            PartitionKey = "lot-A",
            ExpectedVersion = 1,
            NewState = NewState("lot-A", 2) with { Parked = new ParkInfo { DeadLetterId = "dl-1", Since = T0.AddMinutes(1), ReasonCode = ReasonCodes.AdapterPermanent } },
            UpdatedCommands = [command with { Status = OutboxStatus.DeadLettered, Attempts = 1 }],
            DeadLetters = [deadLetter],
        });
        await AcceptAsync(store, NewEvent("lot-A", "e-3", T0.AddMinutes(2)));

        var parked = await store.LoadPartitionAsync("lot-A", Ct);
        parked!.IsParked.Should().BeTrue();
        parked.Parked!.DeadLetterId.Should().Be("dl-1");
        parked.Parked.ReasonCode.Should().Be(ReasonCodes.AdapterPermanent);
        var open = (await store.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Subject;
        open.Id.Should().Be("dl-1");
        open.IsOpen.Should().BeTrue();
        open.Command!.IdempotencyKey.Should().Be(command.IdempotencyKey);
        open.Command.Payload.Should().Be(command.Payload, "a dead letter keeps its command's bytes");
        open.Command.TraceParent.Should().Be(command.TraceParent);
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Should().BeEmpty();
        (await store.ReadCommandAsync(command.IdempotencyKey, Ct))!.Status.Should().Be(OutboxStatus.DeadLettered);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("e-2", "e-3");

        var resolution = new DeadLetterResolution { Action = "skip", Operator = "qe-jane", Reason = "Posted manually in ERP", At = T0.AddMinutes(10) };
        await CommitAsync(store, new StepCommit
        {
            PartitionKey = "lot-A",
            ExpectedVersion = 2,
            NewState = NewState("lot-A", 3),
            UpdatedCommands = [command with { Status = OutboxStatus.Skipped, Attempts = 1 }],
            DeadLetters = [deadLetter with { Resolution = resolution }],
        });

        (await store.LoadPartitionAsync("lot-A", Ct))!.IsParked.Should().BeFalse();
        (await store.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        var resolved = (await store.ReadDeadLettersAsync(new DeadLetterQuery { OnlyOpen = false }, Ct)).Should().ContainSingle().Subject;
        resolved.IsOpen.Should().BeFalse();
        resolved.Resolution.Should().Be(resolution);
        (await store.ReadCommandAsync(command.IdempotencyKey, Ct))!.Status.Should().Be(OutboxStatus.Skipped);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("e-2", "e-3");
    }

    /// <summary><c>ReadDeadLettersAsync</c> — filters: return oldest first within the query.</summary>
    [Fact]
    public async Task ReadDeadLettersAsync_Filters_ReturnOldestFirstWithinTheQuery()
    {
        var store = await NewStoreAsync();
        await store.CommitAsync(
            [
                NewStep("lot-A", 0) with { DeadLetters = [NewDeadLetter("dl-a2", NewCommand("lot-A", 1), T0.AddMinutes(2)), NewDeadLetter("dl-a1", NewCommand("lot-A", 0), T0.AddMinutes(1))] },
                NewStep("lot-B", 0) with { DeadLetters = [NewDeadLetter("dl-b", NewCommand("lot-B", 0), T0.AddMinutes(3), "plant-2")] },
            ],
            Ct);

        var all = await store.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct);
        var ofA = await store.ReadDeadLettersAsync(new DeadLetterQuery { PartitionKey = "lot-A" }, Ct);
        var ofPlant2 = await store.ReadDeadLettersAsync(new DeadLetterQuery { Site = "plant-2" }, Ct);
        var byId = await store.ReadDeadLettersAsync(new DeadLetterQuery { Id = "dl-a2" }, Ct);
        var inRange = await store.ReadDeadLettersAsync(new DeadLetterQuery { From = T0.AddMinutes(2), To = T0.AddMinutes(3) }, Ct);
        var oldest = await store.ReadDeadLettersAsync(new DeadLetterQuery { MaxCount = 1 }, Ct);

        all.Select(d => d.Id).Should().Equal("dl-a1", "dl-a2", "dl-b");
        ofA.Select(d => d.Id).Should().Equal("dl-a1", "dl-a2");
        ofPlant2.Select(d => d.Id).Should().Equal("dl-b");
        byId.Select(d => d.Id).Should().Equal("dl-a2");
        inRange.Select(d => d.Id).Should().Equal("dl-a2");
        oldest.Select(d => d.Id).Should().Equal("dl-a1");
    }
}
