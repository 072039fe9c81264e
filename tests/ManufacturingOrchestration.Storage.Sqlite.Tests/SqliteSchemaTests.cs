using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>Schema migrations: a file written at an earlier version is upgraded in place, its indexes built from its rows.</summary>
public sealed class SqliteSchemaTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder;

    public SqliteSchemaTests(TempFolder folder)
    {
        _folder = folder;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_FileOfVersion1_MigratesToTheCurrentVersionAndBuildsTheIndexesFromExistingRows()
    {
        var path = _folder.NewDatabasePath("v1");
        using (var connection = CreateVersion1File(path))
        {
            InsertState(connection, State("lot-A", Instance("a-1", "approval")));
            InsertState(connection, State("lot-B", Instance("b-1", "timer"), Instance("b-2", "approval"), Instance("b-3", "approval")));
            InsertState(connection, State("lot-C"));
            InsertState(connection, State("lot-D", Instance("d-1", "timer")));
            InsertAudit(connection, "lot-A", ("transition", T0), ("sla-breached", T0.AddHours(5)));
            InsertAudit(connection, "lot-C", ("sla-breached", T0.AddHours(2)));
        }

        await using var store = SqliteOrchestrationStore.Open(path);

        SchemaVersionOf(path).Should().Be(SqliteOrchestrationStore.SchemaVersion);
        (await store.ReadPartitionsWaitingForAsync("approval", null, 100, Ct)).Should().Equal("lot-A", "lot-B");
        (await store.ReadPartitionsWaitingForAsync("timer", null, 100, Ct)).Should().Equal("lot-B", "lot-D");
        var breaches = await store.ReadAuditByActionAsync("sla-breached", null, null, 100, Ct);
        breaches.Select(r => (r.PartitionKey, r.Sequence)).Should().Equal(("lot-C", 1L), ("lot-A", 2L));
        (await store.ReadAuditByActionAsync("sla-breached", T0.AddHours(3), null, 100, Ct)).Select(r => r.PartitionKey).Should().Equal(["lot-A"], "the migrated times are exact ticks");
        (await new AuditVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue("the migration adds columns, it never rewrites a record");

        // The migrated index is maintained like a new one: lot-A's approval is answered.
        await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 1, NewState = State("lot-A") with { Version = 2 } }], Ct);
        (await store.ReadPartitionsWaitingForAsync("approval", null, 100, Ct)).Should().Equal("lot-B");
    }

    [Fact]
    public void Open_FileOfVersion1WithAnUnreadableState_ThrowsAndLeavesTheFileAtVersion1()
    {
        var path = _folder.NewDatabasePath("v1-bad");
        using (var connection = CreateVersion1File(path))
        {
            InsertState(connection, State("lot-A", Instance("a-1", "approval")));
            InsertAudit(connection, "lot-A", ("sla-breached", T0));
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO partitions (partition_key, version, state) VALUES ('lot-X', 1, $state)";
            insert.Parameters.AddWithValue("$state", "{\"key\":"u8.ToArray());
            insert.ExecuteNonQuery();
        }

        var act = () => SqliteOrchestrationStore.Open(path);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        SchemaVersionOf(path).Should().Be(1, "the migration is one transaction: it failed, so nothing of version 2 was kept");
        using var check = OpenRaw(path);
        Scalar(check, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('partition_waiting', 'partition_waiting_for', 'audit_action')").Should().Be(0L);
        Scalar(check, "SELECT COUNT(*) FROM pragma_table_info('audit') WHERE name IN ('action', 'recorded_at')").Should().Be(0L);
    }

    [Fact]
    public async Task Open_FileOfVersion2_ItsAuditRowsAreTheFeedInTheOrderTheyWereWrittenAndSinkCursorsCanBeSaved()
    {
        var path = _folder.NewDatabasePath("v2");
        using (var connection = CreateVersion1File(path))
        {
            InsertAudit(connection, "lot-A", ("transition", T0), ("sla-breached", T0.AddHours(5)));
            InsertAudit(connection, "lot-C", ("sla-breached", T0.AddHours(2)));
            SqliteSchema.Migrate(connection, path, T0.UtcTicks, targetVersion: 2);
            SchemaVersionOf(connection).Should().Be(2);
        }

        await using var store = SqliteOrchestrationStore.Open(path);

        SchemaVersionOf(path).Should().Be(SqliteOrchestrationStore.SchemaVersion);
        var feed = await store.ReadAuditFeedAsync(0, 100, Ct);
        feed.Select(e => (e.Record.PartitionKey, e.Record.Sequence)).Should().Equal(("lot-A", 1L), ("lot-A", 2L), ("lot-C", 1L));
        (await store.ReadAuditSinkCursorAsync("siem", Ct)).Should().Be(0);
        (await store.TrySaveAuditSinkCursorAsync("siem", 0, feed[1].Position, Ct)).Should().BeTrue();
        (await store.ReadAuditFeedAsync(await store.ReadAuditSinkCursorAsync("siem", Ct), 100, Ct)).Select(e => e.Record.PartitionKey).Should().Equal("lot-C");
    }

    [Fact]
    public async Task Open_FileOfVersion4WithAHeldLease_KeepsTheLeaseAtEpoch1AndFencesItsOldHolderAfterATakeover()
    {
        var path = _folder.NewDatabasePath("v4");
        using (var connection = CreateVersion1File(path))
        {
            SqliteSchema.Migrate(connection, path, T0.UtcTicks, targetVersion: 4);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO leases (partition_key, owner, until) VALUES ('lot-A', 'node-1', $until)";
            insert.Parameters.AddWithValue("$until", T0.AddSeconds(30).UtcTicks);
            insert.ExecuteNonQuery();
        }

        await using var store = SqliteOrchestrationStore.Open(path);

        SchemaVersionOf(path).Should().Be(SqliteOrchestrationStore.SchemaVersion);
        (await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(40), T0.AddSeconds(10), Ct)).Should().BeNull("the migrated lease is still node-1's");
        var renewed = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct);
        renewed!.Epoch.Should().Be(1, "a lease row of an earlier version starts at epoch 1 and a renewal keeps it");
        var takenOver = await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(91), T0.AddSeconds(61), Ct);
        takenOver!.Epoch.Should().Be(2);

        var stale = async () => await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewState = State("lot-A"), Fence = renewed.Fence }], Ct);
        await stale.Should().ThrowAsync<LeaseLostException>();
        await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewState = State("lot-A"), Fence = takenOver.Fence }], Ct);
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
    }

    [Fact]
    public void IndexReads_CurrentSchema_AreServedByTheirIndexes()
    {
        var path = _folder.NewDatabasePath("plan");
        using (SqliteOrchestrationStore.Open(path))
        {
            using var connection = OpenRaw(path);

            // The statements the store runs: a plan that scans a table or sorts would make them cost one row per key or record.
            Plan(connection, SqliteOrchestrationStore.AuditByActionSql)
                .Should().Contain("USING INDEX audit_action (action=? AND recorded_at>? AND recorded_at<?)").And.NotContain("TEMP B-TREE");
            Plan(connection, SqliteOrchestrationStore.WaitingForSql)
                .Should().Contain("USING COVERING INDEX partition_waiting_for (waiting_for=? AND partition_key>?)").And.NotContain("TEMP B-TREE");
            Plan(connection, SqliteOrchestrationStore.ClearWaitingSql)
                .Should().Contain("USING PRIMARY KEY (partition_key=?)");
            Plan(connection, SqliteOrchestrationStore.AuditFeedSql)
                .Should().Contain("USING INTEGER PRIMARY KEY (rowid>?)").And.NotContain("TEMP B-TREE");
        }
    }

    /// <summary>A file at schema version 1, written by version 1's own migration, with an open read-write connection.</summary>
    private static SqliteConnection CreateVersion1File(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        SqliteSchema.Migrate(connection, path, T0.UtcTicks, targetVersion: 1);
        SchemaVersionOf(connection).Should().Be(1);
        return connection;
    }

    private static PartitionState State(string key, params WorkflowInstanceState[] instances) => new()
    {
        Key = key,
        Version = 1,
        Instances = instances,
    };

    private static WorkflowInstanceState Instance(string id, string waitingFor) => new()
    {
        Id = id,
        Workflow = "finished-goods-release",
        Version = 1,
        Fingerprint = "fp-1",
        StartedBy = new EventKey("qms://plant-1", $"{id}-evt"),
        WaitingFor = waitingFor,
        Since = T0,
    };

    private static void InsertState(SqliteConnection connection, PartitionState state)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO partitions (partition_key, version, state) VALUES ($key, $version, $state)";
        insert.Parameters.AddWithValue("$key", state.Key);
        insert.Parameters.AddWithValue("$version", state.Version);
        insert.Parameters.AddWithValue("$state", StoredRecordJson.Write(state));
        insert.ExecuteNonQuery();
    }

    [Fact]
    public void Migrate_AStatementFailsAndSqliteRollsTheTransactionBackItself_ThrowsThatErrorAndKeepsNothing()
    {
        // SQLite ends the transaction itself when some statements fail (I/O error, full disk, interrupt): the migration
        // then has nothing to roll back, and "no transaction is active" must not replace the real cause.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _folder.NewDatabasePath("failed"), Pooling = false }.ToString());
        connection.Open();
        using var interrupter = new StatementInterrupter(connection, "INSERT INTO " + SqliteSchema.VersionTable, "ROLLBACK");

        var act = () => SqliteSchema.Migrate(connection, "failed.db", T0.UtcTicks);

        act.Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(SQLitePCL.raw.SQLITE_INTERRUPT);
        interrupter.Interrupted.Should().Be(1);
        interrupter.Matched.Should().Be(1, "the transaction SQLite ended itself is not rolled back a second time");
        SqliteSchema.ReadVersion(connection).Should().Be(0, "nothing of the failed migration is kept");
    }

    /// <summary>Appends a chained trail to a key the way version 1 stored it: key, sequence and the record's JSON only.</summary>
    private static void InsertAudit(SqliteConnection connection, string key, params (string Action, DateTimeOffset At)[] records)
    {
        var head = AuditHead.Genesis;
        foreach (var (action, at) in records)
        {
            var draft = new AuditRecord
            {
                PartitionKey = key,
                Sequence = 0,
                RecordedAt = at,
                Actor = "system:finished-goods-release",
                Action = action,
                Reason = action,
                PreviousHash = string.Empty,
                Hash = string.Empty,
            };
            var record = AuditHashes.Chain(head, draft, out head);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO audit (partition_key, sequence, record) VALUES ($key, $sequence, $record)";
            insert.Parameters.AddWithValue("$key", key);
            insert.Parameters.AddWithValue("$sequence", record.Sequence);
            insert.Parameters.AddWithValue("$record", StoredRecordJson.Write(record));
            insert.ExecuteNonQuery();
        }
    }

    private static long SchemaVersionOf(string path)
    {
        using var connection = OpenRaw(path);
        return SchemaVersionOf(connection);
    }

    private static long SchemaVersionOf(SqliteConnection connection) => (long)Scalar(connection, "SELECT MAX(version) FROM mo_schema_version")!;

    private static string Plan(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var rows = command.ExecuteReader();
        var lines = new List<string>();
        while (rows.Read())
        {
            lines.Add(rows.GetString(3));
        }

        return string.Join("\n", lines);
    }

    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
