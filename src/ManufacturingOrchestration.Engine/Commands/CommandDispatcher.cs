using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Commands;

/// <summary>
/// Maps each adapter command to the adapter method that carries it out — the only place that mapping lives — and
/// classifies what comes back. An adapter that throws is treated as a transient failure, except for
/// <see cref="AdapterPermanentException"/> (permanent) and cancellation requested by the caller (rethrown).
/// </summary>
public sealed class CommandDispatcher
{
    private readonly AdapterSet _adapters;

    /// <summary>Creates a dispatcher over a set of adapters.</summary>
    /// <param name="adapters">The adapters.</param>
    public CommandDispatcher(AdapterSet adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        _adapters = adapters;
    }

    /// <summary>Executes one command against its adapter.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome; never throws for adapter failures.</returns>
    public async ValueTask<AdapterResult> DispatchAsync(AdapterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            var pending = Route(command, cancellationToken);
            return pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AdapterPermanentException ex)
        {
            return AdapterResult.Permanent(ex.ReasonCode, ex.Message);
        }
        catch (NotConnectedException ex)
        {
            return AdapterResult.Permanent(ReasonCodes.AdapterNotConfigured, ex.Message);
        }
#pragma warning disable CA1031 // An adapter's failure must never crash the orchestrator: it is classified as transient.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return AdapterResult.Transient(ReasonCodes.AdapterTransient, $"{ex.GetType().Name}: {ex.Message}", null);
        }
    }

    private ValueTask<AdapterResult> Route(AdapterCommand command, CancellationToken ct) => command switch
    {
        ChangeStockCategoryRequest r => Erp.ChangeStockCategoryAsync(r, ct),
        PostGoodsMovementRequest r => Erp.PostGoodsMovementAsync(r, ct),
        ReverseGoodsMovementRequest r => Erp.ReverseGoodsMovementAsync(r, ct),
        SetBatchStatusRequest r => Erp.SetBatchStatusAsync(r, ct),
        ReevaluateAllocationsRequest r => Erp.ReevaluateAllocationsAsync(r, ct),
        UpdateAtpRequest r => Erp.UpdateAtpAsync(r, ct),
        PlaceShipmentHoldRequest r => Erp.PlaceShipmentHoldAsync(r, ct),
        ReleaseShipmentHoldRequest r => Erp.ReleaseShipmentHoldAsync(r, ct),
        PostCountAdjustmentRequest r => Erp.PostCountAdjustmentAsync(r, ct),
        PostProductionConfirmationRequest r => Erp.PostProductionConfirmationAsync(r, ct),
        HoldWorkOrderRequest r => Mes.HoldWorkOrderAsync(r, ct),
        ReleaseWorkOrderRequest r => Mes.ReleaseWorkOrderAsync(r, ct),
        RequestContainmentCheckRequest r => Mes.RequestContainmentCheckAsync(r, ct),
        RecordProductionConfirmationRequest r => Mes.RecordProductionConfirmationAsync(r, ct),
        CreateInspectionLotRequest r => Qms.CreateInspectionLotAsync(r, ct),
        OpenNonconformanceRequest r => Qms.OpenNonconformanceAsync(r, ct),
        UpdateNonconformanceStatusRequest r => Qms.UpdateNonconformanceStatusAsync(r, ct),
        RecordCorrectionRequest r => Qms.RecordCorrectionAsync(r, ct),
        RecordDispositionRequest r => Qms.RecordDispositionAsync(r, ct),
        OpenSupplierCaseRequest r => Qms.OpenSupplierCaseAsync(r, ct),
        CreateMoveTaskRequest r => Wms.CreateMoveTaskAsync(r, ct),
        PlaceHoldRequest r => Wms.PlaceHoldAsync(r, ct),
        ReleaseHoldRequest r => Wms.ReleaseHoldAsync(r, ct),
        PausePicksRequest r => Wms.PausePicksAsync(r, ct),
        ResumePicksRequest r => Wms.ResumePicksAsync(r, ct),
        RequestAlternateSupplyRequest r => Procurement.RequestAlternateSupplyAsync(r, ct),
        NotifySupplierRequest r => Procurement.NotifySupplierAsync(r, ct),
        SendNotificationRequest r => Notification.SendAsync(r, ct),
        _ => new ValueTask<AdapterResult>(AdapterResult.Permanent(ReasonCodes.UnknownCommandKind, $"No adapter method handles command kind '{command.Kind}'.")),
    };

    private IErpAdapter Erp => _adapters.Erp ?? throw new NotConnectedException(CommandKinds.ErpSystem);

    private IMesAdapter Mes => _adapters.Mes ?? throw new NotConnectedException(CommandKinds.MesSystem);

    private IQmsAdapter Qms => _adapters.Qms ?? throw new NotConnectedException(CommandKinds.QmsSystem);

    private IWmsAdapter Wms => _adapters.Wms ?? throw new NotConnectedException(CommandKinds.WmsSystem);

    private IProcurementAdapter Procurement => _adapters.Procurement ?? throw new NotConnectedException(CommandKinds.ProcurementSystem);

    private INotificationAdapter Notification => _adapters.Notification ?? throw new NotConnectedException(CommandKinds.NotificationSystem);

    private sealed class NotConnectedException(string system) : Exception($"No {system} adapter is connected.");
}
