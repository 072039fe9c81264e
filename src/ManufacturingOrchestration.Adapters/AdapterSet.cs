using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The adapters of one deployment, one per target system (any may be absent), and the routing of a command to
/// the adapter method that executes it. A command for a system without an adapter fails permanently with
/// <see cref="ReasonCodes.AdapterNotConfigured"/>.
/// </summary>
public sealed class AdapterSet
{
    /// <summary>The ERP adapter.</summary>
    public IErpAdapter? Erp { get; init; }

    /// <summary>The MES adapter.</summary>
    public IMesAdapter? Mes { get; init; }

    /// <summary>The QMS adapter.</summary>
    public IQmsAdapter? Qms { get; init; }

    /// <summary>The WMS adapter.</summary>
    public IWmsAdapter? Wms { get; init; }

    /// <summary>The procurement adapter.</summary>
    public IProcurementAdapter? Procurement { get; init; }

    /// <summary>The notification adapter.</summary>
    public INotificationAdapter? Notification { get; init; }

    /// <summary>The traceability repository adapter.</summary>
    public ITraceabilityAdapter? Traceability { get; init; }

    /// <summary>Executes a command on the adapter of its target system.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The adapter's outcome, or a permanent failure when no adapter handles the command.</returns>
    public ValueTask<AdapterResult> ExecuteAsync(AdapterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            ChangeStockCategoryRequest r => Erp is { } erp ? erp.ChangeStockCategoryAsync(r, cancellationToken) : Missing(command),
            PostGoodsMovementRequest r => Erp is { } erp ? erp.PostGoodsMovementAsync(r, cancellationToken) : Missing(command),
            ReverseGoodsMovementRequest r => Erp is { } erp ? erp.ReverseGoodsMovementAsync(r, cancellationToken) : Missing(command),
            SetBatchStatusRequest r => Erp is { } erp ? erp.SetBatchStatusAsync(r, cancellationToken) : Missing(command),
            ReevaluateAllocationsRequest r => Erp is { } erp ? erp.ReevaluateAllocationsAsync(r, cancellationToken) : Missing(command),
            UpdateAtpRequest r => Erp is { } erp ? erp.UpdateAtpAsync(r, cancellationToken) : Missing(command),
            PlaceShipmentHoldRequest r => Erp is { } erp ? erp.PlaceShipmentHoldAsync(r, cancellationToken) : Missing(command),
            ReleaseShipmentHoldRequest r => Erp is { } erp ? erp.ReleaseShipmentHoldAsync(r, cancellationToken) : Missing(command),
            PostCountAdjustmentRequest r => Erp is { } erp ? erp.PostCountAdjustmentAsync(r, cancellationToken) : Missing(command),
            PostProductionConfirmationRequest r => Erp is { } erp ? erp.PostProductionConfirmationAsync(r, cancellationToken) : Missing(command),
            HoldWorkOrderRequest r => Mes is { } mes ? mes.HoldWorkOrderAsync(r, cancellationToken) : Missing(command),
            ReleaseWorkOrderRequest r => Mes is { } mes ? mes.ReleaseWorkOrderAsync(r, cancellationToken) : Missing(command),
            RequestContainmentCheckRequest r => Mes is { } mes ? mes.RequestContainmentCheckAsync(r, cancellationToken) : Missing(command),
            RecordProductionConfirmationRequest r => Mes is { } mes ? mes.RecordProductionConfirmationAsync(r, cancellationToken) : Missing(command),
            CreateInspectionLotRequest r => Qms is { } qms ? qms.CreateInspectionLotAsync(r, cancellationToken) : Missing(command),
            OpenNonconformanceRequest r => Qms is { } qms ? qms.OpenNonconformanceAsync(r, cancellationToken) : Missing(command),
            UpdateNonconformanceStatusRequest r => Qms is { } qms ? qms.UpdateNonconformanceStatusAsync(r, cancellationToken) : Missing(command),
            RecordCorrectionRequest r => Qms is { } qms ? qms.RecordCorrectionAsync(r, cancellationToken) : Missing(command),
            RecordDispositionRequest r => Qms is { } qms ? qms.RecordDispositionAsync(r, cancellationToken) : Missing(command),
            OpenSupplierCaseRequest r => Qms is { } qms ? qms.OpenSupplierCaseAsync(r, cancellationToken) : Missing(command),
            CreateMoveTaskRequest r => Wms is { } wms ? wms.CreateMoveTaskAsync(r, cancellationToken) : Missing(command),
            PlaceHoldRequest r => Wms is { } wms ? wms.PlaceHoldAsync(r, cancellationToken) : Missing(command),
            ReleaseHoldRequest r => Wms is { } wms ? wms.ReleaseHoldAsync(r, cancellationToken) : Missing(command),
            PausePicksRequest r => Wms is { } wms ? wms.PausePicksAsync(r, cancellationToken) : Missing(command),
            ResumePicksRequest r => Wms is { } wms ? wms.ResumePicksAsync(r, cancellationToken) : Missing(command),
            RequestAlternateSupplyRequest r => Procurement is { } p ? p.RequestAlternateSupplyAsync(r, cancellationToken) : Missing(command),
            NotifySupplierRequest r => Procurement is { } p ? p.NotifySupplierAsync(r, cancellationToken) : Missing(command),
            SendNotificationRequest r => Notification is { } n ? n.SendAsync(r, cancellationToken) : Missing(command),
            PublishGenealogyRequest r => Traceability is { } t ? t.PublishGenealogyAsync(r, cancellationToken) : Missing(command),
            _ => ValueTask.FromResult(AdapterResult.Permanent(ReasonCodes.UnknownCommandKind, $"No adapter method executes '{command.Kind}' ({command.GetType().Name}).")),
        };
    }

    private static ValueTask<AdapterResult> Missing(AdapterCommand command) =>
        ValueTask.FromResult(AdapterResult.Permanent(ReasonCodes.AdapterNotConfigured, $"No {command.TargetSystem} adapter is configured for '{command.Kind}'."));
}
