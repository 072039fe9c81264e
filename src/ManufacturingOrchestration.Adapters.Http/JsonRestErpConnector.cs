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
public sealed class JsonRestErpConnector : HttpConnector,
    ICommandHandler<ChangeStockCategoryRequest>,
    ICommandHandler<PostGoodsMovementRequest>,
    ICommandHandler<ReverseGoodsMovementRequest>,
    ICommandHandler<SetBatchStatusRequest>,
    ICommandHandler<ReevaluateAllocationsRequest>,
    ICommandHandler<UpdateAtpRequest>,
    ICommandHandler<PlaceShipmentHoldRequest>,
    ICommandHandler<ReleaseShipmentHoldRequest>,
    ICommandHandler<PostCountAdjustmentRequest>,
    ICommandHandler<PostProductionConfirmationRequest>,
    ICommandHandler<ConfirmScrapDestructionRequest>,
    ICommandHandler<CreateQuarantineOrderRequest>,
    ICommandHandler<ChangeQuarantineOrderRequest>,
    IQueryHandler<GetLotQuery, MaterialLot?>,
    IQueryHandler<GetMaterialQuery, MaterialDefinition?>,
    IQueryHandler<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>,
    IQueryHandler<GetErpStockQuery, LotStockSnapshot?>,
    IQueryHandler<GetProductionOrderQuery, ProductionOrder?>
{
    /// <summary>Creates the connector.</summary>
    /// <param name="context">What the connector needs.</param>
    public JsonRestErpConnector(HttpConnectorContext context)
        : base(context)
    {
    }

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ChangeStockCategoryAsync(ChangeStockCategoryRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> PostGoodsMovementAsync(PostGoodsMovementRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ReverseGoodsMovementAsync(ReverseGoodsMovementRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ConfirmScrapDestructionAsync(ConfirmScrapDestructionRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> CreateQuarantineOrderAsync(CreateQuarantineOrderRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ChangeQuarantineOrderAsync(ChangeQuarantineOrderRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> SetBatchStatusAsync(SetBatchStatusRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ReevaluateAllocationsAsync(ReevaluateAllocationsRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> UpdateAtpAsync(UpdateAtpRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> PlaceShipmentHoldAsync(PlaceShipmentHoldRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> ReleaseShipmentHoldAsync(ReleaseShipmentHoldRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> PostCountAdjustmentAsync(PostCountAdjustmentRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Sends the command to the endpoint configured for its kind.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome.</returns>
    public ValueTask<AdapterResult> PostProductionConfirmationAsync(PostProductionConfirmationRequest request, CancellationToken cancellationToken = default) =>
        SendCommandAsync(request, cancellationToken);

    /// <summary>Asks the endpoint configured for the query (404 = unknown).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public ValueTask<MaterialLot?> GetLotAsync(LotId lot, CancellationToken cancellationToken = default) =>
        QueryAsync(QueryKinds.ErpGetLot, Argument("lot", lot.Value), JsonContracts.Of<MaterialLot>(), cancellationToken);

    /// <summary>Asks the endpoint configured for the query (404 = unknown).</summary>
    /// <param name="material">The material.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public ValueTask<MaterialDefinition?> GetMaterialAsync(MaterialId material, CancellationToken cancellationToken = default) =>
        QueryAsync(QueryKinds.ErpGetMaterial, Argument("material", material.Value), JsonContracts.Of<MaterialDefinition>(), cancellationToken);

    /// <summary>Asks the endpoint configured for the query (404 = unknown).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public async ValueTask<IReadOnlyList<Allocation>> GetOpenAllocationsAsync(LotId lot, CancellationToken cancellationToken = default) =>
        await QueryAsync(QueryKinds.ErpGetOpenAllocations, Argument("lot", lot.Value), JsonContracts.Of<IReadOnlyList<Allocation>>(), cancellationToken).ConfigureAwait(false)
        ?? [];

    /// <summary>Asks the endpoint configured for the query (404 = unknown).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public ValueTask<LotStockSnapshot?> GetStockAsync(LotId lot, CancellationToken cancellationToken = default) =>
        QueryAsync(QueryKinds.ErpGetStock, Argument("lot", lot.Value), JsonContracts.Of<LotStockSnapshot>(), cancellationToken);

    /// <summary>Asks the endpoint configured for the query (404 = unknown).</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    public ValueTask<ProductionOrder?> GetProductionOrderAsync(OrderId order, CancellationToken cancellationToken = default) =>
        QueryAsync(QueryKinds.ErpGetProductionOrder, Argument("order", order.Value), JsonContracts.Of<ProductionOrder>(), cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ConfirmScrapDestructionRequest>.ExecuteAsync(ConfirmScrapDestructionRequest command, CancellationToken cancellationToken) => ConfirmScrapDestructionAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<CreateQuarantineOrderRequest>.ExecuteAsync(CreateQuarantineOrderRequest command, CancellationToken cancellationToken) => CreateQuarantineOrderAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ChangeQuarantineOrderRequest>.ExecuteAsync(ChangeQuarantineOrderRequest command, CancellationToken cancellationToken) => ChangeQuarantineOrderAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ChangeStockCategoryRequest>.ExecuteAsync(ChangeStockCategoryRequest command, CancellationToken cancellationToken) => ChangeStockCategoryAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PostGoodsMovementRequest>.ExecuteAsync(PostGoodsMovementRequest command, CancellationToken cancellationToken) => PostGoodsMovementAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReverseGoodsMovementRequest>.ExecuteAsync(ReverseGoodsMovementRequest command, CancellationToken cancellationToken) => ReverseGoodsMovementAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<SetBatchStatusRequest>.ExecuteAsync(SetBatchStatusRequest command, CancellationToken cancellationToken) => SetBatchStatusAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReevaluateAllocationsRequest>.ExecuteAsync(ReevaluateAllocationsRequest command, CancellationToken cancellationToken) => ReevaluateAllocationsAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<UpdateAtpRequest>.ExecuteAsync(UpdateAtpRequest command, CancellationToken cancellationToken) => UpdateAtpAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PlaceShipmentHoldRequest>.ExecuteAsync(PlaceShipmentHoldRequest command, CancellationToken cancellationToken) => PlaceShipmentHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReleaseShipmentHoldRequest>.ExecuteAsync(ReleaseShipmentHoldRequest command, CancellationToken cancellationToken) => ReleaseShipmentHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PostCountAdjustmentRequest>.ExecuteAsync(PostCountAdjustmentRequest command, CancellationToken cancellationToken) => PostCountAdjustmentAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PostProductionConfirmationRequest>.ExecuteAsync(PostProductionConfirmationRequest command, CancellationToken cancellationToken) => PostProductionConfirmationAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<MaterialLot?> IQueryHandler<GetLotQuery, MaterialLot?>.QueryAsync(GetLotQuery query, CancellationToken cancellationToken) => GetLotAsync(query.Lot, cancellationToken);

    /// <inheritdoc />
    ValueTask<MaterialDefinition?> IQueryHandler<GetMaterialQuery, MaterialDefinition?>.QueryAsync(GetMaterialQuery query, CancellationToken cancellationToken) => GetMaterialAsync(query.Material, cancellationToken);

    /// <inheritdoc />
    ValueTask<IReadOnlyList<Allocation>> IQueryHandler<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>.QueryAsync(GetOpenAllocationsQuery query, CancellationToken cancellationToken) => GetOpenAllocationsAsync(query.Lot, cancellationToken);

    /// <inheritdoc />
    ValueTask<LotStockSnapshot?> IQueryHandler<GetErpStockQuery, LotStockSnapshot?>.QueryAsync(GetErpStockQuery query, CancellationToken cancellationToken) => GetStockAsync(query.Lot, cancellationToken);

    /// <inheritdoc />
    ValueTask<ProductionOrder?> IQueryHandler<GetProductionOrderQuery, ProductionOrder?>.QueryAsync(GetProductionOrderQuery query, CancellationToken cancellationToken) => GetProductionOrderAsync(query.Order, cancellationToken);
}

/// <summary>The source-generated JSON contracts of query results.</summary>
internal static class JsonContracts
{
    public static JsonTypeInfo<T> Of<T>() => (JsonTypeInfo<T>)AdapterJson.Context.GetTypeInfo(typeof(T))!;
}
