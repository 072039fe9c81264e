using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Thrown by <see cref="IOrchestrationStore.AppendCheckpointAsync"/> when the checkpoint does not continue the latest stored
/// one — its <see cref="AuditCheckpoint.Number"/> is not the latest's plus one — because another writer (another node
/// holding the singleton lease, or one that lost it while paused) appended first. Nothing was stored; the checkpoint chain
/// does not fork.
/// </summary>
public sealed class AuditCheckpointConflictException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="number">The number of the checkpoint refused.</param>
    /// <param name="latestStored">The number of the latest stored checkpoint (0 when none).</param>
    public AuditCheckpointConflictException(long number, long latestStored)
        : base(ReasonCodes.AuditCheckpointConflict, $"Audit checkpoint {number} does not continue the latest stored checkpoint {latestStored}; nothing was stored.")
    {
        Number = number;
        LatestStored = latestStored;
    }

    /// <summary>The number of the checkpoint refused.</summary>
    public long Number { get; }

    /// <summary>The number of the latest stored checkpoint (0 when none).</summary>
    public long LatestStored { get; }
}
