using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Traceability;

/// <summary>
/// Makes an <see cref="ITraceabilityRepository"/> the target of <c>traceability.publish-genealogy</c> commands: add it
/// to the <see cref="AdapterSet"/> as the <see cref="CommandKinds.TraceabilitySystem"/> adapter. The command's idempotency key becomes the publication's, so a retried or
/// replayed command is answered <see cref="AdapterResultStatus.AlreadyApplied"/>; an I/O failure is transient
/// (retried with backoff), a repository that cannot read its own data is a permanent failure (dead letter).
/// </summary>
public sealed class TraceabilityRepositoryAdapter : ICommandHandler<PublishGenealogyRequest>
{
    private readonly ITraceabilityRepository _repository;

    /// <summary>Creates the adapter.</summary>
    /// <param name="repository">The repository.</param>
    public TraceabilityRepositoryAdapter(ITraceabilityRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _repository = repository;
    }

    /// <summary>Publishes a lot's genealogy; the same idempotency key is applied at most once.</summary>
    /// <param name="request">The publication.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Succeeded (the lot id as reference), already applied, or a classified failure.</returns>
    public async ValueTask<AdapterResult> ExecuteAsync(PublishGenealogyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var publication = new GenealogyPublication
        {
            IdempotencyKey = request.Context.IdempotencyKey,
            Lot = request.Lot,
            Material = request.Material,
            Site = request.Site,
            ProducedBy = request.ProducedBy,
            Links = request.Links,
            ReleasedBy = request.ReleasedBy,
            CorrelationId = request.Context.CorrelationId,
        };
        try
        {
            var status = await _repository.PublishAsync(publication, cancellationToken).ConfigureAwait(false);
            return status == TraceabilityPublishStatus.AlreadyPublished
                ? AdapterResult.AlreadyApplied(request.Lot.Value)
                : AdapterResult.Success(request.Lot.Value);
        }
        catch (IOException ex)
        {
            return AdapterResult.Transient($"The traceability repository could not be written: {ex.Message}");
        }
        catch (ManufacturingOrchestrationException ex)
        {
            return AdapterResult.Permanent(ex.ReasonCode, ex.Message);
        }
    }
}
