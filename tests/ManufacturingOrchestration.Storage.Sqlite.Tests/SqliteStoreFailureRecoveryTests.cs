using ManufacturingOrchestration.Engine.Storage;

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

    private static StepCommit NewState(string partitionKey, long expectedVersion) =>
        new() { PartitionKey = partitionKey, ExpectedVersion = expectedVersion, NewState = new PartitionState { Key = partitionKey, Version = expectedVersion + 1 } };
}
