using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>The source-generated JSON metadata of what a durable store keeps as JSON (model types come from the model's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PartitionState))]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(AuditCheckpoint))]
[JsonSerializable(typeof(RejectedEvent))]
[JsonSerializable(typeof(DeadLetterRow))]
internal sealed partial class StoredRecordJsonContext : JsonSerializerContext;

/// <summary>A dead letter as stored: its command's request is kept as the adapter contract's own JSON.</summary>
internal sealed record DeadLetterRow
{
    public required string Id { get; init; }

    public required string PartitionKey { get; init; }

    public CommandRow? Command { get; init; }

    public EventKey? Event { get; init; }

    public required ReasonCode ReasonCode { get; init; }

    public required string Message { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Site { get; init; }

    public DeadLetterResolution? Resolution { get; init; }
}

/// <summary>An outbox command inside a stored dead letter.</summary>
internal sealed record CommandRow
{
    public required string IdempotencyKey { get; init; }

    public required string PartitionKey { get; init; }

    public required long Ordinal { get; init; }

    public required string Kind { get; init; }

    /// <summary>The command's bytes as the outbox keeps them (base64 in the row), so a dead letter gives them back unchanged.</summary>
    public byte[]? Payload { get; init; }

    /// <summary>The command as a JSON value, as rows written before <see cref="Payload"/> kept it; read only.</summary>
    public JsonElement? Request { get; init; }

    public required string CorrelationId { get; init; }

    public required EventKey CausedBy { get; init; }

    public required string Step { get; init; }

    public required string Workflow { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<OutboxStatus>))]
    public OutboxStatus Status { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public string? RevisionOf { get; init; }

    public string? CompensationKind { get; init; }

    public string? TraceParent { get; init; }

    public byte[]? CompensationPayload { get; init; }

    /// <summary>The compensating command as a JSON value, as older rows kept it; read only.</summary>
    public JsonElement? CompensationRequest { get; init; }
}

/// <summary>
/// The JSON a durable store keeps its records in — partition state, audit records and checkpoints, rejected events and
/// dead letters — on one set of options (the model's resolver first). The SQLite and PostgreSQL stores write and read
/// exactly these bytes; a store of your own can use them too, so its rows read the same way.
/// </summary>
/// <remarks>
/// A dead letter's command keeps its request as the outbox's own bytes, so reading one back gives the command unchanged.
/// A value that cannot be read back throws <see cref="ManufacturingOrchestrationException"/> with
/// <c>store.data-unreadable</c>, naming what was read.
/// </remarks>
public static class StoredRecordJson
{
    private static readonly JsonSerializerOptions Options = ModelJson.CreateOptions(StoredRecordJsonContext.Default);

    private static readonly JsonTypeInfo<PartitionState> PartitionStateInfo = Info<PartitionState>();
    private static readonly JsonTypeInfo<AuditRecord> AuditRecordInfo = Info<AuditRecord>();
    private static readonly JsonTypeInfo<AuditCheckpoint> AuditCheckpointInfo = Info<AuditCheckpoint>();
    private static readonly JsonTypeInfo<RejectedEvent> RejectedEventInfo = Info<RejectedEvent>();
    private static readonly JsonTypeInfo<DeadLetterRow> DeadLetterInfo = Info<DeadLetterRow>();

    /// <summary>Writes a partition's state.</summary>
    /// <param name="state">The state.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Write(PartitionState state) => JsonSerializer.SerializeToUtf8Bytes(state, PartitionStateInfo);

    /// <summary>
    /// Writes a partition state's JSON into <paramref name="destination"/>: the same bytes as <see cref="Write(PartitionState)"/>,
    /// without allocating an array of their own (for a store that binds them straight from a pooled buffer).
    /// </summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="state">The state.</param>
    public static void Write(IBufferWriter<byte> destination, PartitionState state) => Write(destination, state, PartitionStateInfo);

    /// <summary>
    /// Writes an audit record's JSON into <paramref name="destination"/>: the same bytes as <see cref="Write(AuditRecord)"/>,
    /// without allocating an array of their own.
    /// </summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="record">The record.</param>
    public static void Write(IBufferWriter<byte> destination, AuditRecord record) => Write(destination, record, AuditRecordInfo);

    /// <summary>Writes an audit record.</summary>
    /// <param name="record">The record.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Write(AuditRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, AuditRecordInfo);

    /// <summary>Writes an audit checkpoint.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Write(AuditCheckpoint checkpoint) => JsonSerializer.SerializeToUtf8Bytes(checkpoint, AuditCheckpointInfo);

    /// <summary>
    /// Writes an audit checkpoint's JSON into <paramref name="destination"/>: the same bytes as
    /// <see cref="Write(AuditCheckpoint)"/>, into a buffer the store sizes (a checkpoint holds every chain head: about
    /// 100 bytes a partition, so growing a pooled buffer by doubling would leave several times that behind).
    /// </summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="checkpoint">The checkpoint.</param>
    public static void Write(IBufferWriter<byte> destination, AuditCheckpoint checkpoint) => Write(destination, checkpoint, AuditCheckpointInfo);

    /// <summary>Writes a rejected event.</summary>
    /// <param name="rejected">The rejection.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Write(RejectedEvent rejected) => JsonSerializer.SerializeToUtf8Bytes(rejected, RejectedEventInfo);

    /// <summary>Writes a dead letter, its command's request kept as the outbox's bytes.</summary>
    /// <param name="deadLetter">The dead letter.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Write(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return JsonSerializer.SerializeToUtf8Bytes(ToRow(deadLetter), DeadLetterInfo);
    }

    /// <summary>Reads a partition's state.</summary>
    /// <param name="utf8Json">What <see cref="Write(PartitionState)"/> wrote.</param>
    /// <param name="what">What is read, for the error (such as "the state of partition 'L-1'").</param>
    /// <returns>The state.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The bytes cannot be read back (<c>store.data-unreadable</c>).</exception>
    public static PartitionState ReadPartitionState(byte[] utf8Json, string what) => Read(utf8Json, PartitionStateInfo, what);

    /// <summary>Reads an audit record.</summary>
    /// <param name="utf8Json">What <see cref="Write(AuditRecord)"/> wrote.</param>
    /// <param name="what">What is read, for the error.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The bytes cannot be read back (<c>store.data-unreadable</c>).</exception>
    public static AuditRecord ReadAuditRecord(byte[] utf8Json, string what) => Read(utf8Json, AuditRecordInfo, what);

    /// <summary>Reads an audit checkpoint.</summary>
    /// <param name="utf8Json">What <see cref="Write(AuditCheckpoint)"/> wrote.</param>
    /// <param name="what">What is read, for the error.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The bytes cannot be read back (<c>store.data-unreadable</c>).</exception>
    public static AuditCheckpoint ReadAuditCheckpoint(byte[] utf8Json, string what) => Read(utf8Json, AuditCheckpointInfo, what);

    /// <summary>Reads a rejected event.</summary>
    /// <param name="utf8Json">What <see cref="Write(RejectedEvent)"/> wrote.</param>
    /// <param name="what">What is read, for the error.</param>
    /// <returns>The rejection.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The bytes cannot be read back (<c>store.data-unreadable</c>).</exception>
    public static RejectedEvent ReadRejectedEvent(byte[] utf8Json, string what) => Read(utf8Json, RejectedEventInfo, what);

    /// <summary>Reads a dead letter.</summary>
    /// <param name="utf8Json">What <see cref="Write(DeadLetter)"/> wrote.</param>
    /// <param name="what">What is read, for the error.</param>
    /// <returns>The dead letter, its command's bytes unchanged.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The bytes cannot be read back (<c>store.data-unreadable</c>).</exception>
    public static DeadLetter ReadDeadLetter(byte[] utf8Json, string what)
    {
        var row = Read(utf8Json, DeadLetterInfo, what);
        try
        {
            return FromRow(row);
        }
        catch (JsonException ex)
        {
            throw Unreadable(what, ex);
        }
    }

    private static void Write<T>(IBufferWriter<byte> destination, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(value);

        // One writer per thread, pointed at the caller's buffer for each value (the serializer's own writers are pooled
        // the same way); the options are those SerializeToUtf8Bytes writes with, so the bytes are the same.
        var writer = _writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Encoder = Options.Encoder, Indented = Options.WriteIndented, MaxDepth = Options.MaxDepth == 0 ? 64 : Options.MaxDepth, SkipValidation = true });
            _writer = writer;
        }
        else
        {
            writer.Reset(destination);
        }

        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        finally
        {
            writer.Reset();
        }
    }

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    private static T Read<T>(byte[] utf8Json, JsonTypeInfo<T> typeInfo, string what)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        try
        {
            return JsonSerializer.Deserialize(utf8Json, typeInfo) ?? throw new JsonException("The stored value is null.");
        }
        catch (JsonException ex)
        {
            throw Unreadable(what, ex);
        }
    }

    private static DeadLetterRow ToRow(DeadLetter deadLetter) => new()
    {
        Id = deadLetter.Id,
        PartitionKey = deadLetter.PartitionKey,
        Command = deadLetter.Command is { } command ? ToRow(command) : null,
        Event = deadLetter.Event,
        ReasonCode = deadLetter.ReasonCode,
        Message = deadLetter.Message,
        At = deadLetter.At,
        Site = deadLetter.Site,
        Resolution = deadLetter.Resolution,
    };

    private static DeadLetter FromRow(DeadLetterRow row) => new()
    {
        Id = row.Id,
        PartitionKey = row.PartitionKey,
        Command = row.Command is { } command ? FromRow(command) : null,
        Event = row.Event,
        ReasonCode = row.ReasonCode,
        Message = row.Message,
        At = row.At,
        Site = row.Site,
        Resolution = row.Resolution,
    };

    private static ManufacturingOrchestrationException Unreadable(string what, Exception inner) =>
        new(ReasonCodes.StoreDataUnreadable, $"The store could not read back {what}: {inner.Message}", inner);

    private static CommandRow ToRow(OutboxEntry entry) => new()
    {
        IdempotencyKey = entry.IdempotencyKey,
        PartitionKey = entry.PartitionKey,
        Ordinal = entry.Ordinal,
        Kind = entry.Kind,
        Payload = entry.Payload.Utf8Json.ToArray(),
        CorrelationId = entry.CorrelationId,
        CausedBy = entry.CausedBy,
        Step = entry.Step,
        Workflow = entry.Workflow,
        CreatedAt = entry.CreatedAt,
        Status = entry.Status,
        Attempts = entry.Attempts,
        NextAttemptAt = entry.NextAttemptAt,
        LastError = entry.LastError,
        RevisionOf = entry.RevisionOf,
        CompensationKind = entry.Compensation?.Kind,
        TraceParent = entry.TraceParent,
        CompensationPayload = entry.Compensation?.Payload.Utf8Json.ToArray(),
    };

    private static OutboxEntry FromRow(CommandRow row) => new()
    {
        IdempotencyKey = row.IdempotencyKey,
        PartitionKey = row.PartitionKey,
        Ordinal = row.Ordinal,
        Kind = row.Kind,
        Payload = new CommandPayload(row.Payload ?? Bytes(row.Request)),
        CorrelationId = row.CorrelationId,
        CausedBy = row.CausedBy,
        Step = row.Step,
        Workflow = row.Workflow,
        CreatedAt = row.CreatedAt,
        Status = row.Status,
        Attempts = row.Attempts,
        NextAttemptAt = row.NextAttemptAt,
        LastError = row.LastError,
        RevisionOf = row.RevisionOf,
        TraceParent = row.TraceParent,
        Compensation = row.CompensationKind is { } kind && (row.CompensationPayload ?? (row.CompensationRequest is { } request ? Bytes(request) : null)) is { } compensation
            ? new CompensationPlan { Kind = kind, Payload = new CommandPayload(compensation) }
            : null,
    };

    private static JsonTypeInfo<JsonElement> JsonElementInfo { get; } = Info<JsonElement>();

    private static byte[] Bytes(JsonElement? element) => element is { } value
        ? JsonSerializer.SerializeToUtf8Bytes(value, JsonElementInfo)
        : throw new JsonException("A dead letter's command has neither its bytes nor its JSON.");

    private static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}
