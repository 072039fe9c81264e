using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// The embedded durable <see cref="IOrchestrationStore"/>: one SQLite file in WAL mode. State, outbox, inbox, audit,
/// timers and dead letters of a <see cref="CommitAsync"/> call (however many steps it groups) are one transaction, as is
/// every <see cref="AcceptAsync"/> batch. Survives a kill of the process at any point with nothing lost; see
/// <see cref="SqliteSynchronousMode"/> for power loss.
/// </summary>
/// <remarks>
/// <para>One writer connection, guarded by a semaphore (SQLite has one writer), does every write with prepared,
/// reused statements; queries run on a small pool of reader connections, which WAL lets read while the writer writes.
/// The log is copied into the database file in the background, on the store's clock, not inside a commit.</para>
/// <para>The schema is created and migrated when the store is opened; a file written by a newer library version is
/// refused with <see cref="SqliteStoreSchemaException"/> and left unchanged.</para>
/// <para>Thread-safe. Dispose it to close the file.</para>
/// </remarks>
public sealed partial class SqliteOrchestrationStore : IOrchestrationStore, IAsyncDisposable, IDisposable
{
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly EventSerializer _serializer;
    private readonly string _connectionString;
    private readonly SqliteCommandCache _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentBag<SqliteCommandCache> _idleReaders = [];
    private readonly ITimer? _pruneTimer;
    private readonly SqliteCheckpointer _checkpointer;
    private long _lastPosition;
    private int _readerCount;
    private int _pruning;
    private int _pruneRequested;
    private long _lastPruneCutOffTicks = -1;
    private volatile bool _disposed;
    private int _writerClosed;

    /// <summary>The open lock file that makes this store the file's one writer (released by the OS when the process ends).</summary>
    private readonly FileStream _writerLock;

    private SqliteOrchestrationStore(string path, SqliteStoreOptions options, TimeProvider time, EventSerializer serializer, string connectionString, SqliteConnection writer, FileStream writerLock)
    {
        Path = path;
        _writerLock = writerLock;
        _options = options;
        _time = time;
        _serializer = serializer;
        _connectionString = connectionString;
        _writer = new SqliteCommandCache(writer);
        _lastPosition = ReadLastPosition(writer);
        _checkpointer = new SqliteCheckpointer(connectionString, _writeLock, time, BoundedWait(options.BusyTimeout));
        try
        {
            if (options.RetentionWindow is not null)
            {
                // A timer counts at most ~49.7 days: a longer interval (a valid setting) prunes that often instead of failing Open.
                var interval = options.PruneInterval > LongestTimerPeriod ? LongestTimerPeriod : options.PruneInterval;
                _pruneTimer = time.CreateTimer(static state => ((SqliteOrchestrationStore)state!).PruneInBackground(), this, interval, interval);
            }
        }
        catch
        {
            // Open closes the writer and the file lock; the checkpointer's connection and timer are this constructor's.
            _checkpointer.Dispose();
            throw;
        }
    }

    /// <summary>The longest due time and period a <see cref="TimeProvider.System"/> timer takes (2^32 - 2 milliseconds).</summary>
    internal static readonly TimeSpan LongestTimerPeriod = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The page size of a database file the store creates.</summary>
    internal const int PageSize = 16_384;

    /// <summary>The schema version this library writes (stored files at a higher version are refused).</summary>
    public static int SchemaVersion => SqliteSchema.CurrentVersion;

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The settings the store was opened with.</summary>
    internal SqliteStoreOptions Options => _options;

    /// <summary>The writer connection (tests make its statements fail the way SQLite can).</summary>
    internal SqliteConnection WriterConnection => _writer.Connection;

    /// <summary>The background checkpointer (tests lower its limit and watch it wait).</summary>
    internal SqliteCheckpointer Checkpointer => _checkpointer;

    /// <summary>How many reader connections are open, pooled or in use.</summary>
    internal int OpenReaderConnections => Volatile.Read(ref _readerCount);

