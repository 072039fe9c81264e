using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>Why the ERP could not load a lot or order seen for the first time.</summary>
internal sealed class BootstrapFailure
{
    /// <summary>The query that failed, such as <c>erp.get-lot</c>.</summary>
    public required string Query { get; init; }

    /// <summary>What was asked for (the lot or order id).</summary>
    public required string Subject { get; init; }

    /// <summary>Whether a later attempt may succeed (an outage, a timeout, an open circuit).</summary>
    public required bool IsTransient { get; init; }

    /// <summary>The reason code the adapter gave.</summary>
    public required ReasonCode Reason { get; init; }

    /// <summary>What the adapter said.</summary>
    public required string Message { get; init; }
}

/// <summary>
/// What the engine does when the ERP fails while a lot or order seen for the first time is bootstrapped: a transient
/// failure leaves the event pending and blocks its key (later events keep their order behind it) until a durable
/// timer fires, on the same <see cref="Commands.RetryPolicy"/> as commands; the attempt count and the next attempt are
/// kept in the partition's state as a waiting instance, so a restart continues the schedule. Exhausted retries or a
/// permanent refusal dead-letter the event and park the key, as a failed step does.
/// </summary>
internal sealed partial class BootstrapRetries
{
    /// <summary>What a partition's waiting instance records as <see cref="WorkflowInstanceState.WaitingFor"/> while a bootstrap retry is pending.</summary>
    public const string WaitingFor = "erp-bootstrap";

    /// <summary>The purpose of the durable timer of a bootstrap retry.</summary>
    public const string TimerPurpose = "bootstrap-retry";

    private const string Actor = "system:orchestrator";

    private readonly OrchestratorRuntime _runtime;

    public BootstrapRetries(OrchestratorRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>Whether the key waits for a bootstrap retry (its events stay pending until the retry timer fires).</summary>
    public static bool IsWaiting(PartitionState state) => Find(state) is not null;

    /// <summary>The key's waiting bootstrap retry, if any.</summary>
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

    /// <summary>The state without its waiting bootstrap retry (the same instance when there is none).</summary>
    public static PartitionState Without(PartitionState state) =>
        Find(state) is null ? state : state with { Instances = state.Instances.Where(i => !string.Equals(i.WaitingFor, WaitingFor, StringComparison.Ordinal)).ToArray() };

    /// <summary>The state without the bootstrap retry waiting for <paramref name="eventKey"/> (the same instance when there is none).</summary>
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

    /// <summary>Audits that the ERP answered on a retry (or, with no <paramref name="query"/>, that none was needed any more), and drops the waiting instance.</summary>
    public void Recovered(StepBuilder step, WorkflowInstanceState waiting, string? query)
    {
        _runtime.Telemetry.BootstrapEnded(step.Event?.Envelope.Site?.Value, query, OrchestrationTelemetry.BootstrapRecovered);
        var attempts = AttemptsOf(waiting) + 1;
        var reason = query is null
            ? string.Create(CultureInfo.InvariantCulture, $"no ERP read was needed on attempt {attempts}; the event is processed")
            : string.Create(CultureInfo.InvariantCulture, $"{query} answered on attempt {attempts}; the event is processed");
        step.AddAudit(Actor, "bootstrap-recovered", reason, null, null, "waiting for the ERP", StateDigest.Describe(step.State));
        step.State = Without(step.State);
    }

    /// <summary>
    /// Turns a failed bootstrap into the key's commit: a retry scheduled on a durable timer with the event left pending,
    /// or — permanent, or the last attempt — a dead letter that parks the key.
    /// </summary>
    public Staged OnFailure(KeyRuntime key, InboxEvent inboxEvent, BootstrapFailure failure)
    {
        var now = _runtime.Time.GetUtcNow();
        var state = key.State;
        var waiting = Find(state);
        var attempts = (waiting is null ? 0 : AttemptsOf(waiting)) + 1;
        var policy = _runtime.Options.Retry;
        return failure.IsTransient && attempts < policy.MaxAttempts
            ? ScheduleRetry(key, inboxEvent, failure, attempts, waiting, now)
            : DeadLetter(key, inboxEvent, failure, attempts, now);
    }

    private Staged ScheduleRetry(KeyRuntime key, InboxEvent inboxEvent, BootstrapFailure failure, int attempts, WorkflowInstanceState? waiting, DateTimeOffset now)
    {
        var dueAt = now + _runtime.NextRetryDelay(attempts, null);
        var state = key.State;
        var step = new StepBuilder(state, inboxEvent, now);
        var reason = string.Create(CultureInfo.InvariantCulture, $"{failure.Reason.Code}: {failure.Query} of {failure.Subject} failed (attempt {attempts} of {_runtime.Options.Retry.MaxAttempts}): {failure.Message}; the event waits, next attempt at {dueAt:O}");
        step.AddAudit(Actor, "bootstrap-retry-scheduled", reason, null, null, StateDigest.Describe(state), "waiting for the ERP");
        var instance = new WorkflowInstanceState
        {
            Id = "erp-bootstrap:" + inboxEvent.Key,
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
                key.BootstrapRetryDue = false;
                _runtime.TimerScheduled();
                _runtime.Telemetry.BootstrapRetryScheduled(inboxEvent.Envelope.Site?.Value, failure.Query);
            },
        };
    }

    private Staged DeadLetter(KeyRuntime key, InboxEvent inboxEvent, BootstrapFailure failure, int attempts, DateTimeOffset now)
    {
        var code = failure.IsTransient ? ReasonCodes.BootstrapRetriesExhausted : ReasonCodes.BootstrapRefused;
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
                key.BootstrapRetryDue = false;
                _runtime.DeadLettered(deadLetter);
                _runtime.Telemetry.BootstrapEnded(deadLetter.Site, failure.Query, failure.IsTransient ? OrchestrationTelemetry.BootstrapExhausted : OrchestrationTelemetry.BootstrapRefused);
            },
        };
    }

    private static string Data(int attempts, DateTimeOffset nextAttemptAt, BootstrapFailure failure)
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
        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The ERP failed transiently on {Query} of {Subject} for partition {PartitionKey} (attempt {Attempt}); the event waits until {DueAt}: {Error}")]
        public static partial void RetryScheduled(ILogger logger, string query, string subject, string partitionKey, int attempt, DateTimeOffset dueAt, string error);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "The ERP could not load {Subject} ({Query}) for partition {PartitionKey} after {Attempt} attempt(s); the event is dead-lettered ({ReasonCode}) and the partition parked.")]
        public static partial void DeadLettered(ILogger logger, string query, string subject, string partitionKey, int attempt, string reasonCode);
    }
}
