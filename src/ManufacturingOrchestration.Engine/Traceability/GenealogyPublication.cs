using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Traceability;

/// <summary>One publication of a lot's genealogy to a traceability repository.</summary>
public sealed record GenealogyPublication
{
    /// <summary>The idempotency key: the same key is applied at most once.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The lot whose genealogy is published.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material of the lot.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The order that produced the lot, when known.</summary>
    public OrderId? ProducedBy { get; init; }

    /// <summary>The genealogy links (component lots consumed into the lot).</summary>
    public IReadOnlyList<GenealogyLink> Links { get; init => field = value ?? []; } = [];

    /// <summary>Who released the lot, when known.</summary>
    public ActorId? ReleasedBy { get; init; }

    /// <summary>The correlation id of the business case, when known.</summary>
    public string? CorrelationId { get; init; }
}

/// <summary>What a traceability repository keeps for a lot: the latest publication and every key applied.</summary>
public sealed record TraceabilityRecord
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material of the lot.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The order that produced the lot, when known.</summary>
    public OrderId? ProducedBy { get; init; }

    /// <summary>The genealogy links of the latest publication.</summary>
    public IReadOnlyList<GenealogyLink> Links { get; init => field = value ?? []; } = [];

    /// <summary>Who released the lot, when known.</summary>
    public ActorId? ReleasedBy { get; init; }

    /// <summary>The correlation id of the latest publication, when known.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>When the latest publication was written (repository clock).</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>The idempotency keys applied to this lot, oldest first (the last one is the latest publication's).</summary>
    public IReadOnlyList<string> PublicationKeys { get; init => field = value ?? []; } = [];
}
