using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// Builds an immutable <see cref="EventTypeRegistry"/>: payload types by event type string, and upcasters that turn an
/// older payload version's JSON into the next version's JSON. Registrations are checked as they are added.
/// </summary>
public sealed class EventTypeRegistryBuilder
{
    private readonly Dictionary<string, EventTypeRegistration> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, EventTypeRegistration> _byPayload = [];
    private readonly Dictionary<string, EventUpcaster> _upcasters = new(StringComparer.Ordinal);

    /// <summary>Creates an empty builder; call <see cref="AddBuiltInTypes"/> for the built-in taxonomy.</summary>
    public EventTypeRegistryBuilder()
    {
    }

    /// <summary>Adds every event type of <see cref="EventTypes"/> with its payload type and rules.</summary>
    /// <returns>This builder.</returns>
    public EventTypeRegistryBuilder AddBuiltInTypes()
    {
        var context = ModelJsonContext.Default;
        Add(EventTypes.GoodsReceived, context.GoodsReceived, BuiltInPayloadRules.GoodsReceived);
        Add(EventTypes.InspectionPassed, context.InspectionPassed, BuiltInPayloadRules.InspectionPassed);
        Add(EventTypes.InspectionFailed, context.InspectionFailed, BuiltInPayloadRules.InspectionFailed);
        Add(EventTypes.NonconformanceRaised, context.NonconformanceRaised, BuiltInPayloadRules.NonconformanceRaised);
        Add(EventTypes.MrbDispositionDecided, context.MrbDispositionDecided, BuiltInPayloadRules.MrbDispositionDecided);
        Add(EventTypes.ApprovalGiven, context.ApprovalGiven, BuiltInPayloadRules.ApprovalGiven);
        Add(EventTypes.ApprovalRefused, context.ApprovalRefused, BuiltInPayloadRules.ApprovalRefused);
        Add(EventTypes.LotReleased, context.LotReleased, BuiltInPayloadRules.LotReleased);
        Add(EventTypes.LotConsumed, context.LotConsumed, BuiltInPayloadRules.LotConsumed);
        Add(EventTypes.ProductionConfirmed, context.ProductionConfirmed, BuiltInPayloadRules.ProductionConfirmed);
        Add(EventTypes.CycleCountRecorded, context.CycleCountRecorded, BuiltInPayloadRules.CycleCountRecorded);
        Add(EventTypes.ScrapReported, context.ScrapReported, BuiltInPayloadRules.ScrapReported);
        Add(EventTypes.StockMoved, context.StockMoved, BuiltInPayloadRules.StockMoved);
        Add(EventTypes.SupplierUpdated, context.SupplierUpdated, BuiltInPayloadRules.SupplierUpdated);
        Add(EventTypes.StockDriftDetected, context.StockDriftDetected, BuiltInPayloadRules.StockDriftDetected);
        Add(EventTypes.LotContainmentRequested, context.LotContainmentRequested, BuiltInPayloadRules.LotContainmentRequested);
        Add(EventTypes.WorkOrderHeld, context.WorkOrderHeld, BuiltInPayloadRules.WorkOrderHeld);
        Add(EventTypes.WorkOrderHoldReleased, context.WorkOrderHoldReleased, BuiltInPayloadRules.WorkOrderHoldReleased);
        Add(EventTypes.TimerElapsed, context.TimerElapsed, BuiltInPayloadRules.TimerElapsed);
        return this;
    }

    /// <summary>Registers a payload type under an event type string.</summary>
    /// <typeparam name="TPayload">The payload type; its <see cref="EventPayload.EventType"/> should return <paramref name="eventType"/>.</typeparam>
    /// <param name="eventType">The versioned event type string, such as <c>acme.tooling.wear.reported.v1</c>.</param>
    /// <param name="typeInfo">Source-generated metadata for the payload (from a <c>JsonSerializerContext</c>).</param>
    /// <param name="rules">Business rules beyond JSON shape, reporting into the context; optional.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The type string or payload type is already registered, or an upcaster starts from it (<see cref="ReasonCodes.EventTypeConflict"/>).</exception>
    public EventTypeRegistryBuilder Add<TPayload>(string eventType, JsonTypeInfo<TPayload> typeInfo, Action<TPayload, PayloadValidationContext>? rules = null)
        where TPayload : EventPayload
    {
        ValidateTypeName(eventType);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (_byType.ContainsKey(eventType) || _upcasters.ContainsKey(eventType))
        {
            throw Conflict($"The event type '{eventType}' is already registered.");
        }

        if (_byPayload.ContainsKey(typeof(TPayload)))
        {
            throw Conflict($"The payload type {typeof(TPayload).Name} is already registered under '{_byPayload[typeof(TPayload)].EventType}'.");
        }

        var registration = new EventTypeRegistration(
            eventType,
            typeof(TPayload),
            typeInfo,
            rules is null ? null : (payload, context) => rules((TPayload)payload, context));
        _byType.Add(eventType, registration);
        _byPayload.Add(typeof(TPayload), registration);
        return this;
    }

    /// <summary>
    /// Registers an upcaster from an older event type's payload JSON to a newer one's. Upcasters chain
    /// (v1 → v2 → v3); the chain must end at a registered payload type by the time <see cref="Build"/> is called.
    /// </summary>
    /// <param name="fromType">The older event type string, such as <c>mfg.quality.inspection.failed.v0</c>.</param>
    /// <param name="toType">The next event type string.</param>
    /// <param name="upcast">Turns the older <c>data</c> object into the newer one; it may change the object in place and return it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ManufacturingOrchestrationException">An upcaster from <paramref name="fromType"/> exists, or <paramref name="fromType"/> is a registered payload type.</exception>
    public EventTypeRegistryBuilder AddUpcaster(string fromType, string toType, Func<JsonObject, JsonObject> upcast)
    {
        ValidateTypeName(fromType);
        ValidateTypeName(toType);
        ArgumentNullException.ThrowIfNull(upcast);
        if (string.Equals(fromType, toType, StringComparison.Ordinal))
        {
            throw Conflict($"An upcaster cannot convert '{fromType}' to itself.");
        }

        if (_upcasters.ContainsKey(fromType) || _byType.ContainsKey(fromType))
        {
            throw Conflict($"'{fromType}' is already registered as a payload type or upcaster source.");
        }

        _upcasters.Add(fromType, new EventUpcaster(fromType, toType, upcast));
        return this;
    }

    /// <summary>Builds the immutable registry.</summary>
    /// <returns>The registry.</returns>
    /// <exception cref="ManufacturingOrchestrationException">An upcaster chain is circular or does not end at a registered payload type.</exception>
    public EventTypeRegistry Build()
    {
        foreach (var upcaster in _upcasters.Values)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { upcaster.FromType };
            var current = upcaster.ToType;
            while (!_byType.ContainsKey(current))
            {
                if (!_upcasters.TryGetValue(current, out var next))
                {
                    throw Conflict($"The upcaster chain from '{upcaster.FromType}' ends at '{current}', which is not a registered event type.");
                }

                if (!seen.Add(current))
                {
                    throw Conflict($"The upcaster chain from '{upcaster.FromType}' is circular.");
                }

                current = next.ToType;
            }
        }

        return new EventTypeRegistry(_byType, _byPayload, _upcasters);
    }

    private static void ValidateTypeName(string eventType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        if (eventType.Length > 256)
        {
            throw new ArgumentException("An event type string is at most 256 characters.", nameof(eventType));
        }
    }

    private static ManufacturingOrchestrationException Conflict(string message) => new(ReasonCodes.EventTypeConflict, message);
}
