using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// The base of every typed event payload. Each payload type names its stable, versioned event type string
/// and the business key it is ordered by (usually the lot or order).
/// </summary>
public abstract record EventPayload
{
    /// <summary>The versioned event type string this payload is sent as.</summary>
    [JsonIgnore]
    public abstract string EventType { get; }

    /// <summary>The business key the event is ordered by when the envelope carries no partition key.</summary>
    [JsonIgnore]
    public abstract string DefaultPartitionKey { get; }

    /// <summary>
    /// JSON members this version of the payload does not know, kept as read so that an event from a newer producer
    /// survives a store round-trip unchanged; <see langword="null"/> when there were none. Set only by deserialization
    /// (and kept by <c>with</c> copies); never used for decisions.
    /// </summary>
    [JsonExtensionData]
    [JsonInclude]
    public IDictionary<string, JsonElement>? AdditionalMembers { get; internal set; }
}
