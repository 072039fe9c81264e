using ManufacturingOrchestration.Adapters;

namespace ManufacturingOrchestration.Engine.Commands;

/// <summary>The adapters the orchestrator talks to. A system left <see langword="null"/> is not connected: its commands fail permanently.</summary>
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

    /// <summary>The procurement / supplier-portal adapter.</summary>
    public IProcurementAdapter? Procurement { get; init; }

    /// <summary>The notification adapter.</summary>
    public INotificationAdapter? Notification { get; init; }
}
