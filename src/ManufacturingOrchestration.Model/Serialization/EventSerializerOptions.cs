using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>Settings of an <see cref="EventSerializer"/>.</summary>
public sealed class EventSerializerOptions
{
    /// <summary>The default size limit: 256 KiB.</summary>
    public const int DefaultMaxEventBytes = 256 * 1024;

    /// <summary>The event types accepted and their upcasters. Default: <see cref="EventTypeRegistry.Default"/>.</summary>
    public EventTypeRegistry Registry { get; set; } = EventTypeRegistry.Default;

    /// <summary>The largest event accepted, in UTF-8 bytes, checked before parsing. Default: <see cref="DefaultMaxEventBytes"/>.</summary>
    public int MaxEventBytes { get; set; } = DefaultMaxEventBytes;

    /// <summary>The deepest JSON nesting accepted. Default and most: <see cref="EventEnvelope.MaxDepth"/> (64), the limit typed events are held to as well.</summary>
    public int MaxDepth { get; set; } = EventEnvelope.MaxDepth;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive, or the depth is above <see cref="EventEnvelope.MaxDepth"/>.</exception>
    /// <exception cref="ArgumentNullException">No registry is set.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Registry);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEventBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDepth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, EventEnvelope.MaxDepth);
    }
}
