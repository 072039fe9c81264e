using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>Why a query made while an event was processed failed: the first-touch ERP read of a lot or order, or a query a workflow step asked.</summary>
internal sealed class QueryFailure
{
    /// <summary>The query kind that failed, such as <c>erp.get-lot</c>.</summary>
    public required string Query { get; init; }

    /// <summary>What was asked for (the lot or order, or the query itself).</summary>
    public required string Subject { get; init; }

    /// <summary>Whether a later attempt may succeed (an outage, a timeout, an open circuit).</summary>
    public required bool IsTransient { get; init; }

    /// <summary>The reason code the adapter gave.</summary>
    public required ReasonCode Reason { get; init; }

    /// <summary>What the adapter said.</summary>
    public required string Message { get; init; }
}

/// <summary>
/// What the engine does when a query fails while an event is processed — the first-touch ERP read of a lot or order,
/// or a query a workflow step asks through <see cref="Workflows.StepContext.QueryAsync{TResult}"/>: a transient
/// failure leaves the event pending and blocks its key (later events keep their order behind it) until a durable
/// timer fires, on the same <see cref="Commands.RetryPolicy"/> as commands; the attempt count and the next attempt are
/// kept in the partition's state as a waiting instance, so a restart continues the schedule. Exhausted retries or a
/// permanent refusal dead-letter the event and park the key, naming the query.
/// </summary>
internal sealed partial class QueryRetries
{
    /// <summary>What a partition's waiting instance records as <see cref="WorkflowInstanceState.WaitingFor"/> while a query retry is pending.</summary>
    public const string WaitingFor = "query-retry";

    /// <summary>The purpose of the durable timer of a query retry.</summary>
    public const string TimerPurpose = "query-retry";

    private const string Actor = "system:orchestrator";

    private readonly OrchestratorRuntime _runtime;

