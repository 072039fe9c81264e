using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>Notify procurement about a supply problem (a failed lot), optionally asking to expedite.</summary>
public sealed class NotifyProcurement : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.NotifyProcurement;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot concerned.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The supplier of the lot.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>Whether replacement supply should be expedited.</summary>
    public bool Expedite { get; init; }

    /// <summary>The message for the buyer.</summary>
    public required string Message { get; init; }

    /// <inheritdoc />
    public override string Describe() => DecisionTexts.Describe(this);

    internal override void AppendDescription(StringBuilder builder) =>
        DecisionText.AppendLot(builder.Append("Notify procurement about ").Append(Material.Value), Lot)
            .Append(" at ").Append(Site.Value).Append(Expedite ? " (expedite): " : ": ").Append(Message);

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is NotifyProcurement o && Material == o.Material && Site == o.Site && Lot == o.Lot;
}

/// <summary>Ask procurement for replacement supply from approved alternate suppliers.</summary>
public sealed class RequestAlternateSupply : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.RequestAlternateSupply;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Approved alternate suppliers, in order of preference.</summary>
    public IReadOnlyList<SupplierId> AlternateSuppliers { get; init; } = [];

    /// <summary>The quantity needed (the open allocations of the failed lot).</summary>
    public Quantity? Quantity { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Request alternate supply of {Material} at {Site}{DecisionText.Quantity(Quantity)} from {string.Join(", ", AlternateSuppliers)}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is RequestAlternateSupply o && Material == o.Material && Site == o.Site;
}

/// <summary>Open a supplier quality case (SCAR) with the defect evidence attached.</summary>
public sealed class OpenSupplierCase : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.OpenSupplierCase;

    /// <summary>The supplier.</summary>
    public required SupplierId Supplier { get; init; }

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The highest defect severity.</summary>
    public DefectSeverity Severity { get; init; }

    /// <summary>The defect description.</summary>
    public string? Description { get; init; }

    /// <summary>Evidence for the supplier (photos, measurements, reports).</summary>
    public IReadOnlyList<EvidenceReference> Evidence { get; init; } = [];

    /// <inheritdoc />
    public override string Describe() => DecisionTexts.Describe(this);

    internal override void AppendDescription(StringBuilder builder) =>
        builder.Append("Open supplier case against ").Append(Supplier.Value).Append(" for lot ").Append(Lot.Value).Append($" ({Severity}, {Evidence.Count} evidence item(s))");

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is OpenSupplierCase o && Supplier == o.Supplier && Lot == o.Lot;
}

/// <summary>MRB disposition: return the nonconforming quantity to the supplier.</summary>
public sealed class ReturnToSupplier : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ReturnToSupplier;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The nonconformance.</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>The quantity returned.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The supplier, when known.</summary>
    public SupplierId? Supplier { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Return {Quantity} of lot {Lot} to supplier {Supplier?.Value ?? "(of the lot)"} (NCR {Nonconformance})";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ReturnToSupplier o && Lot == o.Lot && Nonconformance == o.Nonconformance;
}
