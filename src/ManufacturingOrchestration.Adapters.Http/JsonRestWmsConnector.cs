using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The reference JSON/REST WMS connector: each command is sent to its configured endpoint (default
/// <see cref="HttpEndpoints.Wms"/>, such as <c>POST move-tasks</c>) as <see cref="AdapterJson"/> JSON; the stock query is a
/// <c>GET</c> whose JSON answer is read with the adapters' source-generated contracts (404 = unknown lot). Register it
/// with <c>services.AddHttpWmsConnector("wms-plant-1", o =&gt; …)</c>.
/// </summary>
public sealed class JsonRestWmsConnector : HttpConnector,
    ICommandHandler<CreateMoveTaskRequest>,
    ICommandHandler<PlaceHoldRequest>,
    ICommandHandler<ReleaseHoldRequest>,
    ICommandHandler<PausePicksRequest>,
    ICommandHandler<ResumePicksRequest>,
    IQueryHandler<GetWmsStockQuery, WmsStock?>
{
    /// <summary>Creates the connector.</summary>
    /// <param name="context">What the connector needs.</param>
    public JsonRestWmsConnector(HttpConnectorContext context)
        : base(context)
    {
    }

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> CreateMoveTaskAsync(CreateMoveTaskRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> PlaceHoldAsync(PlaceHoldRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ReleaseHoldAsync(ReleaseHoldRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> PausePicksAsync(PausePicksRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ResumePicksAsync(ResumePicksRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Asks the endpoint configured for the query (404 = unknown).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public ValueTask<WmsStock?> GetStockAsync(LotId lot, CancellationToken cancellationToken = default) =>
        QueryAsync(QueryKinds.WmsGetStock, Argument("lot", lot.Value), JsonContracts.Of<WmsStock>(), cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<CreateMoveTaskRequest>.ExecuteAsync(CreateMoveTaskRequest command, CancellationToken cancellationToken) => CreateMoveTaskAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PlaceHoldRequest>.ExecuteAsync(PlaceHoldRequest command, CancellationToken cancellationToken) => PlaceHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReleaseHoldRequest>.ExecuteAsync(ReleaseHoldRequest command, CancellationToken cancellationToken) => ReleaseHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PausePicksRequest>.ExecuteAsync(PausePicksRequest command, CancellationToken cancellationToken) => PausePicksAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ResumePicksRequest>.ExecuteAsync(ResumePicksRequest command, CancellationToken cancellationToken) => ResumePicksAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<WmsStock?> IQueryHandler<GetWmsStockQuery, WmsStock?>.QueryAsync(GetWmsStockQuery query, CancellationToken cancellationToken) => GetStockAsync(query.Lot, cancellationToken);
}
