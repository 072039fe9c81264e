using System.Collections.Concurrent;
using System.Diagnostics;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Telemetry;

/// <summary>
/// The spans: one per accepted event (<c>publish</c>), per processing of an event (<c>process</c>), per workflow step,
/// per query and per command attempt. An event is processed under its envelope's <c>traceparent</c>; a command runs
/// under the trace context of the step that planned it, kept in the outbox, so a retry, a restart or a replay stays in
/// the same trace. Attribute names follow OpenTelemetry's messaging conventions where they fit, and <c>mo.*</c>
/// otherwise. With no listener nothing is allocated: every method returns <see langword="null"/> at once.
/// </summary>
public sealed partial class OrchestrationTelemetry
{
    /// <summary>The value of <c>messaging.system</c> on the orchestrator's spans.</summary>
    public const string MessagingSystem = "manufacturing_orchestration";

    private static readonly ConcurrentDictionary<string, string> s_workflowNames = new(StringComparer.Ordinal);

    /// <summary>Whether anything listens to the orchestrator's spans (nothing is traced, or allocated for tracing, otherwise).</summary>
    internal bool IsTracing => ActivitySource.HasListeners();

    /// <summary>A span for accepting an event into the inbox, parented by its <c>traceparent</c> or the caller's span.</summary>
    internal Activity? StartPublish(EventEnvelope envelope)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = Parse(envelope.TraceParent) is { } parent
            ? ActivitySource.StartActivity("publish " + envelope.Type, ActivityKind.Producer, parent)
            : ActivitySource.StartActivity("publish " + envelope.Type, ActivityKind.Producer);
        SetMessagingTags(activity, envelope, "send", "publish", envelope.EffectivePartitionKey);

        return activity;
    }

    /// <summary>A span for processing an event, parented by its <c>traceparent</c> (a new trace when it has none).</summary>
    internal Activity? StartProcess(EventEnvelope envelope, string partitionKey)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var parent = Parse(envelope.TraceParent);
        if (parent is null)
        {
            // No traceparent: a trace of its own, not a child of whatever span the worker's flow carries.
            Activity.Current = null;
        }

        var activity = ActivitySource.StartActivity("process " + envelope.Type, ActivityKind.Consumer, parent ?? default);
        SetMessagingTags(activity, envelope, "process", "process", partitionKey);

        return activity;
    }

    /// <summary>A span for one workflow step, a child of the current span.</summary>
    internal Activity? StartStep(WorkflowDefinition workflow, WorkflowStep step)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity(workflow.Name + " " + step.Name, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("mo.workflow", workflow.Name);
            activity.SetTag("mo.workflow.version", workflow.Version);
            activity.SetTag("mo.step", step.Name);
            activity.SetTag("mo.step.kind", step.Kind.ToString().ToLowerInvariant());
        }

        return activity;
    }

    /// <summary>A span for a query asked of an adapter, a child of the current span.</summary>
    internal Activity? StartQuery(string operation, SiteId? site)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity(operation, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("mo.operation", operation);
            activity.SetTag("mo.target.system", CommandKinds.SystemOf(operation));
            activity.SetTag("mo.site", site?.Value);
        }

        return activity;
    }

    /// <summary>A span for one attempt of an outbox command, parented by the step that planned it.</summary>
    internal Activity? StartCommand(OutboxEntry entry, SiteId? site)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var parent = Parse(entry.TraceParent);
        if (parent is null)
        {
            Activity.Current = null;
        }

        var activity = ActivitySource.StartActivity(entry.Kind, ActivityKind.Client, parent ?? default);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("mo.operation", entry.Kind);
            activity.SetTag("mo.target.system", CommandKinds.SystemOf(entry.Kind));
            activity.SetTag("mo.site", site?.Value);
            activity.SetTag("mo.partition.key", entry.PartitionKey);
            activity.SetTag("mo.workflow", WorkflowName(entry.Workflow));
            activity.SetTag("mo.idempotency_key", entry.IdempotencyKey);
            activity.SetTag("mo.attempt", entry.Attempts + 1);
        }

        return activity;
    }

    /// <summary>Ends a span with its outcome; an error status for a failure.</summary>
    internal static void End(Activity? activity, string outcome, string? error = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("mo.outcome", outcome);
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }

        activity.Dispose();
    }

    /// <summary>The W3C trace context of the current span, to keep with what a step plans; <see langword="null"/> when nothing is traced.</summary>
    internal static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current && string.Equals(current.Source.Name, Name, StringComparison.Ordinal) ? current.Id : null;

    /// <summary>A workflow's name from its id (<c>name@version</c>), for the <c>workflow</c> tag of metrics.</summary>
    internal static string WorkflowName(string workflowId) =>
        s_workflowNames.GetOrAdd(workflowId, static id => id.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? id[..at] : id);

    private static void SetMessagingTags(Activity? activity, EventEnvelope envelope, string operationType, string operationName, string partitionKey)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("messaging.system", MessagingSystem);
        activity.SetTag("messaging.operation.type", operationType);
        activity.SetTag("messaging.operation.name", operationName);
        activity.SetTag("messaging.destination.name", envelope.Type);
        activity.SetTag("messaging.message.id", envelope.Id);
        activity.SetTag("messaging.message.conversation_id", envelope.CorrelationId);
        activity.SetTag("mo.event.source", envelope.Source);
        activity.SetTag("mo.site", envelope.Site?.Value);
        activity.SetTag("mo.partition.key", partitionKey);
    }

    private static ActivityContext? Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : null;
}
