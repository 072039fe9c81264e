using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>The severity of a defect found in inspection.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<DefectSeverity>))]
public enum DefectSeverity
{
    /// <summary>No defect.</summary>
    None = 0,

    /// <summary>Minor: does not affect form, fit or function.</summary>
    Minor = 1,

    /// <summary>Major: likely to affect function or reduce usability.</summary>
    Major = 2,

    /// <summary>Critical: safety, regulatory or certain functional failure.</summary>
    Critical = 3,
}

/// <summary>Where an inspection lot comes from.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<InspectionOrigin>))]
public enum InspectionOrigin
{
    /// <summary>Incoming inspection at goods receipt.</summary>
    GoodsReceipt = 0,

    /// <summary>In-process or final inspection of production.</summary>
    Production = 1,

    /// <summary>Recurring inspection (shelf life, re-test).</summary>
    Recurring = 2,

    /// <summary>Re-inspection after rework or repair.</summary>
    Reinspection = 3,
}

/// <summary>The status of an inspection lot (SAP system statuses in brackets).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<InspectionLotStatus>))]
public enum InspectionLotStatus
{
    /// <summary>Created (CRTD).</summary>
    Created = 0,

    /// <summary>Results recorded (RREC), no usage decision yet.</summary>
    ResultsRecorded = 1,

    /// <summary>Usage decision made, stock posting required (SPRQ): not yet released.</summary>
    StockPostingRequired = 2,

    /// <summary>Usage decision made and stock posted (SPCO).</summary>
    StockPostingCompleted = 3,
}

/// <summary>The usage decision of an inspection lot.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<UsageDecision>))]
public enum UsageDecision
{
    /// <summary>Accepted: post to unrestricted (restricted batches land in restricted-use).</summary>
    Accept = 0,

    /// <summary>Accepted for restricted use only.</summary>
    AcceptRestricted = 1,

    /// <summary>Rejected: post to blocked.</summary>
    Reject = 2,
}

/// <summary>The valuation of a characteristic or an inspection.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<Valuation>))]
public enum Valuation
{
    /// <summary>Accepted.</summary>
    Accepted = 0,

    /// <summary>Rejected.</summary>
    Rejected = 1,
}

/// <summary>The result of one inspection characteristic (B2MML <c>TestResult</c>).</summary>
public sealed record CharacteristicResult
{
    /// <summary>The characteristic, such as <c>capacitance</c>.</summary>
    public required string Characteristic { get; init; }

    /// <summary>The measured value, for quantitative characteristics.</summary>
    public decimal? MeasuredValue { get; init; }

    /// <summary>The lower specification limit.</summary>
    public decimal? LowerLimit { get; init; }

    /// <summary>The upper specification limit.</summary>
    public decimal? UpperLimit { get; init; }

    /// <summary>The unit of the measured value.</summary>
    public string? Unit { get; init; }

    /// <summary>The valuation.</summary>
    public required Valuation Valuation { get; init; }

    /// <summary>The defect severity when rejected.</summary>
    public DefectSeverity Severity { get; init; }
}

/// <summary>A reference to evidence (photo, measurement file, report) kept elsewhere.</summary>
public sealed record EvidenceReference
{
    /// <summary>Where the evidence is.</summary>
    public required Uri Location { get; init; }

    /// <summary>The media type, such as <c>image/jpeg</c>.</summary>
    public string? MediaType { get; init; }

    /// <summary>What it shows.</summary>
    public string? Description { get; init; }
}

/// <summary>An inspection lot (SAP inspection lot, D365 quality order).</summary>
public sealed record InspectionLot
{
    /// <summary>The inspection lot identifier.</summary>
    public required InspectionLotId Id { get; init; }

    /// <summary>The material lot inspected.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Where the inspection lot comes from.</summary>
    public InspectionOrigin Origin { get; init; }

    /// <summary>The status.</summary>
    public InspectionLotStatus Status { get; init; }

    /// <summary>The inspected quantity.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>The characteristic results.</summary>
    public IReadOnlyList<CharacteristicResult> Results { get; init => field = value ?? []; } = [];

    /// <summary>The usage decision, once made.</summary>
    public UsageDecision? UsageDecision { get; init; }

    /// <summary>The highest defect severity found.</summary>
    public DefectSeverity Severity { get; init; }
}

/// <summary>
/// An open inspection lot as the material lot sees it: the quality-inspection stock it manages and where its usage
/// decision stands (SAP inspection lot of a QM-active material; Dynamics 365 quality order of a quality association).
/// </summary>
/// <remarks>
/// While a lot holds open inspection lots, its quality-inspection stock leaves inspection only through their usage
/// decisions, never by a plain transfer posting. The entry leaves the lot when the decision's stock posting is complete
/// (SAP status SPCO); until then a recorded decision waits with <see cref="InspectionLotStatus.StockPostingRequired"/>
/// (SPRQ) and the stock stays in quality inspection: released means posted.
/// </remarks>
public sealed record LotInspection
{
    /// <summary>The inspection lot.</summary>
    public required InspectionLotId Id { get; init; }

    /// <summary>Where the inspection lot stands: created (no decision yet) or decided with the stock posting pending.</summary>
    public InspectionLotStatus Status { get; init; } = InspectionLotStatus.Created;

    /// <summary>The usage decision, once recorded.</summary>
    public UsageDecision? Decision { get; init; }

    /// <summary>The quality-inspection quantity the inspection lot still manages, in the lot's unit.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Whether a usage decision is recorded and its stock posting is still pending.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsPostingPending => Decision is not null && Status == InspectionLotStatus.StockPostingRequired;
}

/// <summary>
/// How goods receipts of a material at a site are inspected (SAP: QM active with an inspection setup in the material
/// master's QM view, inspection type 01; Dynamics 365: a quality association for the item and site): a receipt opens an
/// inspection lot, and its stock leaves quality inspection only through the inspection lot's usage decision.
/// </summary>
public sealed record QualityInspectionSetup
{
    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site (plant).</summary>
    public required SiteId Site { get; init; }

    /// <summary>
    /// Whether the whole received quantity is held in quality inspection until the inspection lot's decision (SAP: post to
    /// inspection stock; D365: the quality association's full blocking). When <see langword="false"/>, only the sample
    /// (<see cref="SamplingPercentage"/> of the receipt) is held and the rest is received unrestricted. Default <see langword="true"/>.
    /// </summary>
    public bool BlocksFullQuantity { get; init; } = true;

    /// <summary>The sample size as a percentage of the received quantity (D365 quality sampling), greater than 0 and at most 100. Default 100.</summary>
    public decimal SamplingPercentage { get; init; } = 100m;

    /// <summary>The quantity of a receipt that is held in quality inspection under this setup.</summary>
    /// <param name="received">The received quantity.</param>
    /// <returns>The whole receipt when <see cref="BlocksFullQuantity"/>; otherwise the sample, rounded up to a whole unit and at most the receipt.</returns>
    /// <exception cref="ManufacturingOrchestrationException"><see cref="SamplingPercentage"/> is not greater than 0 and at most 100 (<c>payload.out-of-range</c>).</exception>
    public Quantity QuantityToInspect(Quantity received)
    {
        if (SamplingPercentage is <= 0m or > 100m)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"The sampling percentage of {Material} at {Site} is {SamplingPercentage}; it must be greater than 0 and at most 100.");
        }

        if (BlocksFullQuantity)
        {
            return received;
        }

        var sample = Math.Min(received.Value, Math.Ceiling(received.Value * SamplingPercentage / 100m));
        return new Quantity(sample, received.Unit);
    }
}