    /// <summary>Runs when a finished read is about to put its connection back in the pool (tests dispose the store there, or make its statements fail).</summary>
    internal Action<SqliteConnection>? ReaderReturning { get; set; }

    /// <summary>
    /// Opens (or creates) the store in a file: WAL mode, the configured synchronous level, the schema created or migrated
    /// to <see cref="SchemaVersion"/>.
    /// </summary>
    /// <param name="path">The database file; its folder is created when missing.</param>
    /// <param name="options">The settings; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of automatic pruning and background checkpoints; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="eventSerializer">
    /// Writes and reads the inbox's event envelopes; <see cref="EventSerializer.Default"/> when <see langword="null"/>. Pass
    /// the serializer of your event type registry when you publish event types of your own.
    /// </param>
    /// <returns>The open store.</returns>
    /// <exception cref="SqliteStoreSchemaException">The file was written by a newer library version; it is not modified.</exception>
    /// <exception cref="SqliteStoreInUseException">Another process or store has the file open for writing.</exception>
    /// <exception cref="ManufacturingOrchestrationException">
    /// The file is not a SQLite database the store can read (reason code <see cref="ReasonCodes.StoreDataUnreadable"/>); it is not modified.
    /// </exception>
    /// <exception cref="ArgumentException">The path or a setting is not valid.</exception>
    public static SqliteOrchestrationStore Open(string path, SqliteStoreOptions? options = null, TimeProvider? timeProvider = null, EventSerializer? eventSerializer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new SqliteStoreOptions();
        options.Validate();
        timeProvider ??= TimeProvider.System;
        eventSerializer ??= EventSerializer.Default;
        var fullPath = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Pooling = false,
            Cache = SqliteCacheMode.Private,
            // Whole seconds, and at least one: Microsoft.Data.Sqlite takes 0 for "retry a busy statement forever".
            DefaultTimeout = (int)Math.Clamp(Math.Ceiling(options.BusyTimeout.TotalSeconds), 1, int.MaxValue),
        };

        if (File.Exists(fullPath) && new FileInfo(fullPath).Length > 0)
        {
            // Look before touching anything: a newer schema must leave the file exactly as it was.
            ProbeVersion(builder, fullPath);
        }

