using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Operations;

/// <summary>
/// Carries out an operator's action on a dead letter, inside the partition's worker (so it is ordered with the
/// key's other work): checks the operator's role in the actor directory, resolves the dead letter, unparks the
/// partition and writes who did what and why to the audit trail, in one commit.
/// </summary>
internal sealed class OperationsHandler
{
    private readonly OrchestratorRuntime _runtime;

    public OperationsHandler(OrchestratorRuntime runtime) => _runtime = runtime;

    public async ValueTask<Staged?> HandleAsync(KeyRuntime key, OperatorWork work, CancellationToken ct)
    {
        var request = work.Request;
        var found = await FromStoreAsync(c => _runtime.Store.ReadDeadLettersAsync(new DeadLetterQuery { Id = request.DeadLetterId, OnlyOpen = false, MaxCount = 1 }, c), ct).ConfigureAwait(false);
        if (found.Count == 0 || !string.Equals(found[0].PartitionKey, key.State.Key, StringComparison.Ordinal))
        {
            return Refuse(key, work, ReasonCodes.ReferenceUnknown, $"Dead letter '{request.DeadLetterId}' does not exist.");
        }

        var deadLetter = found[0];
        if (!deadLetter.IsOpen)
        {
            return Refuse(key, work, ReasonCodes.TransitionNotPermitted, $"Dead letter '{deadLetter.Id}' was already resolved ({deadLetter.Resolution!.Action}).");
        }

        var actor = work.Operator;
        var allowed = deadLetter.Site is { } site
            ? actor.HoldsRole(Role.OrchestrationOperator, new SiteId(site))
            : actor.Roles.Any(r => r.Role == Role.OrchestrationOperator && r.Site is null);
        if (!allowed)
        {
            return Refuse(key, work, ReasonCodes.OperatorRoleRequired, $"Actor '{actor.Id}' does not hold the {Role.OrchestrationOperator} role{(deadLetter.Site is null ? string.Empty : " at " + deadLetter.Site)}.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return Refuse(key, work, ReasonCodes.Required, "An operator action needs a reason.");
        }

        if (!FreeText.IsValid(request.Reason, out var reasonProblem))
        {
            // The reason is recorded in the audit trail: the same free-text rules as a signature's reason.
            return Refuse(key, work, ReasonCodes.InvalidText, $"The reason {reasonProblem}.");
        }

        var now = _runtime.Time.GetUtcNow();
        var state = key.State;
        var updated = new List<OutboxEntry>();
        var newCommands = new List<OutboxEntry>();
        var processed = new List<EventKey>();
        OutboxEntry? reinsert = null;
        var compensations = -1;
        string detail;
        switch (request.Action)
        {
            case OperatorActionKind.Replay when deadLetter.Command is { } command:
                reinsert = command with { Status = OutboxStatus.Pending, Attempts = 0, NextAttemptAt = null, LastError = null };
                updated.Add(reinsert);
                detail = $"replayed {command.Kind} with the same key {command.IdempotencyKey}";
                break;
            case OperatorActionKind.ReplayEdited when deadLetter.Command is { } command:
                if (request.EditedCommand is not { } edited || !string.Equals(edited.Kind, command.Kind, StringComparison.Ordinal))
                {
                    return Refuse(key, work, ReasonCodes.UnknownCommandKind, $"An edited replay needs a command of kind '{command.Kind}'.");
                }

                var operations = _runtime.Options.Adapters.Operations;
                if (ReadStored(command.Payload, command.Kind, $"dead-lettered command {command.IdempotencyKey}", out var problem) is not { } original)
                {
                    return Refuse(key, work, problem.Code, problem.Message);
                }

                // A correction fixes how the command reaches its target; what it acts on and what was decided stay as the
                // workflow planned them, under the authority its rules required (the operator's role is no release role).
                if (CommandCorrections.FirstForbiddenChange(original, edited) is { } changed)
                {
                    return Refuse(key, work, ReasonCodes.CorrectionNotPermitted, $"An edited replay may not change {changed}: only properties marked [OperatorCorrectable] may be corrected; a different decision is taken again by the workflow.");
                }

                var revisionKey = await NextRevisionKeyAsync(command.IdempotencyKey, ct).ConfigureAwait(false);
                var revised = edited with { Context = original.Context with { IdempotencyKey = revisionKey } };
                updated.Add(command with { Status = OutboxStatus.Superseded });
                reinsert = command with
                {
                    IdempotencyKey = revisionKey,
                    Payload = CommandPayload.Of(revised, operations),
                    Status = OutboxStatus.Pending,
                    Attempts = 0,
                    NextAttemptAt = null,
                    LastError = null,
                    RevisionOf = command.IdempotencyKey,
                    CreatedAt = now,
                };
                newCommands.Add(reinsert);
                detail = $"manual correction: replayed an edited {command.Kind} as {revisionKey} (revision of {command.IdempotencyKey})";
                break;
            case OperatorActionKind.Skip when deadLetter.Command is { } command:
                updated.Add(command with { Status = OutboxStatus.Skipped });
                detail = $"skipped {command.Kind} {command.IdempotencyKey}";
                break;
            case OperatorActionKind.ResolveManually when deadLetter.Command is { } command:
                updated.Add(command with { Status = OutboxStatus.ResolvedManually });
                detail = $"resolved {command.Kind} {command.IdempotencyKey} manually outside the orchestrator";
                break;
            case OperatorActionKind.Compensate when deadLetter.Command is { } command:
                var caused = await FromStoreAsync(c => _runtime.Store.ReadCommandsCausedByAsync(command.CausedBy, c), ct).ConfigureAwait(false);
                var ordinal = state.NextCommandOrdinal;
                foreach (var sibling in caused)
                {
                    if (sibling.IdempotencyKey == command.IdempotencyKey || sibling.Status == OutboxStatus.Pending)
                    {
                        updated.Add(sibling with { Status = OutboxStatus.Skipped, LastError = "abandoned by compensation" });
                    }
                }

                for (var i = caused.Count - 1; i >= 0; i--)
                {
                    if (caused[i] is { Status: OutboxStatus.Completed, Compensation: { } plan } completed)
                    {
                        // Nothing is staged before the action is committed: one that cannot be read refuses it whole.
                        if (ReadStored(plan.Payload, plan.Kind, $"compensation of {completed.Kind} {completed.IdempotencyKey}", out var unreadable) is not { } compensating)
                        {
                            return Refuse(key, work, unreadable.Code, unreadable.Message);
                        }

                        newCommands.Add(completed with
                        {
                            IdempotencyKey = compensating.Context.IdempotencyKey,
                            Ordinal = ordinal++,
                            Kind = plan.Kind,
                            Payload = plan.Payload,
                            Step = completed.Step + ":compensate",
                            Status = OutboxStatus.Pending,
                            Attempts = 0,
                            NextAttemptAt = null,
                            LastError = null,
                            CreatedAt = now,
                            Compensation = null,
                        });
                    }
                }

                compensations = newCommands.Count;
                detail = $"compensating {command.CausedBy}: abandoned {updated.Count} command(s), {newCommands.Count} compensation(s) in reverse order ({string.Join(", ", newCommands.Select(c => c.Kind))})";
                break;
            case OperatorActionKind.Replay when deadLetter.Event is { } failedEvent:
                detail = $"re-running event {failedEvent}";
                break;
            case OperatorActionKind.Skip or OperatorActionKind.ResolveManually when deadLetter.Event is { } failedEvent:
                processed.Add(failedEvent);
                detail = $"{(request.Action == OperatorActionKind.Skip ? "skipped" : "resolved manually")} event {failedEvent}";
                break;
            default:
                return Refuse(key, work, ReasonCodes.TransitionNotPermitted, $"{request.Action} does not apply to dead letter '{deadLetter.Id}'.");
        }

        var draft = new AuditRecord
        {
            PartitionKey = state.Key,
            Sequence = 0,
            RecordedAt = now,
            Actor = actor.Id.Value,
            Action = "operator-" + ActionName(request.Action),
            Reason = $"{request.Reason} — {detail} (dead letter {deadLetter.Id}: {deadLetter.ReasonCode.Code})",
            Event = deadLetter.Command?.CausedBy ?? deadLetter.Event,
            CorrelationId = deadLetter.Command?.CorrelationId,
            Before = "parked",
            After = StateDigest.Describe(state),
            PreviousHash = string.Empty,
            Hash = string.Empty,
        };
        var record = AuditHashes.Chain(state.AuditHead, draft, out var head);
        var newState = state with { Version = state.Version + 1, AuditHead = head, Parked = state.Parked?.DeadLetterId == deadLetter.Id ? null : state.Parked };
        if (compensations >= 0)
        {
            // The compensations change the systems of record: re-read the aggregate from the ERP before the next event.
            newState = newState with { Lot = null, Order = null, NextCommandOrdinal = state.NextCommandOrdinal + compensations };
        }

        var resolved = deadLetter with { Resolution = new DeadLetterResolution { Action = ActionName(request.Action), Operator = actor.Id.Value, Reason = request.Reason, At = now } };
        var result = OperatorActionResult.Done(detail);
        return new Staged(key)
        {
            Commit = new StepCommit
            {
                PartitionKey = state.Key,
                ExpectedVersion = state.Version,
                NewState = newState,
                UpdatedCommands = updated,
                NewCommands = newCommands,
                ProcessedEvents = processed,
                Audit = [record],
                DeadLetters = [resolved],
            },
            NewState = newState,
            ScanAfterCommit = true,
            Completion = work.Completion,
            Result = result,
            OnApplied = () =>
            {
                if (compensations >= 0)
                {
                    key.Pending.RemoveAll(p => p.CausedBy == deadLetter.Command!.CausedBy);
                    key.Pending.AddRange(newCommands);
                }

                if (reinsert is not null)
                {
                    var index = key.Pending.FindIndex(p => p.Ordinal > reinsert.Ordinal);
                    key.Pending.Insert(index < 0 ? key.Pending.Count : index, reinsert);
                }

                _runtime.DeadLetterResolved();
            },
        };
    }

    /// <summary>
    /// A store read the action makes, whose failure is the store's, not the action's: thrown as a
    /// <see cref="StepStoreException"/>, so the operator is answered that the store was unavailable and the action can be
    /// tried again. Nothing is staged before the reads, so nothing of the action is applied.
    /// </summary>
    private static async ValueTask<T> FromStoreAsync<T>(Func<CancellationToken, ValueTask<T>> read, CancellationToken ct)
    {
        try
        {
            return await read(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new StepStoreException(ex);
        }
    }

    /// <summary>
    /// A command the store kept, read back through the operation registry, or <see langword="null"/> with the refusal that
    /// names what could not be read: JSON that is damaged or no longer matches its type is
    /// <see cref="ReasonCodes.StoreDataUnreadable"/>, a kind no longer registered keeps its own reason. The store is not
    /// failing, the same request would be refused again: the operator resolves it otherwise (skip, manual resolution).
    /// </summary>
    private AdapterCommand? ReadStored(CommandPayload payload, string kind, string what, out (ReasonCode Code, string Message) problem)
    {
        problem = default;
        try
        {
            return payload.ToCommand(kind, _runtime.Options.Adapters.Operations);
        }
        catch (ManufacturingOrchestrationException ex)
        {
            problem = (ex.ReasonCode, $"The stored {what} cannot be read back: {ex.Message}");
        }
        catch (System.Text.Json.JsonException ex)
        {
            problem = (ReasonCodes.StoreDataUnreadable, $"The stored {what} ('{kind}') cannot be read back: {ex.Message}");
        }

        return null;
    }

    private static Staged Refuse(KeyRuntime key, OperatorWork work, ReasonCode reason, string message) =>
        new(key) { Completion = work.Completion, Result = OperatorActionResult.Refused(reason, message) };

    private async ValueTask<string> NextRevisionKeyAsync(string originalKey, CancellationToken ct)
    {
        for (var revision = 1; ; revision++)
        {
            var candidate = IdempotencyKeys.DeriveRevision(originalKey, revision);
            if (await FromStoreAsync(c => _runtime.Store.ReadCommandAsync(candidate, c), ct).ConfigureAwait(false) is null)
            {
                return candidate;
            }
        }
    }

    private static string ActionName(OperatorActionKind action) => action switch
    {
        OperatorActionKind.Replay => "replay",
        OperatorActionKind.ReplayEdited => "replay-edited",
        OperatorActionKind.Skip => "skip",
        OperatorActionKind.Compensate => "compensate",
        _ => "resolve-manually",
    };
}
