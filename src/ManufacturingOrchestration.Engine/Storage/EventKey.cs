using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>The identity of an event: CloudEvents (<c>source</c>, <c>id</c>). The same pair is the same event.</summary>
[JsonConverter(typeof(EventKeyJsonConverter))]
public readonly record struct EventKey
{
    /// <summary>Creates an event key.</summary>
    /// <param name="source">The event source.</param>
    /// <param name="id">The event id within the source.</param>
    public EventKey(string source, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(id);
        Source = source;
        Id = id;
    }

    /// <summary>The event source.</summary>
    public string Source { get; }

    /// <summary>The event id.</summary>
    public string Id { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Source}#{Id}";
}
