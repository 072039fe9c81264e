using System.Diagnostics;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Telemetry;

/// <summary>
/// The orchestrator's metrics and traces: one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both named
/// <see cref="Name"/>, with dotted instrument names tagged by site, event type, workflow and command kind.
/// </summary>
public sealed partial class OrchestrationTelemetry : IDisposable
{
    /// <summary>The meter and activity source name.</summary>
    public const string Name = "ManufacturingOrchestration";

    /// <summary>The <c>outcome</c> of <c>mo.query.failures</c> when the event was processed on a retry.</summary>
    internal const string QueryRecovered = "recovered";

    /// <summary>The <c>outcome</c> of <c>mo.query.failures</c> when the last retry failed too (dead-lettered).</summary>
    internal const string QueryExhausted = "exhausted";

    /// <summary>The <c>outcome</c> of <c>mo.query.failures</c> when the adapter refused permanently (dead-lettered).</summary>
    internal const string QueryRefused = "refused";

    private readonly TimeProvider _time;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _commands;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _transitionsRejected;
    private readonly Counter<long> _outOfOrder;
    private readonly Histogram<double> _latency;
    private readonly UpDownCounter<long> _approvalsWaiting;
    private readonly Counter<long> _approvalsAnswered;
    private readonly Counter<long> _slaBreaches;
    private readonly Counter<long> _queryRetries;
    private readonly Counter<long> _queryFailures;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _auditDelivered;
    private readonly Counter<long> _auditSinkFailures;

    /// <summary>Creates the instruments.</summary>
    /// <param name="time">The clock used for latencies.</param>
    /// <param name="meterFactory">Creates the meter, when hosted with dependency injection.</param>
    public OrchestrationTelemetry(TimeProvider time, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;

        // A factory owns the meters it creates and shares one per name (the HTTP connectors' circuit metrics use the
        // same one): only a meter created here is this component's to dispose.
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(Name) ?? new Meter(Name);
        ActivitySource = new ActivitySource(Name);
        _accepted = Meter.CreateCounter<long>("mo.events.accepted", description: "Events accepted into the inbox.");
        _rejected = Meter.CreateCounter<long>("mo.events.rejected", description: "Events refused at intake.");
        _duplicates = Meter.CreateCounter<long>("mo.events.duplicate", description: "Events already accepted before (same source and id).");
        _processed = Meter.CreateCounter<long>("mo.events.processed", description: "Events processed by their workflows.");
        _commands = Meter.CreateCounter<long>("mo.commands.executed", description: "Adapter command attempts, by kind and outcome.");
        _retries = Meter.CreateCounter<long>("mo.commands.retries", description: "Durable retries scheduled after transient failures.");
        _deadLetters = Meter.CreateCounter<long>("mo.deadletters", description: "Commands or events dead-lettered (their partition parked).");
        _transitionsRejected = Meter.CreateCounter<long>("mo.transitions.rejected", description: "Transitions rejected by a state machine.");
        _outOfOrder = Meter.CreateCounter<long>("mo.events.out_of_order", description: "Events older than the last applied for their key.");
        _latency = Meter.CreateHistogram<double>("mo.events.latency", unit: "s", description: "From acceptance to the committed step, in seconds.");
        _commandDuration = Meter.CreateHistogram<double>("mo.commands.duration", unit: "s", description: "One attempt of an adapter command, in seconds, by kind, workflow and outcome.");
        _approvalsWaiting = Meter.CreateUpDownCounter<long>("mo.approvals.waiting", description: "Approval requests waiting for a person.");
        _approvalsAnswered = Meter.CreateCounter<long>("mo.approvals.answered", description: "Approval requests completed, by outcome.");
        _slaBreaches = Meter.CreateCounter<long>("mo.sla.breaches", description: "Approvals that passed their deadline, by escalation level.");
        _queryRetries = Meter.CreateCounter<long>("mo.query.retries", description: "Durable retries of an event scheduled after a query made while it was processed (the first-touch ERP read or a step's query) failed transiently, by query.");
        _queryFailures = Meter.CreateCounter<long>("mo.query.failures", description: "Events whose processing waited for a failed query, counted once when that ends, by outcome: recovered on a retry, or dead-lettered because the retries were exhausted or the adapter refused (those two are in mo.deadletters too).");
        _auditDelivered = Meter.CreateCounter<long>("mo.audit.sink.delivered", description: "Audit records an audit sink took and its cursor moved past, by sink (a redelivered record counts again).");
        _auditSinkFailures = Meter.CreateCounter<long>("mo.audit.sink.failures", description: "Deliveries to an audit sink that failed and wait for a retry, by sink.");
    }

    /// <summary>The meter; other packages add their instruments to it (the scenarios' drift counter, for example).</summary>
    public Meter Meter { get; }

    /// <summary>The activity source.</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>
    /// Disposes the activity source and, when it was created here, the meter: a meter from an <see cref="IMeterFactory"/>
    /// is the factory's, which disposes it with itself, and other components' instruments share it.
    /// </summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }

