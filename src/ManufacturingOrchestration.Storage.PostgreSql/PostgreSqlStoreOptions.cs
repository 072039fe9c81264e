using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// The settings of a <see cref="PostgreSqlOrchestrationStore"/>, with documented defaults. The database is named either by
/// <see cref="ConnectionString"/> or by <see cref="DataSource"/> (one of them); the other settings can be bound from
/// configuration (<c>UsePostgreSql(configuration.GetSection("ManufacturingOrchestration:PostgreSql"))</c>).
/// </summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>The largest schema name PostgreSQL keeps without truncating it.</summary>
    private const int MaxIdentifierLength = 63;

    /// <summary>
    /// An Npgsql connection string; the store builds its own data source from it and disposes it with the store. Leave it
    /// <see langword="null"/> when <see cref="DataSource"/> is set. Never logged: the store names its target without the
    /// password.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A data source the application owns (built with <see cref="NpgsqlDataSourceBuilder"/> or taken from dependency
    /// injection); the store uses it and does not dispose it. Takes precedence over <see cref="ConnectionString"/>.
    /// </summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// The PostgreSQL schema that holds the store's tables, created when missing: lower-case letters, digits and
    /// underscores, starting with a letter or underscore, at most 63 characters, not starting with <c>pg_</c> (reserved by
    /// PostgreSQL). A name SQL reserves as a keyword (<c>order</c>) is fine: the store quotes it. Several stores can share a
    /// database under different schemas. Default <c>mo</c>.
    /// </summary>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "The field {0} must be a lower-case PostgreSQL identifier: letters a-z, digits and underscores, starting with a letter or underscore, at most 63 characters.")]
    [Required]
    public string Schema { get; set; } = "mo";

    /// <summary>How long one statement may run before it is cancelled; positive. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a write transaction of the store may sit idle on the server — its client paused (stopped, frozen by the
    /// collector or the hypervisor) or cut off between two statements — before the server ends the session and rolls it
    /// back (PostgreSQL's <c>idle_in_transaction_session_timeout</c>, set for each transaction with <c>SET LOCAL</c>, so it
    /// works through a pooler in transaction mode). Until then the transaction keeps its locks: the inbox and audit order
    /// locks every other node's intake waits for, and the lease rows its fence check share-locks, which a node taking
    /// the lease over must wait for. Keep it well below the cluster's lease duration. Between 100 milliseconds and 1 hour;
    /// default 5 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long taking over a lease waits for a row lock (PostgreSQL's <c>lock_timeout</c>, per transaction) before it
    /// counts as not granted this time: a commit holding the lease row share-locked for its fence check — also one whose
    /// client has stopped, until <see cref="IdleInTransactionTimeout"/> ends it — then does not hold up the node's whole
    /// lease round. Between 10 milliseconds and 1 hour; default 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "01:00:00")]
    public TimeSpan LeaseLockTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long processed inbox ids and finished outbox commands are kept (de-duplication holds for events accepted within
    /// it); older ones are pruned every <see cref="PruneInterval"/>. <see langword="null"/> turns automatic pruning off
    /// (call <see cref="PostgreSqlOrchestrationStore.PruneAsync"/> yourself). Positive when set; default 7 days. The audit
    /// trail is never pruned.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan? RetentionWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often automatic pruning runs; positive. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The connection string of the one connection on which the store listens for its change notifications
    /// (<c>LISTEN</c>; see <see cref="PostgreSqlOrchestrationStore.WaitForAcceptedEventsAsync"/>), opened only when a
    /// clustered orchestrator asks for them. It must reach the server directly — a pooler in transaction mode (PgBouncer)
    /// does not forward notifications. Default <see langword="null"/>: <see cref="ConnectionString"/> with pooling off, or
    /// else a connection of <see cref="DataSource"/>. Never logged.
    /// </summary>
    public string? ListenConnectionString { get; set; }

    /// <summary>
    /// Where the store logs what no call returns: that its connection listening for change notifications failed (a
    /// warning, once until it listens again, with the reason <see cref="PostgreSqlOrchestrationStore.ListenFailure"/>
    /// holds) and that it listens again (information). Default <see langword="null"/>: no logging;
    /// <c>UsePostgreSql</c> sets the container's <see cref="ILoggerFactory"/> when it is <see langword="null"/>. Not
    /// bound from configuration.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Validates the settings; a misconfigured store fails when it is opened.</summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names each one (never the connection string's password).</exception>
    public void Validate()
    {
        if (Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The PostgreSQL store settings are not valid: " + string.Join(" ", problems));
        }
    }

    /// <summary>Every setting out of range, one sentence each.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var result = new PostgreSqlStoreOptionsValidator().Validate(Options.DefaultName, this);
        if (result.Failed && result.Failures is { } failures)
        {
            problems.AddRange(failures);
        }

        if (DataSource is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("ConnectionString or DataSource is required: the PostgreSQL database of the store.");
        }
        else if (DataSource is null)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // The parser's message names the keyword it refused, never the values.
                problems.Add($"ConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        if (Schema is { Length: > MaxIdentifierLength })
        {
            problems.Add($"Schema must be at most {MaxIdentifierLength} characters.");
        }

        if (Schema is { } schema && schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            problems.Add("Schema must not start with pg_: PostgreSQL reserves that prefix for its system schemas.");
        }

        if (ListenConnectionString is { } listen)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(listen);
            }
            catch (ArgumentException ex)
            {
                // Checked here, not only when the first wait opens the listening connection: that one retries every
                // second and would never say why no notification arrives.
                problems.Add($"ListenConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        return problems;
    }
}

/// <summary>The ranges of <see cref="PostgreSqlStoreOptions"/>, checked by generated code from their attributes.</summary>
[OptionsValidator]
internal sealed partial class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>;
