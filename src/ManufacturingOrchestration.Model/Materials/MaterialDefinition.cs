using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>How critical a material is to production and safety (drives escalation and containment).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CriticalityClass>))]
public enum CriticalityClass
{
    /// <summary>Critical: safety, regulatory or line-stopping material.</summary>
    A = 0,

    /// <summary>Important material.</summary>
    B = 1,

    /// <summary>Ordinary material.</summary>
    C = 2,
}

/// <summary>ABC classification by value or movement, used for cycle-count tolerances and frequency.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AbcClass>))]
public enum AbcClass
{
    /// <summary>High value or high movement.</summary>
    A = 0,

    /// <summary>Medium.</summary>
    B = 1,

    /// <summary>Low.</summary>
    C = 2,
}

/// <summary>Material master data (B2MML <c>MaterialDefinition</c>): what the orchestrator needs to reason about a lot.</summary>
public sealed record MaterialDefinition
{
    /// <summary>The material identifier.</summary>
    public required MaterialId Id { get; init; }

    /// <summary>A description for people.</summary>
    public string? Description { get; init; }

    /// <summary>The material class (B2MML <c>MaterialClassID</c>), such as <c>CAPACITOR</c>.</summary>
    public string? MaterialClass { get; init; }

    /// <summary>The base unit of measure.</summary>
    public required UnitOfMeasure BaseUnit { get; init; }

    /// <summary>Whether the material is managed in batches (lots).</summary>
    [JsonRequired]
    public bool IsBatchManaged { get; init; } = true;

    /// <summary>The shelf life in days, when the material expires.</summary>
    public int? ShelfLifeDays { get; init; }

    /// <summary>The criticality class.</summary>
    [JsonRequired]
    public CriticalityClass Criticality { get; init; } = CriticalityClass.C;

    /// <summary>The ABC class for cycle counting.</summary>
    [JsonRequired]
    public AbcClass AbcClass { get; init; } = AbcClass.C;

    /// <summary>Whether the material is controlled (count variances trigger a root-cause investigation).</summary>
    public bool IsControlled { get; init; }

    /// <summary>The usual supplier.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>Approved alternate suppliers, in order of preference.</summary>
    public IReadOnlyList<SupplierId> AlternateSuppliers { get; init => field = value ?? []; } = [];
}
