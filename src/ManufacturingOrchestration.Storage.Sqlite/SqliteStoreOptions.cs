using ManufacturingOrchestration.Model.Serialization;

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

/// <summary>Options of a <see cref="SqliteOrchestrationStore"/>, with documented defaults.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The durability of a commit. Default <see cref="SqliteSynchronousMode.Normal"/>.</summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Normal;

    /// <summary>How long a connection waits for a lock held by another connection or process before failing. Default 5 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most reader connections kept open for queries (the one writer connection is separate). Default 4.</summary>
    public int MaxReaderConnections { get; set; } = 4;

    /// <summary>
    /// How long processed inbox ids and finished outbox commands are kept (de-duplication holds for events accepted within
    /// it); older ones are pruned every <see cref="PruneInterval"/>. <see langword="null"/> turns automatic pruning off
    /// (call <see cref="SqliteOrchestrationStore.PruneAsync"/> yourself). Default 7 days. The audit trail is never pruned.
    /// </summary>
    public TimeSpan? RetentionWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often automatic pruning runs. Default 1 hour.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock of automatic pruning. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Writes and reads the inbox's event envelopes. Default <see cref="EventSerializer.Default"/>; pass the serializer
    /// of your event type registry when you publish event types of your own.
    /// </summary>
    public EventSerializer EventSerializer { get; set; } = EventSerializer.Default;

    /// <summary>Validates the options; a misconfigured store fails when it is opened.</summary>
    /// <exception cref="ArgumentException">An option is not valid.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Synchronous))
        {
            throw new ArgumentOutOfRangeException(nameof(Synchronous), Synchronous, "Unknown synchronous mode.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BusyTimeout, TimeSpan.Zero, nameof(BusyTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReaderConnections, 1, nameof(MaxReaderConnections));
        if (RetentionWindow is { } window)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero, nameof(RetentionWindow));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PruneInterval, TimeSpan.Zero, nameof(PruneInterval));
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(EventSerializer);
    }
}
