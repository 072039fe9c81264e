using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// Several clustered orchestrator nodes for a <see cref="SampleHost"/>: how many, how each opens its own store on the
/// shared database, and the cluster settings (<c>UseClustering</c>) every node gets.
/// </summary>
public sealed class SampleCluster
{
    /// <summary>How many nodes (at least 2); they are named <c>node-1</c>, <c>node-2</c>….</summary>
    public required int Nodes { get; init; }

    /// <summary>
    /// Opens a node's own store instance (its own connections) on the database the nodes share, given the node id. The
    /// host disposes it at the end.
    /// </summary>
    public required Func<string, CancellationToken, Task<IOrchestrationStore>> OpenStoreAsync { get; init; }

    /// <summary>How long a bucket lease lasts unless renewed: a killed node's buckets move after about this long and a third. Default 5 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many buckets the partition keys hash into. Default 32.</summary>
    public int BucketCount { get; init; } = 32;

    /// <summary>How often a node looks for new events of its buckets besides change notifications. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
