using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>ReadRejectionsAsync</c> — time range: returns rejections in range oldest first.</summary>
    [Fact]
    public async Task ReadRejectionsAsync_TimeRange_ReturnsRejectionsInRangeOldestFirst()
    {
        var store = await NewStoreAsync();
        foreach (var minutes in new[] { 2, 0, 5, 1 })
        {
            await store.RecordRejectionAsync(NewRejection($"r-{minutes}", T0.AddMinutes(minutes)), Ct);
        }

        var all = await store.ReadRejectionsAsync(null, null, 100, Ct);
        var inRange = await store.ReadRejectionsAsync(T0.AddMinutes(1), T0.AddMinutes(5), 100, Ct);
        var oldest = await store.ReadRejectionsAsync(null, null, 1, Ct);
        var fromOnly = await store.ReadRejectionsAsync(T0.AddMinutes(2), null, 100, Ct);

        all.Select(r => r.Id).Should().Equal("r-0", "r-1", "r-2", "r-5");
        inRange.Select(r => r.Id).Should().Equal(["r-1", "r-2"], "the start is inclusive and the end exclusive");
        oldest.Select(r => r.Id).Should().Equal("r-0");
        fromOnly.Select(r => r.Id).Should().Equal("r-2", "r-5");
        var read = all[0];
        read.Channel.Should().Be("api");
        read.Source.Should().Be(QmsSource);
        read.EventId.Should().Be("evt-r-0");
        read.Type.Should().Be("mfg.unknown.v1");
        read.Site.Should().Be("plant-1");
        read.Excerpt.Should().Be("{\"id\":\"evt-r-0\"");
        read.Reasons.Should().ContainSingle().Which.Should().Be(new RejectionReason { Path = "$.type", Code = ReasonCodes.UnknownEventType, Message = "Unknown event type." });
    }

    /// <summary><c>PruneAsync</c> — old processed events and finished commands: are removed and everything else is kept.</summary>
    [Fact]
    public async Task PruneAsync_OldProcessedEventsAndFinishedCommands_AreRemovedAndEverythingElseIsKept()
    {
        var store = await NewStoreAsync();
        var cutOff = T0.AddHours(1);
        await AcceptAsync(store, NewEvent("lot-A", "old-processed", T0), NewEvent("lot-A", "old-pending", T0), NewEvent("lot-A", "new-processed", T0.AddHours(2)));
        var oldCompleted = NewCommand("lot-A", 0, OutboxStatus.Completed, T0);
        var oldPending = NewCommand("lot-A", 1, OutboxStatus.Pending, T0);
        var oldDeadLettered = NewCommand("lot-A", 2, OutboxStatus.DeadLettered, T0);
        var newCompleted = NewCommand("lot-A", 3, OutboxStatus.Completed, T0.AddHours(2));
        await CommitAsync(store, NewStep("lot-A", 0) with
        {
            ProcessedEvents = [new EventKey(QmsSource, "old-processed"), new EventKey(QmsSource, "new-processed")],
            NewCommands = [oldCompleted, oldPending, oldDeadLettered, newCompleted],
            Audit = NewAudit("lot-A", AuditHead.Genesis, 3, out _),
            DeadLetters = [NewDeadLetter("dl-old", oldDeadLettered, T0)],
        });

        var removed = await store.PruneAsync(cutOff, Ct);

        removed.Should().BeGreaterThanOrEqualTo(2, "one processed event and one completed command are older than the cut-off");
        (await store.ReadCommandAsync(oldCompleted.IdempotencyKey, Ct)).Should().BeNull();
        (await store.ReadCommandAsync(newCompleted.IdempotencyKey, Ct)).Should().NotBeNull();
        (await store.ReadCommandAsync(oldDeadLettered.IdempotencyKey, Ct)).Should().NotBeNull("an open dead letter still needs its command");
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Select(c => c.IdempotencyKey).Should().Equal(oldPending.IdempotencyKey);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("old-pending");
        (await store.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct)).Select(d => d.Id).Should().Equal("dl-old");
        (await store.ReadAuditAsync("lot-A", 1, Ct)).Should().HaveCount(3, "the audit trail is never pruned");
        (await new AuditVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await AcceptAsync(store, NewEvent("lot-A", "new-processed", T0.AddHours(3)), NewEvent("lot-A", "old-pending", T0.AddHours(3))))
            .Should().Equal([false, false], "events accepted after the cut-off and pending events are still recognised as duplicates");
        (await store.PruneAsync(cutOff, Ct)).Should().Be(0, "pruning again finds nothing more to remove");
    }

    /// <summary><c>PruneAsync</c> — nothing older than the cut off: removes nothing.</summary>
    [Fact]
    public async Task PruneAsync_NothingOlderThanTheCutOff_RemovesNothing()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1", T0.AddHours(2)));
        var completed = NewCommand("lot-A", 0, OutboxStatus.Completed, T0.AddHours(2));
        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "e-1")], NewCommands = [completed] });

        var removed = await store.PruneAsync(T0.AddHours(1), Ct);

        removed.Should().Be(0);
        (await store.ReadCommandAsync(completed.IdempotencyKey, Ct)).Should().NotBeNull();
        (await AcceptAsync(store, NewEvent("lot-A", "e-1", T0.AddHours(3)))).Should().Equal(false);
    }

    /// <summary><c>ReopenStoreAsync</c> — everything committed: survives and positions keep increasing.</summary>
    [Fact]
    public async Task ReopenStoreAsync_EverythingCommitted_SurvivesAndPositionsKeepIncreasing()
    {
        var store = await NewStoreAsync();
        var stored = await store.AcceptAsync([NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-2")], new bool[2], Ct);
        stored.Should().HaveCount(2);
        var command = NewCommand("lot-A", 0);
        var audit = NewAudit("lot-A", AuditHead.Genesis, 2, out var head);
        await CommitAsync(store, NewStep("lot-A", 0) with
        {
            ProcessedEvents = [new EventKey(QmsSource, "e-1")],
            NewCommands = [command, NewCommand("lot-A", 1)],
            Audit = audit,
            NewState = NewState("lot-A", 1) with { AuditHead = head, Parked = new ParkInfo { DeadLetterId = "dl-1", Since = T0, ReasonCode = ReasonCodes.AdapterPermanent } },
            Timers = [NewTimer("t-1", "lot-A", T0.AddMinutes(5))],
            DeadLetters = [NewDeadLetter("dl-1", NewCommand("lot-A", 1), T0)],
            FollowUpEvents = [NewEvent("lot-C", "f-1")],
        });
        var checkpoint = NewCheckpoint(1, AuditHashes.GenesisHash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = head });
        await store.AppendCheckpointAsync(checkpoint, Ct);
        await store.RecordRejectionAsync(NewRejection("r-1", T0), Ct);

        var reopened = await ReopenAsync(store);

        var state = await reopened.LoadPartitionAsync("lot-A", Ct);
        state!.Version.Should().Be(1);
        state.AuditHead.Should().Be(head);
        state.Parked!.DeadLetterId.Should().Be("dl-1");
        state.Values["marker"].Should().Be("\"v1\"");
        var pending = await reopened.ReadPendingEventsAsync(null, 0, 100, Ct);
        pending.Select(e => e.Key.Id).Should().Equal("e-2", "f-1");
        pending[0].Position.Should().Be(stored[1].Position, "positions are kept");
        (await reopened.ReadPendingCommandsAsync("lot-A", Ct)).Select(c => c.Ordinal).Should().Equal(0, 1);
        (await reopened.ReadCommandAsync(command.IdempotencyKey, Ct)).Should().NotBeNull();
        (await reopened.ReadAuditAsync("lot-A", 1, Ct)).Should().BeEquivalentTo(audit, o => o.WithStrictOrdering());
        (await reopened.ReadLatestCheckpointAsync(Ct))!.Hash.Should().Be(checkpoint.Hash);
        (await reopened.ReadDueTimersAsync(T0.AddMinutes(5), 100, Ct)).Select(t => t.Id).Should().Equal("t-1");
        (await reopened.ReadDeadLettersAsync(DeadLetterQuery.Open, Ct)).Select(d => d.Id).Should().Equal("dl-1");
        (await reopened.ReadRejectionsAsync(null, null, 100, Ct)).Select(r => r.Id).Should().Equal("r-1");
        (await new AuditVerifier(reopened).VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
        var accepted = new bool[3];
        var later = await reopened.AcceptAsync([NewEvent("lot-A", "e-1"), NewEvent("lot-C", "f-1"), NewEvent("lot-A", "e-3")], accepted, Ct);
        accepted.Should().Equal([false, false, true], "de-duplication survives the restart");
        later.Should().ContainSingle().Which.Position.Should().BeGreaterThan(pending[^1].Position, "positions keep increasing across a restart");
    }

    private static RejectedEvent NewRejection(string id, DateTimeOffset at) => new()
    {
        Id = id,
        ReceivedAt = at,
        Channel = "api",
        Source = QmsSource,
        EventId = $"evt-{id}",
        Type = "mfg.unknown.v1",
        Site = "plant-1",
        Reasons = [new RejectionReason { Path = "$.type", Code = ReasonCodes.UnknownEventType, Message = "Unknown event type." }],
        Excerpt = $"{{\"id\":\"evt-{id}\"",
    };
}
