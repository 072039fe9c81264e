using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>Ask procurement for alternate supply of a material (e.g. expedite a shipment from an approved alternate supplier).</summary>
public sealed record RequestAlternateSupplyRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ProcurementRequestAlternateSupply;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site that needs it.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity needed.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>When it is needed.</summary>
    public DateTimeOffset? NeededBy { get; init; }

    /// <summary>The supplier not to source from (e.g. the one whose lot failed).</summary>
    public SupplierId? ExcludedSupplier { get; init; }

    /// <summary>Approved alternate suppliers, in order of preference.</summary>
    public IReadOnlyList<SupplierId> PreferredSuppliers { get; init; } = [];

    /// <summary>The lot whose loss of availability caused the request.</summary>
    public LotId? Lot { get; init; }

    /// <summary>Why.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Send a notice to a supplier through the supplier portal.</summary>
public sealed record NotifySupplierRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ProcurementNotifySupplier;

    /// <summary>The supplier.</summary>
    public required SupplierId Supplier { get; init; }

    /// <summary>The subject.</summary>
    [OperatorCorrectable]
    public required string Subject { get; init; }

    /// <summary>The message.</summary>
    [OperatorCorrectable]
    public required string Message { get; init; }

    /// <summary>The lot concerned, when any.</summary>
    public LotId? Lot { get; init; }
}
