namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The stable command-kind strings, <c>&lt;system&gt;.&lt;verb-object&gt;</c>. They name commands in the outbox, in
/// metrics, in fault-injection profiles and in the effects log: never rename one; add new ones.
/// </summary>
public static class CommandKinds
{
    /// <summary>The ERP system prefix.</summary>
    public const string ErpSystem = "erp";

    /// <summary>The MES system prefix.</summary>
    public const string MesSystem = "mes";

    /// <summary>The QMS system prefix.</summary>
    public const string QmsSystem = "qms";

    /// <summary>The WMS system prefix.</summary>
    public const string WmsSystem = "wms";

    /// <summary>The procurement (supplier portal) system prefix.</summary>
    public const string ProcurementSystem = "procurement";

    /// <summary>The notification system prefix.</summary>
    public const string NotificationSystem = "notification";

    /// <summary>The traceability repository prefix.</summary>
    public const string TraceabilitySystem = "traceability";

    /// <summary>ERP: change the stock category of a quantity of a lot (e.g. unrestricted to blocked).</summary>
    public const string ErpChangeStockCategory = "erp.change-stock-category";

    /// <summary>ERP: post a goods movement in canonical form.</summary>
    public const string ErpPostGoodsMovement = "erp.post-goods-movement";

    /// <summary>ERP: reverse an earlier goods movement by its document number.</summary>
    public const string ErpReverseGoodsMovement = "erp.reverse-goods-movement";

    /// <summary>ERP: set the batch status (restricted/unrestricted), disposition or quality decision of a lot.</summary>
    public const string ErpSetBatchStatus = "erp.set-batch-status";

    /// <summary>ERP: confirm that scrapped stock of a lot awaiting destruction was physically destroyed.</summary>
    public const string ErpConfirmScrapDestruction = "erp.confirm-scrap-destruction";

    /// <summary>ERP: create a quarantine order (Dynamics 365) for a quantity of a lot.</summary>
    public const string ErpCreateQuarantineOrder = "erp.create-quarantine-order";

    /// <summary>ERP: move a quarantine order on (start, report as finished, end, cancel) or scrap from it.</summary>
    public const string ErpChangeQuarantineOrder = "erp.change-quarantine-order";

    /// <summary>ERP: re-evaluate the open allocations (reservations) of a lot.</summary>
    public const string ErpReevaluateAllocations = "erp.reevaluate-allocations";

    /// <summary>ERP: recompute available-to-promise for a material at a site.</summary>
    public const string ErpUpdateAtp = "erp.update-atp";

    /// <summary>ERP: place a shipment (delivery) hold on a lot.</summary>
    public const string ErpPlaceShipmentHold = "erp.place-shipment-hold";

    /// <summary>ERP: release a shipment (delivery) hold on a lot.</summary>
    public const string ErpReleaseShipmentHold = "erp.release-shipment-hold";

    /// <summary>ERP: post a cycle-count (inventory difference) adjustment.</summary>
    public const string ErpPostCountAdjustment = "erp.post-count-adjustment";

    /// <summary>ERP: post a production confirmation (yield and scrap) on an order.</summary>
    public const string ErpPostProductionConfirmation = "erp.post-production-confirmation";

    /// <summary>MES: hold a work order (containment).</summary>
    public const string MesHoldWorkOrder = "mes.hold-work-order";

    /// <summary>MES: release the hold on a work order.</summary>
    public const string MesReleaseWorkOrder = "mes.release-work-order";

    /// <summary>MES: ask the shop floor for a containment check of work orders that consumed a lot.</summary>
    public const string MesRequestContainmentCheck = "mes.request-containment-check";

    /// <summary>MES: record a production confirmation on a work order.</summary>
    public const string MesRecordProductionConfirmation = "mes.record-production-confirmation";

    /// <summary>QMS: create an inspection lot (e.g. re-inspection after rework).</summary>
    public const string QmsCreateInspectionLot = "qms.create-inspection-lot";

    /// <summary>QMS: open a nonconformance (NCR) with evidence.</summary>
    public const string QmsOpenNonconformance = "qms.open-nonconformance";

    /// <summary>QMS: change the status of a nonconformance.</summary>
    public const string QmsUpdateNonconformanceStatus = "qms.update-nonconformance-status";

    /// <summary>QMS: record a correction on an approved nonconformance.</summary>
    public const string QmsRecordCorrection = "qms.record-correction";

    /// <summary>QMS: record an MRB disposition line on a nonconformance.</summary>
    public const string QmsRecordDisposition = "qms.record-disposition";

    /// <summary>QMS: open a supplier case (SCAR) with evidence.</summary>
    public const string QmsOpenSupplierCase = "qms.open-supplier-case";

    /// <summary>WMS: create a move task (e.g. to the hold location).</summary>
    public const string WmsCreateMoveTask = "wms.create-move-task";

    /// <summary>WMS: place a hold on a lot or a location.</summary>
    public const string WmsPlaceHold = "wms.place-hold";

    /// <summary>WMS: release a hold on a lot or a location.</summary>
    public const string WmsReleaseHold = "wms.release-hold";

