using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>
/// What the SQLite store does when SQLite itself fails part-way: the error the caller sees is the one that caused the
/// failure, nothing of the failed write is kept, and the store goes on working.
/// </summary>
public sealed class SqliteStoreFailureRecoveryTests
{
    private readonly TempFolder _folder;

    public SqliteStoreFailureRecoveryTests(TempFolder folder)
    {
        _folder = folder;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CommitAsync_RollbackOfAFailedBatchFails_ThrowsTheBatchsErrorKeepsNothingOfItAndTheNextWriteCommits()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        await store.CommitAsync([NewState("lot-A", 0)], Ct);

        using (var interrupter = new StatementInterrupter(store.WriterConnection, "ROLLBACK"))
        {
            var act = async () => await store.CommitAsync([NewState("lot-B", 0), NewState("lot-A", 0)], Ct);

            await act.Should().ThrowAsync<ConcurrencyConflictException>("the conflict failed the batch, not the rollback after it");
            interrupter.Interrupted.Should().Be(1, "the rollback of the failed batch was interrupted");
        }

        await store.CommitAsync([NewState("lot-A", 1), NewState("lot-C", 0)], Ct);
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(2);
        (await store.LoadPartitionAsync("lot-C", Ct)).Should().NotBeNull();
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull("nothing of the failed batch is kept");
    }

    [Fact]
    public async Task AcceptAsync_ALaterEventOfTheBatchFails_ReportsNoneAcceptedStoresNoneAndTheRetryAcceptsThemAll()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        var events = new[] { NewEvent("e-1"), NewEvent("e-2") };
        var accepted = new bool[2];

        using (var interrupter = new StatementInterrupter(store.WriterConnection, 1, "INSERT INTO inbox"))
        {
            var act = async () => await store.AcceptAsync(events, accepted, Ct);

            await act.Should().ThrowAsync<SqliteException>();
            interrupter.Interrupted.Should().Be(1, "the second event's insert was interrupted, after the first one's");
        }

        accepted.Should().Equal([false, false], "the batch was rolled back: the first event was not stored either");
        (await store.ReadPendingEventsAsync(null, 0, 10, Ct)).Should().BeEmpty();
        var stored = await store.AcceptAsync(events, accepted, Ct);
        accepted.Should().Equal([true, true], "nothing of the failed batch was kept, so both are new");
        stored.Select(e => e.Position).Should().Equal(1L, 2L);
    }

    private static StepCommit NewState(string partitionKey, long expectedVersion) =>
        new() { PartitionKey = partitionKey, ExpectedVersion = expectedVersion, NewState = new PartitionState { Key = partitionKey, Version = expectedVersion + 1 } };

    private static InboxEvent NewEvent(string id) => new()
    {
        Key = new EventKey("qms://plant-1", id),
        PartitionKey = "lot-A",
        AcceptedAt = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero),
        Envelope = new EventEnvelope
        {
            Id = id,
            Source = "qms://plant-1",
            Type = EventTypes.InspectionPassed,
            Time = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero),
            Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-1"), Lot = new LotId("lot-A"), Material = new MaterialId("M-1"), Site = new SiteId("plant-1") },
        },
    };
}
