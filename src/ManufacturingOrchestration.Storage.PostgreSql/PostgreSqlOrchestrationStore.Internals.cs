using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using Npgsql;
using NpgsqlTypes;

namespace ManufacturingOrchestration.Storage.PostgreSql;

public sealed partial class PostgreSqlOrchestrationStore
{
    private const string InboxColumns = "position, source, event_id, partition_key, accepted_at, envelope";

    private const string OutboxColumns =
        "idempotency_key, partition_key, ordinal, kind, request, correlation_id, caused_source, caused_id, step, workflow, created_at, status, attempts, next_attempt_at, last_error, revision_of, compensation_kind, compensation_request, trace_parent";

    /// <summary>The outbox columns as arrays, one element per command, in <see cref="OutboxColumns"/>' order.</summary>
    private const string OutboxRows =
        "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bytea[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], "
        + "$12::integer[], $13::integer[], $14::bigint[], $15::text[], $16::text[], $17::text[], $18::bytea[], $19::text[])";

    /// <summary>A new command: every column is written, also over a row of the same key.</summary>
    private const string UpsertCommandsSql =
        "INSERT INTO §outbox (" + OutboxColumns + ") " + OutboxRows + " "
        + "ON CONFLICT (idempotency_key) DO UPDATE SET partition_key = excluded.partition_key, ordinal = excluded.ordinal, kind = excluded.kind, request = excluded.request, "
        + "correlation_id = excluded.correlation_id, caused_source = excluded.caused_source, caused_id = excluded.caused_id, step = excluded.step, workflow = excluded.workflow, "
        + "created_at = excluded.created_at, status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, "
        + "revision_of = excluded.revision_of, compensation_kind = excluded.compensation_kind, compensation_request = excluded.compensation_request, trace_parent = excluded.trace_parent";

    /// <summary>
    /// An updated command: only its life changes (status, attempts, schedule, last error), so only those travel. The
    /// statement counts the rows it changed; fewer than it was given means commands this store never saw, which
    /// <see cref="KeepUnseenCommandsSql"/> then keeps whole.
    /// </summary>
    private const string UpdateCommandsSql =
        "UPDATE §outbox AS o SET status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at, last_error = u.last_error "
        + "FROM unnest($1::text[], $2::integer[], $3::integer[], $4::bigint[], $5::text[]) AS u(idempotency_key, status, attempts, next_attempt_at, last_error) "
        + "WHERE o.idempotency_key = u.idempotency_key";

    /// <summary>Updated commands written whole where the store has no row of their key (the others were updated already).</summary>
    private const string KeepUnseenCommandsSql = "INSERT INTO §outbox (" + OutboxColumns + ") " + OutboxRows + " ON CONFLICT (idempotency_key) DO NOTHING";

    private const int PruneChunk = 10_000;

