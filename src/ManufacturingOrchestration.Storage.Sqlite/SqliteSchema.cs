using System.Globalization;
using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// The schema and its migrations. Version <c>n</c> is reached by running migration <c>n</c> on version <c>n-1</c>;
/// each migration runs in its own transaction and records itself in <c>mo_schema_version</c>. A file whose version is
/// newer than <see cref="CurrentVersion"/> is refused without being modified. A migration is never edited once shipped:
/// a change of schema is a new migration at the end.
/// </summary>
/// <remarks>
/// <para>1: the tables.</para>
/// <para>2: the cross-partition indexes — <c>partition_waiting</c> (which keys' current state has an instance waiting for
/// what) and the <c>action</c> / <c>recorded_at</c> columns of <c>audit</c> with their index — built from the rows
/// already there in the same transaction.</para>
/// <para>3: <c>audit_sink_cursors</c>, each audit sink's delivery cursor (a position in the audit feed, which is the
/// <c>id</c> of <c>audit</c>: assigned by the one writer in commit order, and never reused since audit rows are never
/// deleted).</para>
/// <para>4: the <c>trace_parent</c> of each outbox command.</para>
/// <para>5: the <c>epoch</c> of each lease, the fencing token a fenced commit is checked against.</para>
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>The table that records applied migrations.</summary>
    public const string VersionTable = "mo_schema_version";

    /// <summary>Migrations in order: index 0 brings an empty file to version 1; each step runs on the writer connection.</summary>
    private static readonly Action<SqliteConnection>[][] Migrations =
    [
        Sql(
            """
            CREATE TABLE inbox (
                position      INTEGER PRIMARY KEY AUTOINCREMENT,
                source        TEXT    NOT NULL,
                event_id      TEXT    NOT NULL,
                partition_key TEXT    NOT NULL,
                accepted_at   INTEGER NOT NULL,
                processed     INTEGER NOT NULL DEFAULT 0,
                envelope      BLOB
            )
            """,
            "CREATE UNIQUE INDEX inbox_event ON inbox (source, event_id)",
            "CREATE INDEX inbox_pending_partition ON inbox (partition_key, position) WHERE processed = 0",
            "CREATE INDEX inbox_pending ON inbox (position) WHERE processed = 0",
            """
            CREATE TABLE partitions (
                partition_key TEXT    NOT NULL PRIMARY KEY,
                version       INTEGER NOT NULL,
                state         BLOB    NOT NULL
            )
            """,
            """
            CREATE TABLE outbox (
                id                   INTEGER PRIMARY KEY,
                idempotency_key      TEXT    NOT NULL UNIQUE,
                partition_key        TEXT    NOT NULL,
                ordinal              INTEGER NOT NULL,
                kind                 TEXT    NOT NULL,
                request              BLOB    NOT NULL,
                correlation_id       TEXT    NOT NULL,
                caused_source        TEXT    NOT NULL,
                caused_id            TEXT    NOT NULL,
                step                 TEXT    NOT NULL,
                workflow             TEXT    NOT NULL,
                created_at           INTEGER NOT NULL,
                status               INTEGER NOT NULL,
                attempts             INTEGER NOT NULL,
                next_attempt_at      INTEGER,
                last_error           TEXT,
                revision_of          TEXT,
                compensation_kind    TEXT,
                compensation_request BLOB
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (partition_key, ordinal) WHERE status = 0",
            "CREATE INDEX outbox_caused_by ON outbox (caused_source, caused_id)",
            """
            CREATE TABLE audit (
                id            INTEGER PRIMARY KEY,
                partition_key TEXT    NOT NULL,
                sequence      INTEGER NOT NULL,
                record        BLOB    NOT NULL,
                UNIQUE (partition_key, sequence)
            )
            """,
            """
            CREATE TABLE audit_checkpoints (
                id     INTEGER PRIMARY KEY,
                number INTEGER NOT NULL,
                record BLOB    NOT NULL
            )
            """,
            """
            CREATE TABLE dead_letters (
                id            TEXT    NOT NULL PRIMARY KEY,
                partition_key TEXT    NOT NULL,
                site          TEXT,
                at            INTEGER NOT NULL,
                is_open       INTEGER NOT NULL,
                record        BLOB    NOT NULL
            )
            """,
            "CREATE INDEX dead_letters_at ON dead_letters (at, id)",
            """
            CREATE TABLE timers (
                id            TEXT    NOT NULL PRIMARY KEY,
                partition_key TEXT    NOT NULL,
                due_at        INTEGER NOT NULL,
                purpose       TEXT    NOT NULL,
                data          TEXT
            )
            """,
            "CREATE INDEX timers_due ON timers (due_at, id)",
            """
            CREATE TABLE rejections (
                id          INTEGER PRIMARY KEY,
                received_at INTEGER NOT NULL,
                record      BLOB    NOT NULL
            )
            """,
            "CREATE INDEX rejections_received ON rejections (received_at, id)",
            """
            CREATE TABLE leases (
                partition_key TEXT    NOT NULL PRIMARY KEY,
                owner         TEXT,
                until         INTEGER NOT NULL
            )
            """),
        [
            .. Sql(
                """
                CREATE TABLE partition_waiting (
                    partition_key TEXT NOT NULL,
                    waiting_for   TEXT NOT NULL,
                    PRIMARY KEY (partition_key, waiting_for)
                ) WITHOUT ROWID
                """,
                "ALTER TABLE audit ADD COLUMN action TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE audit ADD COLUMN recorded_at INTEGER NOT NULL DEFAULT 0"),
            BackfillWaiting,
            BackfillAuditActions,
            .. Sql(
                "CREATE INDEX partition_waiting_for ON partition_waiting (waiting_for, partition_key)",
                "CREATE INDEX audit_action ON audit (action, recorded_at)"),
        ],
        Sql(
            """
            CREATE TABLE audit_sink_cursors (
                sink     TEXT    NOT NULL PRIMARY KEY,
                position INTEGER NOT NULL
            ) WITHOUT ROWID
            """),
        // Version 4: the trace context of the step that planned each command.
        Sql("ALTER TABLE outbox ADD COLUMN trace_parent TEXT"),

        // Version 5: the fencing epoch of each lease (a lease row of an earlier version starts at 1, as a new one does).
        Sql("ALTER TABLE leases ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1"),
    ];

    /// <summary>How many rows a backfill reads at a time (reads and writes never interleave on one table).</summary>
    private const int BackfillChunk = 1000;

    /// <summary>The schema version this library writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Reads the schema version of an open database (0 for an empty one).</summary>
    /// <param name="connection">The connection.</param>
    /// <returns>The version.</returns>
    public static int ReadVersion(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '" + VersionTable + "'";
        if (Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        using var version = connection.CreateCommand();
        version.CommandText = "SELECT COALESCE(MAX(version), 0) FROM " + VersionTable;
        return Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Brings the database to <see cref="CurrentVersion"/>, each migration in its own immediate transaction (so two
    /// processes opening one file cannot both migrate it).
    /// </summary>
    /// <param name="connection">The writer connection.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="appliedAtTicks">When, in UTC ticks, recorded with each migration.</param>
    /// <exception cref="SqliteStoreSchemaException">The file has a newer schema.</exception>
    public static void Migrate(SqliteConnection connection, string path, long appliedAtTicks) => Migrate(connection, path, appliedAtTicks, CurrentVersion);

    /// <summary>
    /// Brings the database to <paramref name="targetVersion"/> (at most <see cref="CurrentVersion"/>); tests use it to
    /// write a file of an earlier version with that version's own migrations.
    /// </summary>
    /// <param name="connection">The writer connection.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="appliedAtTicks">When, in UTC ticks, recorded with each migration.</param>
    /// <param name="targetVersion">The version to stop at.</param>
    /// <exception cref="SqliteStoreSchemaException">The file has a newer schema than this library.</exception>
    internal static void Migrate(SqliteConnection connection, string path, long appliedAtTicks, int targetVersion)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVersion, CurrentVersion);
        while (true)
        {
            using var begin = connection.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
            try
            {
                var version = ReadVersion(connection);
                if (version > CurrentVersion)
                {
                    throw new SqliteStoreSchemaException(path, version, CurrentVersion);
                }

                if (version >= targetVersion)
                {
                    Execute(connection, "COMMIT");
                    return;
                }

                if (version == 0)
                {
                    Execute(connection, "CREATE TABLE IF NOT EXISTS " + VersionTable + " (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL, library TEXT NOT NULL)");
                }

                foreach (var step in Migrations[version])
                {
                    step(connection);
                }

                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO " + VersionTable + " (version, applied_at, library) VALUES ($version, $at, $library)";
                record.Parameters.AddWithValue("$version", version + 1);
                record.Parameters.AddWithValue("$at", appliedAtTicks);
                record.Parameters.AddWithValue("$library", typeof(SqliteSchema).Assembly.GetName().Version?.ToString() ?? "unknown");
                record.ExecuteNonQuery();
                Execute(connection, "COMMIT");
            }
            catch
            {
                // Never lets a failing ROLLBACK replace the error that stopped the migration; closing the connection (the
                // caller's next step after this error) rolls back what is left.
                SqliteOrchestrationStore.TryRollBack(connection, () => Execute(connection, "ROLLBACK"));
                throw;
            }
        }
    }

    /// <summary>Steps that each run one SQL statement.</summary>
    private static Action<SqliteConnection>[] Sql(params string[] statements) =>
        Array.ConvertAll(statements, static statement => (Action<SqliteConnection>)(connection => Execute(connection, statement)));

    /// <summary>Version 2: one <c>partition_waiting</c> row per distinct <c>WaitingFor</c> of each stored state's instances.</summary>
    private static void BackfillWaiting(SqliteConnection connection)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT OR IGNORE INTO partition_waiting (partition_key, waiting_for) VALUES ($key, $waitingFor)";
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var waitingFor = insert.Parameters.Add("$waitingFor", SqliteType.Text);
        foreach (var chunk in Chunks(connection, "SELECT rowid, partition_key, state FROM partitions WHERE rowid > $after ORDER BY rowid LIMIT $limit"))
        {
            foreach (var (_, partitionKey, blob) in chunk)
            {
                var state = StoredRecordJson.ReadPartitionState(blob, $"the state of partition '{partitionKey}'");
                foreach (var waiting in WaitingValues(state))
                {
                    key.Value = partitionKey;
                    waitingFor.Value = waiting;
                    insert.ExecuteNonQuery();
                }
            }
        }
    }

    /// <summary>Version 2: the <c>action</c> and <c>recorded_at</c> columns of every stored audit record.</summary>
    private static void BackfillAuditActions(SqliteConnection connection)
    {
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE audit SET action = $action, recorded_at = $at WHERE id = $id";
        var action = update.Parameters.Add("$action", SqliteType.Text);
        var at = update.Parameters.Add("$at", SqliteType.Integer);
        var id = update.Parameters.Add("$id", SqliteType.Integer);
        foreach (var chunk in Chunks(connection, "SELECT id, partition_key, record FROM audit WHERE id > $after ORDER BY id LIMIT $limit"))
        {
            foreach (var (rowId, partitionKey, blob) in chunk)
            {
                var record = StoredRecordJson.ReadAuditRecord(blob, $"an audit record of '{partitionKey}'");
                action.Value = record.Action;
                at.Value = record.RecordedAt.UtcTicks;
                id.Value = rowId;
                update.ExecuteNonQuery();
            }
        }
    }

    /// <summary>The distinct <see cref="WorkflowInstanceState.WaitingFor"/> values of a state's instances.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The values (usually none).</returns>
    public static IReadOnlyCollection<string> WaitingValues(PartitionState state)
    {
        var instances = state.Instances;
        if (instances.Count == 0)
        {
            return [];
        }

        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            values.Add(instance.WaitingFor);
        }

        return values;
    }

    /// <summary>Reads (rowid, key, blob) rows in chunks, each chunk read fully before the caller writes.</summary>
    private static IEnumerable<List<(long RowId, string Key, byte[] Blob)>> Chunks(SqliteConnection connection, string sql)
    {
        var after = long.MinValue;
        while (true)
        {
            var chunk = new List<(long, string, byte[])>(BackfillChunk);
            using (var select = connection.CreateCommand())
            {
                select.CommandText = sql;
                select.Parameters.AddWithValue("$after", after);
                select.Parameters.AddWithValue("$limit", BackfillChunk);
                using var rows = select.ExecuteReader();
                while (rows.Read())
                {
                    chunk.Add((rows.GetInt64(0), rows.GetString(1), (byte[])rows.GetValue(2)));
                }
            }

            if (chunk.Count == 0)
            {
                yield break;
            }

            yield return chunk;
            if (chunk.Count < BackfillChunk)
            {
                yield break;
            }

            after = chunk[^1].Item1;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