        ActivitySource.Dispose();
    }

    internal void Accepted(EventEnvelope envelope) => _accepted.Add(1, new KeyValuePair<string, object?>("site", envelope.Site?.Value), new KeyValuePair<string, object?>("type", envelope.Type));

    internal void Rejected(string? type) => _rejected.Add(1, new KeyValuePair<string, object?>("type", type));

    internal void Duplicate(EventEnvelope envelope) => _duplicates.Add(1, new KeyValuePair<string, object?>("type", envelope.Type));

    internal void EventProcessed(EventEnvelope envelope, IReadOnlyList<WorkflowDefinition> workflows, DateTimeOffset acceptedAt)
    {
        var tags = new TagList
        {
            { "site", envelope.Site?.Value },
            { "type", envelope.Type },
            { "workflow", workflows.Count == 0 ? null : workflows[0].Name },
        };
        _processed.Add(1, tags);
        if (_latency.Enabled)
        {
            _latency.Record((_time.GetUtcNow() - acceptedAt).TotalSeconds, tags);
        }
    }

    internal void CommandExecuted(string kind, string? workflow, AdapterResultStatus status, long startedAt)
    {
        var tags = new TagList
        {
            { "kind", kind },
            { "workflow", workflow },
            { "outcome", Outcome(status) },
        };
        _commands.Add(1, tags);
        if (_commandDuration.Enabled)
        {
            _commandDuration.Record(_time.GetElapsedTime(startedAt).TotalSeconds, tags);
        }

        if (status == AdapterResultStatus.TransientFailure)
        {
            _retries.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("workflow", workflow));
        }
    }

    /// <summary>
    /// A command outcome as the <c>outcome</c> tag of <c>mo.commands.*</c> and the <c>mo.outcome</c> of a command span
    /// write it: lower case with underscores, as OpenTelemetry's conventions write values.
    /// </summary>
    /// <param name="status">The outcome.</param>
    /// <returns><c>succeeded</c>, <c>already_applied</c>, <c>transient_failure</c>, <c>stale</c> or <c>permanent_failure</c>.</returns>
    public static string Outcome(AdapterResultStatus status) => status switch
    {
        AdapterResultStatus.Succeeded => "succeeded",
        AdapterResultStatus.AlreadyApplied => "already_applied",
        AdapterResultStatus.TransientFailure => "transient_failure",
        AdapterResultStatus.Stale => "stale",
        _ => "permanent_failure",
    };

    /// <summary>A timestamp for <see cref="CommandExecuted"/>'s duration, from the orchestrator's clock.</summary>
    internal long Timestamp() => _time.GetTimestamp();

    internal void DeadLettered(string? site) => _deadLetters.Add(1, new KeyValuePair<string, object?>("site", site));

    internal void TransitionRejected(string workflow) => _transitionsRejected.Add(1, new KeyValuePair<string, object?>("workflow", workflow));

    internal void OutOfOrder() => _outOfOrder.Add(1);

    internal void ApprovalRequested(string site) => _approvalsWaiting.Add(1, new KeyValuePair<string, object?>("site", site));

    internal void ApprovalAnswered(SiteId site, bool approved)
    {
        _approvalsWaiting.Add(-1, new KeyValuePair<string, object?>("site", site.Value));
        _approvalsAnswered.Add(1, new KeyValuePair<string, object?>("site", site.Value), new KeyValuePair<string, object?>("outcome", approved ? "approved" : "refused"));
    }

    /// <summary>A waiting approval that no person will answer any more (superseded, such as by a newer count): no longer waiting, completed as withdrawn.</summary>
    internal void ApprovalWithdrawn(SiteId site)
    {
        _approvalsWaiting.Add(-1, new KeyValuePair<string, object?>("site", site.Value));
        _approvalsAnswered.Add(1, new KeyValuePair<string, object?>("site", site.Value), new KeyValuePair<string, object?>("outcome", "withdrawn"));
    }

    internal void SlaBreached(SiteId site, string workflow, int level) =>
        _slaBreaches.Add(1, new KeyValuePair<string, object?>("site", site.Value), new KeyValuePair<string, object?>("workflow", workflow), new KeyValuePair<string, object?>("level", level));

    internal void QueryRetryScheduled(string? site, string query) =>
        _queryRetries.Add(1, new KeyValuePair<string, object?>("site", site), new KeyValuePair<string, object?>("query", query));

    /// <summary>A failed query ended: <paramref name="outcome"/> is <see cref="QueryRecovered"/>, <see cref="QueryExhausted"/> or <see cref="QueryRefused"/>.</summary>
    internal void QueryRetryEnded(string? site, string? query, string outcome) =>
        _queryFailures.Add(1, new KeyValuePair<string, object?>("site", site), new KeyValuePair<string, object?>("query", query), new KeyValuePair<string, object?>("outcome", outcome));

    internal void AuditDelivered(string sink, int records) => _auditDelivered.Add(records, new KeyValuePair<string, object?>("sink", sink));

    internal void AuditSinkFailed(string sink) => _auditSinkFailures.Add(1, new KeyValuePair<string, object?>("sink", sink));
}
