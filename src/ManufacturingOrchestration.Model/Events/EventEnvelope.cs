using System.Collections.ObjectModel;
using System.Text.Json;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// A plant event: CloudEvents 1.0 context attributes, the <c>partitionkey</c> and <c>sequence</c> extensions,
/// correlation and causation ids, the site, and a typed payload. The identity of an event is
/// (<see cref="Source"/>, <see cref="Id"/>): the same pair is the same event.
/// </summary>
public sealed record EventEnvelope
{
    /// <summary>The only CloudEvents spec version supported.</summary>
    public const string CloudEventsSpecVersion = "1.0";

    /// <summary>
    /// The deepest nesting of objects and arrays in an event, counted in its JSON form from the envelope object (1),
    /// the same for an event read from JSON and for a typed event (its <see cref="Extensions"/> and its payload's
    /// additional members): deeper events are rejected with <see cref="ReasonCodes.TooDeep"/>.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>The event id, unique within its source (CloudEvents <c>id</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The producing system as a URI-reference, such as <c>qms://plant-1</c> (CloudEvents <c>source</c>).</summary>
    public required string Source { get; init; }

    /// <summary>The CloudEvents spec version; always <c>1.0</c>.</summary>
    public string SpecVersion { get; init; } = CloudEventsSpecVersion;

    /// <summary>The versioned event type, such as <c>mfg.quality.inspection.failed.v1</c> (CloudEvents <c>type</c>).</summary>
    public required string Type { get; init; }

    /// <summary>The subject within the source, such as the lot id (CloudEvents <c>subject</c>).</summary>
    public string? Subject { get; init; }

    /// <summary>When the occurrence happened (CloudEvents <c>time</c>, RFC 3339).</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The content type of the data (CloudEvents <c>datacontenttype</c>); <c>application/json</c>.</summary>
    public string? DataContentType { get; init; } = "application/json";

    /// <summary>The schema of the data (CloudEvents <c>dataschema</c>).</summary>
    public string? DataSchema { get; init; }

    /// <summary>The partition (ordering) key, such as the lot id (CloudEvents <c>partitionkey</c> extension).
    /// When absent, the payload's <see cref="EventPayload.DefaultPartitionKey"/> is used.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>The order of the event within its source (CloudEvents <c>sequence</c> extension).</summary>
    public long? Sequence { get; init; }

    /// <summary>The id correlating every event and command of one business case.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The id of the event or command that caused this one.</summary>
    public string? CausationId { get; init; }

    /// <summary>The W3C trace context (CloudEvents <c>traceparent</c> extension).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The site the event belongs to.</summary>
    public SiteId? Site { get; init; }

    /// <summary>
    /// CloudEvents extension attributes this orchestrator does not interpret, by lower-case name, kept as read so they
    /// are written back unchanged. Names must be lower-case ASCII letters and digits and must not repeat a known attribute.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = ReadOnlyDictionary<string, JsonElement>.Empty;

    /// <summary>The typed payload (CloudEvents <c>data</c>).</summary>
    public required EventPayload Data { get; init; }

    /// <summary>The key that orders this event: <see cref="PartitionKey"/>, else the payload's default key.</summary>
    public string EffectivePartitionKey => PartitionKey ?? Data.DefaultPartitionKey;
}
