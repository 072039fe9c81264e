using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// Publish the genealogy of a lot (B2MML <c>AssemblyLot</c> edges) to the traceability repository, typically when a
/// finished-goods lot is released. A later publication of the same lot replaces the earlier genealogy.
/// </summary>
public sealed record PublishGenealogyRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.TraceabilityPublishGenealogy;

    /// <summary>The lot whose genealogy is published.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material of the lot.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site (plant).</summary>
    public required SiteId Site { get; init; }

    /// <summary>The order that produced the lot, when known.</summary>
    public OrderId? ProducedBy { get; init; }

    /// <summary>The genealogy links (component lots consumed into the lot); empty when none are known.</summary>
    public IReadOnlyList<GenealogyLink> Links { get; init; } = [];

    /// <summary>Who released the lot, when the publication follows a release.</summary>
    public ActorId? ReleasedBy { get; init; }
}
