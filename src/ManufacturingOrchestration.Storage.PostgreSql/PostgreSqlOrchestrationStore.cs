using System.Globalization;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IOrchestrationStore"/>. State, outbox, inbox, audit, timers and dead letters of a
/// <see cref="CommitAsync"/> call (however many steps it groups) are one transaction, as is every
/// <see cref="AcceptAsync"/> batch; a call returns once PostgreSQL has committed it (durable with the server's default
/// <c>synchronous_commit = on</c>).
/// </summary>
/// <remarks>
/// <para>Every call takes a connection from an <see cref="NpgsqlDataSource"/> for one transaction and gives it back: no
/// session state (no <c>search_path</c>, no session advisory locks, no reliance on prepared statements), so the store
/// works through PgBouncer in transaction mode. Where order matters across transactions — inbox positions and audit feed
/// positions must become visible in the order they were assigned — the transaction takes a transaction-scoped advisory
/// lock (<c>pg_advisory_xact_lock</c>) just before it assigns them and holds it until it commits.</para>
/// <para>The schema is created and migrated when the store is opened; a schema written by a newer library version is
/// refused with <see cref="PostgreSqlStoreSchemaException"/> and left unchanged.</para>
/// <para>Thread-safe. Dispose it to stop background pruning and, when the store built its own data source from a
/// connection string, to close its connections.</para>
/// </remarks>
public sealed partial class PostgreSqlOrchestrationStore : IOrchestrationStore, IStoreChangeNotifications, IAsyncDisposable, IDisposable
{
    private readonly PostgreSqlStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly EventSerializer _serializer;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlSql _sql;
    private readonly int _commandTimeout;
    private readonly ITimer? _pruneTimer;
    private int _pruning;
    private readonly string _idleInTransactionSql;
    private readonly string _leaseLockTimeoutSql;
    private int _pruneRequested;
    private long _lastPruneCutOffTicks = -1;
    private volatile bool _disposed;
    private readonly ILogger _logger;

