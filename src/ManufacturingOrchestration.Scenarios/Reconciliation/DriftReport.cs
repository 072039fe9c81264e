using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios.Reconciliation;

/// <summary>The outcome of one reconciliation run: every drift found, lots skipped, problems met and alerts raised.</summary>
public sealed class DriftReport
{
    /// <summary>The run id (also the correlation id of the alerts it raised).</summary>
    public required string RunId { get; init; }

    /// <summary>When the run started (the orchestrator's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the run ended.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The lots compared (skipped lots not included).</summary>
    public IReadOnlyList<LotId> LotsChecked { get; init; } = [];

    /// <summary>Every drift: one per lot, stock category and ownership on which the systems disagree.</summary>
    public IReadOnlyList<DriftFinding> Findings { get; init; } = [];

    /// <summary>Lots not compared because their orchestration is still in flight (pending commands or events): their systems are expected to differ for a moment.</summary>
    public IReadOnlyList<LotId> Skipped { get; init; } = [];

    /// <summary>Problems that kept a lot or a system out of the comparison (a failing adapter, differing units…).</summary>
    public IReadOnlyList<ReconciliationProblem> Problems { get; init; } = [];

    /// <summary>Lots for which a drift alert was accepted by the orchestrator in this run.</summary>
    public IReadOnlyList<LotId> AlertsRaised { get; init; } = [];

    /// <summary>Lots whose drift alert had already been raised for the same drift (a duplicate event, not sent again).</summary>
    public IReadOnlyList<LotId> AlertsAlreadyRaised { get; init; } = [];

    /// <summary>Whether any drift was found.</summary>
    public bool HasDrift => Findings.Count > 0;

    /// <summary>The lots with at least one drift.</summary>
    public IReadOnlyList<LotId> LotsWithDrift => Findings.Select(f => f.Lot).Distinct().ToArray();
}

/// <summary>One stock category and ownership of one lot on which systems disagree.</summary>
public sealed class DriftFinding
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site, when known.</summary>
    public SiteId? Site { get; init; }

    /// <summary>The material, when known.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The stock category.</summary>
    public required StockCategory Category { get; init; }

    /// <summary>The ownership.</summary>
    public required StockOwnership Ownership { get; init; }

    /// <summary>Each compared system's quantity (zero when it holds none), by system name.</summary>
    public required IReadOnlyDictionary<string, Quantity> Quantities { get; init; }

    /// <summary>The system the others were compared against: <see cref="ReconciliationSystems.Orchestrator"/> when it knows the lot, else <see cref="ReconciliationSystems.Erp"/>.</summary>
    public required string ReferenceSystem { get; init; }

    /// <summary>The systems whose quantity differs from the reference system's.</summary>
    public required IReadOnlyList<string> DisagreeingSystems { get; init; }

    /// <summary>Whether the lot's key was parked behind a dead letter (the drift is probably the failed command; no alert is raised).</summary>
    public bool Parked { get; init; }

    /// <summary>When it was found.</summary>
    public required DateTimeOffset DetectedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"lot {Lot} {Category}/{Ownership}: {string.Join(", ", Quantities.Select(q => $"{q.Key} {q.Value}"))} (disagreeing: {string.Join(", ", DisagreeingSystems)})";
}

/// <summary>Something that kept a lot or a system out of a reconciliation run.</summary>
public sealed class ReconciliationProblem
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The system concerned, when one is.</summary>
    public string? System { get; init; }

    /// <summary>What went wrong.</summary>
    public required string Message { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"lot {Lot}{(System is null ? string.Empty : " (" + System + ")")}: {Message}";
}

/// <summary>The system names reconciliation reports.</summary>
public static class ReconciliationSystems
{
    /// <summary>The orchestrator's own lot state.</summary>
    public const string Orchestrator = "orchestrator";

    /// <summary>The ERP (<see cref="Adapters.GetErpStockQuery"/>).</summary>
    public const string Erp = Adapters.CommandKinds.ErpSystem;

    /// <summary>The WMS (<see cref="Adapters.GetWmsStockQuery"/>).</summary>
    public const string Wms = Adapters.CommandKinds.WmsSystem;
}
