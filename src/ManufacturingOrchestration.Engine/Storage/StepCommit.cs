using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Everything one step of one partition writes, committed atomically: the new state, inbox events marked processed,
/// new and updated outbox commands, audit records, follow-up events for other partitions, timers and dead letters.
/// </summary>
public sealed record StepCommit
{
    /// <summary>The partition.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The version the partition must have for the commit to apply (0 for a new partition).</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The new state (its version must be <see cref="ExpectedVersion"/> + 1), or <see langword="null"/> when the state is unchanged.</summary>
    public PartitionState? NewState { get; init; }

    /// <summary>Inbox events of this partition that this step processed.</summary>
    public IReadOnlyList<EventKey> ProcessedEvents { get; init; } = [];

    /// <summary>New outbox commands.</summary>
    public IReadOnlyList<OutboxEntry> NewCommands { get; init; } = [];

    /// <summary>Outbox commands whose status, attempts or schedule changed (matched by idempotency key).</summary>
    public IReadOnlyList<OutboxEntry> UpdatedCommands { get; init; } = [];

    /// <summary>Audit records to append (they continue the partition's chain).</summary>
    public IReadOnlyList<AuditRecord> Audit { get; init; } = [];

    /// <summary>Events for other partitions, accepted into the inbox atomically with this step (de-duplicated).</summary>
    public IReadOnlyList<InboxEvent> FollowUpEvents { get; init; } = [];

    /// <summary>Timers to schedule (an existing id is replaced).</summary>
    public IReadOnlyList<DurableTimer> Timers { get; init; } = [];

    /// <summary>Timer ids to cancel.</summary>
    public IReadOnlyList<string> CancelledTimers { get; init; } = [];

    /// <summary>Dead letters to add or update (matched by id).</summary>
    public IReadOnlyList<DeadLetter> DeadLetters { get; init; } = [];

    /// <summary>
    /// The lease this step is committed under, or <see langword="null"/> (the default) for a node that shares the store
    /// with no other. When set, the store applies the batch only when the partition's lease has exactly this owner and
    /// epoch at commit time, whatever its expiry, and otherwise throws <see cref="LeaseLostException"/> and writes
    /// nothing of the batch. The lease checked is the partition's own unless <see cref="LeaseFence.LeaseKey"/> names another.
    /// </summary>
    public LeaseFence? Fence { get; init; }

    /// <summary>
    /// Checks what every store checks before it writes a commit: the new state, when there is one, has this partition's
    /// key and the version after <see cref="ExpectedVersion"/>, and every audit record belongs to this partition.
    /// </summary>
    /// <exception cref="ArgumentException">The commit contradicts itself; the message names what.</exception>
    public void ThrowIfInconsistent()
    {
        ArgumentException.ThrowIfNullOrEmpty(PartitionKey);
        if (NewState is { } state && (state.Version != ExpectedVersion + 1 || !string.Equals(state.Key, PartitionKey, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The new state of '{PartitionKey}' must have key '{PartitionKey}' and version {ExpectedVersion + 1}.");
        }

        for (var i = 0; i < Audit.Count; i++)
        {
            var record = Audit[i];
            if (!string.Equals(record.PartitionKey, PartitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Audit record {record.Sequence} belongs to '{record.PartitionKey}', not to the committing partition '{PartitionKey}'.");
            }
        }
    }
}

/// <summary>Thrown when a partition's stored version is not the one a commit expected; nothing of the batch was committed.</summary>
public sealed class ConcurrencyConflictException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="expected">The expected version.</param>
    /// <param name="actual">The stored version.</param>
    public ConcurrencyConflictException(string partitionKey, long expected, long actual)
        : base(ReasonCodes.ConcurrencyConflict, $"Partition '{partitionKey}' is at version {actual}, expected {expected}; nothing was committed.")
    {
        PartitionKey = partitionKey;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The partition.</summary>
    public string PartitionKey { get; }

    /// <summary>The expected version.</summary>
    public long Expected { get; }

    /// <summary>The stored version.</summary>
    public long Actual { get; }
}
