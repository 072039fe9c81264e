using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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

    /// <summary>
    /// Interrupts the first run of one statement on a connection, before it does anything (SQLite's progress handler
    /// cancels it with <c>SQLITE_INTERRUPT</c>), as an interrupted or failing connection would.
    /// </summary>
    private sealed class StatementInterrupter : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly string _sql;
        private int _armed;
        private int _interrupted;

        public StatementInterrupter(SqliteConnection connection, string sql)
        {
            _db = connection.Handle!;
            _sql = sql;
            raw.sqlite3_trace(_db, (_, statement) => Arm(statement.utf8_to_string()), null);
            raw.sqlite3_progress_handler(_db, 1, _ => Interlocked.Exchange(ref _armed, 0), null);
        }

        /// <summary>How many statements were interrupted (at most one).</summary>
        public int Interrupted => Volatile.Read(ref _interrupted);

        public void Dispose()
        {
            raw.sqlite3_progress_handler(_db, 0, null, null);
            raw.sqlite3_trace(_db, (delegate_trace?)null, null);
        }

        private void Arm(string statement)
        {
            if (statement == _sql && Interlocked.CompareExchange(ref _interrupted, 1, 0) == 0)
            {
                Volatile.Write(ref _armed, 1);
            }
        }
    }
}
