using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The ERP: system of record for stock by category and ownership, batch status, allocations, ATP, shipment holds,
/// postings and material master data. Commands return an <see cref="AdapterResult"/> and never throw for business
/// refusals; queries return <see langword="null"/> (or an empty list) for unknown keys. See docs/adapters.md.
/// </summary>
public interface IErpAdapter
{
    /// <summary>Changes the stock category of a quantity of a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the material document number.</returns>
    ValueTask<AdapterResult> ChangeStockCategoryAsync(ChangeStockCategoryRequest request, CancellationToken cancellationToken);

    /// <summary>Posts a goods movement.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the material document number.</returns>
    ValueTask<AdapterResult> PostGoodsMovementAsync(PostGoodsMovementRequest request, CancellationToken cancellationToken);

    /// <summary>Reverses an earlier goods movement.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the reversal document number.</returns>
    ValueTask<AdapterResult> ReverseGoodsMovementAsync(ReverseGoodsMovementRequest request, CancellationToken cancellationToken);

    /// <summary>Sets the batch-level status of a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> SetBatchStatusAsync(SetBatchStatusRequest request, CancellationToken cancellationToken);

    /// <summary>Re-evaluates the open allocations of a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> ReevaluateAllocationsAsync(ReevaluateAllocationsRequest request, CancellationToken cancellationToken);

    /// <summary>Recomputes available-to-promise for a material at a site.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> UpdateAtpAsync(UpdateAtpRequest request, CancellationToken cancellationToken);

    /// <summary>Places a shipment hold on a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> PlaceShipmentHoldAsync(PlaceShipmentHoldRequest request, CancellationToken cancellationToken);

    /// <summary>Releases a shipment hold on a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> ReleaseShipmentHoldAsync(ReleaseShipmentHoldRequest request, CancellationToken cancellationToken);

    /// <summary>Posts a cycle-count adjustment.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the inventory document number.</returns>
    ValueTask<AdapterResult> PostCountAdjustmentAsync(PostCountAdjustmentRequest request, CancellationToken cancellationToken);

    /// <summary>Posts a production confirmation on an order.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the confirmation number.</returns>
    ValueTask<AdapterResult> PostProductionConfirmationAsync(PostProductionConfirmationRequest request, CancellationToken cancellationToken);

    /// <summary>Gets a lot with its stock buckets, disposition, quality decision and holds.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lot, or <see langword="null"/> when the ERP does not know it.</returns>
    ValueTask<MaterialLot?> GetLotAsync(LotId lot, CancellationToken cancellationToken);

    /// <summary>Gets a material definition (master data).</summary>
    /// <param name="material">The material.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The definition, or <see langword="null"/> when unknown.</returns>
    ValueTask<MaterialDefinition?> GetMaterialAsync(MaterialId material, CancellationToken cancellationToken);

    /// <summary>Gets the open allocations (reservations) of a lot.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open allocations; empty when none or the lot is unknown.</returns>
    ValueTask<IReadOnlyList<Allocation>> GetOpenAllocationsAsync(LotId lot, CancellationToken cancellationToken);

    /// <summary>Gets a lot's stock by category and ownership, for reconciliation.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The snapshot, or <see langword="null"/> when the lot is unknown.</returns>
    ValueTask<LotStockSnapshot?> GetStockAsync(LotId lot, CancellationToken cancellationToken);

    /// <summary>Gets a production order.</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order, or <see langword="null"/> when unknown.</returns>
    ValueTask<ProductionOrder?> GetProductionOrderAsync(OrderId order, CancellationToken cancellationToken);
}
