using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>How hard SQLite pushes a commit to the disk before <see cref="SqliteOrchestrationStore.CommitAsync"/> returns.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>
    /// <c>synchronous=NORMAL</c> (the default): a commit survives a crash or kill of the process; a power loss or an
    /// operating-system crash can lose the last commits (never corrupt the file). The fastest durable setting.
    /// </summary>
    Normal = 0,

    /// <summary><c>synchronous=FULL</c>: every commit is flushed to the disk before it returns, so it also survives a power loss.</summary>
    Full = 1,
}

/// <summary>
/// The settings of a <see cref="SqliteOrchestrationStore"/>, with documented defaults; all of them can be bound from
/// configuration (<c>UseSqlite(configuration.GetSection("ManufacturingOrchestration:Sqlite"))</c>). The clock and the
/// event serializer are services, passed to <see cref="SqliteOrchestrationStore.Open"/> (or taken from the container).
/// </summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The durability of a commit. Default <see cref="SqliteSynchronousMode.Normal"/>.</summary>
    [EnumDataType(typeof(SqliteSynchronousMode), ErrorMessage = "The field {0} must be Normal or Full.")]
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Normal;

    /// <summary>
    /// How long a connection waits for a lock held by another connection or process before failing; not negative. Default
    /// 5 seconds. Zero fails a write at once; opening the store and the queries it runs through Microsoft.Data.Sqlite
    /// commands retry a busy database for up to a second (that library counts its retries in whole seconds). SQLite waits
    /// at most about 24.8 days (<see cref="int.MaxValue"/> milliseconds); a longer timeout waits that long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most reader connections kept open for queries (the one writer connection is separate); at least 1. Default 4.</summary>
    [Range(1, int.MaxValue)]
    public int MaxReaderConnections { get; set; } = 4;

    /// <summary>
    /// How long processed inbox ids and finished outbox commands are kept (de-duplication holds for events accepted within
    /// it); older ones are pruned every <see cref="PruneInterval"/>. <see langword="null"/> turns automatic pruning off
    /// (call <see cref="SqliteOrchestrationStore.PruneAsync"/> yourself). Positive when set; default 7 days. The audit
    /// trail is never pruned.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan? RetentionWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often automatic pruning runs; positive. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Validates the settings; a misconfigured store fails when it is opened.</summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names each one and its range.</exception>
    public void Validate()
    {
        if (Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The SQLite store settings are not valid: " + string.Join(" ", problems));
        }
    }

    /// <summary>Every setting out of range, one sentence each.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var result = new SqliteStoreOptionsValidator().Validate(Options.DefaultName, this);
        return result.Failed && result.Failures is { } failures ? [.. failures] : [];
    }
}

/// <summary>The ranges of <see cref="SqliteStoreOptions"/>, checked by generated code from their attributes.</summary>
[OptionsValidator]
internal sealed partial class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>;
