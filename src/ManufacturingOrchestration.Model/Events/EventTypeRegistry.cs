using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// Maps event type strings to payload types and their JSON metadata, and older type strings to the upcasters
/// that bring their payloads to a current version. Immutable and thread-safe; build one with
/// <see cref="CreateBuilder"/>, or use <see cref="Default"/> for the built-in taxonomy.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly FrozenDictionary<string, EventTypeRegistration> _byType;
    private readonly FrozenDictionary<Type, EventTypeRegistration> _byPayload;
    private readonly FrozenDictionary<string, EventUpcaster> _upcasters;

    internal EventTypeRegistry(
        Dictionary<string, EventTypeRegistration> byType,
        Dictionary<Type, EventTypeRegistration> byPayload,
        Dictionary<string, EventUpcaster> upcasters)
    {
        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
        _byPayload = byPayload.ToFrozenDictionary();
        _upcasters = upcasters.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The registry of the built-in taxonomy (<see cref="EventTypes"/>), without upcasters.</summary>
    public static EventTypeRegistry Default { get; } = new EventTypeRegistryBuilder().AddBuiltInTypes().Build();

    /// <summary>Every registered event type.</summary>
    public IEnumerable<EventTypeRegistration> Registrations => _byType.Values;

    /// <summary>Every registered upcaster.</summary>
    public IEnumerable<EventUpcaster> Upcasters => _upcasters.Values;

    /// <summary>Starts a builder.</summary>
    /// <param name="includeBuiltInTypes">Whether to start with the built-in taxonomy.</param>
    /// <returns>The builder.</returns>
    public static EventTypeRegistryBuilder CreateBuilder(bool includeBuiltInTypes = true)
    {
        var builder = new EventTypeRegistryBuilder();
        return includeBuiltInTypes ? builder.AddBuiltInTypes() : builder;
    }

    /// <summary>Finds the registration of a current event type string.</summary>
    /// <param name="eventType">The event type string.</param>
    /// <param name="registration">The registration, when found.</param>
    /// <returns><see langword="true"/> when the type is registered.</returns>
    public bool TryGetRegistration(string eventType, [NotNullWhen(true)] out EventTypeRegistration? registration)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return _byType.TryGetValue(eventType, out registration);
    }

    /// <summary>Finds the registration of a payload type.</summary>
    /// <param name="payloadType">The payload's runtime type.</param>
    /// <param name="registration">The registration, when found.</param>
    /// <returns><see langword="true"/> when the payload type is registered.</returns>
    public bool TryGetRegistration(Type payloadType, [NotNullWhen(true)] out EventTypeRegistration? registration)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        return _byPayload.TryGetValue(payloadType, out registration);
    }

    /// <summary>Whether an event type string can be read: registered, or upcast to a registered type.</summary>
    /// <param name="eventType">The event type string.</param>
    /// <returns><see langword="true"/> when events of that type are accepted.</returns>
    public bool IsKnown(string eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return _byType.ContainsKey(eventType) || _upcasters.ContainsKey(eventType);
    }

    internal bool TryGetUpcaster(string fromType, [NotNullWhen(true)] out EventUpcaster? upcaster) => _upcasters.TryGetValue(fromType, out upcaster);

    /// <summary>Whether a registered type shares the type's family (the string without its <c>.vN</c> suffix).</summary>
    internal bool HasOtherVersionOf(string eventType)
    {
        var family = Family(eventType);
        if (family is null)
        {
            return false;
        }

        foreach (var known in _byType.Keys)
        {
            if (string.Equals(Family(known), family, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Family(string eventType)
    {
        var dot = eventType.LastIndexOf('.');
        if (dot <= 0 || dot + 2 > eventType.Length || eventType[dot + 1] != 'v')
        {
            return null;
        }

        for (var i = dot + 2; i < eventType.Length; i++)
        {
            if (!char.IsAsciiDigit(eventType[i]))
            {
                return null;
            }
        }

        return eventType[..dot];
    }
}
