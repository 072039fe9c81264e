using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>Edge cases of the SQLite store.</summary>
public sealed class SqliteStoreEdgeCaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder;

    public SqliteStoreEdgeCaseTests(TempFolder folder)
    {
        _folder = folder;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadPartitionAsync_StateStoredAsText_ThrowsDataUnreadableNamingThePartition()
    {
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path);
        await store.CommitAsync([NewState("lot-A", 0)], Ct);
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE partitions SET state = CAST(state AS TEXT) WHERE partition_key = 'lot-A'");

        var act = async () => await store.LoadPartitionAsync("lot-A", Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain("lot-A");
    }

    [Fact]
    public async Task ReadPendingEventsAsync_EnvelopeStoredAsText_ThrowsDataUnreadable()
    {
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path);
        await store.AcceptAsync([NewEvent("lot-A", "e-1")], new bool[1], Ct);
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE inbox SET envelope = CAST(envelope AS TEXT)");

        var act = async () => await store.ReadPendingEventsAsync(null, 0, 10, Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain("e-1");
    }

    [Fact]
    public async Task PruneAsync_KeysNearTheLargestInteger_RemovesTheOldRowsKeepsThePendingOnesAndEnds()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        await store.AcceptAsync([NewEvent("lot-A", "e-1"), NewEvent("lot-A", "e-2"), NewEvent("lot-A", "e-3"), NewEvent("lot-A", "e-pending")], new bool[4], Ct);
        await store.CommitAsync(
            [NewState("lot-A", 0) with
            {
                ProcessedEvents = [new EventKey("qms://plant-1", "e-1"), new EventKey("qms://plant-1", "e-2"), new EventKey("qms://plant-1", "e-3")],
                NewCommands = [NewCommand("c-1", 1, OutboxStatus.Completed), NewCommand("c-2", 2, OutboxStatus.Completed), NewCommand("c-pending", 3, OutboxStatus.Pending)],
            }],
            Ct);

        // Keys at the very end of the integer range (a file edited or imported by hand): one row at the start, the others there.
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE inbox SET position = 9223372036854775807 WHERE event_id = 'e-3'");
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE inbox SET position = 9223372036854775806 WHERE event_id = 'e-2'");
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE inbox SET position = 9223372036854775805 WHERE event_id = 'e-pending'");
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE outbox SET id = 9223372036854775807 WHERE idempotency_key = 'c-2'");
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE outbox SET id = 9223372036854775806 WHERE idempotency_key = 'c-pending'");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        try
        {
            // On a thread of its own: the store's writes complete synchronously, so a pass that never ends would never return.
            var removed = await Task.Run(() => store.PruneAsync(T0.AddHours(1), stop.Token).AsTask(), Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

            removed.Should().Be(5, "three processed events and two completed commands are older than the cut-off");
        }
        finally
        {
            // A pass that did not end stops here rather than running on after the test.
            await stop.CancelAsync();
        }

        (await store.ReadPendingEventsAsync(null, 0, 10, Ct)).Select(e => e.Key.Id).Should().Equal("e-pending");
        (await store.ReadPendingCommandsAsync("lot-A", Ct)).Select(c => c.IdempotencyKey).Should().Equal("c-pending");
    }

    [Fact]
    public async Task AcceptAsync_ANullEventInTheBatch_ThrowsArgumentNullAndStoresNothing()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());

        var act = async () => await store.AcceptAsync([NewEvent("lot-A", "e-1"), null!], new bool[2], Ct);

        await act.Should().ThrowAsync<ArgumentNullException>();
        (await store.ReadPendingEventsAsync(null, 0, 10, Ct)).Should().BeEmpty();
    }

    private static StepCommit NewState(string partitionKey, long expectedVersion) =>
        new() { PartitionKey = partitionKey, ExpectedVersion = expectedVersion, NewState = new PartitionState { Key = partitionKey, Version = expectedVersion + 1 } };

    private static DurableTimer NewTimer(string id) => new() { Id = id, PartitionKey = "lot-A", DueAt = T0, Purpose = "sla" };

    private static OutboxEntry NewCommand(string idempotencyKey, long ordinal, OutboxStatus status) => new()
    {
        IdempotencyKey = idempotencyKey,
        PartitionKey = "lot-A",
        Ordinal = ordinal,
        Kind = "notification.send",
        Payload = new CommandPayload("{}"u8.ToArray()),
        CorrelationId = "corr-lot-A",
        CausedBy = new EventKey("qms://plant-1", "e-1"),
        Step = "notify",
        Workflow = "inspection-passed@1",
        CreatedAt = T0,
        Status = status,
    };

    private static InboxEvent NewEvent(string partitionKey, string id) => new()
    {
        Key = new EventKey("qms://plant-1", id),
        PartitionKey = partitionKey,
        AcceptedAt = T0,
        Envelope = new EventEnvelope
        {
            Id = id,
            Source = "qms://plant-1",
            Type = EventTypes.InspectionPassed,
            Time = T0,
            Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-1"), Lot = new LotId(partitionKey), Material = new MaterialId("M-1"), Site = new SiteId("plant-1") },
        },
    };
}
