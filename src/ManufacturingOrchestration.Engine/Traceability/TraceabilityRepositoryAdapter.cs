using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Traceability;

/// <summary>
/// Makes an <see cref="ITraceabilityRepository"/> the target of <c>traceability.publish-genealogy</c> commands: add it
/// to the <see cref="AdapterSet"/> as the <see cref="CommandKinds.TraceabilitySystem"/> adapter. The command's idempotency key becomes the publication's, so a retried or
/// replayed command is answered <see cref="AdapterResultStatus.AlreadyApplied"/>; an I/O failure is transient
/// (retried with backoff), a repository that cannot read its own data is a permanent failure (dead letter).
/// It also answers genealogy traces (<see cref="TraceForwardQuery"/>, <see cref="TraceBackwardQuery"/>) from the published
/// genealogy, walked by <see cref="GenealogyTracer"/> like the MES's: route them to it with
/// <c>set.Handle(QueryKinds.MesTraceForward, adapter)</c> (and <see cref="QueryKinds.MesTraceBackward"/>). Only released
/// (published) lots are in it, so a trace through a lot not yet published stops there.
/// </summary>
public sealed class TraceabilityRepositoryAdapter :
    ICommandHandler<PublishGenealogyRequest>,
    IQueryHandler<TraceForwardQuery, GenealogyTrace>,
    IQueryHandler<TraceBackwardQuery, GenealogyTrace>
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

    /// <summary>What was made from a lot, as published: forward over the lots that name it as a component.</summary>
    /// <param name="lot">The lot to start from.</param>
    /// <param name="maxDepth">How many levels to walk.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trace.</returns>
    public ValueTask<GenealogyTrace> TraceForwardAsync(LotId lot, int maxDepth, CancellationToken cancellationToken = default) =>
        GenealogyTracer.TraceAsync(lot, GenealogyDirection.Forward, maxDepth, _repository.GetConsumersAsync, cancellationToken);

    /// <summary>What a lot was made of, as published: backward over each published lot's component links.</summary>
    /// <param name="lot">The lot to start from.</param>
    /// <param name="maxDepth">How many levels to walk.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trace.</returns>
    public ValueTask<GenealogyTrace> TraceBackwardAsync(LotId lot, int maxDepth, CancellationToken cancellationToken = default) =>
        GenealogyTracer.TraceAsync(lot, GenealogyDirection.Backward, maxDepth, ComponentsAsync, cancellationToken);

    /// <inheritdoc />
    ValueTask<GenealogyTrace> IQueryHandler<TraceForwardQuery, GenealogyTrace>.QueryAsync(TraceForwardQuery query, CancellationToken cancellationToken) =>
        TraceForwardAsync(query.Lot, query.MaxDepth, cancellationToken);

    /// <inheritdoc />
    ValueTask<GenealogyTrace> IQueryHandler<TraceBackwardQuery, GenealogyTrace>.QueryAsync(TraceBackwardQuery query, CancellationToken cancellationToken) =>
        TraceBackwardAsync(query.Lot, query.MaxDepth, cancellationToken);

    private async ValueTask<IReadOnlyList<GenealogyLink>> ComponentsAsync(LotId lot, CancellationToken cancellationToken)
    {
        var record = await _repository.GetAsync(lot, cancellationToken).ConfigureAwait(false);
        return record?.ComponentLinks() ?? [];
    }
}
