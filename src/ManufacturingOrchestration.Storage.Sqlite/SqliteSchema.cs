using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// The schema and its migrations. Version <c>n</c> is reached by running migration <c>n</c> on version <c>n-1</c>;
/// each migration runs in its own transaction and records itself in <c>mo_schema_version</c>. A file whose version is
/// newer than <see cref="CurrentVersion"/> is refused without being modified.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The table that records applied migrations.</summary>
    public const string VersionTable = "mo_schema_version";

    /// <summary>Migrations in order: index 0 brings an empty file to version 1.</summary>
    private static readonly string[][] Migrations =
    [
        [
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
            """,
        ],
    ];

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
    public static void Migrate(SqliteConnection connection, string path, long appliedAtTicks)
    {
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

                if (version == CurrentVersion)
                {
                    Execute(connection, "COMMIT");
                    return;
                }

                if (version == 0)
                {
                    Execute(connection, "CREATE TABLE IF NOT EXISTS " + VersionTable + " (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL, library TEXT NOT NULL)");
                }

                foreach (var statement in Migrations[version])
                {
                    Execute(connection, statement);
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
                Execute(connection, "ROLLBACK");
                throw;
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
