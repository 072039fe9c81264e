using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>The source-generated JSON metadata of what the store keeps as JSON (model types come from the model's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PartitionState))]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(AuditCheckpoint))]
[JsonSerializable(typeof(RejectedEvent))]
[JsonSerializable(typeof(DeadLetterRow))]
internal sealed partial class PostgreSqlStoreJsonContext : JsonSerializerContext;

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

/// <summary>Serialization of everything the store keeps as JSON, on one set of options (model resolver first).</summary>
internal static class PostgreSqlStoreJson
{
    private static readonly JsonSerializerOptions Options = ModelJson.CreateOptions(PostgreSqlStoreJsonContext.Default);

    public static readonly JsonTypeInfo<PartitionState> PartitionState = Info<PartitionState>();
    public static readonly JsonTypeInfo<AuditRecord> AuditRecord = Info<AuditRecord>();
    public static readonly JsonTypeInfo<AuditCheckpoint> AuditCheckpoint = Info<AuditCheckpoint>();
    public static readonly JsonTypeInfo<RejectedEvent> RejectedEvent = Info<RejectedEvent>();
    public static readonly JsonTypeInfo<DeadLetterRow> DeadLetter = Info<DeadLetterRow>();

    public static T Deserialize<T>(byte[] utf8Json, JsonTypeInfo<T> typeInfo, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8Json, typeInfo) ?? throw new JsonException("The stored value is null.");
        }
        catch (JsonException ex)
        {
            throw Unreadable(what, ex);
        }
    }

    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    public static DeadLetterRow ToRow(DeadLetter deadLetter) => new()
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

    public static DeadLetter FromRow(DeadLetterRow row) => new()
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

    public static ManufacturingOrchestrationException Unreadable(string what, Exception inner) =>
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
