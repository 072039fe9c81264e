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

    /// <summary>
    /// The links of this lot's genealogy that consumed <paramref name="componentLot"/>, each naming this lot as the
    /// produced lot (a published link that names none was published for this lot).
    /// </summary>
    /// <param name="componentLot">The consumed lot.</param>
    /// <returns>The links; empty when this lot was not made from <paramref name="componentLot"/>.</returns>
    public IReadOnlyList<GenealogyLink> LinksConsuming(LotId componentLot) => [.. ComponentLinks().Where(l => l.ComponentLot == componentLot)];

    /// <summary>The links of this lot's genealogy, each naming this lot as the produced lot (a published link that names none was published for this lot).</summary>
    /// <returns>The links.</returns>
    public IReadOnlyList<GenealogyLink> ComponentLinks() => [.. Links.Select(l => l.ProducedLot is null ? l with { ProducedLot = Lot } : l)];

    /// <summary>
    /// What a repository keeps after applying a publication to a lot's record: <see langword="null"/> when the record
    /// already carries the publication's idempotency key (nothing to write); otherwise the new record, with the key
    /// appended to <see cref="PublicationKeys"/> and only the latest <paramref name="maxRememberedKeys"/> keys kept.
    /// </summary>
    /// <param name="existing">The lot's current record, or <see langword="null"/> when it has none.</param>
    /// <param name="publication">The publication.</param>
    /// <param name="publishedAt">When it is written, from the repository's clock.</param>
    /// <param name="maxRememberedKeys">How many applied keys a record remembers.</param>
    /// <returns>The record to write, or <see langword="null"/> when the publication was already applied.</returns>
    public static TraceabilityRecord? Apply(TraceabilityRecord? existing, GenealogyPublication publication, DateTimeOffset publishedAt, int maxRememberedKeys)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentException.ThrowIfNullOrEmpty(publication.IdempotencyKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRememberedKeys, 1);
        if (existing is not null && existing.PublicationKeys.Contains(publication.IdempotencyKey, StringComparer.Ordinal))
        {
            return null;
        }

        var keys = new List<string>(existing?.PublicationKeys ?? []) { publication.IdempotencyKey };
        if (keys.Count > maxRememberedKeys)
        {
            keys.RemoveRange(0, keys.Count - maxRememberedKeys);
        }

        return new TraceabilityRecord
        {
            Lot = publication.Lot,
            Material = publication.Material,
            Site = publication.Site,
            ProducedBy = publication.ProducedBy,
            Links = publication.Links,
            ReleasedBy = publication.ReleasedBy,
            CorrelationId = publication.CorrelationId,
            PublishedAt = publishedAt,
            PublicationKeys = keys,
        };
    }
}
