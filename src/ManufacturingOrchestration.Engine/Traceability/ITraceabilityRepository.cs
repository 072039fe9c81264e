using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Traceability;

/// <summary>
/// Where released lots' genealogy is kept for recalls and audits. The orchestrator reaches it only through the
/// <c>traceability.publish-genealogy</c> command (wrap a repository in a <see cref="TraceabilityRepositoryAdapter"/>
/// and add it as the <c>traceability</c> adapter of the <see cref="Adapters.AdapterSet"/>), so publications are planned in the same commit as
/// the release and retried with the same idempotency key.
/// </summary>
/// <remarks>Implementations must be thread-safe and must apply a publication's idempotency key at most once.</remarks>
public interface ITraceabilityRepository
{
    /// <summary>Publishes (creates or replaces) the genealogy of a lot.</summary>
    /// <param name="publication">The lot, its genealogy links and the idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the publication was written now or had been written before with the same key.</returns>
    ValueTask<TraceabilityPublishStatus> PublishAsync(GenealogyPublication publication, CancellationToken cancellationToken = default);

    /// <summary>Reads the genealogy published for a lot.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The latest publication, or <see langword="null"/> when none was published.</returns>
    ValueTask<TraceabilityRecord?> GetAsync(LotId lot, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads where a lot was consumed: the links of every published lot that names it as a component
    /// (<see cref="TraceabilityRecord.LinksConsuming"/>), for forward traces.
    /// </summary>
    /// <param name="componentLot">The consumed lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The links, each naming the lot it went into; empty when no published lot consumed it.</returns>
    ValueTask<IReadOnlyList<GenealogyLink>> GetConsumersAsync(LotId componentLot, CancellationToken cancellationToken = default);
}

/// <summary>What a publication did.</summary>
public enum TraceabilityPublishStatus
{
    /// <summary>The genealogy was written now.</summary>
    Published = 0,

    /// <summary>A publication with the same idempotency key had been written before; nothing changed.</summary>
    AlreadyPublished = 1,
}
