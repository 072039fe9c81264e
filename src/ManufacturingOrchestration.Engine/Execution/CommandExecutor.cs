using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// Executes a key's pending commands in ordinal order and turns their outcomes into one commit: finished commands
/// are marked completed; a transient failure schedules a durable retry with backoff and stops the key's later
/// commands; a stale refusal (the quantity or version the command assumed is gone) supersedes the event's unfinished
/// commands, forgets the lot or order so it is read again from the ERP, and puts the event back as a redecision; a
/// permanent failure (or exhausted retries, or a stale refusal that cannot be decided again) dead-letters the command
/// and parks the key.
/// </summary>
internal sealed class CommandExecutor
{
    private readonly OrchestratorRuntime _runtime;
    private readonly AdapterSet _adapters;

    public CommandExecutor(OrchestratorRuntime runtime)
    {
        _runtime = runtime;
        _adapters = runtime.Options.Adapters;
    }

    public async ValueTask<StepCommit?> ExecuteAsync(KeyRuntime key, CancellationToken ct)
    {
        var now = _runtime.Time.GetUtcNow();
        var updated = new List<OutboxEntry>(Math.Min(key.Pending.Count, 8));
        var finished = 0;
        OutboxEntry? rescheduled = null;
        PartitionState? newState = null;
        DeadLetter? deadLetter = null;
        DurableTimer? retryTimer = null;

        // In the order they are chained: a first-in-line alert's dead letter comes before what the round does next.
        var audit = new List<AuditRecord>();
        Redecision? redecision = null;
        List<string>? alertsSent = null;
        AlertFailures? alertFailures = null;

        foreach (var entry in key.Pending)
        {
            if (entry.NextAttemptAt is { } due && due > now)
            {
                break;
            }

            var command = Read(entry, out var unreadable);
            var startedAt = _runtime.Telemetry.Timestamp();
            var activity = _runtime.Telemetry.StartCommand(entry, command?.Context.Site);
            AdapterResult result;
            try
            {
                if (command is null)
                {
                    result = unreadable!;
                }
                else
                {
                    var pending = _adapters.ExecuteAsync(command, ct);
                    result = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                OrchestrationTelemetry.End(activity, "cancelled");
                throw;
            }

            OrchestrationTelemetry.End(activity, OrchestrationTelemetry.Outcome(result.Status), result.IsSuccess ? null : $"{result.Reason?.Code}: {result.Message}");

            var attempts = entry.Attempts + 1;
            _runtime.Telemetry.CommandExecuted(entry.Kind, OrchestrationTelemetry.WorkflowName(entry.Workflow), result.Status, startedAt);
            if (result.IsSuccess)
            {
                updated.Add(entry with { Status = OutboxStatus.Completed, Attempts = attempts, NextAttemptAt = null, LastError = result.ExternalReference });
                finished++;
                continue;
            }

            var error = $"{result.Reason?.Code}: {result.Message}";
            Redecision? planned = null;
            var redecisionUnread = false;
            if (result.IsStale)
            {
                try
                {
                    planned = await PlanRedecisionAsync(key, newState ?? key.State, entry, result, now, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The event to decide again could not be read from the store: the command waits for a retry, the
                    // target refuses it again, and the redecision is tried again then.
                    redecisionUnread = true;
                    error += $" (the event could not be read to decide it again: {ex.Message})";
                }
            }

            if ((result.IsTransient || redecisionUnread) && NextAttempt(key, entry, attempts, result.RetryAfter, error, now) is { } retry)
            {
                rescheduled = retry.Entry;
                updated.Add(rescheduled);
                retryTimer = retry.Timer;
                break;
            }

            if (planned is not null)
            {
                redecision = planned;
                updated.Add(entry with { Status = OutboxStatus.Superseded, Attempts = attempts, NextAttemptAt = null, LastError = error });
                updated.AddRange(planned.Withdrawn);
                audit.Add(planned.Audit);
                newState = planned.State;
                break;
            }

            var failure = DeadLetterOf(key.State, newState ?? key.State, entry, command, result, attempts, error, now);
            updated.Add(failure.Entry);
            newState = failure.State;
            if (!failure.Parks)
            {
                // An alert first in line: dead-lettered as one behind a waiting command is, and the key's next commands go on.
                (alertFailures ??= new AlertFailures()).DeadLetters.Add(failure.DeadLetter);
                audit.Add(failure.Audit);
                finished++;
                continue;
            }

            deadLetter = failure.DeadLetter;
            audit.Add(failure.Audit);
            break;
        }

        // Business alerts about this key (SLA escalations) must not wait behind the command they escalate: they have no
        // ordering dependency on the key's effects, so they go out even while an earlier command waits for a retry. An
        // alert that waits for its own retry (rescheduled when it was first in line) waits like any command. A failed
        // alert is recorded as any failed command is — retried on a timer of its own, dead-lettered once permanent or out
        // of attempts — except that its dead letter does not park the key: the key's effects do not wait for an alert.
        if (deadLetter is null && redecision is null)
        {
            for (var i = finished + (rescheduled is null ? 0 : 1); i < key.Pending.Count; i++)
            {
                var alert = key.Pending[i];
                if (!IsAlert(alert) || alert.NextAttemptAt > now)
                {
                    continue;
                }

                var alertCommand = Read(alert, out var unreadableAlert);
                var alertStartedAt = _runtime.Telemetry.Timestamp();
                var alertActivity = _runtime.Telemetry.StartCommand(alert, alertCommand?.Context.Site);
                var sent = alertCommand is null ? unreadableAlert! : await _adapters.ExecuteAsync(alertCommand, ct).ConfigureAwait(false);
                OrchestrationTelemetry.End(alertActivity, OrchestrationTelemetry.Outcome(sent.Status), sent.IsSuccess ? null : $"{sent.Reason?.Code}: {sent.Message}");
                _runtime.Telemetry.CommandExecuted(alert.Kind, OrchestrationTelemetry.WorkflowName(alert.Workflow), sent.Status, alertStartedAt);
                var alertAttempts = alert.Attempts + 1;
                if (sent.IsSuccess)
                {
                    updated.Add(alert with { Status = OutboxStatus.Completed, Attempts = alertAttempts, NextAttemptAt = null, LastError = sent.ExternalReference });
                    (alertsSent ??= []).Add(alert.IdempotencyKey);
                    continue;
                }

                alertFailures ??= new AlertFailures();
                var alertError = $"{sent.Reason?.Code}: {sent.Message}";
                if (sent.IsTransient && NextAttempt(key, alert, alertAttempts, sent.RetryAfter, alertError, now) is { } alertRetry)
                {
                    updated.Add(alertRetry.Entry);
                    alertFailures.Rescheduled.Add(alertRetry.Entry);
                    alertFailures.Timers.Add(alertRetry.Timer);
                    continue;
                }

                var alertFailure = DeadLetterOf(key.State, newState ?? key.State, alert, alertCommand, sent, alertAttempts, alertError, now);
                updated.Add(alertFailure.Entry);
                alertFailures.DeadLetters.Add(alertFailure.DeadLetter);
                audit.Add(alertFailure.Audit);
                newState = alertFailure.State;
            }
        }

        if (updated.Count == 0)
        {
            return null;
        }

        var outcome = new ExecutionOutcome { Finished = finished, Rescheduled = rescheduled, NewState = newState, DeadLetter = deadLetter, RetryTimer = retryTimer, AlertsSent = alertsSent, AlertFailures = alertFailures, Redecision = redecision };
        key.Outcome = outcome;
        List<DeadLetter> deadLetters = deadLetter is null ? [] : [deadLetter];
        deadLetters.AddRange(alertFailures?.DeadLetters ?? []);
        List<DurableTimer> timers = retryTimer is null ? [] : [retryTimer];
        timers.AddRange(alertFailures?.Timers ?? []);
        return new StepCommit
        {
            PartitionKey = key.State.Key,
            ExpectedVersion = key.State.Version,
            NewState = newState,
            UpdatedCommands = updated,
            Audit = audit,
            DeadLetters = deadLetters,
            Timers = timers,
            FollowUpEvents = redecision is null ? [] : [redecision.Event],
        };
    }

    public void Applied(KeyRuntime key)
    {
        if (key.Outcome is not { } outcome)
        {
            return;
        }

        key.Outcome = null;
        key.Pending.RemoveRange(0, outcome.Finished);
        if (outcome.Rescheduled is { } rescheduled)
        {
            key.Pending[0] = rescheduled;
        }

        if (outcome.AlertsSent is { } alerts)
        {
            key.Pending.RemoveAll(p => alerts.Contains(p.IdempotencyKey));
        }

        if (outcome.AlertFailures is { } failures)
        {
            foreach (var alert in failures.Rescheduled)
            {
                var index = key.Pending.FindIndex(p => string.Equals(p.IdempotencyKey, alert.IdempotencyKey, StringComparison.Ordinal));
                if (index >= 0)
                {
                    key.Pending[index] = alert;
                }
            }

            foreach (var failed in failures.DeadLetters)
            {
                key.Pending.RemoveAll(p => string.Equals(p.IdempotencyKey, failed.Command!.IdempotencyKey, StringComparison.Ordinal));
                _runtime.DeadLettered(failed);
            }

            if (failures.DeadLetters.Count > 0)
            {
                key.State = outcome.NewState!;
            }

            if (failures.Timers.Count > 0)
            {
                _runtime.TimerScheduled();
            }
        }

        if (outcome.DeadLetter is { } deadLetter)
        {
            key.Pending.RemoveAt(0);
            key.State = outcome.NewState!;
            _runtime.DeadLettered(deadLetter);
        }

        if (outcome.RetryTimer is not null)
        {
            _runtime.TimerScheduled();
        }

        if (outcome.Redecision is { } redecision)
        {
            // The stale command is first in line; the event's other unfinished commands are withdrawn with it.
            key.Pending.RemoveAt(0);
            key.Pending.RemoveAll(p => redecision.Withdrawn.Any(w => string.Equals(w.IdempotencyKey, p.IdempotencyKey, StringComparison.Ordinal)));
            key.State = outcome.NewState!;
            _runtime.Scan([redecision.Event]);
        }
    }

    /// <summary>
    /// Plans deciding the stale command's event again, or returns <see langword="null"/> when it cannot be (redecisions
    /// switched off or used up, the event no longer stored, or no ERP read that would refresh the lot or order): the
    /// command is then dead-lettered like a permanent refusal. The redecision is recorded onto <paramref name="current"/>,
    /// the key's state as the round leaves it so far (an alert dead-lettered before it).
    /// </summary>
    private async ValueTask<Redecision?> PlanRedecisionAsync(KeyRuntime key, PartitionState current, OutboxEntry entry, AdapterResult result, DateTimeOffset now, CancellationToken ct)
    {
        var settings = _runtime.Options.Settings;
        var state = current;
        if (settings.MaxRedecisions == 0 || !settings.BootstrapFromErp || (state.Lot is null && state.Order is null))
        {
            return null;
        }

        var decided = await _runtime.Store.ReadEventAsync(entry.CausedBy, ct).ConfigureAwait(false);
        var attempt = decided is null ? int.MaxValue : Redecisions.Read(decided.Envelope).Attempt + 1;
        if (decided is null || attempt > settings.MaxRedecisions)
        {
            return null;
        }

        var site = decided.Envelope.Site;
        var refreshes = state.Lot is not null
            ? _adapters.Supports(QueryKinds.ErpGetLot, site)
            : _adapters.Supports(QueryKinds.ErpGetProductionOrder, site);
        if (!refreshes)
        {
            return null;
        }

        var next = Redecisions.Next(decided, state.Key, now);
        var withdrawn = new List<OutboxEntry>();
        for (var i = key.Pending.IndexOf(entry) + 1; i < key.Pending.Count; i++)
        {
            var later = key.Pending[i];
            if (later.CausedBy == entry.CausedBy && !IsAlert(later))
            {
                withdrawn.Add(later with { Status = OutboxStatus.Superseded, LastError = $"withdrawn: {entry.Kind} of the same event was refused as stale and the event is decided again" });
            }
        }

        var refreshed = state with { Version = key.State.Version + 1, Lot = null, Order = null };
        var subject = state.Lot is { } lot ? "lot " + lot.Id.Value : "order " + state.Order!.Id.Value;
        var draft = new AuditRecord
        {
            PartitionKey = state.Key,
            Sequence = 0,
            RecordedAt = now,
            Actor = "system:orchestrator",
            Action = "redecision",
            Reason = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{result.Reason?.Code}: {entry.Kind} was refused as stale ({result.Message}); {subject} is read again from the ERP and {decided.Envelope.Type} decided again (redecision {attempt} of at most {settings.MaxRedecisions}, {withdrawn.Count} further command(s) withdrawn)."),
            Workflow = entry.Workflow,
            Event = entry.CausedBy,
            CorrelationId = entry.CorrelationId,
            Before = StateDigest.Describe(state),
            After = StateDigest.Describe(refreshed),
            PreviousHash = string.Empty,
            Hash = string.Empty,
        };
        var record = AuditHashes.Chain(state.AuditHead, draft, out var head);
        return new Redecision(next, withdrawn, record, refreshed with { AuditHead = head });
    }

    public void Discard(KeyRuntime key) => key.Outcome = null;

    /// <summary>
    /// The next attempt of a command whose attempt number <paramref name="attempts"/> failed transiently, with the durable
    /// timer that wakes its key then, or <see langword="null"/> when the retry policy allows no further attempt (the
    /// command is then dead-lettered as exhausted).
    /// </summary>
    private (OutboxEntry Entry, DurableTimer Timer)? NextAttempt(KeyRuntime key, OutboxEntry entry, int attempts, TimeSpan? retryAfter, string error, DateTimeOffset now)
    {
        if (attempts >= _runtime.Options.Settings.Retry.MaxAttempts)
        {
            return null;
        }

        // The target may ask for any wait: one past the end of the calendar waits until its end.
        var delay = _runtime.NextRetryDelay(attempts, retryAfter);
        var dueAt = delay < DateTimeOffset.MaxValue - now ? now + delay : DateTimeOffset.MaxValue;
        var timer = new DurableTimer
        {
            Id = $"retry:{key.State.Key}:{entry.Ordinal}:{attempts}",
            PartitionKey = key.State.Key,
            DueAt = dueAt,
            Purpose = TimerPurposes.Retry,
        };
        return (entry with { Attempts = attempts, NextAttemptAt = dueAt, LastError = error }, timer);
    }

    /// <summary>
    /// Dead-letters a command that failed permanently or used up its attempts: the command marked dead-lettered, its dead
    /// letter with full context, and the audit record chained onto <paramref name="current"/> (the key's state as this
    /// commit leaves it so far), in the state the commit writes — parked behind the dead letter, unless the command is an
    /// alert (<see cref="IsAlert"/>): the key's effects do not wait for an alert, first in line or not, so its dead letter
    /// leaves the state unchanged but for the audit head and the key's next commands go on.
    /// </summary>
    private static Failure DeadLetterOf(PartitionState stored, PartitionState current, OutboxEntry entry, AdapterCommand? command, AdapterResult result, int attempts, string error, DateTimeOffset now)
    {
        var parks = !IsAlert(entry);
        var reason = result.IsTransient ? ReasonCodes.RetriesExhausted : result.Reason ?? ReasonCodes.AdapterPermanent;
        var failed = entry with { Status = OutboxStatus.DeadLettered, Attempts = attempts, NextAttemptAt = null, LastError = error };
        var deadLetter = new DeadLetter
        {
            Id = $"dl-{entry.IdempotencyKey}",
            PartitionKey = current.Key,
            Command = failed,
            ReasonCode = reason,
            Message = result.Message ?? reason.Description,
            At = now,
            Site = command?.Context.Site?.Value,
        };
        var draft = new AuditRecord
        {
            PartitionKey = current.Key,
            Sequence = 0,
            RecordedAt = now,
            Actor = "system:orchestrator",
            Action = "dead-lettered",
            Reason = $"{reason.Code}: {entry.Kind} failed after {attempts} attempt(s): {result.Message}",
            Workflow = entry.Workflow,
            Event = entry.CausedBy,
            CorrelationId = entry.CorrelationId,
            Before = StateDigest.Describe(current),
            After = parks ? "parked" : StateDigest.Describe(current),
            PreviousHash = string.Empty,
            Hash = string.Empty,
        };
        var record = AuditHashes.Chain(current.AuditHead, draft, out var head);
        var state = current with { Version = stored.Version + 1, AuditHead = head };
        if (parks)
        {
            state = state with { Parked = new ParkInfo { DeadLetterId = deadLetter.Id, Since = now, ReasonCode = reason } };
        }

        return new Failure(failed, deadLetter, record, state, parks);
    }

    /// <summary>A dead-lettered command: the entry as stored, its dead letter, the audit record, the state the commit writes and whether it parks the key.</summary>
    private sealed record Failure(OutboxEntry Entry, DeadLetter DeadLetter, AuditRecord Audit, PartitionState State, bool Parks);

    /// <summary>
    /// The alerts that failed in a round and do not hold the key: rescheduled with their timers (ahead of a waiting
    /// command), or dead-lettered (there or first in line), applied with the outcome they belong to.
    /// </summary>
    internal sealed class AlertFailures
    {
        public List<OutboxEntry> Rescheduled { get; } = [];

        public List<DurableTimer> Timers { get; } = [];

        public List<DeadLetter> DeadLetters { get; } = [];
    }

    /// <summary>
    /// The command of an outbox entry, read back through the operation registry; a command that cannot be read (its
    /// kind is no longer registered, its JSON no longer matches its type) is a permanent failure naming why, not a crash.
    /// </summary>
    private AdapterCommand? Read(OutboxEntry entry, out AdapterResult? unreadable)
    {
        try
        {
            unreadable = null;
            return entry.Payload.ToCommand(entry.Kind, _adapters.Operations);
        }
        catch (ManufacturingOrchestrationException ex)
        {
            unreadable = AdapterResult.Permanent(ex.ReasonCode, ex.Message);
        }
        catch (System.Text.Json.JsonException ex)
        {
            unreadable = AdapterResult.Permanent(ReasonCodes.StoreDataUnreadable, $"The stored '{entry.Kind}' command cannot be read back: {ex.Message}");
        }

        return null;
    }

    /// <summary>A stale refusal's consequence: the event put back, the commands withdrawn, the audit record and the refreshed state.</summary>
    internal sealed record Redecision(InboxEvent Event, IReadOnlyList<OutboxEntry> Withdrawn, AuditRecord Audit, PartitionState State);

    /// <summary>Whether a command is an SLA escalation the engine planned (it may overtake the command it escalates).</summary>
    internal static bool IsAlert(OutboxEntry entry) =>
        entry.Step.StartsWith("sla-escalation-", StringComparison.Ordinal) || string.Equals(entry.Step, "step-deadline", StringComparison.Ordinal);
}