    public QueryRetries(OrchestratorRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>Whether the key waits for a query retry (its events stay pending until the retry timer fires).</summary>
    public static bool IsWaiting(PartitionState state) => Find(state) is not null;

    /// <summary>The key's waiting query retry, if any.</summary>
    public static WorkflowInstanceState? Find(PartitionState state)
    {
        var instances = state.Instances;
        for (var i = 0; i < instances.Count; i++)
        {
            if (string.Equals(instances[i].WaitingFor, WaitingFor, StringComparison.Ordinal))
            {
                return instances[i];
            }
        }

        return null;
    }

    /// <summary>The state without its waiting query retry (the same instance when there is none).</summary>
    public static PartitionState Without(PartitionState state) =>
        Find(state) is null ? state : state with { Instances = state.Instances.Where(i => !string.Equals(i.WaitingFor, WaitingFor, StringComparison.Ordinal)).ToArray() };

    /// <summary>The state without the query retry waiting for <paramref name="eventKey"/> (the same instance when there is none).</summary>
    public static PartitionState Without(PartitionState state, EventKey eventKey) =>
        Find(state) is { } waiting && waiting.StartedBy == eventKey ? Without(state) : state;

    /// <summary>How many attempts a waiting instance records.</summary>
    public static int AttemptsOf(WorkflowInstanceState instance)
    {
        if (instance.Data is null)
        {
            return 0;
        }

        using var document = JsonDocument.Parse(instance.Data);
        return document.RootElement.TryGetProperty("attempts", out var attempts) && attempts.TryGetInt32(out var n) ? n : 0;
    }

    /// <summary>Audits that the event was processed on a retry after a query failed, and drops the waiting instance.</summary>
    public void Recovered(StepBuilder step, WorkflowInstanceState waiting)
    {
        var query = QueryOf(waiting);
        _runtime.Telemetry.QueryRetryEnded(step.Event?.Envelope.Site?.Value, query, OrchestrationTelemetry.QueryRecovered);
        var attempts = AttemptsOf(waiting) + 1;
        var reason = string.Create(CultureInfo.InvariantCulture, $"the event is processed on attempt {attempts} (after {query} failed)");
        step.AddAudit(Actor, "query-recovered", reason, null, null, "waiting for " + query, StateDigest.Describe(step.State));
        step.State = Without(step.State);
    }

    /// <summary>The query a waiting instance records as failed.</summary>
    private static string QueryOf(WorkflowInstanceState instance)
    {
        if (instance.Data is null)
        {
            return "a query";
        }

        using var document = JsonDocument.Parse(instance.Data);
        return document.RootElement.TryGetProperty("query", out var query) && query.GetString() is { Length: > 0 } text ? text : "a query";
    }

    /// <summary>
    /// Turns a failed query into the key's commit: a retry scheduled on a durable timer with the event left pending,
    /// or — permanent, or the last attempt — a dead letter that parks the key.
    /// </summary>
    public Staged OnFailure(KeyRuntime key, InboxEvent inboxEvent, QueryFailure failure)
    {
        var now = _runtime.Time.GetUtcNow();
        var state = key.State;
        var waiting = Find(state);
        var attempts = (waiting is null ? 0 : AttemptsOf(waiting)) + 1;
        var policy = _runtime.Options.Settings.Retry;
        return failure.IsTransient && attempts < policy.MaxAttempts
            ? ScheduleRetry(key, inboxEvent, failure, attempts, waiting, now)
            : DeadLetter(key, inboxEvent, failure, attempts, now);
    }

    private Staged ScheduleRetry(KeyRuntime key, InboxEvent inboxEvent, QueryFailure failure, int attempts, WorkflowInstanceState? waiting, DateTimeOffset now)
    {
        var dueAt = now + _runtime.NextRetryDelay(attempts, null);
        var state = key.State;
        var step = new StepBuilder(state, inboxEvent, now);
        var reason = string.Create(CultureInfo.InvariantCulture, $"{failure.Reason.Code}: {failure.Query} of {failure.Subject} failed (attempt {attempts} of {_runtime.Options.Settings.Retry.MaxAttempts}): {failure.Message}; the event waits, next attempt at {dueAt:O}");
        step.AddAudit(Actor, "query-retry-scheduled", reason, null, null, StateDigest.Describe(state), "waiting for " + failure.Query);
        var instance = new WorkflowInstanceState
        {
            Id = "query-retry:" + inboxEvent.Key,
            Workflow = "engine",
            Version = 1,
            Fingerprint = string.Empty,
            StartedBy = inboxEvent.Key,
            CorrelationId = inboxEvent.Envelope.CorrelationId,
            WaitingFor = WaitingFor,
            Since = waiting?.Since ?? now,
            Data = Data(attempts, dueAt, failure),
        };
        var newState = Without(state) with
        {
            Version = state.Version + 1,
            AuditHead = step.Head,
        };
        newState = newState with { Instances = [.. newState.Instances, instance] };
        var timer = new DurableTimer
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"{TimerPurpose}:{state.Key}:{newState.Version}"),
            PartitionKey = state.Key,
            DueAt = dueAt,
            Purpose = TimerPurpose,
        };
        Log.RetryScheduled(_runtime.Logger, failure.Query, failure.Subject, state.Key, attempts, dueAt, failure.Message);
        return new Staged(key)
        {
            // The event is not marked processed: it stays pending, and the key reads it again, first, when the timer fires.
            Commit = new StepCommit { PartitionKey = state.Key, ExpectedVersion = state.Version, NewState = newState, Audit = step.Audit, Timers = [timer] },
            NewState = newState,
            OnApplied = () =>
            {
                key.NeedsScan = true;
                key.QueryRetryDue = false;
                _runtime.TimerScheduled();
                _runtime.Telemetry.QueryRetryScheduled(inboxEvent.Envelope.Site?.Value, failure.Query);
            },
        };
    }

    private Staged DeadLetter(KeyRuntime key, InboxEvent inboxEvent, QueryFailure failure, int attempts, DateTimeOffset now)
    {
        var code = failure.IsTransient ? ReasonCodes.QueryRetriesExhausted : ReasonCodes.QueryRefused;
        var deadLetterId = $"dl-{inboxEvent.Key.Source}-{inboxEvent.Key.Id}";
        var state = key.State;
        var step = new StepBuilder(state, inboxEvent, now);
        var message = string.Create(CultureInfo.InvariantCulture, $"{failure.Query} of {failure.Subject} failed after {attempts} attempt(s): {failure.Reason.Code}: {failure.Message}");
        step.AddAudit(Actor, "dead-lettered", $"{code.Code}: {message}", null, null, StateDigest.Describe(state), "parked");
        var newState = Without(state) with
        {
            Version = state.Version + 1,
            AuditHead = step.Head,
            Parked = new ParkInfo { DeadLetterId = deadLetterId, Since = now, ReasonCode = code },
        };
        var deadLetter = new DeadLetter
        {
            Id = deadLetterId,
            PartitionKey = state.Key,
            Event = inboxEvent.Key,
            ReasonCode = code,
            Message = message,
            At = now,
            Site = inboxEvent.Envelope.Site?.Value,
        };
        Log.DeadLettered(_runtime.Logger, failure.Query, failure.Subject, state.Key, attempts, code.Code);
        return new Staged(key)
        {
            Commit = new StepCommit { PartitionKey = state.Key, ExpectedVersion = state.Version, NewState = newState, Audit = step.Audit, DeadLetters = [deadLetter] },
            NewState = newState,
            OnApplied = () =>
            {
                key.QueryRetryDue = false;
                _runtime.DeadLettered(deadLetter);
                _runtime.Telemetry.QueryRetryEnded(deadLetter.Site, failure.Query, failure.IsTransient ? OrchestrationTelemetry.QueryExhausted : OrchestrationTelemetry.QueryRefused);
            },
        };
    }

    private static string Data(int attempts, DateTimeOffset nextAttemptAt, QueryFailure failure)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("attempts", attempts);
            writer.WriteString("nextAttemptAt", nextAttemptAt);
            writer.WriteString("query", failure.Query);
            writer.WriteString("subject", failure.Subject);
            writer.WriteString("lastError", $"{failure.Reason.Code}: {failure.Message}");
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The query {Query} of {Subject} failed transiently for partition {PartitionKey} (attempt {Attempt}); the event waits until {DueAt}: {Error}")]
        public static partial void RetryScheduled(ILogger logger, string query, string subject, string partitionKey, int attempt, DateTimeOffset dueAt, string error);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "The query {Query} of {Subject} failed for partition {PartitionKey} after {Attempt} attempt(s); the event is dead-lettered ({ReasonCode}) and the partition parked.")]
        public static partial void DeadLettered(ILogger logger, string query, string subject, string partitionKey, int attempt, string reasonCode);
    }
}
