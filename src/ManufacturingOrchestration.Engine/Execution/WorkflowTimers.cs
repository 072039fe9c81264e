using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// The durable timers workflows schedule for themselves (<see cref="Workflows.StepContext.ScheduleTimer"/>): their
/// validation, and how one that comes due reaches its workflow.
/// </summary>
internal static class WorkflowTimers
{
    /// <summary>The purposes of the engine's own timers: a workflow's timer may not claim one.</summary>
    private static readonly string[] ReservedPurposes = [TimerPurposes.Retry, QueryRetries.TimerPurpose, StepDeadlines.Purpose, ApprovalStore.SlaPurpose];

    /// <summary>Whether a purpose is one of the engine's own timers'.</summary>
    public static bool IsReservedPurpose(string purpose) => Array.IndexOf(ReservedPurposes, purpose) >= 0;

    /// <summary>Refuses a purpose that breaks the identifier rules or is one of the engine's own, naming <paramref name="parameter"/>.</summary>
    public static void ThrowIfInvalidPurpose(string purpose, string parameter)
    {
        if (!Identifier.IsValid(purpose, out var problem))
        {
            throw new ArgumentException($"A timer's purpose {problem}.", parameter);
        }

        if (IsReservedPurpose(purpose))
        {
            throw new ArgumentException($"The timer purpose '{purpose}' is reserved for the engine's own timers ({string.Join(", ", ReservedPurposes)}); give the workflow's timer a purpose of its own.", parameter);
        }
    }

    /// <summary>Refuses a timer id that breaks the identifier rules, naming <paramref name="parameter"/>.</summary>
    public static void ThrowIfInvalidId(string id, string parameter)
    {
        if (!Identifier.IsValid(id, out var problem))
        {
            throw new ArgumentException($"A timer's id {problem}.", parameter);
        }
    }

    /// <summary>
    /// The id a workflow's timer is stored under: timer ids are unique across the store, so the workflow's own id is
    /// kept apart per workflow and partition (the partition key's length makes the composition unambiguous).
    /// </summary>
    public static string StoredId(string workflow, string partitionKey, string id) =>
        string.Create(CultureInfo.InvariantCulture, $"timer:{workflow}:{partitionKey.Length}:{partitionKey}:{id}");

    /// <summary>The stored timer for a workflow's <see cref="StepContext.ScheduleTimer"/>.</summary>
    public static DurableTimer Create(StepContext ctx, string id, DateTimeOffset dueAt, string purpose, string? data)
    {
        var partitionKey = ctx.State.Key;
        var stored = new WorkflowTimerData
        {
            TimerId = id,
            Workflow = ctx.Workflow.Name,
            Version = ctx.Workflow.Version,
            Site = ctx.Event.Site?.Value,
            CorrelationId = ctx.CorrelationId,
            CausationId = ctx.EventKey.Id,
            Data = data,
        };
        return new DurableTimer
        {
            Id = StoredId(ctx.Workflow.Name, partitionKey, id),
            PartitionKey = partitionKey,
            DueAt = dueAt,
            Purpose = purpose,
            Data = JsonSerializer.Serialize(stored, EngineJsonContext.Default.WorkflowTimerData),
        };
    }

    /// <summary>
    /// The event that tells the workflow its timer came due, for the timer's partition. Its id derives from the stored
    /// timer and its due time: the timer fired again (after a crash before its removal was committed, or by another
    /// node) is the same event, which the inbox de-duplicates.
    /// </summary>
    /// <exception cref="ManufacturingOrchestrationException">The timer's data cannot be read back (<see cref="ReasonCodes.StoreDataUnreadable"/>).</exception>
    public static InboxEvent Elapsed(DurableTimer timer, DateTimeOffset now)
    {
        var stored = Read(timer);
        var id = IdempotencyKeys.Derive(Authority.TimerSource, timer.Id, "elapsed", timer.DueAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        var envelope = new EventEnvelope
        {
            Id = id,
            Source = Authority.TimerSource,
            Type = EventTypes.TimerElapsed,
            Time = timer.DueAt,
            PartitionKey = timer.PartitionKey,
            Site = stored.Site is { } site ? new SiteId(site) : null,
            CorrelationId = stored.CorrelationId,
            CausationId = stored.CausationId,
            Data = new TimerElapsed
            {
                TimerId = stored.TimerId,
                Purpose = timer.Purpose,
                DueAt = timer.DueAt,
                Data = stored.Data,
                Workflow = stored.Workflow,
                WorkflowVersion = stored.Version,
                PartitionKey = timer.PartitionKey,
            },
        };
        return new InboxEvent { Key = new EventKey(envelope.Source, envelope.Id), PartitionKey = timer.PartitionKey, AcceptedAt = now, Envelope = envelope };
    }

    private static WorkflowTimerData Read(DurableTimer timer)
    {
        try
        {
            return JsonSerializer.Deserialize(timer.Data ?? "null", EngineJsonContext.Default.WorkflowTimerData) ?? throw new JsonException("A workflow's timer has no data.");
        }
        catch (JsonException ex)
        {
            throw ApprovalStore.Unreadable($"The data of the durable timer '{timer.Id}' ({timer.Purpose}) on {timer.PartitionKey} cannot be read back", ex);
        }
    }
}

/// <summary>What a workflow's timer carries: the workflow's own id and data, and where its event comes from.</summary>
internal sealed record WorkflowTimerData
{
    public required string TimerId { get; init; }

    public required string Workflow { get; init; }

    public required int Version { get; init; }

    public string? Site { get; init; }

    public string? CorrelationId { get; init; }

    public string? CausationId { get; init; }

    public string? Data { get; init; }
}
