using System.Security.Cryptography;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>What the SQLite store adds to the store contract: schema versioning, WAL, typed refusals and automatic retention.</summary>
public sealed class SqliteOrchestrationStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder;

    public SqliteOrchestrationStoreTests(TempFolder folder)
    {
        _folder = folder;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Open_NewFile_CreatesTheCurrentSchemaInWalMode()
    {
        var path = _folder.NewDatabasePath();

        using (SqliteOrchestrationStore.Open(path))
        {
            using var connection = OpenRaw(path);
            Scalar(connection, "PRAGMA journal_mode").Should().Be("wal");
            Scalar(connection, "PRAGMA page_size").Should().Be(16_384L);
            Scalar(connection, "SELECT MAX(version) FROM mo_schema_version").Should().Be((long)SqliteOrchestrationStore.SchemaVersion);
            Scalar(connection, "SELECT COUNT(*) FROM mo_schema_version").Should().Be((long)SqliteOrchestrationStore.SchemaVersion, "one row per applied migration");
        }
    }

    [Fact]
    public async Task Open_TheSameFileTwice_RefusesTheSecondWriter_UntilTheFirstIsDisposed()
    {
        var path = _folder.NewDatabasePath();
        var first = SqliteOrchestrationStore.Open(path);

        var second = () => SqliteOrchestrationStore.Open(path);

        second.Should().Throw<SqliteStoreInUseException>().Which.Path.Should().Be(path);
        first.Dispose();
        await using var afterwards = SqliteOrchestrationStore.Open(path);
        afterwards.Path.Should().Be(path);
    }

    [Fact]
    public async Task Open_FileCreatedWithAnotherPageSize_KeepsItAndWorks()
    {
        var path = _folder.NewDatabasePath();
        using (var created = OpenRaw(path, SqliteOpenMode.ReadWriteCreate))
        {
            Execute(created, "PRAGMA page_size = 4096");
            Execute(created, "CREATE TABLE unrelated (id INTEGER PRIMARY KEY)");
        }

        var time = new FakeTimeProvider(T0);
        await using (var store = SqliteOrchestrationStore.Open(path, timeProvider: time))
        {
            var events = Enumerable.Range(0, 500).Select(i => NewEvent("lot-A", "e-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            await store.AcceptAsync(events, new bool[events.Length], Ct);
            time.Advance(TimeSpan.FromMilliseconds(100));
            (await store.ReadPendingEventsAsync("lot-A", 0, 1_000, Ct)).Should().HaveCount(500);
        }

        using var connection = OpenRaw(path);
        Scalar(connection, "PRAGMA page_size").Should().Be(4_096L, "a page size is fixed once the file has content");
        CountInbox(path).Should().Be(500);
    }

    [Fact]
    public async Task Open_ExistingFileAtCurrentVersion_KeepsDataAndMigratesNothingAgain()
    {
        var path = _folder.NewDatabasePath();
        await using (var store = SqliteOrchestrationStore.Open(path))
        {
            await store.AcceptAsync([NewEvent("lot-A", "e-1")], new bool[1], Ct);
        }

        await using var reopened = SqliteOrchestrationStore.Open(path);

        (await reopened.ReadPendingEventsAsync(null, 0, 10, Ct)).Select(e => e.Key.Id).Should().Equal("e-1");
        using var connection = OpenRaw(path);
        Scalar(connection, "SELECT COUNT(*) FROM mo_schema_version").Should().Be((long)SqliteOrchestrationStore.SchemaVersion);
    }

    [Fact]
    public async Task Open_FileOfANewerLibraryVersion_ThrowsTypedErrorAndLeavesTheFileUnchanged()
    {
        var path = _folder.NewDatabasePath();
        await using (var store = SqliteOrchestrationStore.Open(path))
        {
            await store.AcceptAsync([NewEvent("lot-A", "e-1")], new bool[1], Ct);
        }

        var newer = SqliteOrchestrationStore.SchemaVersion + 1;
        using (var connection = OpenRaw(path, SqliteOpenMode.ReadWrite))
        {
            Execute(connection, $"INSERT INTO mo_schema_version (version, applied_at, library) VALUES ({newer}, 0, '99.0.0')");
            Execute(connection, "CREATE TABLE from_the_future (id INTEGER PRIMARY KEY)");
        }

        var before = Fingerprint(path);

        var act = () => SqliteOrchestrationStore.Open(path);

        var thrown = act.Should().Throw<SqliteStoreSchemaException>().Which;
        thrown.FoundVersion.Should().Be(newer);
        thrown.SupportedVersion.Should().Be(SqliteOrchestrationStore.SchemaVersion);
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreSchemaTooNew);
        thrown.Path.Should().Be(Path.GetFullPath(path));
        thrown.Message.Should().Contain("unchanged");
        Fingerprint(path).Should().Be(before, "a file of a newer version is never modified");
        using var check = OpenRaw(path);
        Scalar(check, "SELECT MAX(version) FROM mo_schema_version").Should().Be((long)newer);
        Scalar(check, "SELECT COUNT(*) FROM inbox").Should().Be(1L);
    }

    [Fact]
    public async Task Open_BusyTimeoutZeroWhileAnotherConnectionHoldsTheWriteLock_FailsBusyInsteadOfWaitingForever()
    {
        var path = _folder.NewDatabasePath();
        SqliteOrchestrationStore.Open(path).Dispose();
        using var holder = OpenRaw(path, SqliteOpenMode.ReadWrite);
        Execute(holder, "BEGIN IMMEDIATE");
        var open = Task.Run(() => SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { BusyTimeout = TimeSpan.Zero }), Ct);
        try
        {
            var act = async () => await open.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            (await act.Should().ThrowAsync<SqliteException>()).Which.SqliteErrorCode.Should().Be(SQLitePCL.raw.SQLITE_BUSY);
        }
        finally
        {
            Execute(holder, "ROLLBACK");
            if (await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(30), Ct)) == open && open.IsCompletedSuccessfully)
            {
                (await open).Dispose();
            }
        }
    }

    [Theory]
    [InlineData(30)]
    [InlineData(10_675_199)]
    public void Open_BusyTimeoutLongerThanSqliteCanCount_WaitsTheLongestItCanInsteadOfNotAtAll(int days)
    {
        var timeout = days == 10_675_199 ? TimeSpan.MaxValue : TimeSpan.FromDays(days);
        using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath(), new SqliteStoreOptions { BusyTimeout = timeout });

        Scalar(store.WriterConnection, "PRAGMA busy_timeout").Should().Be((long)int.MaxValue, "SQLite counts its busy timeout in an int of milliseconds");
    }

    [Fact]
    public void Open_AFileThatIsNotASqliteDatabase_ThrowsDataUnreadableNamingTheFileAndLeavesItUnchanged()
    {
        var path = _folder.NewDatabasePath();
        var content = "lot,quantity\nL-1,5\n"u8.ToArray();
        File.WriteAllBytes(path, content);

        var act = () => SqliteOrchestrationStore.Open(path);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain(Path.GetFullPath(path)).And.Contain("not a SQLite database");
        thrown.InnerException.Should().BeOfType<SqliteException>();
        File.ReadAllBytes(path).Should().Equal(content, "a file the store cannot read is never modified");
    }

    [Fact]
    public async Task CommitAsync_EmptyAndNullStrings_ReadBackAsWritten()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        var command = new OutboxEntry
        {
            IdempotencyKey = "mo1-empty",
            PartitionKey = "lot-A",
            Ordinal = 0,
            Kind = CommandKinds.NotificationSend,
            Payload = new CommandPayload("""{"context":{"idempotencyKey":"mo1-empty","correlationId":""},"subject":""}"""u8.ToArray()),
            CorrelationId = string.Empty,
            CausedBy = new EventKey("qms://plant-1", "e-1"),
            Step = "step",
            Workflow = "wf@1",
            CreatedAt = T0,
            LastError = string.Empty,
            RevisionOf = null,
        };

        await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewCommands = [command] }], Ct);

        var stored = await store.ReadCommandAsync("mo1-empty", Ct);
        stored!.CorrelationId.Should().BeEmpty().And.NotBeNull();
        stored.LastError.Should().BeEmpty().And.NotBeNull();
        stored.RevisionOf.Should().BeNull();
    }

    [Fact]
    public async Task CommitAsync_CommandOfAKindOnlyTheHostRegistered_KeptByteForByteAcrossAReopen()
    {
        var path = _folder.NewDatabasePath();
        var json = """{"context":{"idempotencyKey":"mo1-0123","correlationId":"corr"},"sample":"S-1","note":"Prüfung ✓"}"""u8.ToArray();
        var command = new OutboxEntry
        {
            IdempotencyKey = "mo1-0123",
            PartitionKey = "lot-A",
            Ordinal = 0,
            Kind = "lims.record-sample",
            Payload = new CommandPayload(json),
            CorrelationId = "corr",
            CausedBy = new EventKey("qms://plant-1", "e-1"),
            Step = "step",
            Workflow = "wf@1",
            CreatedAt = T0,
        };
        await using (var store = SqliteOrchestrationStore.Open(path))
        {
            await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewCommands = [command] }], Ct);
        }

        await using var reopened = SqliteOrchestrationStore.Open(path);
        var stored = await reopened.ReadCommandAsync("mo1-0123", Ct);

        stored!.Kind.Should().Be("lims.record-sample");
        stored.Payload.Utf8Json.ToArray().Should().Equal(json);
    }

    [Fact]
    public async Task RetentionWindow_ElapsesOnTheClock_ProcessedEventsArePrunedAutomatically()
    {
        var time = new FakeTimeProvider(T0);
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { RetentionWindow = TimeSpan.FromHours(1), PruneInterval = TimeSpan.FromMinutes(10) }, time);
        await store.AcceptAsync([NewEvent("lot-A", "e-old"), NewEvent("lot-A", "e-pending")], new bool[2], Ct);
        await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, ProcessedEvents = [new EventKey("qms://plant-1", "e-old")] }], Ct);

        time.Advance(TimeSpan.FromMinutes(30));
        await WaitForPruneAsync(store, T0 + TimeSpan.FromMinutes(30) - TimeSpan.FromHours(1));
        CountInbox(path).Should().Be(2, "nothing is older than the window yet");

        time.Advance(TimeSpan.FromMinutes(40));
        await WaitForPruneAsync(store, T0 + TimeSpan.FromMinutes(70) - TimeSpan.FromHours(1));

        CountInbox(path).Should().Be(1, "the processed event left the window; the pending one stays");
        var accepted = new bool[2];
        await store.AcceptAsync([NewEvent("lot-A", "e-pending"), NewEvent("lot-A", "e-old")], accepted, Ct);
        accepted.Should().Equal([false, true], "a pending event is still a duplicate; one pruned after the window is new again");
    }

    [Fact]
    public async Task RetentionWindow_LongerThanTheTimeSinceYearOne_PrunesNothingAndCompletesEveryPass()
    {
        // The largest window the settings accept: now minus it is before the first moment a DateTimeOffset can hold.
        var time = new FakeTimeProvider(T0);
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { RetentionWindow = TimeSpan.MaxValue, PruneInterval = TimeSpan.FromMinutes(10) }, time);
        await store.AcceptAsync([NewEvent("lot-A", "e-old")], new bool[1], Ct);
        await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, ProcessedEvents = [new EventKey("qms://plant-1", "e-old")] }], Ct);

        time.Advance(TimeSpan.FromMinutes(10));
        await WaitForPruneAsync(store, DateTimeOffset.MinValue);

        CountInbox(path).Should().Be(1, "nothing is older than a window that reaches back before year 1");
        var accepted = new bool[1];
        await store.AcceptAsync([NewEvent("lot-A", "e-old")], accepted, Ct);
        accepted.Should().Equal([false], "the processed event is still remembered as a duplicate");
    }

    [Fact]
    public async Task Open_PruneIntervalLongerThanASystemTimerCounts_OpensAndWorks()
    {
        var path = _folder.NewDatabasePath();

        await using var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { PruneInterval = TimeSpan.FromDays(60) });

        await store.CommitAsync([NewState("lot-A", 0)], Ct);
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
    }

    [Fact]
    public async Task Commits_AreCopiedIntoTheDatabaseFileOnTheStoresClock_NotInsideTheCommit()
    {
        var time = new FakeTimeProvider(T0);
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path, timeProvider: time);
        var opened = new FileInfo(path).Length;
        var events = Enumerable.Range(0, 2_000).Select(i => NewEvent("lot-" + (i % 50).ToString(System.Globalization.CultureInfo.InvariantCulture), "e-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        await store.AcceptAsync(events, new bool[events.Length], Ct);

        new FileInfo(path).Length.Should().Be(opened, "a commit only appends to the write-ahead log");
        new FileInfo(path + "-wal").Length.Should().BeGreaterThan(500_000);

        time.Advance(TimeSpan.FromMilliseconds(100));

        new FileInfo(path).Length.Should().BeGreaterThan(opened + 500_000, "the background checkpoint copied the log into the database file");
        (await store.ReadPendingEventsAsync(null, 0, 5_000, Ct)).Should().HaveCount(2_000);
    }

    [Fact]
    public async Task Open_SynchronousFull_CommitsAndReadsBack()
    {
        var path = _folder.NewDatabasePath();
        await using (var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { Synchronous = SqliteSynchronousMode.Full }))
        {
            await store.AcceptAsync([NewEvent("lot-A", "e-1")], new bool[1], Ct);
        }

        await using var reopened = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { Synchronous = SqliteSynchronousMode.Full });
        (await reopened.ReadPendingEventsAsync("lot-A", 0, 10, Ct)).Should().ContainSingle().Which.Envelope.Data.Should().BeOfType<InspectionPassed>();
    }

    [Fact]
    public async Task LoadPartitionsAsync_AnUnreadableStateAmongTheKeys_ThrowsAndTheReaderSeesLaterCommits()
    {
        // The keys are read in one read transaction: one that fails part-way must still end it, or the pooled reader
        // would stay on its old snapshot (and refuse the next round's transaction).
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { MaxReaderConnections = 1 });
        await store.CommitAsync([NewState("lot-A", 0), NewState("lot-B", 0)], Ct);
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE partitions SET state = $state WHERE partition_key = 'lot-B'", ("$state", "{not json"u8.ToArray()));

        var act = async () => await store.LoadPartitionsAsync(["lot-A", "lot-B"], Ct);

        (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.Message.Should().Contain("lot-B");
        await store.CommitAsync([NewState("lot-A", 1), NewState("lot-C", 0)], Ct);
        var loaded = await store.LoadPartitionsAsync(["lot-A", "lot-C", "lot-unknown"], Ct);
        loaded.Keys.Should().BeEquivalentTo("lot-A", "lot-C");
        loaded["lot-A"].Version.Should().Be(2, "the reader's snapshot is a fresh one, taken after the second commit");
        loaded["lot-C"].Version.Should().Be(1);
    }

    [Fact]
    public async Task LoadPartitionsAsync_EndingTheFailedReadTransactionFailsToo_ThrowsTheReadsErrorAndTheNextRoundSeesLaterCommits()
    {
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { MaxReaderConnections = 1 });
        await store.CommitAsync([NewState("lot-A", 0), NewState("lot-B", 0)], Ct);
        await SqliteOrchestrationStoreContractTests.ExecuteRawAsync(store, "UPDATE partitions SET state = $state WHERE partition_key = 'lot-B'", ("$state", "{not json"u8.ToArray()));
        SqliteConnection? pooled = null;
        store.ReaderReturning = connection => pooled = connection;
        await store.LoadPartitionAsync("lot-A", Ct);
        store.ReaderReturning = null;

        using (var interrupter = new StatementInterrupter(pooled!, "COMMIT", "ROLLBACK"))
        {
            var act = async () => await store.LoadPartitionsAsync(["lot-A", "lot-B"], Ct);

            (await act.Should().ThrowAsync<ManufacturingOrchestrationException>("the unreadable state failed the read, not the end of its transaction"))
                .Which.Message.Should().Contain("lot-B");
            interrupter.Interrupted.Should().Be(1);
        }

        await store.CommitAsync([NewState("lot-A", 1), NewState("lot-C", 0)], Ct);
        var loaded = await store.LoadPartitionsAsync(["lot-A", "lot-C"], Ct);
        loaded["lot-A"].Version.Should().Be(2, "no reader is left on the failed read's snapshot");
        loaded["lot-C"].Version.Should().Be(1);
    }

    private static StepCommit NewState(string partitionKey, long expectedVersion) =>
        new() { PartitionKey = partitionKey, ExpectedVersion = expectedVersion, NewState = new PartitionState { Key = partitionKey, Version = expectedVersion + 1 } };

    [Fact]
    public async Task Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        await store.DisposeAsync();

        var act = async () => await store.LoadPartitionAsync("lot-A", Ct);

        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Dispose_WhileAWriteWaitsForAnotherProcessesLock_ReturnsAndTheWriteClosesTheFileWhenItEnds()
    {
        var path = _folder.NewDatabasePath();
        var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { BusyTimeout = TimeSpan.FromMinutes(10) });
        store.DisposeWait = TimeSpan.FromMilliseconds(100);
        var writeBegins = WriteBegins(store);
        using var other = OpenRaw(path, SqliteOpenMode.ReadWrite);
        Execute(other, "BEGIN IMMEDIATE");
        Task write;
        try
        {
            write = Task.Run(async () => await store.CommitAsync([NewState("lot-A", 0)], Ct), Ct);
            await writeBegins.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            await Task.Run(store.Dispose, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            Execute(other, "ROLLBACK");
        }

        await write.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await using var reopened = SqliteOrchestrationStore.Open(path);
        (await reopened.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1, "the write in flight committed, then released the file");
    }

    [Fact]
    public async Task Dispose_WhileABackgroundCheckpointWaitsForAWriteBlockedByAnotherProcessesLock_ReturnsLongBeforeTheBusyTimeout()
    {
        var path = _folder.NewDatabasePath();
        var time = new FakeTimeProvider(T0);
        var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { BusyTimeout = TimeSpan.FromHours(1) }, time);
        store.DisposeWait = TimeSpan.FromMilliseconds(100);
        await store.CommitAsync([NewState("lot-A", 0)], Ct);

        // Any log is over the limit: the next tick checkpoints, then waits for the write lock to checkpoint again.
        store.Checkpointer.LimitPages = 0;
        var checkpointWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Checkpointer.WaitingForWriteLock = () => checkpointWaits.TrySetResult();
        var writeBegins = WriteBegins(store);
        using var other = OpenRaw(path, SqliteOpenMode.ReadWrite);
        Execute(other, "BEGIN IMMEDIATE");
        Task write;
        Task tick;
        try
        {
            write = Task.Run(async () => await store.CommitAsync([NewState("lot-B", 0)], Ct), Ct);
            await writeBegins.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            tick = Task.Run(() => time.Advance(SqliteCheckpointer.Interval), Ct);
            await checkpointWaits.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            await Task.Run(store.Dispose, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        }
        finally
        {
            Execute(other, "ROLLBACK");
        }

        await write.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await tick.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        using (var check = OpenRaw(path))
        {
            Scalar(check, "PRAGMA integrity_check").Should().Be("ok");
        }

        await using var reopened = SqliteOrchestrationStore.Open(path);
        (await reopened.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await reopened.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1, "the write in flight committed, then released the file");
    }

    [Fact]
    public async Task Dispose_WhileAReadPutsItsConnectionBackInThePool_ThatConnectionIsClosedToo()
    {
        var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        await store.CommitAsync([NewState("lot-A", 0)], Ct);
        store.ReaderReturning = _ => store.Dispose();

        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);

        store.OpenReaderConnections.Should().Be(0, "a connection pooled after the store drained its pool is closed, not left open");
    }

    [Fact]
    public async Task AcceptAndCommit_Envelopes_StoredAsTheSerializerWritesThem()
    {
        // A batch's envelopes (and a step's follow-ups) are written into one pooled buffer: each stored blob must still be
        // exactly the serializer's own bytes, including text it escapes.
        var path = _folder.NewDatabasePath();
        var first = NewEvent("lot-A", "e-1");
        var second = NewEvent("lot-B", "e-2");
        second = second with { Envelope = second.Envelope with { CorrelationId = "Prüfung \"<1>\" ✓", Subject = new string('x', 3000) } };
        var followUp = NewEvent("lot-C", "e-3");
        await using (var store = SqliteOrchestrationStore.Open(path))
        {
            await store.AcceptAsync([first, second], new bool[2], Ct);
            await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, NewState = new PartitionState { Key = "lot-A", Version = 1 }, FollowUpEvents = [followUp] }], Ct);
        }

        using var check = OpenRaw(path);
        using var read = check.CreateCommand();
        read.CommandText = "SELECT event_id, envelope FROM inbox ORDER BY position";
        using var rows = read.ExecuteReader();
        var stored = new Dictionary<string, byte[]>();
        while (rows.Read())
        {
            stored[rows.GetString(0)] = (byte[])rows.GetValue(1);
        }

        stored.Should().HaveCount(3);
        stored["e-1"].Should().Equal(EventSerializer.Default.SerializeToUtf8Bytes(first.Envelope));
        stored["e-2"].Should().Equal(EventSerializer.Default.SerializeToUtf8Bytes(second.Envelope));
        stored["e-3"].Should().Equal(EventSerializer.Default.SerializeToUtf8Bytes(followUp.Envelope));
    }

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

    /// <summary>Completes when the store's writer begins a write transaction.</summary>
    private static Task WriteBegins(SqliteOrchestrationStore store)
    {
        var begins = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SQLitePCL.raw.sqlite3_trace(store.WriterConnection.Handle!, (_, statement) =>
        {
            if (statement.utf8_to_string().StartsWith("BEGIN IMMEDIATE", StringComparison.Ordinal))
            {
                begins.TrySetResult();
            }
        }, null);
        return begins.Task;
    }

    private static SqliteConnection OpenRaw(string path, SqliteOpenMode mode = SqliteOpenMode.ReadOnly)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long CountInbox(string path)
    {
        using var connection = OpenRaw(path);
        return (long)Scalar(connection, "SELECT COUNT(*) FROM inbox")!;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Fingerprint(string path)
    {
        // The main file and whatever WAL is beside it: neither may change.
        var parts = new List<string> { Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) };
        var wal = path + "-wal";
        parts.Add(File.Exists(wal) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(wal))) : "no-wal");
        return string.Join("/", parts);
    }

    /// <summary>Waits until the store's background prune of a cut-off completed (the prune runs on a pool thread), for at most about 30 s.</summary>
    private static async Task WaitForPruneAsync(SqliteOrchestrationStore store, DateTimeOffset cutOff)
    {
        for (var i = 0; i < 3000 && store.LastPruneCutOff != cutOff; i++)
        {
            await Task.Delay(10, Ct);
        }

        store.LastPruneCutOff.Should().Be(cutOff);
    }

    [Fact]
    public async Task AppendCheckpointAsync_HeadsOfManyChunks_ReadBackByteForByteAcrossAReopen()
    {
        var path = _folder.NewDatabasePath();
        var checkpoint = Checkpoint(1, AuditHashes.GenesisHash, Heads(5_000));
        await using (var store = SqliteOrchestrationStore.Open(path))
        {
            await store.AppendCheckpointAsync(checkpoint, Ct);
        }

        await using var reopened = SqliteOrchestrationStore.Open(path);
        var read = await reopened.ReadLatestCheckpointAsync(Ct);

        read.Should().BeEquivalentTo(checkpoint);
        StoredRecordJson.Write(read!).Length.Should().BeGreaterThan(4 * 64 * 1024, "the record spans several of the writer's 64 KB chunks");
        AuditHashes.Compute(read!).Should().Be(checkpoint.Hash);
    }

    [Fact]
    public async Task AppendCheckpointAsync_AKeyLongerThanTheWritersChunk_ReadsBackWhole()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        var heads = Heads(3);
        heads[new string('k', 100_000)] = new AuditHead { Count = 9, Hash = heads["lot-000000"].Hash };
        var checkpoint = Checkpoint(1, AuditHashes.GenesisHash, heads);

        await store.AppendCheckpointAsync(checkpoint, Ct);

        (await store.ReadLatestCheckpointAsync(Ct)).Should().BeEquivalentTo(checkpoint);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AppendCheckpointAsync_HeadsChangingWhileStored_StoresNothingAndKeepsTheLatest(bool grow)
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        var first = Checkpoint(1, AuditHashes.GenesisHash, Heads(3));
        await store.AppendCheckpointAsync(first, Ct);

        var act = async () => await store.AppendCheckpointAsync(Checkpoint(2, first.Hash, new ChangingHeads(Heads(3), grow)), Ct);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*checkpoint 2*heads changed while it was stored*");
        (await store.ReadLatestCheckpointsAsync(10, Ct)).Should().ContainSingle().Which.Should().BeEquivalentTo(first);
        await store.AppendCheckpointAsync(Checkpoint(2, first.Hash, Heads(4)), Ct);
        (await store.ReadLatestCheckpointAsync(Ct))!.Number.Should().Be(2, "the failed append left no row and no open transaction behind");
    }

    private static Dictionary<string, AuditHead> Heads(int count) => Enumerable.Range(0, count).ToDictionary(
        i => "lot-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
        i => new AuditHead { Count = i + 1, Hash = Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i))) },
        StringComparer.Ordinal);

    private static AuditCheckpoint Checkpoint(long number, string previousHash, IReadOnlyDictionary<string, AuditHead> heads)
    {
        var checkpoint = new AuditCheckpoint { Number = number, TakenAt = T0, Heads = heads, PreviousHash = previousHash, Hash = string.Empty };
        return checkpoint with { Hash = AuditHashes.Compute(checkpoint) };
    }

    /// <summary>Heads that gain or lose an entry each time they are read through: a caller's dictionary changed while the store wrote it.</summary>
    private sealed class ChangingHeads(Dictionary<string, AuditHead> heads, bool grow) : IReadOnlyDictionary<string, AuditHead>
    {
        public int Count => heads.Count;

        public IEnumerable<string> Keys => heads.Keys;

        public IEnumerable<AuditHead> Values => heads.Values;

        public AuditHead this[string key] => heads[key];

        public bool ContainsKey(string key) => heads.ContainsKey(key);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out AuditHead value) => heads.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, AuditHead>> GetEnumerator()
        {
            if (grow)
            {
                heads["lot-grown-" + heads.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)] = AuditHead.Genesis;
            }
            else
            {
                heads.Remove(heads.Keys.First());
            }

            return heads.ToList().GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
