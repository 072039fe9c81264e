namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>What a clustered orchestrator node holds of its cluster at one moment (<see cref="Orchestrator.Cluster"/>).</summary>
public sealed class ClusterStatus
{
    internal ClusterStatus(string nodeId, IReadOnlyList<int> ownedBuckets, bool holdsSingleton, long leaseLosses)
    {
        NodeId = nodeId;
        OwnedBuckets = ownedBuckets;
        HoldsSingleton = holdsSingleton;
        LeaseLosses = leaseLosses;
    }

    /// <summary>The node's id (<see cref="OrchestratorSettings.NodeId"/>).</summary>
    public string NodeId { get; }

    /// <summary>The buckets whose lease the node holds, ascending.</summary>
    public IReadOnlyList<int> OwnedBuckets { get; }

    /// <summary>Whether the node holds the singleton lease: it takes the audit checkpoints and delivers to the audit sinks.</summary>
    public bool HoldsSingleton { get; }

    /// <summary>
    /// How many times since start the node found a bucket lease lost while it still worked on the bucket: the store
    /// refused a commit fenced by it, or a renewal or the check before sending commands found another epoch.
    /// </summary>
    public long LeaseLosses { get; }
}
