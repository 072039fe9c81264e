using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// Step deadlines: when a workflow with a <see cref="WorkflowDefinition.Deadline"/> plans commands for an event, a
/// durable timer checks at the deadline whether they all completed; if not (retrying, or dead-lettered) the SLA is
/// breached — audited, counted and the escalation role alerted through the notification contract.
/// </summary>
internal static class StepDeadlines
{
    public const string Purpose = "step-deadline";

    public static DurableTimer Timer(string partitionKey, EventKey eventKey, WorkflowDefinition workflow, SiteId? site, DateTimeOffset dueAt) => new()
    {
        Id = $"deadline:{partitionKey}:{eventKey.Source}:{eventKey.Id}:{workflow.Name}",
        PartitionKey = partitionKey,
        DueAt = dueAt,
        Purpose = Purpose,
        Data = JsonSerializer.Serialize(
            new StepDeadlineData { Source = eventKey.Source, EventId = eventKey.Id, Workflow = workflow.Name, Version = workflow.Version, Site = site?.Value },
            EngineJsonContext.Default.StepDeadlineData),
    };

    public static Staged? OnTimer(OrchestratorRuntime runtime, KeyRuntime key, DurableTimer timer)
    {
        StepDeadlineData data;
        try
        {
            data = JsonSerializer.Deserialize(timer.Data ?? "null", EngineJsonContext.Default.StepDeadlineData) ?? throw new JsonException("A step-deadline timer has no data.");
        }
        catch (JsonException ex)
        {
            // Failed with store.data-unreadable: the timer is tried again, then removed and audited.
            throw ApprovalStore.Unreadable($"The data of the durable timer '{timer.Id}' ({timer.Purpose}) on {timer.PartitionKey} cannot be read back", ex);
        }

        var eventKey = new EventKey(data.Source, data.EventId);
        var open = key.Pending.Count(p => p.CausedBy == eventKey) + (key.State.Parked is not null && key.Pending.Count == 0 ? 1 : 0);
        if (open == 0)
        {
            return null;
        }

        var workflow = runtime.Workflows.Find(data.Workflow, data.Version);
        var state = key.State;
        var now = runtime.Time.GetUtcNow();
        var step = new StepBuilder(state, eventKey, null, now);
        var role = workflow?.Deadline?.EscalateTo ?? Role.Supervisor;
        step.AddAudit("system:orchestrator", "sla-breached", string.Create(CultureInfo.InvariantCulture, $"{ReasonCodes.SlaBreached.Code}: {data.Workflow} has not completed the commands of {eventKey} by {timer.DueAt:O}{(state.IsParked ? " (partition parked)" : string.Empty)}; escalated to {role}"), null, workflow, null, null);
        if (data.Site is { } site && !state.IsParked)
        {
            runtime.Telemetry.SlaBreached(new SiteId(site), data.Workflow, 1);
            step.AddCommand(
                new SendNotificationRequest
                {
                    Context = new CommandContext
                    {
                        IdempotencyKey = IdempotencyKeys.Derive(eventKey.Source, eventKey.Id, "step-deadline:" + data.Workflow, CommandKinds.NotificationSend),
                        CorrelationId = eventKey.ToString(),
                        CausationId = eventKey.Id,
                        Site = new SiteId(site),
                    },
                    Roles = [role],
                    Site = new SiteId(site),
                    Severity = NotificationSeverity.Alert,
                    Subject = $"Overdue: {data.Workflow} for {state.Key}",
                    Body = string.Create(CultureInfo.InvariantCulture, $"The actions planned for {eventKey} were due by {timer.DueAt:O} and are not complete."),
                    ReasonCode = ReasonCodes.SlaBreached,
                },
                "step-deadline",
                workflow?.Id ?? data.Workflow,
                runtime.Options.Adapters.Operations);
        }

        var newState = state with { Version = state.Version + 1, AuditHead = step.Head, NextCommandOrdinal = step.NextOrdinal };
        return new Staged(key)
        {
            Commit = new StepCommit
            {
                PartitionKey = state.Key,
                ExpectedVersion = state.Version,
                NewState = newState,
                NewCommands = step.Commands,
                Audit = step.Audit,
                CancelledTimers = [timer.Id],
            },
            NewState = newState,
            NewCommands = step.Commands,
        };
    }
}

/// <summary>What a step-deadline timer carries.</summary>
internal sealed record StepDeadlineData
{
    public required string Source { get; init; }

    public required string EventId { get; init; }

    public required string Workflow { get; init; }

    public required int Version { get; init; }

    public string? Site { get; init; }
}
