using System.Globalization;
using System.Text.Json;
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
            var before = errors.Count;
            PayloadTextCheck.Check(envelope.Data, registration.TypeInfo, errors);
            ValidatePayload(registration, envelope.Data, errors);
            if (errors.Count == before && envelope.PartitionKey is null)
            {
                // The payload's own key orders the event when the envelope names none: the same rules apply to it.
                ValidateKey(envelope.Data.DefaultPartitionKey, "$.data", "partition key derived from the payload", ref errors);
            }
        }

        if (errors is null || errors.Count == 0)
        {
            return [];
        }

        // A typed payload's text is checked twice (as JSON would be written, and by its business rules): say each problem once.
        return errors.DistinctBy(e => (e.Path, e.ReasonCode.Code)).ToArray();
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

    /// <summary>
    /// Checks the attributes every intake path must check the same way, on an envelope read from JSON as on a typed one:
    /// the identifier rules on every key, and extension names and values (with the depth limit).
    /// </summary>
    internal static void ValidateAttributeText(EventEnvelope envelope, ref List<ValidationError>? errors)
    {
        if (!string.IsNullOrWhiteSpace(envelope.Id))
        {
            ValidateKey(envelope.Id, "$.id", "event id", ref errors);
        }

        if (!string.IsNullOrWhiteSpace(envelope.Source))
        {
            ValidateKey(envelope.Source, "$.source", "source", ref errors);
        }

        if (envelope.PartitionKey is { Length: > 0 } partitionKey)
        {
            ValidateKey(partitionKey, "$.partitionkey", "partition key", ref errors);
        }

        ValidateOptionalKey(envelope.Subject, "$.subject", "subject", ref errors);
        ValidateOptionalKey(envelope.CorrelationId, "$.correlationid", "correlation id", ref errors);
        ValidateOptionalKey(envelope.CausationId, "$.causationid", "causation id", ref errors);
        ValidateOptionalKey(envelope.TraceParent, "$.traceparent", "traceparent", ref errors);
        ValidateOptionalKey(envelope.DataContentType, "$.datacontenttype", "data content type", ref errors);
        ValidateOptionalKey(envelope.DataSchema, "$.dataschema", "dataschema", ref errors);

        if (envelope.Extensions is null)
        {
            Add(ref errors, "$", ReasonCodes.Required, "The extensions dictionary must not be null.");
            return;
        }

        foreach (var (name, value) in envelope.Extensions)
        {
            var path = new JsonPathBuilder().Build(FreeText.Escape(name));
            if (!IsValidExtensionName(name))
            {
                Add(ref errors, path, ReasonCodes.OutOfRange, $"'{FreeText.Escape(name)}' is not a valid CloudEvents extension name (lower-case letters and digits, not a known attribute).");
                continue;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Undefined:
                    Add(ref errors, path, ReasonCodes.Required, "The extension attribute has no value.");
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    // Refused either way, as on the JSON path; a value deeper than an event may nest is named as such.
                    // The envelope is level 1, so an extension value may nest at most MaxDepth - 1 levels.
                    if (JsonTextCheck.DepthOf(value, EventEnvelope.MaxDepth) > EventEnvelope.MaxDepth - 1)
                    {
                        Add(ref errors, path, ReasonCodes.TooDeep, string.Create(CultureInfo.InvariantCulture, $"The extension attribute nests deeper than an event may ({EventEnvelope.MaxDepth} levels)."));
                    }
                    else
                    {
                        Add(ref errors, path, ReasonCodes.WrongType, "An extension attribute is a string, number or boolean.");
                    }

                    break;
                case JsonValueKind.String:
                    errors ??= [];
                    JsonTextCheck.Check(value, new JsonPathBuilder("$." + name), 1, EventEnvelope.MaxDepth, errors);
                    break;
            }
        }
    }

    private static void ValidateOptionalKey(string? value, string path, string what, ref List<ValidationError>? errors)
    {
        if (!string.IsNullOrEmpty(value))
        {
            ValidateKey(value, path, what, ref errors);
        }
    }

    private static void ValidateKey(string value, string path, string what, ref List<ValidationError>? errors)
    {
        if (!Identifier.IsValid(value, Identifier.MaxKeyLength, out var problem))
        {
            Add(ref errors, path, FreeText.IsWellFormed(value) ? ReasonCodes.InvalidIdentifier : ReasonCodes.InvalidEncoding, $"The {what} {problem}.");
        }
    }

    private void ValidateAttributes(EventEnvelope envelope, ref List<ValidationError>? errors)
    {
        if (string.IsNullOrWhiteSpace(envelope.Id))
        {
            Add(ref errors, "$.id", ReasonCodes.Required, "The event needs a non-empty id.");
        }

        if (string.IsNullOrWhiteSpace(envelope.Source))
        {
            Add(ref errors, "$.source", ReasonCodes.Required, "The event needs a non-empty source.");
        }
        else if (!Uri.TryCreate(envelope.Source, UriKind.RelativeOrAbsolute, out _))
        {
            Add(ref errors, "$.source", ReasonCodes.WrongType, "The source must be a URI-reference.");
        }

        if (string.IsNullOrEmpty(envelope.SpecVersion))
        {
            Add(ref errors, "$.specversion", ReasonCodes.Required, "The event needs a specversion.");
        }
        else if (!string.Equals(envelope.SpecVersion, EventEnvelope.CloudEventsSpecVersion, StringComparison.Ordinal))
        {
            Add(ref errors, "$.specversion", ReasonCodes.UnsupportedSpecVersion, $"The specversion '{FreeText.Escape(envelope.SpecVersion)}' is not supported; only 1.0 is.");
        }

        if (string.IsNullOrWhiteSpace(envelope.Type))
        {
            Add(ref errors, "$.type", ReasonCodes.Required, "The event needs a type.");
        }
        else if (!Registry.TryGetRegistration(envelope.Type, out _))
        {
            Add(ref errors, "$.type", ReasonCodes.UnknownEventType, $"The event type '{FreeText.Escape(envelope.Type)}' is not registered.");
        }

        if (envelope.DataContentType is { } contentType && !IsJsonContentType(contentType))
        {
            Add(ref errors, "$.datacontenttype", ReasonCodes.OutOfRange, $"The data content type '{FreeText.Escape(contentType)}' is not JSON.");
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

        ValidateAttributeText(envelope, ref errors);
    }

    private static void Add(ref List<ValidationError>? errors, string path, ReasonCode code, string message) =>
        (errors ??= []).Add(new ValidationError(path, code, message));
}
