using System.Text.Json.Nodes;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>Turns the <c>data</c> JSON of one event type version into the next version's, so older producers keep working.</summary>
public sealed class EventUpcaster
{
    private readonly Func<JsonObject, JsonObject> _upcast;

    /// <summary>Creates an upcaster.</summary>
    /// <param name="fromType">The older event type string.</param>
    /// <param name="toType">The newer event type string.</param>
    /// <param name="upcast">The conversion of the <c>data</c> object.</param>
    public EventUpcaster(string fromType, string toType, Func<JsonObject, JsonObject> upcast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fromType);
        ArgumentException.ThrowIfNullOrWhiteSpace(toType);
        ArgumentNullException.ThrowIfNull(upcast);
        FromType = fromType;
        ToType = toType;
        _upcast = upcast;
    }

    /// <summary>The older event type string.</summary>
    public string FromType { get; }

    /// <summary>The newer event type string.</summary>
    public string ToType { get; }

    /// <summary>Converts an older <c>data</c> object into the newer shape.</summary>
    /// <param name="data">The older data; the upcaster may change it in place.</param>
    /// <returns>The newer data.</returns>
    public JsonObject Upcast(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _upcast(data);
    }
}
