using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>AcceptAsync</c> — new events: assigns strictly increasing positions in arrival order.</summary>
    [Fact]
    public async Task AcceptAsync_NewEvents_AssignsStrictlyIncreasingPositionsInArrivalOrder()
    {
        var store = await NewStoreAsync();
        var accepted = new bool[3];

        var stored = await store.AcceptAsync([NewEvent("lot-A", "e-1"), NewEvent("lot-B", "e-2"), NewEvent("lot-A", "e-3")], accepted, Ct);

        accepted.Should().Equal(true, true, true);
        stored.Select(e => e.Key.Id).Should().Equal("e-1", "e-2", "e-3");
        stored[0].Position.Should().BePositive();
        stored.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        stored[0].Envelope.Id.Should().Be("e-1");
        stored[0].PartitionKey.Should().Be("lot-A");
    }

    /// <summary><c>AcceptAsync</c> — same event twice in one batch: accepts only the first.</summary>
    [Fact]
    public async Task AcceptAsync_SameEventTwiceInOneBatch_AcceptsOnlyTheFirst()
    {
        var store = await NewStoreAsync();
        var accepted = new bool[3];

        var stored = await store.AcceptAsync([NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-2")], accepted, Ct);

        accepted.Should().Equal(true, false, true);
        stored.Select(e => e.Key.Id).Should().Equal("e-1", "e-2");
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("e-1", "e-2");
    }

    /// <summary><c>AcceptAsync</c> — same event in later batch: is duplicate whether pending or processed.</summary>
    [Fact]
    public async Task AcceptAsync_SameEventInLaterBatch_IsDuplicateWhetherPendingOrProcessed()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-2"));
        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "e-1")] });

        var accepted = await AcceptAsync(store, NewEvent("lot-A", "e-1", T0.AddMinutes(1)), NewEvent("lot-A", "e-2", T0.AddMinutes(1)));

        accepted.Should().Equal(false, false);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("e-2");
    }

    /// <summary><c>AcceptAsync</c> — same id from different sources: are different events.</summary>
    [Fact]
    public async Task AcceptAsync_SameIdFromDifferentSources_AreDifferentEvents()
    {
        var store = await NewStoreAsync();

        var accepted = await AcceptAsync(store, NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-1", source: "mes://line-4"));

        accepted.Should().Equal(true, true);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Source).Should().Equal(QmsSource, "mes://line-4");
    }

    /// <summary><c>AcceptAsync</c> — cancelled: throws and accepts nothing.</summary>
    [Fact]
    public async Task AcceptAsync_Cancelled_ThrowsAndAcceptsNothing()
    {
        var store = await NewStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await store.AcceptAsync([NewEvent("lot-A", "e-1")], new bool[1], cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.ReadPendingEventsAsync(null, 0, 100, Ct)).Should().BeEmpty();
        (await AcceptAsync(store, NewEvent("lot-A", "e-1"))).Should().Equal(true);
    }

    /// <summary><c>CommitAsync</c> — cancelled: throws and commits nothing.</summary>
    [Fact]
    public async Task CommitAsync_Cancelled_ThrowsAndCommitsNothing()
    {
        var store = await NewStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await store.CommitAsync([NewStep("lot-A", 0) with { FollowUpEvents = [NewEvent("lot-C", "f-1")] }], cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.LoadPartitionAsync("lot-A", Ct)).Should().BeNull();
        (await store.ReadPendingEventsAsync("lot-C", 0, 100, Ct)).Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — follow up events: are accepted into their partition and de duplicated.</summary>
    [Fact]
    public async Task CommitAsync_FollowUpEvents_AreAcceptedIntoTheirPartitionAndDeDuplicated()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-C", "f-already"));

        await store.CommitAsync(
            [
                NewStep("lot-A", 0) with { FollowUpEvents = [NewEvent("lot-C", "f-1"), NewEvent("lot-C", "f-already"), NewEvent("lot-C", "f-1")] },
                NewStep("lot-B", 0) with { FollowUpEvents = [NewEvent("lot-C", "f-1"), NewEvent("lot-C", "f-2")] },
            ],
            Ct);
        await CommitAsync(store, NewStep("lot-A", 1) with { FollowUpEvents = [NewEvent("lot-C", "f-2")] });

        var pending = await store.ReadPendingEventsAsync("lot-C", 0, 100, Ct);
        pending.Select(e => e.Key.Id).Should().Equal("f-already", "f-1", "f-2");
        pending.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await AcceptAsync(store, NewEvent("lot-C", "f-1"), NewEvent("lot-C", "f-2"))).Should().Equal(false, false);
    }

    /// <summary><c>ReadPendingEventsAsync</c> — interleaved partitions: returns acceptance order per partition and globally.</summary>
    [Fact]
    public async Task ReadPendingEventsAsync_InterleavedPartitions_ReturnsAcceptanceOrderPerPartitionAndGlobally()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1"), NewEvent("lot-B", "e-2"));
        await AcceptAsync(store, NewEvent("lot-B", "e-3"), NewEvent("lot-A", "e-4"));
        await CommitAsync(store, NewStep("lot-X", 0) with { FollowUpEvents = [NewEvent("lot-A", "e-5")] });
        await AcceptAsync(store, NewEvent("lot-B", "e-6"));

        var a = await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct);
        var b = await store.ReadPendingEventsAsync("lot-B", 0, 100, Ct);
        var all = await store.ReadPendingEventsAsync(null, 0, 100, Ct);

        a.Select(e => e.Key.Id).Should().Equal("e-1", "e-4", "e-5");
        b.Select(e => e.Key.Id).Should().Equal("e-2", "e-3", "e-6");
        all.Select(e => e.Key.Id).Should().Equal("e-1", "e-2", "e-3", "e-4", "e-5", "e-6");
        all.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    /// <summary><c>ReadPendingEventsAsync</c> — after position and max count: returns the next events only.</summary>
    [Fact]
    public async Task ReadPendingEventsAsync_AfterPositionAndMaxCount_ReturnsTheNextEventsOnly()
    {
        var store = await NewStoreAsync();
        var stored = await store.AcceptAsync([.. Enumerable.Range(1, 6).Select(i => NewEvent(i % 2 == 0 ? "lot-B" : "lot-A", $"e-{i}"))], new bool[6], Ct);

        var nextTwo = await store.ReadPendingEventsAsync(null, stored[1].Position, 2, Ct);
        var nextOfA = await store.ReadPendingEventsAsync("lot-A", stored[0].Position, 1, Ct);

        nextTwo.Select(e => e.Key.Id).Should().Equal("e-3", "e-4");
        nextOfA.Select(e => e.Key.Id).Should().Equal("e-3");
    }

    /// <summary><c>ReadPendingEventsAsync</c> — processed events: are no longer pending.</summary>
    [Fact]
    public async Task ReadPendingEventsAsync_ProcessedEvents_AreNoLongerPending()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-2"), NewEvent("lot-A", "e-3"));

        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "e-1"), new EventKey(QmsSource, "e-2")] });

        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("e-3");
        (await store.ReadPendingEventsAsync(null, 0, 100, Ct)).Select(e => e.Key.Id).Should().Equal("e-3");
    }

    /// <summary><c>AcceptAsync</c> — concurrent batches for one partition: keep positions unique and pending in position order.</summary>
    [Fact]
    public async Task AcceptAsync_ConcurrentBatchesForOnePartition_KeepPositionsUniqueAndPendingInPositionOrder()
    {
        var store = await NewStoreAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var producers = Enumerable.Range(0, 4).Select(producer => Task.Run(
            async () =>
            {
                await start.Task;
                for (var i = 0; i < 25; i++)
                {
                    await AcceptAsync(store, NewEvent("lot-A", $"p{producer}-{i}"), NewEvent("lot-A", $"p{(producer + 1) % 4}-{i}"));
                }
            },
            Ct)).ToArray();

        start.SetResult();
        await Task.WhenAll(producers);

        var pending = await store.ReadPendingEventsAsync("lot-A", 0, 1000, Ct);
        pending.Should().HaveCount(100, "each of the 100 distinct events is accepted exactly once");
        pending.Select(e => e.Key.Id).Should().OnlyHaveUniqueItems();
        pending.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        for (var producer = 0; producer < 4; producer++)
        {
            var ownOrder = pending.Where(e => e.Key.Id.StartsWith($"p{producer}-", StringComparison.Ordinal)).Select(e => int.Parse(e.Key.Id[3..], System.Globalization.CultureInfo.InvariantCulture));
            ownOrder.Should().BeInAscendingOrder("a producer's later event never overtakes its earlier one");
        }
    }
}

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>ReadEventAsync</c> — pending event: is read with its envelope.</summary>
    [Fact]
    public async Task ReadEventAsync_PendingEvent_IsReadWithItsEnvelope()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "e-1"));

        var read = await store.ReadEventAsync(new EventKey(QmsSource, "e-1"), Ct);

        read.Should().NotBeNull();
        read!.Envelope.Id.Should().Be("e-1");
        read.PartitionKey.Should().Be("lot-A");
        read.Position.Should().BePositive();
    }

    /// <summary><c>ReadEventAsync</c> — processed event that planned commands: is kept across a reopen one without commands is not.</summary>
    [Fact]
    public async Task ReadEventAsync_ProcessedEventThatPlannedCommands_IsKeptAcrossAReopen_OneWithoutCommandsIsNot()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "lot-A-evt"), NewEvent("lot-B", "lot-B-evt"));
        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "lot-A-evt")], NewCommands = [NewCommand("lot-A", 0)] });
        await CommitAsync(store, NewStep("lot-B", 0) with { ProcessedEvents = [new EventKey(QmsSource, "lot-B-evt")] });
        store = await ReopenAsync(store);

        var kept = await store.ReadEventAsync(new EventKey(QmsSource, "lot-A-evt"), Ct);
        var dropped = await store.ReadEventAsync(new EventKey(QmsSource, "lot-B-evt"), Ct);

        kept.Should().NotBeNull("its commands may be refused as stale and the event decided again");
        kept!.Envelope.Data.Should().BeEquivalentTo(NewEvent("lot-A", "lot-A-evt").Envelope.Data);
        dropped.Should().BeNull("an event whose step planned nothing is never decided again");
        (await store.ReadPendingEventsAsync(null, 0, 100, Ct)).Should().BeEmpty("a kept event is still processed");
    }

    /// <summary><c>ReadEventAsync</c> — unknown or pruned event: is null.</summary>
    [Fact]
    public async Task ReadEventAsync_UnknownOrPrunedEvent_IsNull()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "lot-A-evt"));
        await CommitAsync(store, NewStep("lot-A", 0) with { ProcessedEvents = [new EventKey(QmsSource, "lot-A-evt")], NewCommands = [NewCommand("lot-A", 0, OutboxStatus.Completed)] });

        await store.PruneAsync(T0.AddDays(1), Ct);

        (await store.ReadEventAsync(new EventKey(QmsSource, "lot-A-evt"), Ct)).Should().BeNull();
        (await store.ReadEventAsync(new EventKey(QmsSource, "never"), Ct)).Should().BeNull();
    }
}
