using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The reference JSON/REST WMS connector: each command is sent to its configured endpoint (default
/// <see cref="HttpEndpoints.Wms"/>, such as <c>POST move-tasks</c>) as <see cref="AdapterJson"/> JSON; the stock query is a
/// <c>GET</c> whose JSON answer is read with the adapters' source-generated contracts (404 = unknown lot). Register it
/// with <c>services.AddHttpWmsConnector("wms-plant-1", o =&gt; …)</c>.
/// </summary>
public sealed class JsonRestWmsConnector : HttpConnector, IWmsAdapter
{
    /// <summary>Creates the connector.</summary>
    /// <param name="context">What the connector needs.</param>
    public JsonRestWmsConnector(HttpConnectorContext context)
        : base(context)
    {
    }

    /// <inheritdoc />
    public ValueTask<AdapterResult> CreateMoveTaskAsync(CreateMoveTaskRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PlaceHoldAsync(PlaceHoldRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReleaseHoldAsync(ReleaseHoldRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PausePicksAsync(PausePicksRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ResumePicksAsync(ResumePicksRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<WmsStock?> GetStockAsync(LotId lot, CancellationToken cancellationToken) =>
        QueryAsync(QueryKinds.WmsGetStock, Argument("lot", lot.Value), JsonContracts.Of<WmsStock>(), cancellationToken);
}
