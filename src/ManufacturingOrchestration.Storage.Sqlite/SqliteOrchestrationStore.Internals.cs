using System.Text.Json;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

public sealed partial class SqliteOrchestrationStore
{
    private const string OutboxColumns =
        "idempotency_key, partition_key, ordinal, kind, request, correlation_id, caused_source, caused_id, step, workflow, created_at, status, attempts, next_attempt_at, last_error, revision_of, compensation_kind, compensation_request, trace_parent";

    private const string UpsertCommandSql =
        "INSERT INTO outbox (" + OutboxColumns + ") VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18) "
        + "ON CONFLICT (idempotency_key) DO UPDATE SET partition_key = excluded.partition_key, ordinal = excluded.ordinal, kind = excluded.kind, request = excluded.request, "
        + "correlation_id = excluded.correlation_id, caused_source = excluded.caused_source, caused_id = excluded.caused_id, step = excluded.step, workflow = excluded.workflow, "
        + "created_at = excluded.created_at, status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, "
        + "revision_of = excluded.revision_of, compensation_kind = excluded.compensation_kind, compensation_request = excluded.compensation_request, trace_parent = excluded.trace_parent";

    private const long PruneChunk = 10_000;

    /// <summary>A partition's audit rows with every column a query reads, by sequence (served by the unique (partition_key, sequence) index).</summary>
    internal const string AuditStoredSql = "SELECT id, partition_key, sequence, action, recorded_at, record FROM audit WHERE partition_key = $p0 ORDER BY sequence";

    /// <summary>The audit records of an action in a time range, oldest first (served by the <c>audit_action</c> index).</summary>
    internal const string AuditByActionSql = "SELECT record FROM audit WHERE action = $p0 AND recorded_at >= $p1 AND recorded_at < $p2 ORDER BY recorded_at, id LIMIT $p3";

    /// <summary>A page of the keys waiting for a value (served by the <c>partition_waiting_for</c> index).</summary>
    internal const string WaitingForSql = "SELECT partition_key FROM partition_waiting WHERE waiting_for = $p0 AND partition_key > $p1 ORDER BY partition_key LIMIT $p2";

    /// <summary>Forgets what a key waited for, before its new state's values are written (served by the primary key).</summary>
    internal const string ClearWaitingSql = "DELETE FROM partition_waiting WHERE partition_key = $p0";

