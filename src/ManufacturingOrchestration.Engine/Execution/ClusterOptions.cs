using System.ComponentModel.DataAnnotations;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// How several orchestrator nodes share one store (<see cref="OrchestratorSettings.Cluster"/>), with documented defaults.
/// Off by default: one node per store, as without it.
/// </summary>
/// <remarks>
/// <para>Partition keys hash (a stable hash, the same in every process) into <see cref="BucketCount"/> buckets. A node
/// works only on the buckets whose lease it holds (<c>bucket:&lt;n&gt;</c> in the store's lease table, renewed about every
/// third of <see cref="LeaseDuration"/>) and fences every commit of a bucket's partitions by that lease, so a node that
/// lost a bucket — paused, cut off, or slower than its lease — cannot commit to it any more. Each node takes free or
/// expired buckets up to its fair share (buckets ÷ live nodes, a node being live while its <c>node:&lt;id&gt;</c> lease is)
/// and releases what it holds beyond it when others join.</para>
/// <para>Events are accepted durably by any node; the owner of their bucket finds them in the store, woken by the
/// store's change notifications when it has them (<see cref="Storage.IStoreChangeNotifications"/>) and by polling every
/// <see cref="PollInterval"/> otherwise. Timers fire on the owner of their partition's bucket; audit checkpoints and audit
/// sink deliveries run on one node at a time, the holder of the <c>cluster:singleton</c> lease.</para>
/// <para>Every node of a cluster must use the same <see cref="BucketCount"/> and a distinct
/// <see cref="OrchestratorSettings.NodeId"/>.</para>
/// </remarks>
public sealed class ClusterOptions
{
    /// <summary>The largest <see cref="BucketCount"/> allowed.</summary>
    public const int MaxBucketCount = 65_536;

    /// <summary>Whether this node shares its store with other nodes (takes bucket leases and fences its commits). Default <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// How long a lease lasts unless renewed: the longest a stopped or cut-off node keeps buckets from the others. Renewed
    /// about every third of it. At least one second; default 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many buckets the partition keys hash into; the same on every node. 1 to 65,536; default 256.</summary>
    [Range(1, MaxBucketCount)]
    public int BucketCount { get; set; } = 256;

    /// <summary>
    /// The longest a node waits before it looks in the store for events of its buckets accepted elsewhere, when no change
    /// notification woke it earlier. Positive, at most one minute; default 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The bucket a partition key belongs to: a stable hash (FNV-1a over the key's UTF-16 code units, mixed), the same in
    /// every process and every run, scaled to <see cref="BucketCount"/>.
    /// </summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <returns>The bucket, from 0 to <see cref="BucketCount"/> − 1.</returns>
    public int BucketOf(string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        return BucketOf(partitionKey, BucketCount);
    }

    /// <summary>A copy with the same settings.</summary>
    internal ClusterOptions Clone() => (ClusterOptions)MemberwiseClone();

    internal static int BucketOf(string partitionKey, int bucketCount)
    {
        var hash = 2166136261u;
        foreach (var c in partitionKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        // Mixed (murmur3's finalizer) so that buckets do not follow the worker index, which takes the plain hash modulo.
        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        hash ^= hash >> 16;
        return (int)(((ulong)hash * (ulong)bucketCount) >> 32);
    }
}
