namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// The stable, versioned event type names of the taxonomy. A name never changes meaning; a breaking change to a
/// payload gets a new version suffix and an upcaster from the old one.
/// </summary>
public static class EventTypes
{
    /// <summary>Goods were received into stock.</summary>
    public const string GoodsReceived = "mfg.inventory.goods-received.v1";

    /// <summary>An inspection lot passed.</summary>
    public const string InspectionPassed = "mfg.quality.inspection.passed.v1";

    /// <summary>An inspection lot failed.</summary>
    public const string InspectionFailed = "mfg.quality.inspection.failed.v1";

    /// <summary>A nonconformance was raised.</summary>
    public const string NonconformanceRaised = "mfg.quality.nonconformance.raised.v1";

    /// <summary>The MRB decided a disposition.</summary>
    public const string MrbDispositionDecided = "mfg.quality.mrb-disposition.decided.v1";

    /// <summary>A person approved a pending request.</summary>
    public const string ApprovalGiven = "mfg.governance.approval.given.v1";

    /// <summary>A person refused a pending request.</summary>
    public const string ApprovalRefused = "mfg.governance.approval.refused.v1";

    /// <summary>A lot was released after final quality approval.</summary>
    public const string LotReleased = "mfg.quality.lot.released.v1";

    /// <summary>A lot was consumed by an order (partly or fully).</summary>
    public const string LotConsumed = "mfg.production.lot.consumed.v1";

    /// <summary>Production was confirmed on an order (partial or final).</summary>
    public const string ProductionConfirmed = "mfg.production.order.confirmed.v1";

    /// <summary>A cycle count was recorded.</summary>
    public const string CycleCountRecorded = "mfg.inventory.cycle-count.recorded.v1";

    /// <summary>Scrap was reported.</summary>
    public const string ScrapReported = "mfg.production.scrap.reported.v1";

    /// <summary>Stock was moved.</summary>
    public const string StockMoved = "mfg.inventory.stock.moved.v1";

    /// <summary>A supplier's status or shipment changed.</summary>
    public const string SupplierUpdated = "mfg.supplier.updated.v1";

    /// <summary>A produced lot must be contained because a lot it was made from failed (containment through genealogy).</summary>
    public const string LotContainmentRequested = "mfg.quality.lot.containment-requested.v1";

    /// <summary>A work order was put on hold (for example by the containment of a failed lot it consumed).</summary>
    public const string WorkOrderHeld = "mfg.production.order.held.v1";

    /// <summary>The hold on a work order was lifted (the MES or quality released it).</summary>
    public const string WorkOrderHoldReleased = "mfg.production.order.hold-released.v1";

    /// <summary>Reconciliation found systems disagreeing about a lot's stock by category.</summary>
    public const string StockDriftDetected = "mfg.inventory.stock-drift.detected.v1";

    /// <summary>
    /// A durable timer a workflow scheduled came due. Written only by the orchestrator itself, into the timer's partition:
    /// intake refuses it from anywhere else.
    /// </summary>
    public const string TimerElapsed = "mfg.orchestration.timer.elapsed.v1";
}