    /// <summary>WMS: pause open picks of a lot.</summary>
    public const string WmsPausePicks = "wms.pause-picks";

    /// <summary>WMS: resume paused picks of a lot.</summary>
    public const string WmsResumePicks = "wms.resume-picks";

    /// <summary>Procurement: request alternate supply for a material.</summary>
    public const string ProcurementRequestAlternateSupply = "procurement.request-alternate-supply";

    /// <summary>Procurement: send a notice to a supplier through the supplier portal.</summary>
    public const string ProcurementNotifySupplier = "procurement.notify-supplier";

    /// <summary>Notification: send a business alert or notification to roles at a site.</summary>
    public const string NotificationSend = "notification.send";

    /// <summary>Traceability: publish a lot's genealogy to the traceability repository.</summary>
    public const string TraceabilityPublishGenealogy = "traceability.publish-genealogy";

    /// <summary>Every command kind.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ErpChangeStockCategory, ErpPostGoodsMovement, ErpReverseGoodsMovement, ErpSetBatchStatus, ErpReevaluateAllocations,
        ErpUpdateAtp, ErpPlaceShipmentHold, ErpReleaseShipmentHold, ErpPostCountAdjustment, ErpPostProductionConfirmation,
        ErpConfirmScrapDestruction, ErpCreateQuarantineOrder, ErpChangeQuarantineOrder,
        MesHoldWorkOrder, MesReleaseWorkOrder, MesRequestContainmentCheck, MesRecordProductionConfirmation,
        QmsCreateInspectionLot, QmsOpenNonconformance, QmsUpdateNonconformanceStatus, QmsRecordCorrection, QmsRecordDisposition,
        QmsOpenSupplierCase,
        WmsCreateMoveTask, WmsPlaceHold, WmsReleaseHold, WmsPausePicks, WmsResumePicks,
        ProcurementRequestAlternateSupply, ProcurementNotifySupplier,
        NotificationSend,
        TraceabilityPublishGenealogy,
    ];

    /// <summary>The system prefix of a command or query kind: the text before the first dot.</summary>
    /// <param name="kind">The kind, such as <c>erp.change-stock-category</c>.</param>
    /// <returns>The system, such as <c>erp</c>; the whole kind when it has no dot.</returns>
    public static string SystemOf(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var dot = kind.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? kind : kind[..dot];
    }
}

/// <summary>Stable names of the adapter queries, for metrics, traces and fault injection. Queries carry no idempotency key.</summary>
public static class QueryKinds
{
    /// <summary>ERP: get a lot with its stock buckets.</summary>
    public const string ErpGetLot = "erp.get-lot";

    /// <summary>ERP: get a material definition.</summary>
    public const string ErpGetMaterial = "erp.get-material";

    /// <summary>ERP: get the open allocations of a lot.</summary>
    public const string ErpGetOpenAllocations = "erp.get-open-allocations";

    /// <summary>ERP: get a lot's stock by category and ownership.</summary>
    public const string ErpGetStock = "erp.get-stock";

    /// <summary>ERP: get a production order.</summary>
    public const string ErpGetProductionOrder = "erp.get-production-order";

    /// <summary>MES: get the genealogy links where a lot was consumed.</summary>
    public const string MesGetConsumers = "mes.get-consumers";

    /// <summary>MES: get the genealogy links of the components of a produced lot.</summary>
    public const string MesGetComponents = "mes.get-components";

    /// <summary>MES: trace a lot forward over several levels, to what was made from it (component → intermediate → finished good).</summary>
    public const string MesTraceForward = "mes.trace-forward";

    /// <summary>MES: trace a lot backward over several levels, to what it was made of (finished good → intermediate → component).</summary>
    public const string MesTraceBackward = "mes.trace-backward";

    /// <summary>MES: get a work order.</summary>
    public const string MesGetWorkOrder = "mes.get-work-order";

    /// <summary>QMS: get an inspection lot.</summary>
    public const string QmsGetInspectionLot = "qms.get-inspection-lot";

    /// <summary>QMS: get a nonconformance.</summary>
    public const string QmsGetNonconformance = "qms.get-nonconformance";

    /// <summary>QMS: get a supplier's quality history.</summary>
    public const string QmsGetSupplierQualityHistory = "qms.get-supplier-quality-history";

    /// <summary>QMS: get the certificates of analysis on file for a lot.</summary>
    public const string QmsGetCertificatesOfAnalysis = "qms.get-certificates-of-analysis";

    /// <summary>WMS: get a lot's stock by category and location.</summary>
    public const string WmsGetStock = "wms.get-stock";

    /// <summary>Every query kind.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ErpGetLot, ErpGetMaterial, ErpGetOpenAllocations, ErpGetStock, ErpGetProductionOrder,
        MesGetConsumers, MesGetComponents, MesTraceForward, MesTraceBackward, MesGetWorkOrder,
        QmsGetInspectionLot, QmsGetNonconformance, QmsGetSupplierQualityHistory, QmsGetCertificatesOfAnalysis,
        WmsGetStock,
    ];
}