        var writerLock = AcquireWriterLock(fullPath);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        var connectionString = builder.ToString();
        var writer = new SqliteConnection(connectionString);
        try
        {
            writer.Open();
            SetBusyTimeout(writer, options.BusyTimeout);

            // A new file gets 16 KB pages (an existing one keeps the size it was created with). A commit writes every
            // page it changed, whole, to the log, and the outbox's idempotency keys are hashes, so each step changes an
            // index page at random: fewer, larger pages mean fewer frames written and copied per commit.
            Pragma(writer, "PRAGMA page_size = " + PageSize.ToString(CultureInfo.InvariantCulture));
            var mode = Convert.ToString(Scalar(writer, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{fullPath}' (journal mode is '{mode}'); the store needs a local file system.");
            }

            Pragma(writer, options.Synchronous == SqliteSynchronousMode.Full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            Pragma(writer, "PRAGMA journal_size_limit = " + SqliteCheckpointer.LimitBytes.ToString(CultureInfo.InvariantCulture));
            Pragma(writer, "PRAGMA temp_store = MEMORY");

            // Checkpoints run off the write path (SqliteCheckpointer), not inside the commit that crosses the threshold.
            Pragma(writer, "PRAGMA wal_autocheckpoint = 0");
            Pragma(writer, "PRAGMA cache_size = -16384");
            SqliteSchema.Migrate(writer, fullPath, timeProvider.GetUtcNow().UtcTicks);
            return new SqliteOrchestrationStore(fullPath, options, timeProvider, eventSerializer, connectionString, writer, writerLock);
        }
        catch
        {
            writer.Dispose();
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the file's writer lock: <c>&lt;file&gt;.lock</c> opened without sharing, which on Linux and macOS is an
    /// exclusive <c>flock</c> and on Windows a share-none handle — both released by the operating system when the
    /// process ends, however it ends, so a crashed writer never leaves a lock behind.
    /// </summary>
    private static FileStream AcquireWriterLock(string fullPath)
    {
        var lockPath = fullPath + ".lock";
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new SqliteStoreInUseException(fullPath, lockPath, ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<InboxEvent>> AcceptAsync(IReadOnlyList<InboxEvent> events, bool[] accepted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(accepted);
        if (accepted.Length < events.Count)
        {
            throw new ArgumentException("The accepted array must have one slot per event.", nameof(accepted));
        }

        cancellationToken.ThrowIfCancellationRequested();

        // The batch's envelopes are written into one pooled buffer and bound from it, not into arrays of their own.
        var buffer = new PooledBytes(events.Count * 1024);
        try
        {
            var envelopes = new (int Start, int Length)[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                ArgumentNullException.ThrowIfNull(events[i]);
                envelopes[i] = WriteEnvelope(buffer, events[i].Envelope);
            }

            var result = new List<InboxEvent>(events.Count);
            try
            {
                await WriteAsync(
                    () =>
                    {
                        result.Clear();
                        for (var i = 0; i < events.Count; i++)
                        {
                            var stored = TryInsertInbox(events[i], buffer.Slice(envelopes[i]));
                            accepted[i] = stored is not null;
                            if (stored is not null)
                            {
                                result.Add(stored);
                            }
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // The batch was rolled back: no event of it is stored, so none may read as accepted (the caller retries them all).
                Array.Clear(accepted, 0, events.Count);
                throw;
            }

            return result;
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        cancellationToken.ThrowIfCancellationRequested();
        if (commits.Count == 0)
        {
            return;
        }

        // Everything that costs CPU and can be checked without the database happens before the writer is taken.
        // The states and audit records of the whole batch are written into one pooled buffer that lives until the batch
        // is written, not into arrays of their own: the statements bind them from it (SQLite copies what it is given).
        var buffer = new PooledBytes(commits.Count * 2048);
        var prepared = new PreparedCommit[commits.Count];
        try
        {
            for (var i = 0; i < commits.Count; i++)
            {
                prepared[i] = Prepare(commits[i], buffer);
            }

            await WriteAsync(
                () =>
                {
                    // Fences first, inside the write transaction: SQLite has one writer, so no takeover can come between
                    // this check and the commit.
                    foreach (var commit in prepared)
                    {
                        CheckFence(commit.Commit);
                    }

                    // Sized for the batch: one entry per key at most, so they never grow while the writer holds the database.
                    var versions = new Dictionary<string, long>(prepared.Length, StringComparer.Ordinal);
                    var auditCounts = new Dictionary<string, long>(prepared.Length, StringComparer.Ordinal);
                    foreach (var commit in prepared)
                    {
                        Apply(commit, buffer, versions, auditCounts);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InboxEvent>> ReadPendingEventsAsync(string? partitionKey, long afterPosition, int maxCount, CancellationToken cancellationToken)
    {
        // SQLite reads a negative LIMIT as none: a negative count would return every pending event.
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<InboxEvent>>(reader =>
        {
            var command = partitionKey is null
                ? reader.Get("SELECT position, source, event_id, partition_key, accepted_at, envelope FROM inbox WHERE processed = 0 AND position > $p0 ORDER BY position LIMIT $p1", 2).With(afterPosition, (long)maxCount)
                : reader.Get("SELECT position, source, event_id, partition_key, accepted_at, envelope FROM inbox WHERE partition_key = $p2 AND processed = 0 AND position > $p0 ORDER BY position LIMIT $p1", 3).With(afterPosition, (long)maxCount, partitionKey);
            var result = new List<InboxEvent>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(ReadInboxEvent(rows));
            }

            return result;
        });
    }

    /// <inheritdoc />
    public ValueTask<PartitionState?> LoadPartitionAsync(string partitionKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return Read(reader => ReadPartitionState(reader, partitionKey));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The keys are read in one read transaction on one connection: the database's locks are taken once for the round,
    /// not once per key (each a few system calls), and every state comes from the same snapshot.
    /// </remarks>
    public ValueTask<IReadOnlyDictionary<string, PartitionState>> LoadPartitionsAsync(IReadOnlyCollection<string> partitionKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionKeys);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyDictionary<string, PartitionState>>(reader =>
        {
            var found = new Dictionary<string, PartitionState>(partitionKeys.Count, StringComparer.Ordinal);
            if (partitionKeys.Count == 0)
            {
                return found;
            }

            reader.Statement("BEGIN").ExecuteNonQuery();
            try
            {
                foreach (var partitionKey in partitionKeys)
                {
                    if (ReadPartitionState(reader, partitionKey) is { } state)
                    {
                        found[partitionKey] = state;
                    }
                }
            }
            catch
            {
                // The error of the read is what the caller sees, never that of ending its transaction.
                TryRollBack(reader);
                throw;
            }

            reader.Statement("COMMIT").ExecuteNonQuery();
            return found;
        });
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadPendingCommandsAsync(string partitionKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<OutboxEntry>>(reader => ReadCommands(reader.Get("SELECT " + OutboxColumns + " FROM outbox WHERE partition_key = $p0 AND status = 0 ORDER BY ordinal", 1).With(partitionKey)));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWithPendingCommandsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<string>>(reader => ReadStrings(reader.Get("SELECT DISTINCT partition_key FROM outbox WHERE status = 0")));
    }

    /// <inheritdoc />
    public ValueTask<OutboxEntry?> ReadCommandAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        return Read(reader =>
        {
            var found = ReadCommands(reader.Get("SELECT " + OutboxColumns + " FROM outbox WHERE idempotency_key = $p0", 1).With(idempotencyKey));
            return found.Count == 0 ? null : found[0];
        });
    }

    /// <summary>Reads every outbox command an event caused, whatever its status, in ordinal order.</summary>
    /// <param name="causedBy">The event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commands.</returns>
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadCommandsCausedByAsync(EventKey causedBy, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<OutboxEntry>>(reader => ReadCommands(reader.Get("SELECT " + OutboxColumns + " FROM outbox WHERE caused_source = $p0 AND caused_id = $p1 ORDER BY ordinal, created_at", 2).With(causedBy.Source, causedBy.Id)));
    }

    /// <inheritdoc />
    public ValueTask<InboxEvent?> ReadEventAsync(EventKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read(reader =>
        {
            using var rows = reader.Get("SELECT position, source, event_id, partition_key, accepted_at, envelope FROM inbox WHERE source = $p0 AND event_id = $p1 AND envelope IS NOT NULL", 2)
                .With(key.Source, key.Id).ExecuteReader();
            return rows.Read() ? ReadInboxEvent(rows) : null;
        });
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount, nameof(query) + "." + nameof(query.MaxCount));
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<DeadLetter>>(reader =>
        {
            var command = reader.Get(
                "SELECT record FROM dead_letters WHERE ($p0 = 0 OR is_open = 1) AND ($p1 IS NULL OR partition_key = $p1) AND ($p2 IS NULL OR site = $p2) "
                + "AND ($p3 IS NULL OR id = $p3) AND ($p4 IS NULL OR at >= $p4) AND ($p5 IS NULL OR at < $p5) ORDER BY at, id LIMIT $p6",
                7);
            command.With(0, query.OnlyOpen ? 1L : 0L).With(1, query.PartitionKey).With(2, query.Site).With(3, query.Id)
                .With(4, query.From?.UtcTicks).With(5, query.To?.UtcTicks).With(6, (long)query.MaxCount);
            var result = new List<DeadLetter>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(StoredRecordJson.ReadDeadLetter(StoredBytes(rows.GetValue(0), "a dead letter"), "a dead letter"));
            }

            return result;
        });
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DurableTimer>> ReadDueTimersAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<DurableTimer>>(reader =>
        {
            var command = reader.Get("SELECT id, partition_key, due_at, purpose, data FROM timers WHERE due_at <= $p0 ORDER BY due_at, id LIMIT $p1", 2).With(dueBy.UtcTicks, (long)maxCount);
            var result = new List<DurableTimer>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(new DurableTimer
                {
                    Id = rows.GetString(0),
                    PartitionKey = rows.GetString(1),
                    DueAt = SqliteCommandExtensions.FromTicks(rows.GetInt64(2)),
                    Purpose = rows.GetString(3),
                    Data = rows.IsDBNull(4) ? null : rows.GetString(4),
                });
            }

            return result;
        });
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> ReadNextTimerDueAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read(reader => reader.Get("SELECT MIN(due_at) FROM timers").ExecuteScalar() is long ticks ? SqliteCommandExtensions.FromTicks(ticks) : (DateTimeOffset?)null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAsync(string partitionKey, long fromSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<AuditRecord>>(reader =>
        {
            var command = reader.Get("SELECT record FROM audit WHERE partition_key = $p0 AND sequence >= $p1 ORDER BY sequence", 2).With(partitionKey, fromSequence);
            var result = new List<AuditRecord>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(StoredRecordJson.ReadAuditRecord(StoredBytes(rows.GetValue(0), $"an audit record of '{partitionKey}'"), $"an audit record of '{partitionKey}'"));
            }

            return result;
        });
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadAuditPartitionsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<string>>(reader => ReadStrings(reader.Get("SELECT DISTINCT partition_key FROM audit")));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each value is read from its own column of <c>audit</c> (<c>partition_key</c>, <c>sequence</c>, <c>action</c>,
    /// <c>recorded_at</c>, <c>id</c>), never from the record, which is what lets the verifier compare them. A value of the
    /// wrong type (text in an integer column, a time out of range) reads as one that matches no record.
    /// </remarks>
    public ValueTask<IReadOnlyList<AuditStoredRecord>> ReadAuditStoredAsync(string partitionKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<AuditStoredRecord>>(reader =>
        {
            var command = reader.Get(AuditStoredSql, 1).With(partitionKey);
            var result = new List<AuditStoredRecord>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                var id = rows.GetInt64(0);
                result.Add(new AuditStoredRecord
                {
                    Record = StoredRecordJson.ReadAuditRecord(StoredBytes(rows.GetValue(5), $"the audit record at feed position {id}"), $"the audit record at feed position {id}"),
                    Position = id,
                    PartitionKey = rows.GetValue(1) as string ?? string.Empty,
                    Sequence = rows.GetValue(2) is long sequence ? sequence : -1,
                    Action = rows.GetValue(3) is string action ? action : Convert.ToString(rows.GetValue(3), CultureInfo.InvariantCulture) ?? string.Empty,
                    RecordedAt = rows.GetValue(4) is long ticks && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                        ? SqliteCommandExtensions.FromTicks(ticks)
                        : DateTimeOffset.MinValue,
                });
            }

            return result;
        });
    }

    /// <inheritdoc />
    /// <remarks>Served by the <c>audit_action</c> index over (action, recorded_at); ties come in insertion (commit) order.</remarks>
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditByActionAsync(string action, DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<AuditRecord>>(reader =>
        {
            // Closed bounds instead of "IS NULL OR" so that the index serves the range.
            var command = reader.Get(AuditByActionSql, 4)
                .With(action, from?.UtcTicks ?? long.MinValue, to?.UtcTicks ?? long.MaxValue).With(3, (long)maxCount);
            var result = new List<AuditRecord>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(StoredRecordJson.ReadAuditRecord(StoredBytes(rows.GetValue(0), $"an audit record with action '{action}'"), $"an audit record with action '{action}'"));
            }

            return result;
        });
    }

    /// <inheritdoc />
    /// <remarks>
    /// Served by the <c>partition_waiting</c> table, rewritten for a key with each state committed for it. Keys are in
    /// SQLite's binary order (of their UTF-8 bytes), which is ordinal order except that characters outside the Basic
    /// Multilingual Plane sort after U+E000–U+FFFF; paging with <paramref name="afterKey"/> is consistent with it.
    /// </remarks>
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWaitingForAsync(string waitingFor, string? afterKey, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(waitingFor);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();

        // Partition keys are never empty, so '' stands for "from the first key" and keeps the range on the index.
        return Read<IReadOnlyList<string>>(reader => ReadStrings(reader.Get(WaitingForSql, 3)
            .With(waitingFor, afterKey ?? string.Empty, (long)maxCount)));
    }

    /// <inheritdoc />
    public async ValueTask AppendCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        // A checkpoint holds every partition's head, ~100 bytes each: measured first, then written into the row through a
        // 64 KB buffer (incremental blob I/O) rather than held whole in memory, twice over with SQLite's copy of it.
        var length = ChunkedBufferWriter.Measure(json => StoredRecordJson.Write(json, checkpoint));
        await WriteAsync(
            () =>
            {
                // The one writer reads the latest number and appends in the same transaction: no other append comes between.
                var latest = _writer.Get("SELECT number FROM audit_checkpoints ORDER BY id DESC LIMIT 1").ExecuteScalar() is long stored ? stored : 0;
                if (checkpoint.Number != latest + 1)
                {
                    throw new AuditCheckpointConflictException(checkpoint.Number, latest);
                }

                _writer.Statement("INSERT INTO audit_checkpoints (number, record) VALUES ($p0, zeroblob($p1))", 2).With(0, checkpoint.Number).With(1, length).ExecuteNonQuery();
                using var row = new SqliteBlob(_writer.Connection, "audit_checkpoints", "record", SQLitePCL.raw.sqlite3_last_insert_rowid(_writer.Connection.Handle));
                var json = new ChunkedBufferWriter(chunk =>
                {
                    if (row.Position + chunk.Length > length)
                    {
                        throw Changed(row.Position + chunk.Length);
                    }

                    row.Write(chunk);
                });
                StoredRecordJson.Write(json, checkpoint);
                json.Flush();
                if (json.Length != length)
                {
                    throw Changed(json.Length);
                }
            },
            cancellationToken).ConfigureAwait(false);

        // The checkpoint changed between the two writes (its heads are a caller's dictionary): the transaction keeps nothing.
        InvalidOperationException Changed(long written) =>
            new($"Audit checkpoint {checkpoint.Number} wrote {written} bytes or more where it had measured {length}: its heads changed while it was stored.");
    }

    /// <inheritdoc />
    public ValueTask<AuditCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read(reader => reader.Get("SELECT record FROM audit_checkpoints ORDER BY id DESC LIMIT 1").ExecuteScalar() is { } stored
            ? StoredRecordJson.ReadAuditCheckpoint(StoredBytes(stored, "the latest audit checkpoint"), "the latest audit checkpoint")
            : null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditCheckpoint>> ReadLatestCheckpointsAsync(int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<AuditCheckpoint>>(reader =>
        {
            var command = reader.Get("SELECT record FROM audit_checkpoints ORDER BY id DESC LIMIT $p0", 1).With((long)maxCount);
            var result = new List<AuditCheckpoint>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(StoredRecordJson.ReadAuditCheckpoint(StoredBytes(rows.GetValue(0), "an audit checkpoint"), "an audit checkpoint"));
            }

            return result;
        });
    }

    /// <inheritdoc />
    public async ValueTask RecordRejectionAsync(RejectedEvent rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        cancellationToken.ThrowIfCancellationRequested();
        var blob = StoredRecordJson.Write(rejected);
        await WriteAsync(() => _writer.Statement("INSERT INTO rejections (received_at, record) VALUES ($p0, $p1)", 2).With(rejected.ReceivedAt.UtcTicks, blob).ExecuteNonQuery(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RejectedEvent>> ReadRejectionsAsync(DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<RejectedEvent>>(reader =>
        {
            var command = reader.Get("SELECT record FROM rejections WHERE ($p0 IS NULL OR received_at >= $p0) AND ($p1 IS NULL OR received_at < $p1) ORDER BY received_at, id LIMIT $p2", 3)
                .With(from?.UtcTicks, to?.UtcTicks, (long)maxCount);
            var result = new List<RejectedEvent>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(StoredRecordJson.ReadRejectedEvent(StoredBytes(rows.GetValue(0), "a rejected event"), "a rejected event"));
            }

            return result;
        });
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAcquireLeaseAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken) =>
        await TryAcquireLeaseGrantAsync(partitionKey, owner, until, now, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public async ValueTask<LeaseGrant?> TryAcquireLeaseGrantAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        LeaseGrant? grant = null;

        // The epoch grows when the row passes to another owner: a released row's NULL owner compares as unknown, so a
        // release followed by any acquisition is a new epoch too. No row comes back when the update was refused.
        await WriteAsync(
            () => grant = _writer.Statement(
                "INSERT INTO leases (partition_key, owner, until, epoch) VALUES ($p0, $p1, $p2, 1) ON CONFLICT (partition_key) DO UPDATE SET owner = excluded.owner, until = excluded.until, "
                + "epoch = CASE WHEN leases.owner = excluded.owner THEN leases.epoch ELSE leases.epoch + 1 END "
                + "WHERE leases.owner IS NULL OR leases.owner = excluded.owner OR leases.until <= $p3 RETURNING epoch",
                4).With(partitionKey, owner, until.UtcTicks).With(3, now.UtcTicks).ExecuteScalar() is long epoch
                ? new LeaseGrant { PartitionKey = partitionKey, Owner = owner, Epoch = epoch, Until = until }
                : null,
            cancellationToken).ConfigureAwait(false);
        return grant;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LeaseGrant>> ReadLeasesAsync(string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<LeaseGrant>>(reader =>
        {
            var command = reader.Get("SELECT partition_key, owner, until, epoch FROM leases WHERE owner IS NOT NULL AND substr(partition_key, 1, length($p0)) = $p0", 1).With(keyPrefix);
            var result = new List<LeaseGrant>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                result.Add(new LeaseGrant { PartitionKey = rows.GetString(0), Owner = rows.GetString(1), Until = new DateTimeOffset(rows.GetInt64(2), TimeSpan.Zero), Epoch = rows.GetInt64(3) });
            }

            result.Sort(static (a, b) => string.CompareOrdinal(a.PartitionKey, b.PartitionKey));
            return result;
        });
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLeaseAsync(string partitionKey, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(owner);
        cancellationToken.ThrowIfCancellationRequested();
        await WriteAsync(() => _writer.Statement("UPDATE leases SET owner = NULL WHERE partition_key = $p0 AND owner = $p1", 2).With(partitionKey, owner).ExecuteNonQuery(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The cut-off of the latest background prune that completed (<see cref="SqliteStoreOptions.RetentionWindow"/> before
    /// the store's clock at that prune's tick), or <see langword="null"/> before the first: what the retention window has
    /// removed so far, for a health check or a test that moved the clock. <see cref="DateTimeOffset.MinValue"/> when the
    /// window reaches back before year 1: such a window prunes nothing.
    /// </summary>
    public DateTimeOffset? LastPruneCutOff => Interlocked.Read(ref _lastPruneCutOffTicks) is var ticks and >= 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>
    /// Prunes processed inbox entries and finished outbox commands (completed, skipped, resolved manually, superseded)
    /// accepted or planned before <paramref name="olderThan"/>, in short transactions so that commits are not held up.
    /// Pending events and commands, dead-lettered commands and the audit trail are never pruned.
    /// </summary>
    /// <param name="olderThan">The cut-off.</param>
    /// <param name="cancellationToken">Cancels between chunks; what was pruned stays pruned.</param>
    /// <returns>How many rows were removed.</returns>
    public async ValueTask<long> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long removed = 0;
        removed += await PruneTableAsync(
            "SELECT MAX(position) FROM inbox",
            "SELECT position FROM inbox WHERE position >= $p0 ORDER BY position LIMIT 1 OFFSET $p1",
            "DELETE FROM inbox WHERE position >= $p0 AND position <= $p1 AND processed = 1 AND accepted_at < $p2",
            olderThan,
            cancellationToken).ConfigureAwait(false);
        removed += await PruneTableAsync(
            "SELECT MAX(id) FROM outbox",
            "SELECT id FROM outbox WHERE id >= $p0 ORDER BY id LIMIT 1 OFFSET $p1",
            "DELETE FROM outbox WHERE id >= $p0 AND id <= $p1 AND status NOT IN (0, 2) AND created_at < $p2",
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
        Interlocked.MemoryBarrier();
        _pruneTimer?.Dispose();

        // A write in flight may wait for another process's lock for up to the busy timeout (days, if so configured), and a
        // background checkpoint for that write: Dispose waits DisposeWait in all, then leaves the closing to them.
        var wait = BoundedWait(DisposeWait);
        var started = Stopwatch.GetTimestamp();
        _checkpointer.Dispose(wait);
        CloseIdleReaders();
        var left = wait - Stopwatch.GetElapsedTime(started);
        if (_writeLock.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero))
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

    /// <summary>
    /// How long <see cref="Dispose"/> waits in all for a write and a background checkpoint in flight before leaving the
    /// closing to them (tests shorten it).
    /// </summary>
    internal TimeSpan DisposeWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Closes the writer connection, then releases the file; once, by whoever holds the write lock after disposal.</summary>
    private void CloseWriter()
    {
        if (Interlocked.Exchange(ref _writerClosed, 1) != 0)
        {
            return;
        }

        try
        {
            _writer.Dispose();
        }
        finally
        {
            // Last: the file has no writer of this store any more, another may open it.
            _writerLock.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void ProbeVersion(SqliteConnectionStringBuilder builder, string path)
    {
        // Without a WAL beside it the main file holds everything: read it as immutable, which creates no side files.
        var probeBuilder = new SqliteConnectionStringBuilder(builder.ToString())
        {
            Mode = SqliteOpenMode.ReadOnly,
            DataSource = File.Exists(path + "-wal") ? path : new Uri(path).AbsoluteUri + "?immutable=1",
        };
        using var probe = new SqliteConnection(probeBuilder.ToString());
        int version;
        try
        {
            probe.Open();
            version = SqliteSchema.ReadVersion(probe);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SQLitePCL.raw.SQLITE_NOTADB or SQLitePCL.raw.SQLITE_CORRUPT)
        {
            throw new ManufacturingOrchestrationException(
                ReasonCodes.StoreDataUnreadable,
                $"'{path}' is not a SQLite database the store can read (another kind of file, or a damaged or encrypted database); it was left unchanged.",
                ex);
        }

        if (version > SqliteSchema.CurrentVersion)
        {
            throw new SqliteStoreSchemaException(path, version, SqliteSchema.CurrentVersion);
        }
    }

    private static long ReadLastPosition(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'inbox'), 0), COALESCE((SELECT MAX(position) FROM inbox), 0))";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    internal static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// How long a connection waits for a lock held by another before SQLite reports it busy. SQLite counts it in an int of
    /// milliseconds and reads a larger number as 0 (no wait at all): a longer timeout is the longest it can count, ~24.8 days.
    /// </summary>
    internal static void SetBusyTimeout(SqliteConnection connection, TimeSpan timeout) =>
        Pragma(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)BoundedWait(timeout).TotalMilliseconds}"));

    /// <summary>A wait of at most <see cref="int.MaxValue"/> milliseconds, the most SQLite and <see cref="SemaphoreSlim.Wait(TimeSpan)"/> take.</summary>
    internal static TimeSpan BoundedWait(TimeSpan timeout) => timeout.TotalMilliseconds > int.MaxValue ? TimeSpan.FromMilliseconds(int.MaxValue) : timeout;

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<string> ReadStrings(SqliteCommand command)
    {
        var result = new List<string>();
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            result.Add(rows.GetString(0));
        }

        return result;
    }
}
