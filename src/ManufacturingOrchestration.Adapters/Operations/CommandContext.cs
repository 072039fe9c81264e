using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// What every adapter command carries besides its business data: the idempotency key (stable across retries
/// of the same planned action; the engine derives it deterministically), the correlation id of the
/// orchestration, optionally the causing event, and the site.
/// </summary>
public sealed record CommandContext
{
    /// <summary>
    /// The idempotency key. The same key always means the same command: an implementation must apply it at most
    /// once and answer <see cref="AdapterResultStatus.AlreadyApplied"/> to every later call with that key.
    /// </summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The correlation id of the orchestration (usually the originating event's correlation id).</summary>
    public required string CorrelationId { get; init; }

    /// <summary>The id of the event or command that caused this command, when known.</summary>
    public string? CausationId { get; init; }

    /// <summary>The site (plant) the command is for, when it is site-specific.</summary>
    public SiteId? Site { get; init; }
}
