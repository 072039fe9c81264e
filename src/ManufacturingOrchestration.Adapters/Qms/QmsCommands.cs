using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>Create an inspection lot, e.g. the re-inspection a reworked lot needs before release.</summary>
public sealed record CreateInspectionLotRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.QmsCreateInspectionLot;

    /// <summary>The material lot to inspect.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Why the inspection lot exists.</summary>
    public InspectionOrigin Origin { get; init; } = InspectionOrigin.Reinspection;

    /// <summary>The quantity to inspect.</summary>
    public Quantity? Quantity { get; init; }
}

/// <summary>Open a nonconformance (NCR / quality notification) with its evidence.</summary>
public sealed record OpenNonconformanceRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.QmsOpenNonconformance;

    /// <summary>The orchestrator's id for the nonconformance, when it assigns one; otherwise the QMS numbers it.</summary>
    public NonconformanceId? Id { get; init; }

    /// <summary>Where it was found.</summary>
    public NonconformanceType Type { get; init; } = NonconformanceType.Supplier;

    /// <summary>The problem, for people.</summary>
    [OperatorCorrectable]
    public required string Problem { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The lots concerned.</summary>
    public IReadOnlyList<LotId> Lots { get; init; } = [];

    /// <summary>The nonconforming quantity.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>The defect severity.</summary>
    public DefectSeverity Severity { get; init; }

    /// <summary>The supplier, for supplier nonconformances.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>The inspection lot that found it, when any.</summary>
    public InspectionLotId? InspectionLot { get; init; }

    /// <summary>Evidence (photos, measurement files, reports).</summary>
    [OperatorCorrectable]
    public IReadOnlyList<EvidenceReference> Evidence { get; init; } = [];
}

/// <summary>Change the status of a nonconformance (e.g. approve it after review).</summary>
public sealed record UpdateNonconformanceStatusRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.QmsUpdateNonconformanceStatus;

    /// <summary>The nonconformance (the id used when it was opened, or the QMS number).</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>The new status.</summary>
    public required NonconformanceStatus Status { get; init; }

    /// <summary>Who decided, when a person did.</summary>
    public ActorId? DecidedBy { get; init; }

    /// <summary>Why.</summary>
    [OperatorCorrectable]
    public string? Reason { get; init; }
}

/// <summary>Record a correction (immediate action) on a nonconformance; only an approved nonconformance accepts one.</summary>
public sealed record RecordCorrectionRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.QmsRecordCorrection;

    /// <summary>The nonconformance.</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>What was done.</summary>
    [OperatorCorrectable]
    public required string Description { get; init; }

    /// <summary>Who did it.</summary>
    public ActorId? PerformedBy { get; init; }
}

/// <summary>
/// Record an MRB disposition line on a nonconformance. Use-as-is needs a justification and an identified
/// authorizer (21 CFR 820.90(b)(1), ISO 9001 8.7.2); the QMS refuses it otherwise.
/// </summary>
public sealed record RecordDispositionRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.QmsRecordDisposition;

    /// <summary>The nonconformance.</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>The disposition line.</summary>
    public required MrbDispositionLine Line { get; init; }
}

/// <summary>Open a supplier case (SCAR) against a supplier, with defect evidence attached.</summary>
public sealed record OpenSupplierCaseRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.QmsOpenSupplierCase;

    /// <summary>The supplier.</summary>
    public required SupplierId Supplier { get; init; }

    /// <summary>The problem, for people.</summary>
    [OperatorCorrectable]
    public required string Problem { get; init; }

    /// <summary>The kind of corrective action requested.</summary>
    public CorrectiveActionKind CaseKind { get; init; } = CorrectiveActionKind.Scar;

    /// <summary>The lots concerned.</summary>
    public IReadOnlyList<LotId> Lots { get; init; } = [];

    /// <summary>The nonconformances that led to the case.</summary>
    public IReadOnlyList<NonconformanceId> Nonconformances { get; init; } = [];

    /// <summary>The material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The defect severity.</summary>
    public DefectSeverity Severity { get; init; }

    /// <summary>Evidence (photos, measurement files, reports).</summary>
    [OperatorCorrectable]
    public IReadOnlyList<EvidenceReference> Evidence { get; init; } = [];
}
