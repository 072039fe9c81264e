namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// The base of every typed event payload. Each payload type names its stable, versioned event type string
/// and the business key it is ordered by (usually the lot or order).
/// </summary>
public abstract record EventPayload
{
    /// <summary>The versioned event type string this payload is sent as.</summary>
    public abstract string EventType { get; }

    /// <summary>The business key the event is ordered by when the envelope carries no partition key.</summary>
    public abstract string DefaultPartitionKey { get; }
}
