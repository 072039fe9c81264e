namespace ManufacturingOrchestration.Samples;

/// <summary>
/// The power supply of one orchestrator node of a sample: while it is on, the node's store and adapters pass every call
/// through; once <see cref="TurnOff"/> is called, every call they get throws <see cref="NodePoweredOffException"/>, and
/// so does every call that was under way and returns afterwards (a crashed process never sees the answer). The node
/// neither commits, nor renews or releases a lease, nor reaches a plant system again: it is dead as a killed process is,
/// not stopped as <c>StopAsync</c> stops it (which gives its leases back at once).
/// </summary>
public sealed class NodePowerSwitch
{
    private int _off;

    /// <summary>A switch that is on.</summary>
    /// <param name="nodeId">The node it powers.</param>
    public NodePowerSwitch(string nodeId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        NodeId = nodeId;
    }

    /// <summary>The node it powers.</summary>
    public string NodeId { get; }

    /// <summary>Whether the node still has power.</summary>
    public bool IsOn => Volatile.Read(ref _off) == 0;

    /// <summary>Cuts the power: from now on every call of the node's store and adapters throws.</summary>
    /// <returns><see langword="true"/> when this call cut it; <see langword="false"/> when it was already off.</returns>
    public bool TurnOff() => Interlocked.Exchange(ref _off, 1) == 0;

    /// <summary>Throws when the power is off.</summary>
    /// <exception cref="NodePoweredOffException">The power is off.</exception>
    public void ThrowIfOff()
    {
        if (!IsOn)
        {
            throw new NodePoweredOffException(NodeId);
        }
    }
}

/// <summary>What a sample node's store or adapter throws once the node's <see cref="NodePowerSwitch"/> is off.</summary>
public sealed class NodePoweredOffException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NodePoweredOffException()
        : base("The node has no power.")
    {
        NodeId = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NodePoweredOffException(string message, Exception innerException)
        : base(message, innerException)
    {
        NodeId = string.Empty;
    }

    /// <summary>Creates the exception for a node.</summary>
    /// <param name="nodeId">The node without power.</param>
    public NodePoweredOffException(string nodeId)
        : base($"Node {nodeId} has no power: it can reach neither its database nor the plant systems.")
    {
        NodeId = nodeId;
    }

    /// <summary>The node without power.</summary>
    public string NodeId { get; }
}
