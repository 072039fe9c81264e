namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The traceability repository: where released lots' genealogy (which component lots, from which orders, went into
/// a lot) is published for recalls and audits. Like every adapter it is reached only through a command with an
/// idempotency key, so a genealogy is published exactly once per planned publication. See docs/adapters.md.
/// </summary>
public interface ITraceabilityAdapter
{
    /// <summary>Publishes a lot's genealogy; the same idempotency key is applied at most once.</summary>
    /// <param name="request">The publication.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Succeeded, already applied, or a classified failure.</returns>
    ValueTask<AdapterResult> PublishGenealogyAsync(PublishGenealogyRequest request, CancellationToken cancellationToken);
}
