using System.Globalization;
using ManufacturingOrchestration.Storage.PostgreSql;
using Npgsql;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>
/// The plant floor on PostgreSQL (<c>--postgres</c>): one node, or several clustered nodes (<c>--nodes</c>) sharing
/// one schema, of which one can lose its power mid-shift (<c>--kill-node-after</c>). Each run works in a schema of its
/// own, <c>plant_floor_&lt;12 hex digits&gt;</c>, created by the first node and dropped at the end unless the run's
/// files are kept (<c>--out</c>).
/// </summary>
public sealed class PlantFloorPostgres
{
    /// <summary>The option naming the connection string.</summary>
    public const string PostgresOption = "--postgres";

    /// <summary>The option naming how many nodes run.</summary>
    public const string NodesOption = "--nodes";

    /// <summary>The option naming after how many plant events the last node loses its power.</summary>
    public const string KillOption = "--kill-node-after";

    /// <summary>The Npgsql connection string (it may hold a password; it is never printed).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>How many orchestrator nodes: 1 (default) runs one node without cluster mode; 2 or more run clustered nodes.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>After how many published plant events the last node loses its power; <see langword="null"/> for no kill.</summary>
    public int? KillNodeAfterEvents { get; init; }

    /// <summary>The bucket lease of the clustered nodes. Default 5 s: a killed node's buckets move after about 7 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many buckets the partition keys hash into. Default 32.</summary>
    public int BucketCount { get; init; } = 32;

    /// <summary>The schema of the run; a new <c>plant_floor_…</c> one when <see langword="null"/>.</summary>
    public string? Schema { get; init; }

    /// <summary>What is wrong with the PostgreSQL options of a command line, or <see langword="null"/> when they can run.</summary>
    /// <param name="options">The options read.</param>
    /// <returns>One sentence naming the problem, or <see langword="null"/>.</returns>
    public static string? Problem(SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = options.TextOf(PostgresOption);
        var nodes = options.NumberOf(NodesOption);
        var kill = options.NumberOf(KillOption);
        if (connection is null)
        {
            return nodes is not null ? $"{NodesOption} needs {PostgresOption}: the nodes of a cluster share one PostgreSQL schema (the SQLite file has one node)."
                : kill is not null ? $"{KillOption} needs {PostgresOption} and {NodesOption} 2 or more: a killed node's work is taken over by the other nodes."
                : null;
        }

        if (ConnectionProblem(connection) is { } problem)
        {
            return problem;
        }

        if (kill is not null && (nodes ?? 1) < 2)
        {
            return $"{KillOption} needs {NodesOption} 2 or more: a killed node's work is taken over by the other nodes.";
        }

        if (kill is { } after && after >= options.Events)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{KillOption} {after} would come after the shift: the run has {options.Events} plant events (--events), so name fewer.");
        }

        return null;
    }

    /// <summary>The PostgreSQL settings of a command line, or <see langword="null"/> when it runs on SQLite.</summary>
    /// <param name="options">The options read (checked with <see cref="Problem"/>).</param>
    /// <returns>The settings, or <see langword="null"/>.</returns>
    public static PlantFloorPostgres? From(SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TextOf(PostgresOption) is { } connection
            ? new PlantFloorPostgres { ConnectionString = connection, Nodes = options.NumberOf(NodesOption) ?? 1, KillNodeAfterEvents = options.NumberOf(KillOption) }
            : null;
    }

    /// <summary>Why a connection string cannot be used, without repeating it (it may hold a password).</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? ConnectionProblem(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? $"{PostgresOption} needs a connection string with a Host, such as Host=localhost;Username=mo;Password=…;Database=mo." : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return $"{PostgresOption} is not an Npgsql connection string ({e.GetType().Name}); write it as Host=localhost;Username=mo;Password=…;Database=mo.";
        }
    }

    /// <summary>A new schema name for one run: <c>plant_floor_</c> and 12 hexadecimal digits.</summary>
    /// <returns>The name.</returns>
    public static string NewSchema() => "plant_floor_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Where the connection string points, without its password: <c>host:port/database as user</c>.</summary>
    /// <returns>The description.</returns>
    public string DescribeServer()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username} as {builder.Username}");
    }

    /// <summary>Opens one node's own store (its own connection pool and listening connection) on the run's schema.</summary>
    /// <param name="schema">The run's schema.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The store.</returns>
    public async Task<PostgreSqlOrchestrationStore> OpenStoreAsync(string schema, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var options = new PostgreSqlStoreOptions
        {
            ConnectionString = ConnectionString,
            Schema = schema,
            // A node stopped mid-transaction must let go of its row locks well within a lease (docs/scale-out.md).
            IdleInTransactionTimeout = Nodes > 1 ? LeaseDuration * 2 / 3 : new PostgreSqlStoreOptions().IdleInTransactionTimeout,
        };
        return await PostgreSqlOrchestrationStore.OpenAsync(options, timeProvider, cancellationToken: cancellationToken);
    }

    /// <summary>Drops the run's schema and everything in it.</summary>
    /// <param name="schema">The run's schema.</param>
    /// <param name="cancellationToken">Cancels the drop.</param>
    /// <returns>A task that completes when dropped.</returns>
    public async Task DropSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\" CASCADE");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
