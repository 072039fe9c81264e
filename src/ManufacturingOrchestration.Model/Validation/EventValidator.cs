using System.Globalization;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// Validates an event that arrives as an object (through an API rather than as JSON) with the same rules and the same
/// error shape as <see cref="Serialization.EventSerializer"/> applies to JSON: envelope attributes, the registered
/// type, identifiers, units, quantity signs and each payload's business rules. It reports every problem it finds.
/// </summary>
public sealed class EventValidator
{
    /// <summary>Creates a validator over a registry.</summary>
    /// <param name="registry">The event types accepted.</param>
    public EventValidator(EventTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
    }

    /// <summary>A validator over <see cref="EventTypeRegistry.Default"/>.</summary>
    public static EventValidator Default { get; } = new(EventTypeRegistry.Default);

    /// <summary>The event types accepted.</summary>
    public EventTypeRegistry Registry { get; }

    /// <summary>Validates an envelope and its payload.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>Every problem found; empty when the event is valid.</returns>
    public IReadOnlyList<ValidationError> Validate(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        List<ValidationError>? errors = null;
        ValidateAttributes(envelope, ref errors);

        if (envelope.Data is null)
        {
            Add(ref errors, "$.data", ReasonCodes.Required, "The event has no data.");
        }
        else if (!Registry.TryGetRegistration(envelope.Data.GetType(), out var registration))
        {
            Add(ref errors, "$.data", ReasonCodes.UnknownEventType, $"The payload type {envelope.Data.GetType().Name} is not registered.");
        }
        else
        {
            if (!string.IsNullOrEmpty(envelope.Type) && !string.Equals(registration.EventType, envelope.Type, StringComparison.Ordinal))
            {
                Add(ref errors, "$.type", ReasonCodes.EventTypeMismatch, $"The type '{envelope.Type}' does not match the payload, which is sent as '{registration.EventType}'.");
            }

            errors ??= [];
            ValidatePayload(registration, envelope.Data, errors);
        }

        return errors is null || errors.Count == 0 ? [] : errors;
    }

    /// <summary>Validates a payload on its own (paths start at <c>$.data</c>).</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Every problem found; empty when the payload is valid.</returns>
    public IReadOnlyList<ValidationError> ValidatePayload(EventPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!Registry.TryGetRegistration(payload.GetType(), out var registration))
        {
            return [new ValidationError("$.data", ReasonCodes.UnknownEventType, $"The payload type {payload.GetType().Name} is not registered.")];
        }

        var errors = new List<ValidationError>();
        ValidatePayload(registration, payload, errors);
        return errors.Count == 0 ? [] : errors;
    }

    internal static void ValidatePayload(EventTypeRegistration registration, EventPayload payload, List<ValidationError> errors)
    {
        if (registration.HasRules)
        {
            registration.ApplyRules(payload, new PayloadValidationContext(errors, "$.data"));
        }
    }

    /// <summary>Whether a name may be a CloudEvents extension attribute: lower-case ASCII letters and digits, not a known attribute.</summary>
    internal static bool IsValidExtensionName(string name)
    {
        if (name.Length == 0 || KnownAttributes.Contains(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
            {
                return false;
            }
        }

        return true;
    }

    internal static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal)
    {
        "id", "source", "specversion", "type", "subject", "time", "datacontenttype", "dataschema", "partitionkey",
        "sequence", "correlationid", "causationid", "traceparent", "site", "data", "data_base64",
    };

    internal static bool IsJsonContentType(string contentType)
    {
        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool HasControlCharacter(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private void ValidateAttributes(EventEnvelope envelope, ref List<ValidationError>? errors)
    {
        if (string.IsNullOrWhiteSpace(envelope.Id))
        {
            Add(ref errors, "$.id", ReasonCodes.Required, "The event needs a non-empty id.");
        }
        else if (HasControlCharacter(envelope.Id))
        {
            Add(ref errors, "$.id", ReasonCodes.InvalidIdentifier, "The event id must not contain control characters.");
        }

        if (string.IsNullOrWhiteSpace(envelope.Source))
        {
            Add(ref errors, "$.source", ReasonCodes.Required, "The event needs a non-empty source.");
        }
        else if (!Uri.TryCreate(envelope.Source, UriKind.RelativeOrAbsolute, out _))
        {
            Add(ref errors, "$.source", ReasonCodes.WrongType, "The source must be a URI-reference.");
        }
        else if (HasControlCharacter(envelope.Source))
        {
            Add(ref errors, "$.source", ReasonCodes.InvalidIdentifier, "The source must not contain control characters.");
        }

        if (string.IsNullOrEmpty(envelope.SpecVersion))
        {
            Add(ref errors, "$.specversion", ReasonCodes.Required, "The event needs a specversion.");
        }
        else if (!string.Equals(envelope.SpecVersion, EventEnvelope.CloudEventsSpecVersion, StringComparison.Ordinal))
        {
            Add(ref errors, "$.specversion", ReasonCodes.UnsupportedSpecVersion, $"The specversion '{envelope.SpecVersion}' is not supported; only 1.0 is.");
        }

        if (string.IsNullOrWhiteSpace(envelope.Type))
        {
            Add(ref errors, "$.type", ReasonCodes.Required, "The event needs a type.");
        }
        else if (!Registry.TryGetRegistration(envelope.Type, out _))
        {
            Add(ref errors, "$.type", ReasonCodes.UnknownEventType, $"The event type '{envelope.Type}' is not registered.");
        }

        if (envelope.DataContentType is { } contentType && !IsJsonContentType(contentType))
        {
            Add(ref errors, "$.datacontenttype", ReasonCodes.OutOfRange, $"The data content type '{contentType}' is not JSON.");
        }

        if (envelope.DataSchema is { } schema && !Uri.TryCreate(schema, UriKind.Absolute, out _))
        {
            Add(ref errors, "$.dataschema", ReasonCodes.WrongType, "The dataschema must be an absolute URI.");
        }

        if (envelope.PartitionKey is { Length: 0 })
        {
            Add(ref errors, "$.partitionkey", ReasonCodes.Required, "The partition key must not be empty when given.");
        }

        if (envelope.Sequence is < 0)
        {
            Add(ref errors, "$.sequence", ReasonCodes.OutOfRange, $"The sequence must not be negative (was {envelope.Sequence.Value.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (envelope.Site is { } site && !Identifier.IsValid(site.Value, out var problem))
        {
            Add(ref errors, "$.site", ReasonCodes.InvalidIdentifier, $"A site identifier {problem}.");
        }

        if (envelope.Extensions is null)
        {
            Add(ref errors, "$", ReasonCodes.Required, "The extensions dictionary must not be null.");
        }
        else
        {
            foreach (var name in envelope.Extensions.Keys)
            {
                if (!IsValidExtensionName(name))
                {
                    Add(ref errors, new JsonPathBuilder().Build(name), ReasonCodes.OutOfRange, $"'{name}' is not a valid CloudEvents extension name (lower-case letters and digits, not a known attribute).");
                }
            }
        }
    }

    private static void Add(ref List<ValidationError>? errors, string path, ReasonCode code, string message) =>
        (errors ??= []).Add(new ValidationError(path, code, message));
}
