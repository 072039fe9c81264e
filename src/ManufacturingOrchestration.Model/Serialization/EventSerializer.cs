using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>
/// Writes an <see cref="EventEnvelope"/> as CloudEvents 1.0 structured JSON and reads one back without throwing:
/// reading returns an <see cref="EventParseResult"/> listing every problem found (size, JSON syntax, attributes,
/// type, payload shape, identifiers, units, quantities, business rules), each with a JSON path and a reason code.
/// Thread-safe; create one per configuration and share it.
/// </summary>
/// <remarks>
/// Attribute names are lower-case: <c>id, source, specversion, type, subject, time, datacontenttype, dataschema,
/// partitionkey, sequence, correlationid, causationid, traceparent, site, data</c>; any other lower-case attribute is
/// kept in <see cref="EventEnvelope.Extensions"/>. <c>sequence</c> is written as a string (the CloudEvents sequence
/// extension is a string) and read from a string of digits or an integer. A JSON <c>null</c> attribute counts as absent.
/// Payloads of an older registered version are upcast to the current one before they are checked.
/// </remarks>
public sealed class EventSerializer
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private readonly EventTypeRegistry _registry;
    private readonly int _maxEventBytes;
    private readonly JsonDocumentOptions _documentOptions;
    private readonly int _maxDepth;

    /// <summary>Creates a serializer.</summary>
    /// <param name="options">The settings; defaults when <see langword="null"/>.</param>
    public EventSerializer(EventSerializerOptions? options = null)
    {
        options ??= new EventSerializerOptions();
        options.Validate();
        _registry = options.Registry;
        _maxEventBytes = options.MaxEventBytes;
        _maxDepth = options.MaxDepth;
        _documentOptions = new JsonDocumentOptions { MaxDepth = options.MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };
    }

    /// <summary>A serializer with default settings over <see cref="EventTypeRegistry.Default"/>.</summary>
    public static EventSerializer Default { get; } = new();

    /// <summary>The event types accepted.</summary>
    public EventTypeRegistry Registry => _registry;

    /// <summary>The largest event accepted, in UTF-8 bytes.</summary>
    public int MaxEventBytes => _maxEventBytes;

    /// <summary>Writes an envelope as CloudEvents structured JSON.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="envelope">The envelope.</param>
    /// <exception cref="ManufacturingOrchestrationException">The envelope is not a CloudEvents 1.0 event — another
    /// <c>specversion</c> (<see cref="ReasonCodes.UnsupportedSpecVersion"/>), or an empty <c>id</c>, <c>source</c> or
    /// <c>type</c> (<see cref="ReasonCodes.Required"/>) — the payload type is not registered
    /// (<see cref="ReasonCodes.UnknownEventType"/>), or an extension name is not valid (<see cref="ReasonCodes.OutOfRange"/>).</exception>
    public void Serialize(Utf8JsonWriter writer, EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(envelope.Data);
        if (!string.Equals(envelope.SpecVersion, EventEnvelope.CloudEventsSpecVersion, StringComparison.Ordinal))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.UnsupportedSpecVersion, $"Only CloudEvents {EventEnvelope.CloudEventsSpecVersion} is written, not specversion '{envelope.SpecVersion}'.");
        }

        RequireAttribute(envelope.Id, "id");
        RequireAttribute(envelope.Source, "source");
        RequireAttribute(envelope.Type, "type");
        if (!_registry.TryGetRegistration(envelope.Data.GetType(), out var registration))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.UnknownEventType, $"The payload type {envelope.Data.GetType().Name} is not registered.");
        }

        writer.WriteStartObject();
        writer.WriteString("specversion"u8, envelope.SpecVersion);
        writer.WriteString("id"u8, envelope.Id);
        writer.WriteString("source"u8, envelope.Source);
        writer.WriteString("type"u8, envelope.Type);
        WriteOptional(writer, "subject"u8, envelope.Subject);
        if (envelope.Time is { } time)
        {
            writer.WriteString("time"u8, time);
        }

        WriteOptional(writer, "datacontenttype"u8, envelope.DataContentType);
        WriteOptional(writer, "dataschema"u8, envelope.DataSchema);
        WriteOptional(writer, "partitionkey"u8, envelope.PartitionKey);
        if (envelope.Sequence is { } sequence)
        {
            Span<char> digits = stackalloc char[20];
            sequence.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
            writer.WriteString("sequence"u8, digits[..written]);
        }

        WriteOptional(writer, "correlationid"u8, envelope.CorrelationId);
        WriteOptional(writer, "causationid"u8, envelope.CausationId);
        WriteOptional(writer, "traceparent"u8, envelope.TraceParent);
        if (envelope.Site is { } site)
        {
            writer.WriteString("site"u8, site.Value);
        }

        foreach (var (name, value) in envelope.Extensions)
        {
            if (!EventValidator.IsValidExtensionName(name))
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"'{name}' is not a valid CloudEvents extension name.");
            }

            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }

        writer.WritePropertyName("data"u8);
        JsonSerializer.Serialize(writer, envelope.Data, registration.TypeInfo);
        writer.WriteEndObject();
    }

    private static void RequireAttribute(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.Required, $"A CloudEvents event needs a non-empty '{name}'; the envelope has none, so it is not written.");
        }
    }

    /// <summary>Writes an envelope as UTF-8 CloudEvents structured JSON.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The UTF-8 JSON.</returns>
    /// <exception cref="ManufacturingOrchestrationException">See <see cref="Serialize(Utf8JsonWriter, EventEnvelope)"/>.</exception>
    public byte[] SerializeToUtf8Bytes(EventEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Serialize(writer, envelope);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes an envelope as a CloudEvents structured JSON string.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The JSON.</returns>
    /// <exception cref="ManufacturingOrchestrationException">See <see cref="Serialize(Utf8JsonWriter, EventEnvelope)"/>.</exception>
    public string SerializeToString(EventEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Serialize(writer, envelope);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads an event from UTF-8 JSON. Never throws for bad input.</summary>
    /// <param name="utf8Json">The UTF-8 JSON.</param>
    /// <returns>The envelope, or every problem found.</returns>
    public EventParseResult Parse(ReadOnlyMemory<byte> utf8Json)
    {
        if (utf8Json.Length > _maxEventBytes)
        {
            return TooLarge(utf8Json.Length);
        }

        return ParseWithinLimit(utf8Json);
    }

    /// <summary>Reads an event from a JSON string. Never throws for bad input.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The envelope, or every problem found.</returns>
    public EventParseResult Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > _maxEventBytes)
        {
            return TooLarge(json.Length);
        }

        if (FreeText.IndexOfUnpairedSurrogate(json) is var bad and >= 0)
        {
            // UTF-8 has no form for it: encoding would put U+FFFD in its place and change the event silently.
            return EventParseResult.Failure(
            [
                new ValidationError("$", ReasonCodes.InvalidEncoding, $"The text is not well-formed Unicode: an unpaired surrogate is at index {bad.ToString(CultureInfo.InvariantCulture)}."),
            ]);
        }

        var byteCount = Encoding.UTF8.GetByteCount(json);
        if (byteCount > _maxEventBytes)
        {
            return TooLarge(byteCount);
        }

        var rented = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            var written = Encoding.UTF8.GetBytes(json, rented);
            return ParseWithinLimit(rented.AsMemory(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads an event from a stream, refusing it as soon as it exceeds the size limit. Never throws for bad input.</summary>
    /// <param name="utf8Json">The stream of UTF-8 JSON; read to its end.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The envelope, or every problem found.</returns>
    public async ValueTask<EventParseResult> ParseAsync(Stream utf8Json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Min(_maxEventBytes + 1, 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == rented.Length)
                {
                    if (length > _maxEventBytes)
                    {
                        return TooLarge(length);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxEventBytes + 1, rented.Length * 2));
                    rented.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(rented);
                    rented = larger;
                }

                var read = await utf8Json.ReadAsync(rented.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > _maxEventBytes)
                {
                    return TooLarge(length);
                }
            }

            return ParseWithinLimit(rented.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private EventParseResult TooLarge(int length) => EventParseResult.Failure(
    [
        new ValidationError("$", ReasonCodes.PayloadTooLarge, $"The event is {length.ToString(CultureInfo.InvariantCulture)} bytes or more; the limit is {_maxEventBytes.ToString(CultureInfo.InvariantCulture)} bytes."),
    ]);

    private EventParseResult ParseWithinLimit(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, _documentOptions);
        }
        catch (JsonException exception)
        {
            if (NestsTooDeep(utf8Json.Span))
            {
                return EventParseResult.Failure([new ValidationError("$", ReasonCodes.TooDeep, $"The event nests deeper than {_maxDepth.ToString(CultureInfo.InvariantCulture)} levels.")]);
            }

            var where = exception.LineNumber is { } line
                ? $" (line {(line + 1).ToString(CultureInfo.InvariantCulture)}, byte {(exception.BytePositionInLine ?? 0).ToString(CultureInfo.InvariantCulture)})"
                : string.Empty;
            return EventParseResult.Failure([new ValidationError("$", ReasonCodes.MalformedJson, $"The event is not well-formed JSON{where}.")]);
        }

        using (document)
        {
            // Before anything reads a string: an invalid UTF-8 sequence or an unpaired \uD800 escape would make the
            // reader throw, and is refused here with its path instead.
            var textErrors = new List<ValidationError>();
            if (!JsonTextCheck.Check(document.RootElement, new JsonPathBuilder(), 0, _maxDepth, textErrors))
            {
                return EventParseResult.Failure(textErrors);
            }

            return Read(document.RootElement);
        }
    }

    /// <summary>Whether JSON that failed to parse nested deeper than the limit before any syntax error (then it is too deep, not malformed).</summary>
    private bool NestsTooDeep(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = Math.Max(utf8Json.Length + 1, _maxDepth + 1) });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > _maxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private EventParseResult Read(JsonElement root)
    {
        var errors = new List<ValidationError>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ValidationError("$", ReasonCodes.WrongType, "A CloudEvent in structured JSON is an object."));
            return EventParseResult.Failure(errors);
        }

        string? id = null, source = null, specVersion = null, type = null, subject = null, dataContentType = null, dataSchema = null;
        string? partitionKey = null, correlationId = null, causationId = null, traceParent = null;
        DateTimeOffset? time = null;
        long? sequence = null;
        SiteId? site = null;
        JsonElement data = default;
        var hasData = false;
        Dictionary<string, JsonElement>? extensions = null;

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("data"u8))
            {
                if (value.ValueKind == JsonValueKind.Object)
                {
                    data = value;
                    hasData = true;
                }
                else if (value.ValueKind != JsonValueKind.Null)
                {
                    errors.Add(new ValidationError("$.data", ReasonCodes.WrongType, $"The data must be a JSON object, found {value.ValueKind.ToString().ToLowerInvariant()}."));
                    hasData = true;
                }
            }
            else if (property.NameEquals("id"u8))
            {
                id = ReadString(value, "$.id", errors, requireNonBlank: true);
            }
            else if (property.NameEquals("type"u8))
            {
                type = ReadString(value, "$.type", errors, requireNonBlank: true);
            }
            else if (property.NameEquals("source"u8))
            {
                source = ReadString(value, "$.source", errors, requireNonBlank: true);
                if (source is not null && !Uri.TryCreate(source, UriKind.RelativeOrAbsolute, out _))
                {
                    errors.Add(new ValidationError("$.source", ReasonCodes.WrongType, "The source must be a URI-reference."));
                }
            }
            else if (property.NameEquals("specversion"u8))
            {
                specVersion = ReadString(value, "$.specversion", errors, requireNonBlank: true);
                if (specVersion is not null && specVersion != EventEnvelope.CloudEventsSpecVersion)
                {
                    errors.Add(new ValidationError("$.specversion", ReasonCodes.UnsupportedSpecVersion, $"The specversion '{FreeText.Escape(specVersion)}' is not supported; only 1.0 is."));
                }
            }
            else if (property.NameEquals("time"u8))
            {
                time = ReadTime(value, errors);
            }
            else if (property.NameEquals("subject"u8))
            {
                subject = ReadString(value, "$.subject", errors, requireNonBlank: false);
            }
            else if (property.NameEquals("partitionkey"u8))
            {
                partitionKey = ReadString(value, "$.partitionkey", errors, requireNonBlank: true);
            }
            else if (property.NameEquals("sequence"u8))
            {
                sequence = ReadSequence(value, errors);
            }
            else if (property.NameEquals("site"u8))
            {
                var raw = ReadString(value, "$.site", errors, requireNonBlank: false);
                if (raw is not null)
                {
                    if (Identifier.IsValid(raw, out var problem))
                    {
                        site = new SiteId(raw);
                    }
                    else
                    {
                        errors.Add(new ValidationError("$.site", ReasonCodes.InvalidIdentifier, $"A site identifier {problem}."));
                    }
                }
            }
            else if (property.NameEquals("datacontenttype"u8))
            {
                dataContentType = ReadString(value, "$.datacontenttype", errors, requireNonBlank: true);
                if (dataContentType is not null && !EventValidator.IsJsonContentType(dataContentType))
                {
                    errors.Add(new ValidationError("$.datacontenttype", ReasonCodes.OutOfRange, $"The data content type '{FreeText.Escape(dataContentType)}' is not JSON."));
                }
            }
            else if (property.NameEquals("dataschema"u8))
            {
                dataSchema = ReadString(value, "$.dataschema", errors, requireNonBlank: true);
                if (dataSchema is not null && !Uri.TryCreate(dataSchema, UriKind.Absolute, out _))
                {
                    errors.Add(new ValidationError("$.dataschema", ReasonCodes.WrongType, "The dataschema must be an absolute URI."));
                }
            }
            else if (property.NameEquals("correlationid"u8))
            {
                correlationId = ReadString(value, "$.correlationid", errors, requireNonBlank: false);
            }
            else if (property.NameEquals("causationid"u8))
            {
                causationId = ReadString(value, "$.causationid", errors, requireNonBlank: false);
            }
            else if (property.NameEquals("traceparent"u8))
            {
                traceParent = ReadString(value, "$.traceparent", errors, requireNonBlank: false);
            }
            else if (property.NameEquals("data_base64"u8))
            {
                errors.Add(new ValidationError("$.data_base64", ReasonCodes.OutOfRange, "Binary data (data_base64) is not supported; send JSON data."));
                hasData = true;
            }
            else
            {
                var name = property.Name;
                if (!EventValidator.IsValidExtensionName(name))
                {
                    errors.Add(new ValidationError(new JsonPathBuilder().Build(name), ReasonCodes.OutOfRange, $"'{FreeText.Escape(name)}' is not a CloudEvents attribute name: use lower-case letters and digits only."));
                }
                else if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    errors.Add(new ValidationError(new JsonPathBuilder().Build(name), ReasonCodes.WrongType, "An extension attribute is a string, number or boolean."));
                }
                else if (value.ValueKind != JsonValueKind.Null)
                {
                    (extensions ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[name] = value.Clone();
                }
            }
        }

        RequireAttribute(id, "$.id", errors);
        RequireAttribute(source, "$.source", errors);
        RequireAttribute(specVersion, "$.specversion", errors);
        RequireAttribute(type, "$.type", errors);
        if (!hasData)
        {
            errors.Add(new ValidationError("$.data", ReasonCodes.Required, "The event has no data."));
        }

        EventPayload? payload = null;
        string? resolvedType = null;
        if (type is not null)
        {
            payload = ReadPayload(type, data, hasData && data.ValueKind == JsonValueKind.Object, errors, out resolvedType);
        }

        if (errors.Count > 0 || payload is null)
        {
            return EventParseResult.Failure(errors);
        }

        var envelope = new EventEnvelope
        {
            Id = id!,
            Source = source!,
            SpecVersion = specVersion!,
            Type = resolvedType!,
            Subject = subject,
            Time = time,
            DataContentType = dataContentType,
            DataSchema = dataSchema,
            PartitionKey = partitionKey,
            Sequence = sequence,
            CorrelationId = correlationId,
            CausationId = causationId,
            TraceParent = traceParent,
            Site = site,
            Extensions = extensions is null ? EmptyExtensions : extensions,
            Data = payload,
        };
        // The identifier rules on the envelope's keys are the intake's (EventValidator, which every publish applies),
        // not the reader's: a store reads back with this serializer what an earlier version accepted under older rules.
        return EventParseResult.Success(envelope);
    }

    private static readonly IReadOnlyDictionary<string, JsonElement> EmptyExtensions = System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>.Empty;

    private EventPayload? ReadPayload(string type, JsonElement data, bool hasObjectData, List<ValidationError> errors, out string? resolvedType)
    {
        resolvedType = null;
        if (_registry.TryGetRegistration(type, out var registration))
        {
            resolvedType = registration.EventType;
            return hasObjectData ? ReadData(registration, data, errors) : null;
        }

        if (!_registry.TryGetUpcaster(type, out _))
        {
            var code = _registry.HasOtherVersionOf(type) ? ReasonCodes.NoUpcaster : ReasonCodes.UnknownEventType;
            var message = code == ReasonCodes.NoUpcaster
                ? $"The event type '{FreeText.Escape(type)}' is a version this orchestrator cannot read, and no upcaster to a current version is registered."
                : $"The event type '{FreeText.Escape(type)}' is not registered.";
            errors.Add(new ValidationError("$.type", code, message));
            return null;
        }

        if (!hasObjectData)
        {
            return null;
        }

        // An older version: bring the data up to the current one, then read it like any other.
        JsonObject node = JsonObject.Create(data)!;
        var current = type;
        while (!_registry.TryGetRegistration(current, out registration))
        {
            _registry.TryGetUpcaster(current, out var upcaster);
            try
            {
                node = upcaster!.Upcast(node) ?? throw new InvalidOperationException("The upcaster returned null.");
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                errors.Add(new ValidationError("$.data", ReasonCodes.UpcastFailed, $"Upcasting '{current}' to '{upcaster!.ToType}' failed: {exception.Message}"));
                return null;
            }

            current = upcaster.ToType;
        }

        resolvedType = registration.EventType;
        JsonDocument upcast;
        try
        {
            upcast = JsonDocument.Parse(node.ToJsonString(), _documentOptions);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            errors.Add(new ValidationError("$.data", ReasonCodes.UpcastFailed, $"The upcast payload of '{type}' cannot be read: {exception.Message}"));
            return null;
        }

        using (upcast)
        {
            return ReadData(registration, upcast.RootElement, errors);
        }
    }

    private static EventPayload? ReadData(EventTypeRegistration registration, JsonElement data, List<ValidationError> errors)
    {
        var before = errors.Count;
        JsonShapeValidator.Validate(data, registration.TypeInfo, new JsonPathBuilder("$.data"), errors);
        if (errors.Count > before)
        {
            return null;
        }

        EventPayload? payload;
        try
        {
            payload = (EventPayload?)data.Deserialize(registration.TypeInfo);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or FormatException or InvalidOperationException or ArgumentException or ManufacturingOrchestrationException)
        {
            errors.Add(new ValidationError("$.data", exception is ManufacturingOrchestrationException mo ? mo.ReasonCode : ReasonCodes.WrongType, $"The data cannot be read as {registration.PayloadType.Name}: {exception.Message}"));
            return null;
        }

        if (payload is null)
        {
            errors.Add(new ValidationError("$.data", ReasonCodes.Required, "The event has no data."));
            return null;
        }

        EventValidator.ValidatePayload(registration, payload, errors);
        return errors.Count > before ? null : payload;
    }

    private static string? ReadString(JsonElement value, string path, List<ValidationError> errors, bool requireNonBlank)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new ValidationError(path, ReasonCodes.WrongType, $"Expected a string, found {value.ValueKind.ToString().ToLowerInvariant()}."));
            return string.Empty;
        }

        var text = value.GetString()!;
        if (requireNonBlank && string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new ValidationError(path, ReasonCodes.Required, "The attribute must not be empty."));
        }

        return text;
    }

    private static void RequireAttribute(string? value, string path, List<ValidationError> errors)
    {
        if (value is null)
        {
            errors.Add(new ValidationError(path, ReasonCodes.Required, $"The required attribute '{path[2..]}' is missing."));
        }
    }

    private static DateTimeOffset? ReadTime(JsonElement value, List<ValidationError> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var time) && HasOffset(value.GetString()!))
        {
            return time;
        }

        errors.Add(new ValidationError("$.time", ReasonCodes.WrongType, "The time must be an RFC 3339 timestamp with an offset, such as 2026-05-12T08:30:00Z."));
        return null;
    }

    private static bool HasOffset(string text)
    {
        if (text.EndsWith('Z') || text.EndsWith('z'))
        {
            return true;
        }

        return text.Length >= 6 && text[^6] is '+' or '-' && text[^3] == ':';
    }

    private static long? ReadSequence(JsonElement value, List<ValidationError> errors)
    {
        long sequence;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when value.TryGetInt64(out sequence):
            case JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out sequence):
                if (sequence < 0)
                {
                    errors.Add(new ValidationError("$.sequence", ReasonCodes.OutOfRange, "The sequence must not be negative."));
                    return null;
                }

                return sequence;
            default:
                errors.Add(new ValidationError("$.sequence", ReasonCodes.WrongType, "The sequence must be a string of digits or a non-negative integer."));
                return null;
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
