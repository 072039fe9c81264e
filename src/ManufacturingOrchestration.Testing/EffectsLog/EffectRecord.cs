namespace ManufacturingOrchestration.Testing;

/// <summary>One effect a simulator applied: one line of the effects log.</summary>
public sealed record EffectRecord
{
    /// <summary>The position in the log, from 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the effect was applied, by the simulator's clock.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The system, such as <c>erp</c>.</summary>
    public required string System { get; init; }

    /// <summary>The command kind, such as <c>erp.change-stock-category</c>.</summary>
    public required string CommandKind { get; init; }

    /// <summary>The idempotency key of the command that caused the effect.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The correlation id of the command.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The lot affected, when any.</summary>
    public string? Lot { get; init; }

    /// <summary>The order affected, when any.</summary>
    public string? Order { get; init; }

    /// <summary>What happened, for people, such as <c>344 unrestricted→blocked 500 EA</c>.</summary>
    public required string Summary { get; init; }

    /// <summary>The reference the system returned, such as a document number.</summary>
    public string? ExternalReference { get; init; }
}
