namespace ManufacturingOrchestration.Scenarios.Reconciliation;

/// <summary>How a <see cref="DriftReconciler"/> compares and alerts. Defaults are documented per property.</summary>
public sealed class DriftReconcilerOptions
{
    /// <summary>
    /// Whether a lot with drift gets a <see cref="Model.Events.StockDriftDetected"/> event published through the
    /// orchestrator (ordered with the lot's events; a workflow such as
    /// <see cref="Scenarios.DriftCorrectionWorkflow"/> turns it into a notification through the outbox). Default <see langword="true"/>.
    /// </summary>
    public bool RaiseAlerts { get; init; } = true;

    /// <summary>Whether the WMS stock is compared too (when a WMS adapter is configured). Default <see langword="true"/>.</summary>
    public bool CompareWms { get; init; } = true;

    /// <summary>The absolute difference per category below which quantities count as equal. Default 0 (exact).</summary>
    public decimal Tolerance { get; init; }

    /// <summary>
    /// Whether lots with pending outbox commands or unprocessed events are skipped: the orchestrator commits its state
    /// before its commands reach the ERP and WMS, so they differ for a moment by design. Default <see langword="true"/>.
    /// </summary>
    public bool SkipLotsInFlight { get; init; } = true;

    /// <summary>How many recent reports are kept in memory for operator queries. Default 20.</summary>
    public int ReportsKept { get; init; } = 20;

    /// <summary>The CloudEvents <c>source</c> of drift alerts. Default <c>mo://reconciliation</c>.</summary>
    public string EventSource { get; init; } = "mo://reconciliation";

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentException">An option is not valid.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Tolerance, nameof(Tolerance));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReportsKept, 1, nameof(ReportsKept));
        ArgumentException.ThrowIfNullOrWhiteSpace(EventSource, nameof(EventSource));
    }
}
