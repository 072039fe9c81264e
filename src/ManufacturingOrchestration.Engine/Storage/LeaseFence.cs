using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// The lease a <see cref="StepCommit"/> is fenced by: the owner that took the partition's lease and the epoch the store
/// handed it with the lease (<see cref="LeaseGrant.Epoch"/>). The store applies a fenced commit only when the
/// partition's lease still has this owner and this epoch, checked in the same transaction as the commit's writes.
/// </summary>
/// <remarks>
/// A node can lose its lease without knowing it — paused by the garbage collector or the hypervisor, cut off by the
/// network, or slower than its lease — while another node takes the partition over, so a node's own clock or lease
/// expiry can never prove that it still holds the lease when its commit reaches the store. The epoch grows every time
/// the lease changes hands and the store compares it atomically with the write, so a commit from any earlier holder is
/// refused however late it arrives; expiry times play no part in the check.
/// </remarks>
public sealed record LeaseFence
{
    /// <summary>The owner (node) id the lease was granted to.</summary>
    public required string Owner { get; init; }

    /// <summary>The epoch the lease was granted with (<see cref="LeaseGrant.Epoch"/>).</summary>
    public required long Epoch { get; init; }

    /// <summary>
    /// The key of the lease that fences the commit, or <see langword="null"/> (the default) for the lease of the
    /// committing partition itself (<see cref="StepCommit.PartitionKey"/>). A node that owns many partitions through one
    /// lease (a bucket of partition keys, as the clustered orchestrator takes them) names that lease here.
    /// </summary>
    public string? LeaseKey { get; init; }
}

/// <summary>
/// A lease that <see cref="IOrchestrationStore.TryAcquireLeaseGrantAsync"/> granted or renewed: who holds it, with which
/// fencing epoch, and until when.
/// </summary>
/// <remarks>
/// The epoch of a partition's lease grows each time the lease passes to an owner that did not hold it (a takeover after
/// expiry, or any acquisition after a release, even by the last owner); a renewal by the holder keeps it.
/// </remarks>
public sealed record LeaseGrant
{
    /// <summary>The partition.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The owner (node) id.</summary>
    public required string Owner { get; init; }

    /// <summary>The fencing epoch; positive.</summary>
    public required long Epoch { get; init; }

    /// <summary>When the lease expires unless renewed.</summary>
    public required DateTimeOffset Until { get; init; }

    /// <summary>The fence for <see cref="StepCommit.Fence"/> of the commits this holder makes to the partition the lease is named after.</summary>
    public LeaseFence Fence => new() { Owner = Owner, Epoch = Epoch };

    /// <summary>
    /// The fence for commits of other partitions this lease covers: <see cref="Fence"/> with
    /// <see cref="LeaseFence.LeaseKey"/> set to <see cref="PartitionKey"/>, the key of this lease.
    /// </summary>
    public LeaseFence FenceByKey => new() { Owner = Owner, Epoch = Epoch, LeaseKey = PartitionKey };
}

/// <summary>
/// Thrown by <see cref="IOrchestrationStore.CommitAsync"/> when a commit's <see cref="StepCommit.Fence"/> no longer
/// matches the partition's lease (another owner took it over, or it was released); nothing of the batch was committed.
/// </summary>
/// <remarks>
/// The node lost the partition: it must stop working on it, drop what it holds of it in memory, and neither retry the
/// commit nor send the commands it planned. The node that holds the lease now processes the partition's events again.
/// </remarks>
public sealed class LeaseLostException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="fence">The fence the refused commit carried.</param>
    public LeaseLostException(string partitionKey, LeaseFence fence)
        : base(ReasonCodes.LeaseLost, $"The lease {(fence?.LeaseKey is { } leaseKey ? $"'{leaseKey}' of partition '{partitionKey}'" : $"of partition '{partitionKey}'")} is no longer held by '{fence?.Owner}' at epoch {fence?.Epoch}; nothing was committed.")
    {
        ArgumentNullException.ThrowIfNull(fence);
        PartitionKey = partitionKey;
        Fence = fence;
    }

    /// <summary>The partition.</summary>
    public string PartitionKey { get; }

    /// <summary>The fence the refused commit carried.</summary>
    public LeaseFence Fence { get; }
}
