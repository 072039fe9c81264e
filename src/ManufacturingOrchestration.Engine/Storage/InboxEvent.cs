using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>An accepted event as the inbox keeps it until it is processed.</summary>
public sealed record InboxEvent
{
    /// <summary>The event identity.</summary>
    public required EventKey Key { get; init; }

    /// <summary>The partition the event is ordered in.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>When the orchestrator accepted it.</summary>
    public required DateTimeOffset AcceptedAt { get; init; }

    /// <summary>The event.</summary>
    public required EventEnvelope Envelope { get; init; }

    /// <summary>The acceptance position assigned by the store: strictly increasing in acceptance order.</summary>
    public long Position { get; init; }
}

/// <summary>An event that was refused at intake, kept so that nothing is silently dropped.</summary>
public sealed record RejectedEvent
{
    /// <summary>A store-assigned id.</summary>
    public required string Id { get; init; }

    /// <summary>When it was refused.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Where it came from (API, file name, queue), for operators.</summary>
    public required string Channel { get; init; }

    /// <summary>The event source, when it could be read.</summary>
    public string? Source { get; init; }

    /// <summary>The event id, when it could be read.</summary>
    public string? EventId { get; init; }

    /// <summary>The event type, when it could be read.</summary>
    public string? Type { get; init; }

    /// <summary>The site, when it could be read.</summary>
    public string? Site { get; init; }

    /// <summary>Every problem found.</summary>
    public required IReadOnlyList<RejectionReason> Reasons { get; init; }

    /// <summary>The start of the raw payload (truncated), for diagnosis.</summary>
    public string? Excerpt { get; init; }
}

/// <summary>One reason an event was refused.</summary>
public sealed record RejectionReason
{
    /// <summary>The JSON path of the problem, such as <c>$.data.quantity.value</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The catalogued reason code.</summary>
    public required ReasonCode Code { get; init; }

    /// <summary>A message for people.</summary>
    public required string Message { get; init; }
}