    private PostgreSqlOrchestrationStore(PostgreSqlStoreOptions options, TimeProvider time, EventSerializer serializer, NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlSql sql, string target)
    {
        _options = options;
        _time = time;
        _serializer = serializer;
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _sql = sql;
        _commandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        _idleInTransactionSql = "SET LOCAL idle_in_transaction_session_timeout = " + ((long)Math.Ceiling(options.IdleInTransactionTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        _leaseLockTimeoutSql = "SET LOCAL lock_timeout = " + ((long)Math.Ceiling(options.LeaseLockTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        Target = target;
        _logger = options.LoggerFactory is { } loggerFactory ? loggerFactory.CreateLogger<PostgreSqlOrchestrationStore>() : NullLogger.Instance;
        if (options.RetentionWindow is not null)
        {
            _pruneTimer = time.CreateTimer(static state => ((PostgreSqlOrchestrationStore)state!).PruneInBackground(), this, options.PruneInterval, options.PruneInterval);
        }
    }

    /// <summary>The schema version this library writes (a schema at a higher version is refused).</summary>
    public static int SchemaVersion => PostgreSqlSchema.CurrentVersion;

    /// <summary>The database and schema the store uses, without credentials: <c>host:port/database (schema)</c>.</summary>
    public string Target { get; }

    /// <summary>The schema that holds the store's tables.</summary>
    public string Schema => _sql.Schema;

    /// <summary>
    /// Opens the store: builds or takes the data source, creates the schema or migrates it to <see cref="SchemaVersion"/>.
    /// </summary>
    /// <param name="options">The settings: <see cref="PostgreSqlStoreOptions.ConnectionString"/> or <see cref="PostgreSqlStoreOptions.DataSource"/>, schema, timeouts, retention.</param>
    /// <param name="timeProvider">The clock of automatic pruning and of the migration record; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="eventSerializer">
    /// Writes and reads the inbox's event envelopes; <see cref="EventSerializer.Default"/> when <see langword="null"/>. Pass
    /// the serializer of your event type registry when you publish event types of your own.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels opening; the schema is unchanged then. A cancellation that comes once the migration's statements have run
    /// does not interrupt its commit: the schema is migrated and the store opens.
    /// </param>
    /// <returns>The open store.</returns>
    /// <exception cref="PostgreSqlStoreSchemaException">The schema was written by a newer library version; it is not modified.</exception>
    /// <exception cref="Model.ManufacturingOrchestrationException">
    /// <see cref="Model.ReasonCodes.StoreDataUnreadable"/>: the schema holds a table (or index, or type) the store did not
    /// create, under a name one of its own needs; the message names both, and nothing is changed.
    /// </exception>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached; the message names no credentials.</exception>
    public static async Task<PostgreSqlOrchestrationStore> OpenAsync(PostgreSqlStoreOptions options, TimeProvider? timeProvider = null, EventSerializer? eventSerializer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        timeProvider ??= TimeProvider.System;
        eventSerializer ??= EventSerializer.Default;
        var ownsDataSource = options.DataSource is null;
        var dataSource = options.DataSource ?? NpgsqlDataSource.Create(options.ConnectionString!);
        try
        {
            var sql = new PostgreSqlSql(options.Schema);
            var target = DescribeTarget(dataSource.ConnectionString, options.Schema);
            var timeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
            await PostgreSqlSchema.MigrateAsync(dataSource, sql, target, timeProvider.GetUtcNow().UtcTicks, PostgreSqlSchema.CurrentVersion, timeout, cancellationToken).ConfigureAwait(false);
            return new PostgreSqlOrchestrationStore(options, timeProvider, eventSerializer, dataSource, ownsDataSource, sql, target);
        }
        catch
        {
            if (ownsDataSource)
            {
                await dataSource.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Opens the store, waiting for the migration: for a dependency injection factory, which cannot be asynchronous.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="eventSerializer">The event serializer; <see cref="EventSerializer.Default"/> when <see langword="null"/>.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="PostgreSqlStoreSchemaException">The schema was written by a newer library version; it is not modified.</exception>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public static PostgreSqlOrchestrationStore Open(PostgreSqlStoreOptions options, TimeProvider? timeProvider = null, EventSerializer? eventSerializer = null) =>
        Task.Run(() => OpenAsync(options, timeProvider, eventSerializer)).GetAwaiter().GetResult();

    /// <summary>Names a database without credentials: host, port, database and schema, read through the connection string builder.</summary>
    /// <param name="connectionString">The connection string (its password, if any, is dropped).</param>
    /// <param name="schema">The schema.</param>
    /// <returns>The description.</returns>
    internal static string DescribeTarget(string connectionString, string schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database} ({schema})";
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboxEvent>> AcceptAsync(IReadOnlyList<InboxEvent> events, bool[] accepted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(accepted);
        if (accepted.Length < events.Count)
        {
            throw new ArgumentException("The accepted array must have one slot per event.", nameof(accepted));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<InboxEvent>(events.Count);
        if (events.Count == 0)
        {
            return result;
        }

        var envelopes = new byte[events.Count][];
        for (var i = 0; i < events.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(events[i]);
            envelopes[i] = _serializer.SerializeToUtf8Bytes(events[i].Envelope);
        }

        // The flags are the caller's only once the transaction has committed: a batch whose commit fails is rolled back,
        // and none of its events may read as accepted (the caller retries them all).
        var stored = new bool[events.Count];
        try
        {
            await WriteAsync(
                async (connection, transaction) =>
                {
                    result.Clear();
                    await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
                    batch.BatchCommands.Add(Batch("SELECT pg_advisory_xact_lock($1)", Bigint(_sql.InboxLockKey)));
                    batch.BatchCommands.Add(InsertInbox(events, envelopes, returning: true));

                    // Delivered when the transaction commits (none when it rolls back): wakes the nodes of a cluster.
                    batch.BatchCommands.Add(Batch("SELECT pg_notify($1, '')", Text(_sql.InboxChannel)));

                    var positions = new Dictionary<EventKey, long>();
                    await using (var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await rows.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            positions[new EventKey(rows.GetString(0), rows.GetString(1))] = rows.GetInt64(2);
                        }
                    }

                    // An event listed twice is accepted at its first place only.
                    for (var i = 0; i < events.Count; i++)
                    {
                        stored[i] = positions.Remove(events[i].Key, out var position);
                        if (stored[i])
                        {
                            result.Add(events[i] with { Position = position });
                        }
                    }

                    return 0;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Array.Clear(accepted, 0, events.Count);
            throw;
        }

        Array.Copy(stored, accepted, events.Count);
        return result;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InboxEvent>> ReadPendingEventsAsync(string? partitionKey, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return partitionKey is null
            ? QueryAsync("SELECT " + InboxColumns + " FROM §inbox WHERE NOT processed AND position > $1 ORDER BY position LIMIT $2", ReadInboxEvent, cancellationToken, Bigint(afterPosition), Bigint(maxCount))
            : QueryAsync("SELECT " + InboxColumns + " FROM §inbox WHERE partition_key = $3 AND NOT processed AND position > $1 ORDER BY position LIMIT $2", ReadInboxEvent, cancellationToken, Bigint(afterPosition), Bigint(maxCount), Text(partitionKey));
    }

    /// <inheritdoc />
    public async ValueTask<PartitionState?> LoadPartitionAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        var found = await QueryAsync(
            "SELECT state FROM §partitions WHERE partition_key = $1",
            rows => StoredRecordJson.ReadPartitionState(rows.GetFieldValue<byte[]>(0), $"the state of partition '{partitionKey}'"),
            cancellationToken,
            Text(partitionKey)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, PartitionState>> LoadPartitionsAsync(IReadOnlyCollection<string> partitionKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKeys);
        cancellationToken.ThrowIfCancellationRequested();
        var found = new Dictionary<string, PartitionState>(partitionKeys.Count, StringComparer.Ordinal);
        if (partitionKeys.Count == 0)
        {
            return found;
        }

        // One round trip for the whole round of keys instead of one per key.
        var rows = await QueryAsync(
            "SELECT partition_key, state FROM §partitions WHERE partition_key = ANY($1)",
            rows =>
            {
                var key = rows.GetString(0);
                return (Key: key, State: StoredRecordJson.ReadPartitionState(rows.GetFieldValue<byte[]>(1), $"the state of partition '{key}'"));
            },
            cancellationToken,
            TextArray([.. partitionKeys])).ConfigureAwait(false);
        foreach (var (key, state) in rows)
        {
            found[key] = state;
        }

        return found;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadPendingCommandsAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync("SELECT " + OutboxColumns + " FROM §outbox WHERE partition_key = $1 AND status = 0 ORDER BY ordinal", ReadCommand, cancellationToken, Text(partitionKey));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWithPendingCommandsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync("SELECT DISTINCT partition_key FROM §outbox WHERE status = 0", static rows => rows.GetString(0), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<OutboxEntry?> ReadCommandAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        var found = await QueryAsync("SELECT " + OutboxColumns + " FROM §outbox WHERE idempotency_key = $1", ReadCommand, cancellationToken, Text(idempotencyKey)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadCommandsCausedByAsync(EventKey causedBy, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync("SELECT " + OutboxColumns + " FROM §outbox WHERE caused_source = $1 AND caused_id = $2 ORDER BY ordinal, created_at", ReadCommand, cancellationToken, Text(causedBy.Source), Text(causedBy.Id));
    }

    /// <inheritdoc />
    public async ValueTask<InboxEvent?> ReadEventAsync(EventKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var found = await QueryAsync("SELECT " + InboxColumns + " FROM §inbox WHERE source = $1 AND event_id = $2 AND envelope IS NOT NULL", ReadInboxEvent, cancellationToken, Text(key.Source), Text(key.Id)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query) + "." + nameof(query.MaxCount));
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT record FROM §dead_letters WHERE (NOT $1 OR is_open) AND ($2::text IS NULL OR partition_key = $2) AND ($3::text IS NULL OR site = $3) "
            + "AND ($4::text IS NULL OR id = $4) AND ($5::bigint IS NULL OR at >= $5) AND ($6::bigint IS NULL OR at < $6) ORDER BY at, id LIMIT $7",
            static rows => StoredRecordJson.ReadDeadLetter(rows.GetFieldValue<byte[]>(0), "a dead letter"),
            cancellationToken,
            Bool(query.OnlyOpen),
            Text(query.PartitionKey),
            Text(query.Site),
            Text(query.Id),
            Bigint(query.From?.UtcTicks),
            Bigint(query.To?.UtcTicks),
            Bigint(query.MaxCount));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DurableTimer>> ReadDueTimersAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT id, partition_key, due_at, purpose, data FROM §timers WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2",
            static rows => new DurableTimer
            {
                Id = rows.GetString(0),
                PartitionKey = rows.GetString(1),
                DueAt = FromTicks(rows.GetInt64(2)),
                Purpose = rows.GetString(3),
                Data = rows.IsDBNull(4) ? null : rows.GetString(4),
            },
            cancellationToken,
            Bigint(dueBy.UtcTicks),
            Bigint(maxCount));
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> ReadNextTimerDueAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var found = await QueryAsync("SELECT MIN(due_at) FROM §timers", static rows => rows.IsDBNull(0) ? (DateTimeOffset?)null : FromTicks(rows.GetInt64(0)), cancellationToken).ConfigureAwait(false);
        return found[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAsync(string partitionKey, long fromSequence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT record FROM §audit WHERE partition_key = $1 AND sequence >= $2 ORDER BY sequence",
            rows => StoredRecordJson.ReadAuditRecord(rows.GetFieldValue<byte[]>(0), $"an audit record of '{partitionKey}'"),
            cancellationToken,
            Text(partitionKey),
            Bigint(fromSequence));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadAuditPartitionsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync("SELECT DISTINCT partition_key FROM §audit", static rows => rows.GetString(0), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each value is read from its own column of <c>audit</c> (<c>partition_key</c>, <c>sequence</c>, <c>action</c>,
    /// <c>recorded_at</c>, <c>id</c>), never from the record, which is what lets the verifier compare them. A time out of
    /// range reads as one that matches no record.
    /// </remarks>
    public ValueTask<IReadOnlyList<AuditStoredRecord>> ReadAuditStoredAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT id, partition_key, sequence, action, recorded_at, record FROM §audit WHERE partition_key = $1 ORDER BY sequence",
            static rows =>
            {
                var id = rows.GetInt64(0);
                var ticks = rows.GetInt64(4);
                return new AuditStoredRecord
                {
                    Record = StoredRecordJson.ReadAuditRecord(rows.GetFieldValue<byte[]>(5), $"the audit record at feed position {id}"),
                    Position = id,
                    PartitionKey = rows.GetString(1),
                    Sequence = rows.GetInt64(2),
                    Action = rows.GetString(3),
                    RecordedAt = ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks ? FromTicks(ticks) : DateTimeOffset.MinValue,
                };
            },
            cancellationToken,
            Text(partitionKey));
    }

    /// <inheritdoc />
    /// <remarks>Served by the <c>audit_action</c> index over (action, recorded_at, id); ties come in feed (commit) order.</remarks>
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditByActionAsync(string action, DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();

        // Closed bounds instead of "IS NULL OR" so that the index serves the range.
        return QueryAsync(
            "SELECT record FROM §audit WHERE action = $1 AND recorded_at >= $2 AND recorded_at < $3 ORDER BY recorded_at, id LIMIT $4",
            rows => StoredRecordJson.ReadAuditRecord(rows.GetFieldValue<byte[]>(0), $"an audit record with action '{action}'"),
            cancellationToken,
            Text(action),
            Bigint(from?.UtcTicks ?? long.MinValue),
            Bigint(to?.UtcTicks ?? long.MaxValue),
            Bigint(maxCount));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Served by the <c>partition_waiting</c> table, rewritten for a key with each state committed for it. Keys are in
    /// code point order (<c>COLLATE "C"</c> over UTF-8), which is ordinal order except that characters outside the Basic
    /// Multilingual Plane sort after U+E000–U+FFFF; paging with <paramref name="afterKey"/> is consistent with it.
    /// </remarks>
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWaitingForAsync(string waitingFor, string? afterKey, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(waitingFor);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();

        // Partition keys are never empty, so '' stands for "from the first key" and keeps the range on the index.
        return QueryAsync(
            "SELECT partition_key FROM §partition_waiting WHERE waiting_for = $1 AND partition_key > $2 ORDER BY partition_key LIMIT $3",
            static rows => rows.GetString(0),
            cancellationToken,
            Text(waitingFor),
            Text(afterKey ?? string.Empty),
            Bigint(maxCount));
    }

    /// <inheritdoc />
    public async ValueTask AppendCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        var blob = StoredRecordJson.Write(checkpoint);
        var latest = await WriteAsync(
            async (connection, transaction) =>
            {
                // Under the audit lock, so that two nodes appending at once are serialized: the second sees the first's row.
                await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
                batch.BatchCommands.Add(Batch("SELECT pg_advisory_xact_lock($1)", Bigint(_sql.AuditLockKey)));
                batch.BatchCommands.Add(Batch("SELECT COALESCE((SELECT number FROM §audit_checkpoints ORDER BY id DESC LIMIT 1), 0)"));
                batch.BatchCommands.Add(Batch("INSERT INTO §audit_checkpoints (number, record) SELECT $1, $2 WHERE COALESCE((SELECT number FROM §audit_checkpoints ORDER BY id DESC LIMIT 1), 0) = $1 - 1", Bigint(checkpoint.Number), Bytea(blob)));
                await using var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await rows.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await rows.ReadAsync(cancellationToken).ConfigureAwait(false);
                return rows.GetInt64(0);
            },
            cancellationToken).ConfigureAwait(false);
        if (checkpoint.Number != latest + 1)
        {
            // The conditional insert wrote nothing; the transaction committed only the lock.
            throw new AuditCheckpointConflictException(checkpoint.Number, latest);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AuditCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        var latest = await ReadLatestCheckpointsAsync(1, cancellationToken).ConfigureAwait(false);
        return latest.Count == 0 ? null : latest[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditCheckpoint>> ReadLatestCheckpointsAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT record FROM §audit_checkpoints ORDER BY id DESC LIMIT $1",
            static rows => StoredRecordJson.ReadAuditCheckpoint(rows.GetFieldValue<byte[]>(0), "an audit checkpoint"),
            cancellationToken,
            Bigint(maxCount));
    }

    /// <inheritdoc />
    public async ValueTask RecordRejectionAsync(RejectedEvent rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        cancellationToken.ThrowIfCancellationRequested();
        var blob = StoredRecordJson.Write(rejected);
        await ExecuteAsync("INSERT INTO §rejections (received_at, record) VALUES ($1, $2)", cancellationToken, Bigint(rejected.ReceivedAt.UtcTicks), Bytea(blob)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RejectedEvent>> ReadRejectionsAsync(DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT record FROM §rejections WHERE ($1::bigint IS NULL OR received_at >= $1) AND ($2::bigint IS NULL OR received_at < $2) ORDER BY received_at, id LIMIT $3",
            static rows => StoredRecordJson.ReadRejectedEvent(rows.GetFieldValue<byte[]>(0), "a rejected event"),
            cancellationToken,
            Bigint(from?.UtcTicks),
            Bigint(to?.UtcTicks),
            Bigint(maxCount));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The lease row keeps an <c>epoch</c> that grows by one each time the lease passes to an owner that did not hold it
    /// (a first owner gets 1; a renewal by the holder keeps it; a release followed by any acquisition increments it): the
    /// fencing token a commit can be checked against when several nodes share the database.
    /// </remarks>
    public async ValueTask<bool> TryAcquireLeaseAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await TryAcquireLeaseGrantAsync(partitionKey, owner, until, now, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    /// <remarks>
    /// A renewal by the holder is one statement that changes only <c>until</c>: it does not wait for the fence checks of
    /// commits in flight (see <see cref="CommitAsync"/>), which lock only what a change of hands changes, so a holder whose
    /// own commits are slow still renews. Any other acquisition is one upsert that changes owner or epoch: it takes the lease
    /// row's lock, so it waits for every commit that holds the row from its fence check, and a commit that checks its fence
    /// after it sees the new epoch.
    /// </remarks>
    public async ValueTask<LeaseGrant?> TryAcquireLeaseGrantAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        long? epoch;
        try
        {
            epoch = await WriteAsync(
                async (connection, transaction) =>
                {
                    // The upsert waits for the share locks of fence checks; a bounded wait, so that a commit whose client
                    // stopped holds up this lease only, not the caller's whole lease round.
                    await using (var renewal = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout })
                    {
                        renewal.BatchCommands.Add(new NpgsqlBatchCommand(_leaseLockTimeoutSql));
                        renewal.BatchCommands.Add(Batch("UPDATE §leases SET until = $3 WHERE partition_key = $1 AND owner = $2 RETURNING epoch", Text(partitionKey), Text(owner), Bigint(until.UtcTicks)));
                        await using var renewed = await renewal.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        if (await renewed.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            return renewed.GetInt64(0);
                        }
                    }

                    await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
                    batch.BatchCommands.Add(Batch(
                        "INSERT INTO §leases AS l (partition_key, owner, until, epoch) VALUES ($1, $2, $3, 1) ON CONFLICT (partition_key) DO UPDATE "
                        + "SET owner = excluded.owner, until = excluded.until, epoch = CASE WHEN l.owner = excluded.owner THEN l.epoch ELSE l.epoch + 1 END "
                        + "WHERE l.owner IS NULL OR l.owner = excluded.owner OR l.until <= $4 RETURNING epoch",
                        Text(partitionKey),
                        Text(owner),
                        Bigint(until.UtcTicks),
                        Bigint(now.UtcTicks)));
                    await using var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    return await rows.ReadAsync(cancellationToken).ConfigureAwait(false) ? rows.GetInt64(0) : (long?)null;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            // Someone holds the row longer than the lock timeout: not granted this time; the caller tries again later.
            return null;
        }

        return epoch is { } granted ? new LeaseGrant { PartitionKey = partitionKey, Owner = owner, Epoch = granted, Until = until } : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LeaseGrant>> ReadLeasesAsync(string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        cancellationToken.ThrowIfCancellationRequested();
        var leases = await QueryAsync(
            "SELECT partition_key, owner, until, epoch FROM §leases WHERE owner IS NOT NULL AND starts_with(partition_key, $1)",
            static rows => new LeaseGrant { PartitionKey = rows.GetString(0), Owner = rows.GetString(1), Until = new DateTimeOffset(rows.GetInt64(2), TimeSpan.Zero), Epoch = rows.GetInt64(3) },
            cancellationToken,
            Text(keyPrefix)).ConfigureAwait(false);
        var sorted = leases.ToList();
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.PartitionKey, b.PartitionKey));
        return sorted;
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLeaseAsync(string partitionKey, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(owner);
        cancellationToken.ThrowIfCancellationRequested();
        await ExecuteAsync("UPDATE §leases SET owner = NULL WHERE partition_key = $1 AND owner = $2", cancellationToken, Text(partitionKey), Text(owner)).ConfigureAwait(false);
    }

    /// <summary>Reads a lease's owner and fencing epoch, or <see langword="null"/> when the partition was never leased.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The owner (<see langword="null"/> when released) and the epoch.</returns>
    internal async ValueTask<(string? Owner, long Epoch)?> ReadLeaseAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync(
            "SELECT owner, epoch FROM §leases WHERE partition_key = $1",
            static rows => ((string?)(rows.IsDBNull(0) ? null : rows.GetString(0)), rows.GetInt64(1)),
            cancellationToken,
            Text(partitionKey)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>
    /// The cut-off of the latest background prune that completed (<see cref="PostgreSqlStoreOptions.RetentionWindow"/>
    /// before the store's clock at that prune's tick), or <see langword="null"/> before the first.
    /// </summary>
    public DateTimeOffset? LastPruneCutOff => Interlocked.Read(ref _lastPruneCutOffTicks) is var ticks and >= 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>
    /// Prunes processed inbox entries and finished outbox commands (completed, skipped, resolved manually, superseded)
    /// accepted or planned before <paramref name="olderThan"/>, in short transactions of at most 10,000 rows so that commits
    /// are not held up. Pending events and commands, dead-lettered commands and the audit trail are never pruned.
    /// </summary>
    /// <param name="olderThan">The cut-off.</param>
    /// <param name="cancellationToken">Cancels between chunks; what was pruned stays pruned.</param>
    /// <returns>How many rows were removed.</returns>
    public async ValueTask<long> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long removed = 0;
        removed += await PruneTableAsync(
            "DELETE FROM §inbox WHERE position IN (SELECT position FROM §inbox WHERE processed AND accepted_at < $1 LIMIT $2)",
            olderThan,
            cancellationToken).ConfigureAwait(false);
        removed += await PruneTableAsync(
            "DELETE FROM §outbox WHERE idempotency_key IN (SELECT idempotency_key FROM §outbox WHERE status NOT IN (0, 2) AND created_at < $1 LIMIT $2)",
            olderThan,
            cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StopListening();
        _pruneTimer?.Dispose();
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopListeningAsync().ConfigureAwait(false);
        if (_pruneTimer is not null)
        {
            await _pruneTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
