using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>The status of a production or work order (SAP system statuses in brackets).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<ProductionOrderStatus>))]
public enum ProductionOrderStatus
{
    /// <summary>Created (CRTD): no goods movements or confirmations until released.</summary>
    Created = 0,

    /// <summary>Released (REL).</summary>
    Released = 1,

    /// <summary>Partly confirmed or delivered (PCNF/PDLV).</summary>
    InProgress = 2,

    /// <summary>Finally confirmed and delivered (CNF/DLV).</summary>
    Completed = 3,

    /// <summary>Technically completed (TECO): no changes, late postings still accepted; can be revoked.</summary>
    TechnicallyCompleted = 4,

    /// <summary>Closed (CLSD): rejects confirmations and goods movements; can be revoked.</summary>
    Closed = 5,

    /// <summary>Held: confirmations refused until the hold is lifted.</summary>
    Held = 6,

    /// <summary>Cancelled.</summary>
    Cancelled = 7,
}

/// <summary>ISA-95 material use on a production order.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<MaterialUse>))]
public enum MaterialUse
{
    /// <summary>Consumed.</summary>
    Consumed = 0,

    /// <summary>Produced.</summary>
    Produced = 1,

    /// <summary>Co-product produced.</summary>
    CoProductProduced = 2,

    /// <summary>By-product produced.</summary>
    ByProductProduced = 3,

    /// <summary>Consumable.</summary>
    Consumable = 4,

    /// <summary>Sample.</summary>
    Sample = 5,
}

/// <summary>A component requirement of an order.</summary>
public sealed record MaterialRequirement
{
    /// <summary>The component material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The required quantity.</summary>
    public required Quantity Required { get; init; }

    /// <summary>The quantity issued so far.</summary>
    public Quantity? Issued { get; init; }
}

/// <summary>An open allocation (reservation) of a lot's quantity to an order.</summary>
public sealed record Allocation
{
    /// <summary>The order the quantity is reserved for.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The lot reserved.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The reserved quantity.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>When the material is needed.</summary>
    public DateTimeOffset? RequiredBy { get; init; }

    /// <summary>
    /// The customer whose order the quantity is reserved or shipped for, when the order serves one (a sales order, or a
    /// make-to-order production order). Customer quality requirements apply to the lot through it.
    /// </summary>
    public CustomerId? Customer { get; init; }
}

/// <summary>A production or work order.</summary>
public sealed record ProductionOrder
{
    /// <summary>The order identifier.</summary>
    public required OrderId Id { get; init; }

    /// <summary>The material produced.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The planned quantity.</summary>
    public required Quantity PlannedQuantity { get; init; }

    /// <summary>The confirmed yield so far.</summary>
    public decimal ConfirmedQuantity { get; init; }

    /// <summary>The confirmed scrap so far.</summary>
    public decimal ScrapQuantity { get; init; }

    /// <summary>The status.</summary>
    public ProductionOrderStatus Status { get; init; }

    /// <summary>The status before a hold, restored when the hold is lifted.</summary>
    public ProductionOrderStatus? StatusBeforeHold { get; init; }

    /// <summary>Component requirements.</summary>
    public IReadOnlyList<MaterialRequirement> Requirements { get; init => field = value ?? []; } = [];

    /// <summary>Open allocations of lots to this order.</summary>
    public IReadOnlyList<Allocation> Allocations { get; init => field = value ?? []; } = [];

    /// <summary>A version that increases with every change.</summary>
    public long Version { get; init; }

    /// <summary>The quantity still to produce (never negative).</summary>
    [JsonIgnore]
    public decimal RemainingQuantity => Math.Max(0, PlannedQuantity.Value - ConfirmedQuantity);
}

/// <summary>An actual use of material on an order (B2MML <c>OpMaterialActual</c>).</summary>
public sealed record MaterialActual
{
    /// <summary>The order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The quantity.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>How the material was used.</summary>
    public required MaterialUse Use { get; init; }
}

/// <summary>B2MML <c>AssemblyType</c>.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AssemblyType>))]
public enum AssemblyType
{
    /// <summary>Physically joined.</summary>
    Physical = 0,

    /// <summary>Logically associated.</summary>
    Logical = 1,
}

/// <summary>B2MML <c>AssemblyRelationship</c>.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AssemblyRelationship>))]
public enum AssemblyRelationship
{
    /// <summary>Permanent.</summary>
    Permanent = 0,

    /// <summary>Transient.</summary>
    Transient = 1,
}

/// <summary>A genealogy edge: quantity of a component lot that went into a produced lot (B2MML <c>AssemblyLot</c>).</summary>
public sealed record GenealogyLink
{
    /// <summary>The component (consumed) lot.</summary>
    public required LotId ComponentLot { get; init; }

    /// <summary>The produced (parent) lot, when known.</summary>
    public LotId? ProducedLot { get; init; }

    /// <summary>The order that consumed the component.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The quantity of the component used.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The assembly type.</summary>
    public AssemblyType AssemblyType { get; init; }

    /// <summary>The assembly relationship.</summary>
    public AssemblyRelationship Relationship { get; init; }
}