    /// <summary>Runs <paramref name="work"/> in one transaction on a pooled connection; rolls everything back when it throws.</summary>
    private async ValueTask<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // A transaction whose client stops between statements must not keep its locks (the inbox and audit order locks,
        // the lease rows of fence checks) for longer than this: the server ends the session and rolls it back.
        await using (var idle = new NpgsqlCommand(_idleInTransactionSql, connection, transaction) { CommandTimeout = _commandTimeout })
        {
            await idle.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var result = await work(connection, transaction).ConfigureAwait(false);

        // Once the work is done, a cancellation no longer interrupts the commit: the caller learns the outcome.
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    /// <summary>Runs one statement in its own transaction and returns the rows it changed.</summary>
    private async ValueTask<int> ExecuteAsync(string template, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var command = _dataSource.CreateCommand(_sql[template]);
        command.CommandTimeout = _commandTimeout;
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one query and maps each row.</summary>
    private async ValueTask<IReadOnlyList<T>> QueryAsync<T>(string template, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var command = _dataSource.CreateCommand(_sql[template]);
        command.CommandTimeout = _commandTimeout;
        command.Parameters.AddRange(parameters);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<T>();
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(map(rows));
        }

        return result;
    }

    /// <summary>A command of the same connection and transaction.</summary>
    private NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string template, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(_sql[template], connection, transaction) { CommandTimeout = _commandTimeout };
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>A statement of a batch.</summary>
    private NpgsqlBatchCommand Batch(string template, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(_sql[template]);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter TextArray(List<string> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values };

    private static NpgsqlParameter NullableTextArray(List<string?> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values };

    private static NpgsqlParameter BigintArray(List<long> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = values };

    private static NpgsqlParameter NullableBigintArray(List<long?> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = values };

    private static NpgsqlParameter IntegerArray(List<int> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = values };

    private static NpgsqlParameter BooleanArray(List<bool> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean, Value = values };

    private static NpgsqlParameter ByteaArray(List<byte[]> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = values };

    private static NpgsqlParameter NullableByteaArray(List<byte[]?> values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = values };

    private static NpgsqlParameter Bigint(long? value) => new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value is { } v ? v : DBNull.Value };

    private static NpgsqlParameter Integer(int value) => new() { NpgsqlDbType = NpgsqlDbType.Integer, Value = value };

    private static NpgsqlParameter Bool(bool value) => new() { NpgsqlDbType = NpgsqlDbType.Boolean, Value = value };

    private static NpgsqlParameter Bytea(byte[]? value) => new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)value ?? DBNull.Value };

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>
    /// Inserts events, in their order (the positions follow it), each unless (source, id) is already known — also from
    /// earlier in the same list; with <paramref name="returning"/> the statement returns the source, id and position of
    /// each event it inserted (none for a duplicate).
    /// </summary>
    private NpgsqlBatchCommand InsertInbox(IReadOnlyList<InboxEvent> events, IReadOnlyList<byte[]> envelopes, bool returning)
    {
        var sources = new List<string>(events.Count);
        var ids = new List<string>(events.Count);
        var keys = new List<string>(events.Count);
        var acceptedAt = new List<long>(events.Count);
        var bodies = new List<byte[]>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            sources.Add(events[i].Key.Source);
            ids.Add(events[i].Key.Id);
            keys.Add(events[i].PartitionKey);
            acceptedAt.Add(events[i].AcceptedAt.UtcTicks);
            bodies.Add(envelopes[i]);
        }

        return Batch(
            "INSERT INTO §inbox (source, event_id, partition_key, accepted_at, processed, envelope) SELECT source, event_id, partition_key, accepted_at, false, envelope "
                + "FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[]) WITH ORDINALITY AS u(source, event_id, partition_key, accepted_at, envelope, n) ORDER BY n "
                + "ON CONFLICT (source, event_id) DO NOTHING" + (returning ? " RETURNING source, event_id, position" : string.Empty),
            TextArray(sources),
            TextArray(ids),
            TextArray(keys),
            BigintArray(acceptedAt),
            ByteaArray(bodies));
    }

    /// <summary>
    /// Updated outbox commands, one row per key: only their life (status, attempts, schedule, last error) is sent and written.
    /// </summary>
    private NpgsqlBatchCommand UpdateCommands(List<OutboxEntry> commands)
    {
        var idempotencyKeys = new List<string>(commands.Count);
        var statuses = new List<int>(commands.Count);
        var attempts = new List<int>(commands.Count);
        var nextAttemptAt = new List<long?>(commands.Count);
        var lastErrors = new List<string?>(commands.Count);
        foreach (var entry in commands)
        {
            idempotencyKeys.Add(entry.IdempotencyKey);
            statuses.Add((int)entry.Status);
            attempts.Add(entry.Attempts);
            nextAttemptAt.Add(entry.NextAttemptAt?.UtcTicks);
            lastErrors.Add(StorableText(entry.LastError));
        }

        return Batch(UpdateCommandsSql, TextArray(idempotencyKeys), IntegerArray(statuses), IntegerArray(attempts), NullableBigintArray(nextAttemptAt), NullableTextArray(lastErrors));
    }

    /// <summary>Outbox commands written whole, one row per key, by <paramref name="template"/> (<see cref="UpsertCommandsSql"/> or <see cref="KeepUnseenCommandsSql"/>).</summary>
    private NpgsqlBatchCommand WriteCommands(List<PreparedCommand> commands, string template)
    {
        var idempotencyKeys = new List<string>(commands.Count);
        var partitionKeys = new List<string>(commands.Count);
        var ordinals = new List<long>(commands.Count);
        var kinds = new List<string>(commands.Count);
        var requests = new List<byte[]>(commands.Count);
        var correlationIds = new List<string?>(commands.Count);
        var causedSources = new List<string>(commands.Count);
        var causedIds = new List<string>(commands.Count);
        var steps = new List<string?>(commands.Count);
        var workflows = new List<string?>(commands.Count);
        var createdAt = new List<long>(commands.Count);
        var statuses = new List<int>(commands.Count);
        var attempts = new List<int>(commands.Count);
        var nextAttemptAt = new List<long?>(commands.Count);
        var lastErrors = new List<string?>(commands.Count);
        var revisionOf = new List<string?>(commands.Count);
        var compensationKinds = new List<string?>(commands.Count);
        var compensationRequests = new List<byte[]?>(commands.Count);
        var traceParents = new List<string?>(commands.Count);
        foreach (var command in commands)
        {
            var entry = command.Entry;
            idempotencyKeys.Add(entry.IdempotencyKey);
            partitionKeys.Add(entry.PartitionKey);
            ordinals.Add(entry.Ordinal);
            kinds.Add(entry.Kind);
            requests.Add(command.Request);
            correlationIds.Add(entry.CorrelationId);
            causedSources.Add(entry.CausedBy.Source);
            causedIds.Add(entry.CausedBy.Id);
            steps.Add(entry.Step);
            workflows.Add(entry.Workflow);
            createdAt.Add(entry.CreatedAt.UtcTicks);
            statuses.Add((int)entry.Status);
            attempts.Add(entry.Attempts);
            nextAttemptAt.Add(entry.NextAttemptAt?.UtcTicks);
            lastErrors.Add(StorableText(entry.LastError));
            revisionOf.Add(entry.RevisionOf);
            compensationKinds.Add(entry.Compensation?.Kind);
            compensationRequests.Add(command.Compensation);
            traceParents.Add(entry.TraceParent);
        }

        return Batch(
            template,
            TextArray(idempotencyKeys),
            TextArray(partitionKeys),
            BigintArray(ordinals),
            TextArray(kinds),
            ByteaArray(requests),
            NullableTextArray(correlationIds),
            TextArray(causedSources),
            TextArray(causedIds),
            NullableTextArray(steps),
            NullableTextArray(workflows),
            BigintArray(createdAt),
            IntegerArray(statuses),
            IntegerArray(attempts),
            NullableBigintArray(nextAttemptAt),
            NullableTextArray(lastErrors),
            NullableTextArray(revisionOf),
            NullableTextArray(compensationKinds),
            NullableByteaArray(compensationRequests),
            NullableTextArray(traceParents));
    }

    /// <summary>
    /// Free text from outside — a command's last error holds what its target answered — as a PostgreSQL <c>text</c> value:
    /// a NUL character, which <c>text</c> cannot hold and which made the server refuse the whole commit on every attempt,
    /// is written as U+FFFD (the replacement character). Text without one is returned unchanged.
    /// </summary>
    private static string? StorableText(string? text) => text is not null && text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    /// <summary>
    /// The bytes of a column the store never leaves NULL where it is read (a pending event's envelope, the request of a
    /// command's compensation): NULL there is damaged data, reported as such naming <paramref name="what"/>, never a
    /// failed cast that names nothing.
    /// </summary>
    private static byte[] StoredBytes(NpgsqlDataReader rows, int ordinal, string what) => rows.IsDBNull(ordinal)
        ? throw new ManufacturingOrchestrationException(ReasonCodes.StoreDataUnreadable, $"The store could not read back {what}: it is stored as NULL, not as the bytes the store writes.")
        : rows.GetFieldValue<byte[]>(ordinal);

    private InboxEvent ReadInboxEvent(NpgsqlDataReader rows)
    {
        var source = rows.GetString(1);
        var id = rows.GetString(2);
        var parsed = _serializer.Parse(new ReadOnlyMemory<byte>(StoredBytes(rows, 5, $"event {source}#{id}")));
        if (!parsed.IsSuccess)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.StoreDataUnreadable, $"The store could not read back event {source}#{id}: {parsed}");
        }

        return new InboxEvent
        {
            Position = rows.GetInt64(0),
            Key = new EventKey(source, id),
            PartitionKey = rows.GetString(3),
            AcceptedAt = FromTicks(rows.GetInt64(4)),
            Envelope = parsed.Envelope!,
        };
    }

    private static OutboxEntry ReadCommand(NpgsqlDataReader rows)
    {
        var key = rows.GetString(0);
        return new OutboxEntry
        {
            IdempotencyKey = key,
            PartitionKey = rows.GetString(1),
            Ordinal = rows.GetInt64(2),
            Kind = rows.GetString(3),
            Payload = new CommandPayload(rows.GetFieldValue<byte[]>(4)),
            CorrelationId = rows.GetString(5),
            CausedBy = new EventKey(rows.GetString(6), rows.GetString(7)),
            Step = rows.GetString(8),
            Workflow = rows.GetString(9),
            CreatedAt = FromTicks(rows.GetInt64(10)),
            Status = StoredStatus(rows.GetInt32(11), key),
            Attempts = rows.GetInt32(12),
            NextAttemptAt = rows.IsDBNull(13) ? null : FromTicks(rows.GetInt64(13)),
            LastError = rows.IsDBNull(14) ? null : rows.GetString(14),
            RevisionOf = rows.IsDBNull(15) ? null : rows.GetString(15),
            Compensation = rows.IsDBNull(16)
                ? null
                : new CompensationPlan { Kind = rows.GetString(16), Payload = new CommandPayload(StoredBytes(rows, 17, $"the compensation request of command '{key}'")) },
            TraceParent = rows.IsDBNull(18) ? null : rows.GetString(18),
        };
    }

    /// <summary>
    /// A command's stored status number as an <see cref="OutboxStatus"/>: a number that names no status (written by a newer
    /// version, or damaged) is reported as unreadable data naming the command, never handed on as a status no code knows.
    /// </summary>
    private static OutboxStatus StoredStatus(int number, string idempotencyKey) => Enum.IsDefined((OutboxStatus)number)
        ? (OutboxStatus)number
        : throw new ManufacturingOrchestrationException(ReasonCodes.StoreDataUnreadable, $"The store could not read back command '{idempotencyKey}': its status {number} is not an outbox status this version knows.");

    /// <summary>Deletes matching rows a chunk per transaction until a chunk comes back short.</summary>
    private async ValueTask<long> PruneTableAsync(string deleteSql, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        long removed = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var deleted = await ExecuteAsync(deleteSql, cancellationToken, Bigint(olderThan.UtcTicks), Bigint(PruneChunk)).ConfigureAwait(false);
            removed += deleted;
            if (deleted < PruneChunk)
            {
                return removed;
            }
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
                    var cutOff = RetentionCutOff.At(_time.GetUtcNow(), _options.RetentionWindow!.Value);
                    try
                    {
                        if (cutOff > DateTimeOffset.MinValue)
                        {
                            await PruneAsync(cutOff, CancellationToken.None).ConfigureAwait(false);
                        }

                        Interlocked.Exchange(ref _lastPruneCutOffTicks, cutOff.UtcTicks);
                    }
                    catch (Exception ex) when (ex is ObjectDisposedException or NpgsqlException or ManufacturingOrchestrationException or TimeoutException)
                    {
                        // Closed or unreachable: the next tick tries again.
                    }
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
}
