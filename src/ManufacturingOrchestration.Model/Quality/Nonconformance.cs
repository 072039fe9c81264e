using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Where a nonconformance was found.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<NonconformanceType>))]
public enum NonconformanceType
{
    /// <summary>Supplier material.</summary>
    Supplier = 0,

    /// <summary>Internal production.</summary>
    Internal = 1,

    /// <summary>Customer complaint.</summary>
    Customer = 2,
}

/// <summary>The status of a nonconformance report (NCR) through MRB.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<NonconformanceStatus>))]
public enum NonconformanceStatus
{
    /// <summary>Raised.</summary>
    New = 0,

    /// <summary>Under review by quality / MRB.</summary>
    UnderReview = 1,

    /// <summary>Approved as a nonconformance: corrections and dispositions may follow.</summary>
    Approved = 2,

    /// <summary>Refused: not a nonconformance.</summary>
    Refused = 3,

    /// <summary>A disposition was decided.</summary>
    Dispositioned = 4,

    /// <summary>The disposition was carried out.</summary>
    DispositionExecuted = 5,

    /// <summary>Closed.</summary>
    Closed = 6,
}

/// <summary>A material review board disposition. Sorting is an activity, not a disposition.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<MrbDisposition>))]
public enum MrbDisposition
{
    /// <summary>Use as is (concession): needs a justification and an identified authorizer.</summary>
    UseAsIs = 0,

    /// <summary>Rework to specification: the lot must be re-inspected before release.</summary>
    Rework = 1,

    /// <summary>Repair: usable but not to original specification.</summary>
    Repair = 2,

    /// <summary>Return to supplier.</summary>
    ReturnToSupplier = 3,

    /// <summary>Scrap.</summary>
    Scrap = 4,

    /// <summary>Regrade to another material or grade.</summary>
    Regrade = 5,
}

/// <summary>One disposition line of an NCR: what happens to which quantity, decided by whom and why.</summary>
public sealed record MrbDispositionLine
{
    /// <summary>The disposition.</summary>
    public required MrbDisposition Disposition { get; init; }

    /// <summary>The lot concerned.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The quantity concerned.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The documented justification (required for use-as-is).</summary>
    public string? Justification { get; init; }

    /// <summary>Who authorized the disposition.</summary>
    public ActorId? Authorizer { get; init; }

    /// <summary>The authorizer's signature, when signed.</summary>
    public ElectronicSignature? Signature { get; init; }
}

/// <summary>A nonconformance report (NCR) or quality notification.</summary>
public sealed record Nonconformance
{
    /// <summary>The identifier.</summary>
    public required NonconformanceId Id { get; init; }

    /// <summary>The type.</summary>
    public NonconformanceType Type { get; init; }

    /// <summary>The problem, for people.</summary>
    public required string Problem { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The lots concerned.</summary>
    public IReadOnlyList<LotId> Lots { get; init => field = value ?? []; } = [];

    /// <summary>The nonconforming quantity.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>The defect severity.</summary>
    public DefectSeverity Severity { get; init; }

    /// <summary>The supplier, for supplier nonconformances.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>The status.</summary>
    public NonconformanceStatus Status { get; init; }

    /// <summary>The disposition lines.</summary>
    public IReadOnlyList<MrbDispositionLine> Dispositions { get; init => field = value ?? []; } = [];

    /// <summary>Evidence attached.</summary>
    public IReadOnlyList<EvidenceReference> Evidence { get; init => field = value ?? []; } = [];
}

/// <summary>A supplier's quality history over a window: what supplier-escalation rules reason on.</summary>
public sealed record SupplierQualityHistory
{
    /// <summary>The supplier.</summary>
    public required SupplierId Supplier { get; init; }

    /// <summary>The start of the window.</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>The end of the window.</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Inspections in the window.</summary>
    public int Inspections { get; init; }

    /// <summary>Failed inspections in the window.</summary>
    public int Failures { get; init; }

    /// <summary>Failed inspections with critical severity.</summary>
    public int CriticalFailures { get; init; }

    /// <summary>Escalations (SCARs, probation) in the window.</summary>
    public int Escalations { get; init; }

    /// <summary>Open corrective actions against the supplier.</summary>
    public int OpenCorrectiveActions { get; init; }

    /// <summary>The failure rate, 0 when there were no inspections.</summary>
    [JsonIgnore]
    public decimal FailureRate => Inspections == 0 ? 0 : (decimal)Failures / Inspections;
}
