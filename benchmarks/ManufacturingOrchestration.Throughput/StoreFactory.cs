using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Storage.PostgreSql;
using ManufacturingOrchestration.Storage.Sqlite;
using Npgsql;

namespace ManufacturingOrchestration.Throughput;

/// <summary>Creates the store a run uses, and cleans it up afterwards.</summary>
internal sealed class StoreFactory : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly (string ConnectionString, string Schema)? _postgreSqlSchema;

    private StoreFactory(IOrchestrationStore store, string? directory, (string ConnectionString, string Schema)? postgreSqlSchema = null)
    {
        Store = store;
        _directory = directory;
        _postgreSqlSchema = postgreSqlSchema;
    }

    /// <summary>Whether this build can run on SQLite.</summary>
    public static bool SqliteAvailable => true;

    public IOrchestrationStore Store { get; }

    /// <summary>The application name a PostgreSQL run's store connects with, so the server's processes serving it can be told apart.</summary>
    public const string PostgreSqlApplicationName = "mo-throughput";

    /// <summary>The server a PostgreSQL run writes to (with <see cref="PostgreSqlApplicationName"/>), or <see langword="null"/>.</summary>
    public string? PostgreSqlConnectionString => _postgreSqlSchema?.ConnectionString;

    public static StoreFactory Create(ThroughputOptions options) => options.Store switch
    {
        ThroughputStore.Memory => new StoreFactory(new InMemoryOrchestrationStore(), null),
        ThroughputStore.Sqlite => CreateSqlite(options),
        ThroughputStore.PostgreSql => CreatePostgreSql(options),
        _ => throw new NotSupportedException($"The {options.Store} store is not available in this build."),
    };

    private static StoreFactory CreateSqlite(ThroughputOptions options)
    {
        if (options.DatabasePath is { } path)
        {
            return new StoreFactory(SqliteOrchestrationStore.Open(path, new SqliteStoreOptions()), null);
        }

        // A fresh database per run, on disk (durable commits, WAL, synchronous NORMAL: the store's defaults).
        var directory = Path.Combine(Path.GetTempPath(), "mo-throughput-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new StoreFactory(SqliteOrchestrationStore.Open(Path.Combine(directory, "orchestration.db"), new SqliteStoreOptions()), directory);
    }

    /// <summary>Connects once to the server a PostgreSQL run names.</summary>
    /// <returns><see langword="null"/> when it answers, else why not (without the connection string).</returns>
    public static async Task<string?> CheckPostgreSqlAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException)
        {
            return "cannot connect: " + e.Message;
        }
    }

    private static StoreFactory CreatePostgreSql(ThroughputOptions options)
    {
        // A fresh schema per run on the given server (its own fsync settings apply), dropped when the run is done.
        var connectionString = new NpgsqlConnectionStringBuilder(options.PostgreSqlConnectionString!) { ApplicationName = PostgreSqlApplicationName }.ConnectionString;
        var schema = "mo_run_" + Guid.NewGuid().ToString("N");
        var store = PostgreSqlOrchestrationStore.Open(new PostgreSqlStoreOptions { ConnectionString = connectionString, Schema = schema });
        if (options.Prefill > 0)
        {
            Prefill(connectionString, schema, options.Prefill);
        }

        return new StoreFactory(store, null, (connectionString, schema));
    }

    /// <summary>
    /// Earlier work of other partitions, inside the retention window (so pruning leaves it): processed inbox events
    /// without envelopes and completed outbox commands, then fresh statistics, as a database that has run for a while has.
    /// </summary>
    internal static void Prefill(string connectionString, string schema, int rows)
    {
        var now = DateTimeOffset.UtcNow.UtcTicks;
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        foreach (var sql in new[]
        {
            $"INSERT INTO {schema}.inbox (source, event_id, partition_key, accepted_at, processed, envelope) SELECT 'prefill', 'e' || g, 'prefill-' || (g % 100000), {now}, true, NULL FROM generate_series(1, {rows}) g",
            $"INSERT INTO {schema}.outbox (idempotency_key, partition_key, ordinal, kind, request, correlation_id, caused_source, caused_id, step, workflow, created_at, status, attempts) SELECT 'prefill-' || g, 'prefill-' || (g % 100000), g, 'erp.change-stock-category', '\\x7b7d'::bytea, 'c' || g, 'prefill', 'e' || g, 'decide', 'prefill', {now}, 1, 1 FROM generate_series(1, {rows}) g",
            $"ANALYZE {schema}.inbox",
            $"ANALYZE {schema}.outbox",
        })
        {
            using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.ExecuteNonQuery();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (Store is IDisposable disposable)
        {
            disposable.Dispose();
        }

        if (_postgreSqlSchema is var (connectionString, schema))
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
