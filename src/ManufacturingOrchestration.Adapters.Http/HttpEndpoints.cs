using System.Collections.Frozen;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The default endpoints of the reference JSON/REST connectors, keyed by command kind (<see cref="CommandKinds"/>) or
/// query kind (<see cref="QueryKinds"/>). A deployment overrides any of them in <see cref="HttpConnectorOptions.Endpoints"/>.
/// </summary>
public static class HttpEndpoints
{
    /// <summary>The default ERP endpoints.</summary>
    public static IReadOnlyDictionary<string, HttpEndpoint> Erp { get; } = new Dictionary<string, HttpEndpoint>(StringComparer.Ordinal)
    {
        [CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Post("lots/{lot}/stock-category"),
        [CommandKinds.ErpPostGoodsMovement] = HttpEndpoint.Post("goods-movements"),
        [CommandKinds.ErpReverseGoodsMovement] = HttpEndpoint.Post("goods-movements/{documentNumber}/reversal"),
        [CommandKinds.ErpSetBatchStatus] = HttpEndpoint.Post("lots/{lot}/batch-status"),
        [CommandKinds.ErpReevaluateAllocations] = HttpEndpoint.Post("lots/{lot}/allocations/reevaluation"),
        [CommandKinds.ErpUpdateAtp] = HttpEndpoint.Post("sites/{site}/materials/{material}/atp"),
        [CommandKinds.ErpPlaceShipmentHold] = HttpEndpoint.Post("lots/{lot}/shipment-hold"),
        [CommandKinds.ErpReleaseShipmentHold] = HttpEndpoint.Post("lots/{lot}/shipment-hold/release"),
        [CommandKinds.ErpPostCountAdjustment] = HttpEndpoint.Post("cycle-counts/{count}/adjustments"),
        [CommandKinds.ErpPostProductionConfirmation] = HttpEndpoint.Post("production-orders/{order}/confirmations"),
        [CommandKinds.ErpConfirmScrapDestruction] = HttpEndpoint.Post("lots/{lot}/scrap-destruction"),
        [CommandKinds.ErpCreateQuarantineOrder] = HttpEndpoint.Post("quarantine-orders"),
        [CommandKinds.ErpChangeQuarantineOrder] = HttpEndpoint.Post("quarantine-orders/{order}/changes"),
        [QueryKinds.ErpGetLot] = HttpEndpoint.Get("lots/{lot}"),
        [QueryKinds.ErpGetMaterial] = HttpEndpoint.Get("materials/{material}"),
        [QueryKinds.ErpGetOpenAllocations] = HttpEndpoint.Get("lots/{lot}/allocations"),
        [QueryKinds.ErpGetStock] = HttpEndpoint.Get("lots/{lot}/stock"),
        [QueryKinds.ErpGetProductionOrder] = HttpEndpoint.Get("production-orders/{order}"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The default WMS endpoints.</summary>
    public static IReadOnlyDictionary<string, HttpEndpoint> Wms { get; } = new Dictionary<string, HttpEndpoint>(StringComparer.Ordinal)
    {
        [CommandKinds.WmsCreateMoveTask] = HttpEndpoint.Post("move-tasks"),
        [CommandKinds.WmsPlaceHold] = HttpEndpoint.Post("holds"),
        [CommandKinds.WmsReleaseHold] = HttpEndpoint.Post("holds/release"),
        [CommandKinds.WmsPausePicks] = HttpEndpoint.Post("lots/{lot}/picks/pause"),
        [CommandKinds.WmsResumePicks] = HttpEndpoint.Post("lots/{lot}/picks/resume"),
        [QueryKinds.WmsGetStock] = HttpEndpoint.Get("lots/{lot}/stock"),
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
