using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>One registered event type: its type string, payload type, JSON metadata and business rules.</summary>
public sealed class EventTypeRegistration
{
    private readonly Action<EventPayload, PayloadValidationContext>? _rules;

    internal EventTypeRegistration(string eventType, Type payloadType, JsonTypeInfo typeInfo, Action<EventPayload, PayloadValidationContext>? rules)
    {
        EventType = eventType;
        PayloadType = payloadType;
        TypeInfo = typeInfo;
        _rules = rules;
    }

    /// <summary>The versioned event type string, such as <c>mfg.quality.inspection.failed.v1</c>.</summary>
    public string EventType { get; }

    /// <summary>The payload type.</summary>
    public Type PayloadType { get; }

    /// <summary>The source-generated JSON metadata the payload is read and written with.</summary>
    public JsonTypeInfo TypeInfo { get; }

    /// <summary>Whether business rules beyond JSON shape are registered for the payload.</summary>
    public bool HasRules => _rules is not null;

    internal void ApplyRules(EventPayload payload, PayloadValidationContext context) => _rules?.Invoke(payload, context);
}
