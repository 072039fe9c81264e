using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The MES: work-order execution, holds and containment on the shop floor, production confirmations and lot
/// genealogy (which work orders consumed which lots, and how much). See docs/adapters.md.
/// </summary>
public interface IMesAdapter
{
    /// <summary>Holds a work order.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> HoldWorkOrderAsync(HoldWorkOrderRequest request, CancellationToken cancellationToken);

    /// <summary>Releases the hold on a work order.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> ReleaseWorkOrderAsync(ReleaseWorkOrderRequest request, CancellationToken cancellationToken);

    /// <summary>Requests a containment check of work orders that consumed a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the check's id.</returns>
    ValueTask<AdapterResult> RequestContainmentCheckAsync(RequestContainmentCheckRequest request, CancellationToken cancellationToken);

    /// <summary>Records a production confirmation on a work order.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the confirmation id.</returns>
    ValueTask<AdapterResult> RecordProductionConfirmationAsync(RecordProductionConfirmationRequest request, CancellationToken cancellationToken);

    /// <summary>Gets the genealogy links where a lot was consumed: which work orders used it and how much.</summary>
    /// <param name="componentLot">The consumed lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The links; empty when the lot was not consumed.</returns>
    ValueTask<IReadOnlyList<GenealogyLink>> GetConsumersAsync(LotId componentLot, CancellationToken cancellationToken);

    /// <summary>Gets the genealogy links of the components that went into a produced lot.</summary>
    /// <param name="producedLot">The produced lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The links; empty when none are known.</returns>
    ValueTask<IReadOnlyList<GenealogyLink>> GetComponentsAsync(LotId producedLot, CancellationToken cancellationToken);

    /// <summary>Gets a work order.</summary>
    /// <param name="order">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order, or <see langword="null"/> when unknown.</returns>
    ValueTask<ProductionOrder?> GetWorkOrderAsync(OrderId order, CancellationToken cancellationToken);
}