    /// <summary>Runs <paramref name="work"/> in one immediate transaction on the writer connection; rolls everything back when it throws.</summary>
    private async ValueTask WriteAsync(Action work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            var position = _lastPosition;

            // A transaction an earlier write could not roll back (its ROLLBACK failed) is ended first: the writer is never
            // left refusing every later write with "cannot start a transaction within a transaction".
            if (InTransaction(_writer))
            {
                _writer.Statement("ROLLBACK").ExecuteNonQuery();
            }

            _writer.Statement("BEGIN IMMEDIATE").ExecuteNonQuery();
            try
            {
                work();
                _writer.Statement("COMMIT").ExecuteNonQuery();
                _checkpointer.Committed();
            }
            catch
            {
                _lastPosition = position;
                TryRollBack(_writer);
                throw;
            }
        }
        finally
        {
            _writeLock.Release();

            // A Dispose that stopped waiting for this write left the writer and the file to it.
            if (_disposed && Volatile.Read(ref _writerClosed) == 0 && _writeLock.Wait(0))
            {
                try
                {
                    CloseWriter();
                }
                finally
                {
                    _writeLock.Release();
                }
            }
        }
    }

    /// <summary>Whether the connection is inside a transaction (SQLite ends one itself after some errors: disk full, I/O, interrupt).</summary>
    private static bool InTransaction(SqliteCommandCache connection) => InTransaction(connection.Connection);

    /// <summary>Whether the connection is inside a transaction (SQLite ends one itself after some errors: disk full, I/O, interrupt).</summary>
    private static bool InTransaction(SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    /// <summary>Rolls back the transaction of a failed call on a connection of the store (see the overload on a raw connection).</summary>
    private static void TryRollBack(SqliteCommandCache connection) =>
        TryRollBack(connection.Connection, () => connection.Statement("ROLLBACK").ExecuteNonQuery());

    /// <summary>
    /// Rolls back the transaction of a failed call (a write, a read, a migration), if SQLite has not ended it already (it
    /// does after some errors: disk full, I/O, interrupt). A ROLLBACK that fails itself is swallowed: the caller throws the
    /// error that failed the call, never this one. Nothing of the transaction is committed; what is left open is ended by
    /// the caller's next step (the writer's next write rolls it back before it begins, a failed read's connection is
    /// closed, not pooled, a failed migration's connection is closed by <c>Open</c>).
    /// </summary>
    /// <param name="connection">The connection whose transaction is rolled back.</param>
    /// <param name="rollBack">Runs <c>ROLLBACK</c> on it (the writer's prepared statement, or a plain command).</param>
    internal static void TryRollBack(SqliteConnection connection, Action rollBack)
    {
        if (!InTransaction(connection))
        {
            return;
        }

        try
        {
            rollBack();
        }
        catch (SqliteException)
        {
            // See above: the transaction stays open until the caller's next step ends it.
        }
    }

    /// <summary>Runs a query on a pooled reader connection.</summary>
    private ValueTask<T> Read<T>(Func<SqliteCommandCache, T> query)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reader = RentReader();
        try
        {
            return new ValueTask<T>(query(reader));
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    private SqliteCommandCache RentReader()
    {
        if (_idleReaders.TryTake(out var reader))
        {
            return reader;
        }

        var builder = new SqliteConnectionStringBuilder(_connectionString) { Mode = SqliteOpenMode.ReadWrite };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            SetBusyTimeout(connection, _options.BusyTimeout);
            Pragma(connection, "PRAGMA query_only = 1");
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        Interlocked.Increment(ref _readerCount);
        return new SqliteCommandCache(connection);
    }

    private void ReturnReader(SqliteCommandCache reader)
    {
        // A connection that a failed read left inside its transaction would serve every later read from that old
        // snapshot and refuse the next read transaction: it is closed, not pooled.
        if (_disposed || InTransaction(reader) || _idleReaders.Count >= _options.MaxReaderConnections)
        {
            CloseReader(reader);
            return;
        }

        ReaderReturning?.Invoke(reader.Connection);
        _idleReaders.Add(reader);
        Interlocked.MemoryBarrier();

        // A Dispose that drained the pool between the check above and the add never saw this connection: close it here.
        if (_disposed)
        {
            CloseIdleReaders();
        }
    }

    /// <summary>Closes every pooled reader connection (a read that returns one after this closes it itself).</summary>
    private void CloseIdleReaders()
    {
        while (_idleReaders.TryTake(out var reader))
        {
            CloseReader(reader);
        }
    }

    private void CloseReader(SqliteCommandCache reader)
    {
        Interlocked.Decrement(ref _readerCount);
        reader.Dispose();
    }

    private PreparedCommit Prepare(StepCommit commit, PooledBytes buffer)
    {
        ArgumentNullException.ThrowIfNull(commit);
        commit.ThrowIfInconsistent();
        var state = NoBytes;
        IReadOnlyCollection<string> waiting = [];
        if (commit.NewState is { } newState)
        {
            var start = buffer.Written;
            StoredRecordJson.Write(buffer, newState);
            state = (start, buffer.Written - start);
            waiting = SqliteSchema.WaitingValues(newState);
        }

        var commands = new PreparedCommand[commit.NewCommands.Count + commit.UpdatedCommands.Count];
        var c = 0;
        foreach (var entry in commit.NewCommands)
        {
            commands[c++] = PrepareCommand(entry);
        }

        foreach (var entry in commit.UpdatedCommands)
        {
            // Updates change only the life of a command (status, attempts, schedule, last error): no request to serialize.
            ArgumentNullException.ThrowIfNull(entry);
            commands[c++] = new PreparedCommand(entry, false, default, null);
        }

        var audit = commit.Audit.Count == 0 ? [] : new (int Start, int Length)[commit.Audit.Count];
        for (var i = 0; i < audit.Length; i++)
        {
            var start = buffer.Written;
            StoredRecordJson.Write(buffer, commit.Audit[i]);
            audit[i] = (start, buffer.Written - start);
        }

        var followUps = commit.FollowUpEvents.Count == 0 ? [] : new (int Start, int Length)[commit.FollowUpEvents.Count];
        for (var i = 0; i < followUps.Length; i++)
        {
            followUps[i] = WriteEnvelope(buffer, commit.FollowUpEvents[i].Envelope);
        }

        var deadLetters = commit.DeadLetters.Count == 0 ? [] : new byte[commit.DeadLetters.Count][];
        for (var i = 0; i < deadLetters.Length; i++)
        {
            deadLetters[i] = StoredRecordJson.Write(commit.DeadLetters[i]);
        }

        return new PreparedCommit(commit, state, waiting, commands, audit, followUps, deadLetters);
    }

    private static PreparedCommand PrepareCommand(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // The payloads' own bytes, bound as they are (the command payload keeps them; no copy per commit).
        return new PreparedCommand(entry, true, entry.Payload.Utf8Json, entry.Compensation?.Payload.Utf8Json);
    }

    /// <summary>Throws <see cref="LeaseLostException"/> unless the lease the commit's fence names (the partition's own by default) has its owner and epoch (called in the write transaction).</summary>
    private void CheckFence(StepCommit commit)
    {
        if (commit.Fence is { } fence
            && _writer.Statement("SELECT 1 FROM leases WHERE partition_key = $p0 AND owner = $p1 AND epoch = $p2", 3).With(fence.LeaseKey ?? commit.PartitionKey, fence.Owner, fence.Epoch).ExecuteScalar() is null)
        {
            throw new LeaseLostException(commit.PartitionKey, fence);
        }
    }

    private void Apply(in PreparedCommit prepared, PooledBytes buffer, Dictionary<string, long> versions, Dictionary<string, long> auditCounts)
    {
        var commit = prepared.Commit;
        var key = commit.PartitionKey;
        var known = versions.TryGetValue(key, out var current);
        if (known && current != commit.ExpectedVersion)
        {
            throw new ConcurrencyConflictException(key, commit.ExpectedVersion, current);
        }

        if (prepared.State.Length >= 0)
        {
            var state = buffer.Slice(prepared.State);
            // The version check is the write itself: an insert only where the key is new, an update only of the expected
            // version; no row written means another version is stored (the read that says which runs only then).
            var written = commit.ExpectedVersion == 0
                ? _writer.Statement("INSERT INTO partitions (partition_key, version, state) VALUES ($p0, $p1, $p2) ON CONFLICT (partition_key) DO NOTHING", 3)
                    .With(0, key).With(1, commit.NewState!.Version).WithBlob(2, state).ExecuteNonQuery()
                : _writer.Statement("UPDATE partitions SET version = $p1, state = $p2 WHERE partition_key = $p0 AND version = $p3", 4)
                    .With(0, key).With(1, commit.NewState!.Version).WithBlob(2, state).With(3, commit.ExpectedVersion).ExecuteNonQuery();
            if (written != 1)
            {
                throw new ConcurrencyConflictException(key, commit.ExpectedVersion, StoredVersion(key));
            }

            current = commit.NewState.Version;

            // The waiting index follows the state it is derived from, in the same transaction (a key's first state has
            // nothing indexed to clear: its rows are only ever written with a state of that key).
            if (commit.ExpectedVersion > 0)
            {
                _writer.Statement(ClearWaitingSql, 1).With(key).ExecuteNonQuery();
            }

            foreach (var waitingFor in prepared.Waiting)
            {
                _writer.Statement("INSERT INTO partition_waiting (partition_key, waiting_for) VALUES ($p0, $p1)", 2).With(key, waitingFor).ExecuteNonQuery();
            }
        }
        else if (!known)
        {
            current = StoredVersion(key);
            if (current != commit.ExpectedVersion)
            {
                throw new ConcurrencyConflictException(key, commit.ExpectedVersion, current);
            }
        }

        versions[key] = current;

        // An event whose step planned commands keeps its envelope until pruned: it may have to be decided again when a
        // target refuses one of them as stale (ReadEventAsync).
        var processedSql = commit.NewCommands.Count > 0
            ? "UPDATE inbox SET processed = 1 WHERE source = $p0 AND event_id = $p1 AND processed = 0"
            : "UPDATE inbox SET processed = 1, envelope = NULL WHERE source = $p0 AND event_id = $p1 AND processed = 0";
        foreach (var processed in commit.ProcessedEvents)
        {
            _writer.Statement(processedSql, 2).With(processed.Source, processed.Id).ExecuteNonQuery();
        }

        foreach (var command in prepared.Commands)
        {
            UpsertCommand(command);
        }

        if (prepared.Audit.Length > 0)
        {
            if (!auditCounts.TryGetValue(key, out var count))
            {
                count = (long)_writer.Statement("SELECT COALESCE(MAX(sequence), 0) FROM audit WHERE partition_key = $p0", 1).With(key).ExecuteScalar()!;
            }

            for (var i = 0; i < prepared.Audit.Length; i++)
            {
                var record = commit.Audit[i];
                if (record.Sequence != count + 1)
                {
                    throw new ArgumentException($"Audit record {record.Sequence} of '{key}' does not continue the chain at {count + 1}; nothing was committed.", nameof(prepared));
                }

                _writer.Statement("INSERT INTO audit (partition_key, sequence, record, action, recorded_at) VALUES ($p0, $p1, $p2, $p3, $p4)", 5)
                    .With(0, key).With(1, record.Sequence).WithBlob(2, buffer.Slice(prepared.Audit[i])).With(3, record.Action).With(4, record.RecordedAt.UtcTicks).ExecuteNonQuery();
                count = record.Sequence;
            }

            auditCounts[key] = count;
        }

        for (var i = 0; i < prepared.FollowUps.Length; i++)
        {
            TryInsertInbox(commit.FollowUpEvents[i], buffer.Slice(prepared.FollowUps[i]));
        }

        foreach (var timer in commit.Timers)
        {
            _writer.Statement("INSERT INTO timers (id, partition_key, due_at, purpose, data) VALUES ($p0, $p1, $p2, $p3, $p4) ON CONFLICT (id) DO UPDATE SET partition_key = excluded.partition_key, due_at = excluded.due_at, purpose = excluded.purpose, data = excluded.data", 5)
                .With(timer.Id, timer.PartitionKey, timer.DueAt.UtcTicks).With(3, timer.Purpose).With(4, timer.Data).ExecuteNonQuery();
        }

        foreach (var timerId in commit.CancelledTimers)
        {
            _writer.Statement("DELETE FROM timers WHERE id = $p0", 1).With(timerId).ExecuteNonQuery();
        }

        for (var i = 0; i < prepared.DeadLetters.Length; i++)
        {
            var deadLetter = commit.DeadLetters[i];
            _writer.Statement("INSERT INTO dead_letters (id, partition_key, site, at, is_open, record) VALUES ($p0, $p1, $p2, $p3, $p4, $p5) ON CONFLICT (id) DO UPDATE SET partition_key = excluded.partition_key, site = excluded.site, at = excluded.at, is_open = excluded.is_open, record = excluded.record", 6)
                .With(deadLetter.Id, deadLetter.PartitionKey, deadLetter.Site).With(3, deadLetter.At.UtcTicks).With(4, deadLetter.IsOpen ? 1L : 0L).With(5, prepared.DeadLetters[i]).ExecuteNonQuery();
        }
    }

    private long StoredVersion(string key) =>
        _writer.Statement("SELECT version FROM partitions WHERE partition_key = $p0", 1).With(key).ExecuteScalar() is long stored ? stored : 0;

    private void UpsertCommand(PreparedCommand prepared)
    {
        var entry = prepared.Entry;
        if (!prepared.Full)
        {
            var updated = _writer.Statement("UPDATE outbox SET status = $p1, attempts = $p2, next_attempt_at = $p3, last_error = $p4 WHERE idempotency_key = $p0", 5)
                .With(entry.IdempotencyKey, (long)entry.Status, (long)entry.Attempts).With(3, entry.NextAttemptAt?.UtcTicks).With(4, entry.LastError)
                .ExecuteNonQuery();
            if (updated == 1)
            {
                return;
            }

            // An update of a command this store never saw: keep all of it.
            prepared = PrepareCommand(entry);
        }

        var command = _writer.Statement(UpsertCommandSql, 19);
        command.With(0, entry.IdempotencyKey).With(1, entry.PartitionKey).With(2, entry.Ordinal).With(3, entry.Kind).WithBlob(4, prepared.Request.Span)
            .With(5, entry.CorrelationId).With(6, entry.CausedBy.Source).With(7, entry.CausedBy.Id).With(8, entry.Step).With(9, entry.Workflow)
            .With(10, entry.CreatedAt.UtcTicks).With(11, (long)entry.Status).With(12, (long)entry.Attempts).With(13, entry.NextAttemptAt?.UtcTicks)
            .With(14, entry.LastError).With(15, entry.RevisionOf).With(16, entry.Compensation?.Kind).WithBlob(17, prepared.Compensation).With(18, entry.TraceParent);
        command.ExecuteNonQuery();
    }

    /// <summary>Inserts an event unless (source, id) is already known; returns it with its position, or <see langword="null"/> for a duplicate.</summary>
    private InboxEvent? TryInsertInbox(InboxEvent incoming, ReadOnlySpan<byte> envelope)
    {
        var position = _lastPosition + 1;
        var inserted = _writer.Statement("INSERT INTO inbox (position, source, event_id, partition_key, accepted_at, processed, envelope) VALUES ($p0, $p1, $p2, $p3, $p4, 0, $p5) ON CONFLICT (source, event_id) DO NOTHING", 6)
            .With(position, incoming.Key.Source, incoming.Key.Id).With(3, incoming.PartitionKey).With(4, incoming.AcceptedAt.UtcTicks).WithBlob(5, envelope)
            .ExecuteNonQuery();
        if (inserted == 0)
        {
            return null;
        }

        _lastPosition = position;
        return incoming with { Position = position };
    }

    /// <summary>
    /// The bytes of a column the store writes as a blob. SQLite keeps whatever a statement stores, so a value put there
    /// by hand as text (or NULL) is damaged data and reported as such, naming <paramref name="what"/>: never read as
    /// absent, never a failed cast.
    /// </summary>
    private static byte[] StoredBytes(object? stored, string what) => stored as byte[]
        ?? throw new ManufacturingOrchestrationException(
            ReasonCodes.StoreDataUnreadable,
            $"The store could not read back {what}: it is stored as {(stored is null or DBNull ? "NULL" : stored is string ? "text" : "a number")}, not as the bytes the store writes.");

    private InboxEvent ReadInboxEvent(SqliteDataReader rows)
    {
        var source = rows.GetString(1);
        var id = rows.GetString(2);
        var blob = StoredBytes(rows.GetValue(5), $"event {source}#{id}");
        var parsed = _serializer.Parse(new ReadOnlyMemory<byte>(blob));
        if (!parsed.IsSuccess)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.StoreDataUnreadable, $"The store could not read back event {source}#{id}: {parsed}");
        }

        return new InboxEvent
        {
            Position = rows.GetInt64(0),
            Key = new EventKey(source, id),
            PartitionKey = rows.GetString(3),
            AcceptedAt = SqliteCommandExtensions.FromTicks(rows.GetInt64(4)),
            Envelope = parsed.Envelope!,
        };
    }

    /// <summary>A partition's state, or <see langword="null"/> when it was never committed (every new lot: a statement of its own, not a command).</summary>
    private static PartitionState? ReadPartitionState(SqliteCommandCache reader, string partitionKey)
    {
        // No row is a partition never committed; a row whose state is not a blob is a damaged one, not a new one.
        if (reader.Statement("SELECT state FROM partitions WHERE partition_key = $p0", 1).With(0, partitionKey).ExecuteScalar() is not { } stored)
        {
            return null;
        }

        var what = $"the state of partition '{partitionKey}'";
        return StoredRecordJson.ReadPartitionState(StoredBytes(stored, what), what);
    }

    private static List<OutboxEntry> ReadCommands(SqliteCommand command)
    {
        var result = new List<OutboxEntry>();
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            var key = rows.GetString(0);
            var kind = rows.GetString(3);
            result.Add(new OutboxEntry
            {
                IdempotencyKey = key,
                PartitionKey = rows.GetString(1),
                Ordinal = rows.GetInt64(2),
                Kind = kind,
                Payload = new CommandPayload(StoredBytes(rows.GetValue(4), $"the request of command '{key}'")),
                CorrelationId = rows.GetString(5),
                CausedBy = new EventKey(rows.GetString(6), rows.GetString(7)),
                Step = rows.GetString(8),
                Workflow = rows.GetString(9),
                CreatedAt = SqliteCommandExtensions.FromTicks(rows.GetInt64(10)),
                Status = (OutboxStatus)rows.GetInt64(11),
                Attempts = (int)rows.GetInt64(12),
                NextAttemptAt = rows.IsDBNull(13) ? null : SqliteCommandExtensions.FromTicks(rows.GetInt64(13)),
                LastError = rows.IsDBNull(14) ? null : rows.GetString(14),
                RevisionOf = rows.IsDBNull(15) ? null : rows.GetString(15),
                Compensation = rows.IsDBNull(16)
                    ? null
                    : new CompensationPlan { Kind = rows.GetString(16), Payload = new CommandPayload(StoredBytes(rows.GetValue(17), $"the compensation request of command '{key}'")) },
                TraceParent = rows.IsDBNull(18) ? null : rows.GetString(18),
            });
        }

        return result;
    }

    /// <summary>
    /// Deletes the prunable rows of a table in chunks of at most <see cref="PruneChunk"/> rows, one short transaction each.
    /// A chunk ends at its last row's key (<paramref name="chunkEndSql"/>: the key <see cref="PruneChunk"/> - 1 rows after
    /// the first at or above <c>$p0</c>), not at a key computed by adding to one, so keys far apart or near
    /// <see cref="long.MaxValue"/> neither overflow nor make the pass walk through empty ranges.
    /// </summary>
    private async ValueTask<long> PruneTableAsync(string maxSql, string chunkEndSql, string deleteSql, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        // Rows added after this read are left to the next pass: a steady stream of them never keeps this one going.
        if (await Read(reader => reader.Get(maxSql).ExecuteScalar()).ConfigureAwait(false) is not long max)
        {
            return 0;
        }

        long removed = 0;
        var low = long.MinValue;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var from = low;
            var to = max;
            await WriteAsync(
                () =>
                {
                    to = _writer.Statement(chunkEndSql, 2).With(0, from).With(1, PruneChunk - 1).ExecuteScalar() is long end && end < max ? end : max;
                    removed += _writer.Statement(deleteSql, 3).With(0, from).With(1, to).With(2, olderThan.UtcTicks).ExecuteNonQuery();
                },
                cancellationToken).ConfigureAwait(false);
            if (to >= max)
            {
                return removed;
            }

            low = to + 1;
        }
    }

    /// <summary>
    /// A tick of the prune timer: asks for a prune up to the window's cut-off as of now. Ticks that come while a prune
    /// runs are not lost: the running pass goes round again with the latest cut-off, so the newest tick always prunes.
    /// </summary>
    private void PruneInBackground()
    {
        if (_disposed || _options.RetentionWindow is null)
        {
            return;
        }

        Interlocked.Exchange(ref _pruneRequested, 1);
        if (Interlocked.Exchange(ref _pruning, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                while (!_disposed && Interlocked.Exchange(ref _pruneRequested, 0) == 1)
                {
                    try
                    {
                        var cutOff = RetentionCutOff.At(_time.GetUtcNow(), _options.RetentionWindow!.Value);
                        if (cutOff > DateTimeOffset.MinValue)
                        {
                            await PruneAsync(cutOff, CancellationToken.None).ConfigureAwait(false);
                        }

                        Interlocked.Exchange(ref _lastPruneCutOffTicks, cutOff.UtcTicks);
                    }
#pragma warning disable CA1031 // A pass on a pool thread must never take the host down nor go unobserved: nothing committed depends on it.
                    catch (Exception)
                    {
                        // Closed, busy, or a clock that failed: the next tick tries again.
                    }
#pragma warning restore CA1031
                }
            }
            finally
            {
                Volatile.Write(ref _pruning, 0);
            }

            // A tick that came between the last check and the release above starts its own pass.
            if (!_disposed && Volatile.Read(ref _pruneRequested) == 1)
            {
                PruneInBackground();
            }
        });
    }

    /// <summary>
    /// Writes an event's CloudEvents JSON into <paramref name="buffer"/> (the bytes of
    /// <see cref="EventSerializer.SerializeToUtf8Bytes"/>, written with its writer settings) and returns where it is.
    /// </summary>
    private (int Start, int Length) WriteEnvelope(PooledBytes buffer, EventEnvelope envelope)
    {
        var start = buffer.Written;
        var writer = _envelopeWriter;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
            _envelopeWriter = writer;
        }
        else
        {
            writer.Reset(buffer);
        }

        try
        {
            _serializer.Serialize(writer, envelope);
            writer.Flush();
        }
        finally
        {
            writer.Reset();
        }

        return (start, buffer.Written - start);
    }

    /// <summary>One envelope writer per thread, pointed at a batch's buffer for each event.</summary>
    [ThreadStatic]
    private static Utf8JsonWriter? _envelopeWriter;

    /// <summary>No bytes: a range of length -1.</summary>
    private static readonly (int Start, int Length) NoBytes = (0, -1);

    /// <summary>
    /// A commit serialized before the write lock is taken; <see cref="State"/> and <see cref="Audit"/> are ranges of the
    /// batch's pooled buffer (a length of -1: no new state).
    /// </summary>
    private readonly record struct PreparedCommit(StepCommit Commit, (int Start, int Length) State, IReadOnlyCollection<string> Waiting, PreparedCommand[] Commands, (int Start, int Length)[] Audit, (int Start, int Length)[] FollowUps, byte[][] DeadLetters);

    /// <summary>A command to write: all of it (<paramref name="Full"/>), or only its life (status, attempts, schedule, last error).</summary>
    private readonly record struct PreparedCommand(OutboxEntry Entry, bool Full, ReadOnlyMemory<byte> Request, ReadOnlyMemory<byte>? Compensation);
}
