using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>
/// Edge cases of the PostgreSQL store: settings the server would refuse, rows stored in a form the store never writes,
/// text a column cannot hold, a holder renewing its lease while its own commit is in flight, two
/// batches locking the same keys, a schema that already holds a table or a type of the store's name, a cancellation while the
/// migration commits, an accepted batch whose commit fails, a listening connection that fails, a retention window longer
/// than the calendar.
/// </summary>
public sealed class PostgreSqlStoreEdgeCaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly PostgreSqlCluster _cluster;

    public PostgreSqlStoreEdgeCaseTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAsync_SchemaNamedLikeAnSqlKeyword_CreatesItAndCommits()
    {
        // A valid lower-case identifier that SQL reserves: the store must not write it where the parser reads a keyword.
        var options = _cluster.NewOptions("order");

        await using (var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct))
        {
            await store.AcceptAsync([Event("lot-A", "e-1")], new bool[1], Ct);
            await store.CommitAsync([NewState("lot-A", 0) with { ProcessedEvents = [new EventKey("qms://plant-1", "e-1")] }], Ct);
        }

        await using var reopened = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        (await reopened.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await reopened.ReadPendingEventsAsync(null, 0, 10, Ct)).Should().BeEmpty();
    }

    [Fact]
    public void Validate_SchemaWithThePrefixPostgreSqlReservesForItself_NamesTheSetting()
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = "Host=localhost", Schema = "pg_orchestration" };

        var act = options.Validate;

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Schema").And.Contain("pg_");
    }

    [Theory]
    [InlineData("Host=db;Password=Sup3r-Secret;Colour=blue")]
    [InlineData("Host=db;Password=Sup3r-Secret;Port=five")]
    [InlineData("Host=db;Password=Sup3r-Secret;Timeout=-3")]
    public void Validate_ListenConnectionStringThatIsNotAConnectionString_NamesTheSettingWithoutItsPassword(string listen)
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = "Host=localhost", ListenConnectionString = listen };

        var act = options.Validate;

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("ListenConnectionString").And.NotContain("Sup3r-Secret");
    }

    [Fact]
    public async Task ReadPendingEventsAsync_PendingEventWithoutItsEnvelope_ThrowsDataUnreadableNamingTheEvent()
    {
        var options = _cluster.NewOptions();
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        await store.AcceptAsync([Event("lot-A", "e-1")], new bool[1], Ct);
        await _cluster.ExecuteAsync($"UPDATE {options.Schema}.inbox SET envelope = NULL");

        var act = async () => await store.ReadPendingEventsAsync(null, 0, 10, Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain("e-1");
    }

    [Fact]
    public async Task ReadPendingCommandsAsync_CompensationWithoutItsRequest_ThrowsDataUnreadableNamingTheCommand()
    {
        var options = _cluster.NewOptions();
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        await store.CommitAsync([NewState("lot-A", 0) with { NewCommands = [Command("lot-A", "cmd-1")] }], Ct);
        await _cluster.ExecuteAsync($"UPDATE {options.Schema}.outbox SET compensation_request = NULL");

        var act = async () => await store.ReadPendingCommandsAsync("lot-A", Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain("cmd-1");
    }

    [Fact]
    public async Task ReadCommandAsync_StatusNumberThatNamesNoStatus_ThrowsDataUnreadableNamingTheCommand()
    {
        var options = _cluster.NewOptions();
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        await store.CommitAsync([NewState("lot-A", 0) with { NewCommands = [Command("lot-A", "cmd-1")] }], Ct);
        await _cluster.ExecuteAsync($"UPDATE {options.Schema}.outbox SET status = 99");

        var act = async () => await store.ReadCommandAsync("cmd-1", Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain("cmd-1").And.Contain("99");
    }

    [Theory]
    [InlineData("ERP-4711\0trailer")]
    [InlineData("refused: \ud800 half a character")]
    public async Task CommitAsync_CommandOutcomeWithTextPostgreSqlCannotHold_CommitsAndReadsBackWithAReplacementCharacter(string lastError)
    {
        // A target's reference or message is recorded as the command's last error: a NUL or half a surrogate pair in it,
        // which a PostgreSQL text column cannot hold, must not make the outcome's commit fail on every attempt.
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(), cancellationToken: Ct);
        var planned = Command("lot-A", "cmd-1");
        await store.CommitAsync([NewState("lot-A", 0) with { NewCommands = [planned, Command("lot-A", "cmd-2")] }], Ct);

        await store.CommitAsync(
            [
                new StepCommit
                {
                    PartitionKey = "lot-A",
                    ExpectedVersion = 1,
                    UpdatedCommands = [planned with { Status = OutboxStatus.Completed, Attempts = 1, LastError = lastError }],
                    NewCommands = [Command("lot-A", "cmd-3") with { LastError = lastError }],
                },
            ],
            Ct);

        foreach (var key in new[] { "cmd-1", "cmd-3" })
        {
            var stored = (await store.ReadCommandAsync(key, Ct))!;
            stored.LastError.Should().NotContain("\0").And.Contain("\ufffd").And.EndWith(lastError[^7..]);
        }

        (await store.ReadCommandAsync("cmd-1", Ct))!.Status.Should().Be(OutboxStatus.Completed);
    }

    [Fact]
    public async Task RetentionWindow_LongerThanTheTimeSinceYearOne_PrunesNothingAndCompletesEveryPass()
    {
        // The largest window the settings accept: now minus it is before the first moment a DateTimeOffset can hold.
        var time = new FakeTimeProvider(T0);
        var options = _cluster.NewOptions();
        options.RetentionWindow = TimeSpan.MaxValue;
        options.PruneInterval = TimeSpan.FromMinutes(10);
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, time, cancellationToken: Ct);
        await store.AcceptAsync([Event("lot-A", "e-old")], new bool[1], Ct);
        await store.CommitAsync([new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, ProcessedEvents = [new EventKey("qms://plant-1", "e-old")] }], Ct);

        time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3000 && store.LastPruneCutOff is null; i++)
        {
            await Task.Delay(10, Ct);
        }

        store.LastPruneCutOff.Should().Be(DateTimeOffset.MinValue, "the pass completed, with a cut-off before anything");
        var accepted = new bool[1];
        await store.AcceptAsync([Event("lot-A", "e-old")], accepted, Ct);
        accepted.Should().Equal([false], "the processed event is still remembered as a duplicate");
    }

    [Fact]
    public async Task TryAcquireLeaseGrantAsync_HolderRenewsWhileItsFencedCommitIsInFlight_IsGrantedWithTheSameEpoch()
    {
        var options = _cluster.NewOptions();
        options.LeaseLockTimeout = TimeSpan.FromMilliseconds(50);
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        var grant = (await store.TryAcquireLeaseGrantAsync("bucket:1", "node-1", T0.AddSeconds(30), T0, Ct))!;
        await store.CommitAsync([NewState("lot-A", 0) with { Fence = grant.FenceByKey }], Ct);

        // The holder's next commit passes its fence check, then waits for a row someone else has locked: its transaction
        // holds the lease row for as long as that lasts.
        await using var blocker = await _cluster.DataSource.OpenConnectionAsync(Ct);
        await using var blocking = await blocker.BeginTransactionAsync(Ct);
        await using (var lockState = new Npgsql.NpgsqlCommand($"SELECT 1 FROM {options.Schema}.partitions WHERE partition_key = 'lot-A' FOR UPDATE", blocker, blocking))
        {
            await lockState.ExecuteNonQueryAsync(Ct);
        }

        var commit = store.CommitAsync([NewState("lot-A", 1) with { Fence = grant.FenceByKey }], Ct).AsTask();
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            while ((long)(await _cluster.ScalarAsync("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0", options.Schema + "\".partitions"))! == 0)
            {
                commit.IsCompleted.Should().BeFalse("the commit must wait for the locked state row");
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
        }

        var renewed = await store.TryAcquireLeaseGrantAsync("bucket:1", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct);
        var takeover = await store.TryAcquireLeaseGrantAsync("bucket:1", "node-2", T0.AddSeconds(120), T0.AddSeconds(90), Ct);
        await blocking.RollbackAsync(Ct);
        await commit.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        renewed.Should().NotBeNull("the holder's own commit holds the row, and a renewal keeps the epoch it is fenced by");
        renewed!.Epoch.Should().Be(grant.Epoch);
        renewed.Until.Should().Be(T0.AddSeconds(60));
        takeover.Should().BeNull("a takeover still waits for the fenced commit");
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(2);
        (await store.ReadLeasesAsync("bucket:", Ct)).Should().ContainSingle().Which.Should().BeEquivalentTo(new { Owner = "node-1", Epoch = grant.Epoch, Until = T0.AddSeconds(60) });
    }

    [Fact]
    public async Task OpenAsync_SchemaAtVersion1WithALeaseHeld_MigratesAndTheHolderKeepsItsEpoch()
    {
        var options = _cluster.NewOptions();
        await PostgreSqlSchema.MigrateAsync(_cluster.DataSource, new PostgreSqlSql(options.Schema), options.Schema, T0.UtcTicks, 1, 30, Ct);
        await _cluster.ExecuteAsync($"INSERT INTO {options.Schema}.leases (partition_key, owner, until, epoch) VALUES ('bucket:1', 'node-1', $1, 4)", T0.AddSeconds(30).UtcTicks);

        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        (await _cluster.ScalarAsync($"SELECT MAX(version) FROM {options.Schema}.mo_schema_version")).Should().Be(PostgreSqlOrchestrationStore.SchemaVersion);
        (await store.TryAcquireLeaseGrantAsync("bucket:1", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct))!.Epoch.Should().Be(4);
        (await store.TryAcquireLeaseGrantAsync("bucket:1", "node-2", T0.AddSeconds(120), T0.AddSeconds(90), Ct))!.Epoch.Should().Be(5);
    }

    [Fact]
    public async Task CommitAsync_TwoBatchesOverTheSameKeysInOppositeOrder_OneConflictsAndNeitherDeadlocks()
    {
        // Two nodes during a takeover: each batch holds some of the keys' rows while it waits for the others. In one
        // order of locking, one waits for the other and then finds another version; in the batches' own orders they
        // would wait for each other, and the server would end one with a deadlock.
        var options = _cluster.NewOptions();
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        await store.CommitAsync([NewState("lot-1", 0), NewState("lot-2", 0), NewState("lot-3", 0)], Ct);

        // A row someone else holds keeps the first batch waiting in the middle of its state writes.
        await using var blocker = await _cluster.DataSource.OpenConnectionAsync(Ct);
        await using var blocking = await blocker.BeginTransactionAsync(Ct);
        await using (var lockState = new Npgsql.NpgsqlCommand($"SELECT 1 FROM {options.Schema}.partitions WHERE partition_key = 'lot-3' FOR UPDATE", blocker, blocking))
        {
            await lockState.ExecuteNonQueryAsync(Ct);
        }

        var first = store.CommitAsync([NewState("lot-1", 1), NewState("lot-3", 1), NewState("lot-2", 1)], Ct).AsTask();
        await WaitingForRowLocksAsync(options.Schema, 1, first);
        var second = store.CommitAsync([NewState("lot-2", 1), NewState("lot-1", 1)], Ct).AsTask();
        await WaitingForRowLocksAsync(options.Schema, 2, first, second);
        await blocking.RollbackAsync(Ct);

        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second)).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        outcomes.Should().ContainSingle(static e => e == null, "one batch commits").And.ContainSingle(static e => e is ConcurrencyConflictException, "the other finds the versions the first wrote");
        var versions = new[] { "lot-1", "lot-2", "lot-3" }.Select(key => store.LoadPartitionAsync(key, Ct).AsTask());
        (await Task.WhenAll(versions)).Select(static state => state!.Version).Should().BeSubsetOf([1L, 2L]);

        static async Task<Exception?> Outcome(Task commit)
        {
            try
            {
                await commit;
                return null;
            }
            catch (Exception ex) when (ex is ConcurrencyConflictException or Npgsql.PostgresException)
            {
                return ex;
            }
        }
    }

    [Fact]
    public async Task OpenAsync_SchemaHoldingATableOfTheStoresName_ThrowsNamingTheSchemaAndTheTableAndChangesNothing()
    {
        var options = _cluster.NewOptions();
        await _cluster.ExecuteAsync($"CREATE SCHEMA {options.Schema}");
        await _cluster.ExecuteAsync($"CREATE TABLE {options.Schema}.inbox (note text)");

        var act = async () => await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain($"'{options.Schema}'").And.Contain("table 'inbox'");
        (await _cluster.ScalarAsync("SELECT to_regclass($1) IS NULL", options.Schema + ".partitions")).Should().Be(true, "nothing of the store was created");
        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {options.Schema}.inbox")).Should().Be(0L);
    }

    [Theory]
    [InlineData("AS (note text)")]
    [InlineData("AS ENUM ('open', 'closed')")]
    public async Task OpenAsync_SchemaHoldingATypeOfATableName_ThrowsNamingTheSchemaAndTheTypeAndChangesNothing(string definition)
    {
        // Every table has a row type of its name: a type of the application's own under that name keeps it from being created.
        var options = _cluster.NewOptions();
        await _cluster.ExecuteAsync($"CREATE SCHEMA {options.Schema}");
        await _cluster.ExecuteAsync($"CREATE TYPE {options.Schema}.inbox {definition}");

        var act = async () => await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);

        var thrown = (await act.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        thrown.Message.Should().Contain($"'{options.Schema}'").And.Contain("type 'inbox'");
        (await _cluster.ScalarAsync("SELECT to_regclass($1) IS NULL", options.Schema + ".partitions")).Should().Be(true, "nothing of the store was created");
    }

    [Fact]
    public async Task OpenAsync_CancelledWhileTheMigrationCommits_CompletesTheMigrationAndOpens()
    {
        // A deferred trigger on the version table makes the migration's commit wait for a lock this test holds.
        var options = _cluster.NewOptions();
        var gate = Random.Shared.NextInt64();
        await _cluster.ExecuteAsync($"CREATE SCHEMA {options.Schema}");
        await _cluster.ExecuteAsync($"CREATE TABLE {options.Schema}.mo_schema_version (version integer NOT NULL PRIMARY KEY, applied_at bigint NOT NULL, library text NOT NULL)");
        await _cluster.ExecuteAsync($"CREATE FUNCTION {options.Schema}.hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared({gate}); RETURN NULL; END $$");
        await _cluster.ExecuteAsync($"CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON {options.Schema}.mo_schema_version DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {options.Schema}.hold_commit()");
        await using var holder = await _cluster.DataSource.OpenConnectionAsync(Ct);
        await using (var hold = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({gate})", holder))
        {
            await hold.ExecuteNonQueryAsync(Ct);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var open = PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: cancel.Token);
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            while ((long)(await _cluster.ScalarAsync("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND query = 'COMMIT'"))! == 0)
            {
                open.IsCompleted.Should().BeFalse("the migration's commit must wait for the gate");
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
        }

        await cancel.CancelAsync();
        await using (var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({gate})", holder))
        {
            await release.ExecuteNonQueryAsync(Ct);
        }

        await using var store = await open.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        (await _cluster.ScalarAsync($"SELECT MAX(version) FROM {options.Schema}.mo_schema_version")).Should().Be(PostgreSqlOrchestrationStore.SchemaVersion);
        await store.CommitAsync([NewState("lot-A", 0)], Ct);
    }

    [Fact]
    public async Task AcceptAsync_CommitThatFails_ReportsNoEventAcceptedAndARetryAcceptsThem()
    {
        // A deferred trigger on the inbox makes the batch's COMMIT itself fail, after every statement of it has run.
        var options = _cluster.NewOptions();
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        await _cluster.ExecuteAsync($"CREATE FUNCTION {options.Schema}.refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'commit refused'; END $$");
        await _cluster.ExecuteAsync($"CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON {options.Schema}.inbox DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {options.Schema}.refuse_commit()");
        InboxEvent[] events = [Event("lot-A", "e-1"), Event("lot-B", "e-2")];
        var accepted = new bool[2];

        var act = async () => await store.AcceptAsync(events, accepted, Ct);

        (await act.Should().ThrowAsync<Npgsql.PostgresException>()).Which.MessageText.Should().Be("commit refused");
        accepted.Should().Equal([false, false], "the batch was rolled back");
        (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {options.Schema}.inbox")).Should().Be(0L);

        await _cluster.ExecuteAsync($"DROP TRIGGER refuse_commit ON {options.Schema}.inbox");
        var stored = await store.AcceptAsync(events, accepted, Ct);

        accepted.Should().Equal([true, true]);
        stored.Select(static e => e.Key.Id).Should().Equal("e-1", "e-2");
    }

    [Fact]
    public async Task WaitForAcceptedEventsAsync_ListenConnectionThatCannotOpen_EndsTheWaitAndReportsWhyWithoutThePassword()
    {
        var options = _cluster.NewOptions();
        options.ListenConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { Password = "Wr0ng-listen-secret" }.ConnectionString;
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        store.ListenFailure.Should().BeNull("nothing listened yet");

        await store.WaitForAcceptedEventsAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        store.ListenFailure.Should().NotBeNull();
        store.ListenFailure!.Message.Should().NotContain("Wr0ng-listen-secret");
    }

    [Fact]
    public async Task WaitForAcceptedEventsAsync_ListenConnectionThatOpens_ReportsNoFailure()
    {
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(), cancellationToken: Ct);

        // The first wait ends once the connection listens: whatever was accepted before is looked for then.
        await store.WaitForAcceptedEventsAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        store.ListenFailure.Should().BeNull();
    }

    [Fact]
    public async Task WaitForAcceptedEventsAsync_ListenConnectionThatFailsAgainAndThenListens_LogsTheFailureOnceAndTheRecovery()
    {
        var options = _cluster.NewOptions();
        var role = options.Schema + "_listener";
        await _cluster.ExecuteAsync($"CREATE ROLE {role} NOLOGIN PASSWORD 'listen-pw'");
        options.ListenConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(_cluster.ConnectionString) { Username = role, Password = "listen-pw" }.ConnectionString;
        using var logs = new CapturingLoggerFactory();
        options.LoggerFactory = logs;
        var time = new FakeTimeProvider(T0);
        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, time, cancellationToken: Ct);

        // Each wait ends at a failed attempt at the earliest after it began: three waits, three failed attempts at least.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await NextListenAttemptAsync(store, time);
        }

        store.ListenFailure.Should().NotBeNull();
        var failed = logs.Entries.Should().ContainSingle("the same failure is reported once, not at each attempt").Which;
        failed.Level.Should().Be(LogLevel.Warning);
        failed.Message.Should().Contain(options.Schema).And.Contain(store.ListenFailure!.Message).And.NotContain("listen-pw");

        await _cluster.ExecuteAsync($"ALTER ROLE {role} LOGIN");
        for (var attempt = 0; store.ListenFailure is not null; attempt++)
        {
            attempt.Should().BeLessThan(10, "a role that may log in is listened with at the next attempt or the one after");
            await NextListenAttemptAsync(store, time);
        }

        logs.Entries.Should().HaveCount(2);
        logs.Entries[1].Level.Should().Be(LogLevel.Information);
        logs.Entries[1].Message.Should().Contain(options.Schema);
    }

    [Theory]
    [InlineData(null, PostgreSqlOrchestrationStore.ListenKeepAliveSeconds)]
    [InlineData("Keepalive=7", 7)]
    public async Task CreateListenConnection_FromAConnectionString_SendsKeepalivesUnlessItSetsItsOwn(string? listenSetting, int keepAlive)
    {
        var options = _cluster.NewOptions();
        options.DataSource = null;
        options.ConnectionString = _cluster.ConnectionString;
        if (listenSetting is not null)
        {
            options.ListenConnectionString = _cluster.ConnectionString + ";" + listenSetting;
        }

        await using var store = await PostgreSqlOrchestrationStore.OpenAsync(options, cancellationToken: Ct);
        await using var connection = store.CreateListenConnection();

        new Npgsql.NpgsqlConnectionStringBuilder(connection.ConnectionString).KeepAlive.Should().Be(keepAlive);
    }

    /// <summary>Waits for the listening connection's next attempt to end, moving the clock on past each retry's second.</summary>
    private static async Task NextListenAttemptAsync(PostgreSqlOrchestrationStore store, FakeTimeProvider time)
    {
        var wait = store.WaitForAcceptedEventsAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!wait.IsCompleted)
        {
            deadline.Token.ThrowIfCancellationRequested();
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(wait, Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token));
        }

        await wait;
    }

    /// <summary>Waits until <paramref name="count"/> statements on the schema's partitions wait for a row lock; the commits must not end meanwhile.</summary>
    private async Task WaitingForRowLocksAsync(string schema, long count, params Task[] commits)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while ((long)(await _cluster.ScalarAsync("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0", schema + "\".partitions"))! < count)
        {
            commits.Should().OnlyContain(static commit => !commit.IsCompleted, "each commit must wait for a locked state row");
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    private static StepCommit NewState(string partitionKey, long expectedVersion) =>
        new() { PartitionKey = partitionKey, ExpectedVersion = expectedVersion, NewState = new PartitionState { Key = partitionKey, Version = expectedVersion + 1 } };

    private static OutboxEntry Command(string partitionKey, string idempotencyKey) => new()
    {
        IdempotencyKey = idempotencyKey,
        PartitionKey = partitionKey,
        Ordinal = 1,
        Kind = "erp.block-stock",
        Payload = new CommandPayload("{\"lot\":\"L-1\"}"u8.ToArray()),
        CorrelationId = "corr-1",
        CausedBy = new EventKey("qms://plant-1", "e-1"),
        Step = "block",
        Workflow = "inspection-failed",
        CreatedAt = T0,
        Compensation = new CompensationPlan { Kind = "erp.unblock-stock", Payload = new CommandPayload("{\"lot\":\"L-1\"}"u8.ToArray()) },
    };

    private static InboxEvent Event(string partitionKey, string id) => new()
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
            PartitionKey = partitionKey,
            Data = new InspectionPassed
            {
                InspectionLot = new InspectionLotId($"IL-{partitionKey}"),
                Lot = new LotId(partitionKey),
                Material = new MaterialId("M-100"),
                Site = new SiteId("plant-1"),
            },
        },
    };
}
