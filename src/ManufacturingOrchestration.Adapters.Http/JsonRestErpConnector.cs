using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The reference JSON/REST ERP connector: each command is sent to its configured endpoint (default
/// <see cref="HttpEndpoints.Erp"/>, such as <c>POST lots/{lot}/stock-category</c>) as <see cref="AdapterJson"/> JSON, and
/// each query is a <c>GET</c> whose JSON answer is read with the adapters' source-generated contracts
/// (404 = unknown). Register it with <c>services.AddHttpErpConnector("erp-eu", o =&gt; …)</c>.
/// </summary>
public sealed class JsonRestErpConnector : HttpConnector, IErpAdapter
{
    /// <summary>Creates the connector.</summary>
    /// <param name="context">What the connector needs.</param>
    public JsonRestErpConnector(HttpConnectorContext context)
        : base(context)
    {
    }

    /// <inheritdoc />
    public ValueTask<AdapterResult> ChangeStockCategoryAsync(ChangeStockCategoryRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PostGoodsMovementAsync(PostGoodsMovementRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReverseGoodsMovementAsync(ReverseGoodsMovementRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> SetBatchStatusAsync(SetBatchStatusRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReevaluateAllocationsAsync(ReevaluateAllocationsRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> UpdateAtpAsync(UpdateAtpRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PlaceShipmentHoldAsync(PlaceShipmentHoldRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReleaseShipmentHoldAsync(ReleaseShipmentHoldRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PostCountAdjustmentAsync(PostCountAdjustmentRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PostProductionConfirmationAsync(PostProductionConfirmationRequest request, CancellationToken cancellationToken) =>
        SendCommandAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<MaterialLot?> GetLotAsync(LotId lot, CancellationToken cancellationToken) =>
        QueryAsync(QueryKinds.ErpGetLot, Argument("lot", lot.Value), JsonContracts.Of<MaterialLot>(), cancellationToken);

    /// <inheritdoc />
    public ValueTask<MaterialDefinition?> GetMaterialAsync(MaterialId material, CancellationToken cancellationToken) =>
        QueryAsync(QueryKinds.ErpGetMaterial, Argument("material", material.Value), JsonContracts.Of<MaterialDefinition>(), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Allocation>> GetOpenAllocationsAsync(LotId lot, CancellationToken cancellationToken) =>
        await QueryAsync(QueryKinds.ErpGetOpenAllocations, Argument("lot", lot.Value), JsonContracts.Of<IReadOnlyList<Allocation>>(), cancellationToken).ConfigureAwait(false)
        ?? [];

    /// <inheritdoc />
    public ValueTask<LotStockSnapshot?> GetStockAsync(LotId lot, CancellationToken cancellationToken) =>
        QueryAsync(QueryKinds.ErpGetStock, Argument("lot", lot.Value), JsonContracts.Of<LotStockSnapshot>(), cancellationToken);

    /// <inheritdoc />
    public ValueTask<ProductionOrder?> GetProductionOrderAsync(OrderId order, CancellationToken cancellationToken) =>
        QueryAsync(QueryKinds.ErpGetProductionOrder, Argument("order", order.Value), JsonContracts.Of<ProductionOrder>(), cancellationToken);
}

/// <summary>The source-generated JSON contracts of query results.</summary>
internal static class JsonContracts
{
    public static JsonTypeInfo<T> Of<T>() => (JsonTypeInfo<T>)AdapterJson.Context.GetTypeInfo(typeof(T))!;
}
