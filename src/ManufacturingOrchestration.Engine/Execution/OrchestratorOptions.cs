using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model.Validation;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// Everything an <see cref="Orchestrator"/> is composed of, with documented defaults: the services it uses (store,
/// adapters, workflows, clock, validator, actor directory, logger factory, audit sinks) and its plain
/// <see cref="Settings"/>.
/// </summary>
/// <remarks>
/// With <c>AddManufacturingOrchestration</c>, the services come from the container and the builder, and the settings
/// from <c>IOptions&lt;OrchestratorSettings&gt;</c> (bound from configuration with <c>BindSettings</c>); a
/// <c>Configure(o =&gt; ...)</c> of the builder runs after both.
/// </remarks>
public sealed class OrchestratorOptions
{
    /// <summary>The durable store. Default: a new <see cref="InMemoryOrchestrationStore"/>.</summary>
    public IOrchestrationStore Store { get; set; } = new InMemoryOrchestrationStore();

    /// <summary>The adapters of the connected systems.</summary>
    public AdapterSet Adapters { get; set; } = new();

    /// <summary>The workflows to run (several versions of one workflow may be registered).</summary>
    public IList<WorkflowDefinition> Workflows { get; } = [];

    /// <summary>The clock. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Intake validation. Default <see cref="EventValidator.Default"/> (the built-in event taxonomy).</summary>
    public EventValidator Validator { get; set; } = EventValidator.Default;

    /// <summary>Who exists and which roles they hold; operator actions and approvals are checked against it.</summary>
    public IActorDirectory Actors { get; set; } = new InMemoryActorDirectory();

    /// <summary>The logger factory. Default: none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// The plain settings (parallelism, queue capacity, retry policy, node id…), which a host binds from configuration.
    /// Default: an <see cref="OrchestratorSettings"/> with its documented defaults.
    /// </summary>
    public OrchestratorSettings Settings { get; set; } = new();

    /// <summary>
    /// The external destinations committed audit records stream to (a SIEM, a GRC tool, <see cref="JsonLinesAuditSink"/>):
    /// each at least once, in commit order, from a cursor per sink name kept in the store. None by default; names must be
    /// unique and must not start with <c>$</c> (reserved). How records are delivered to them is set by <see cref="OrchestratorSettings.AuditSinkDelivery"/>.
    /// </summary>
    public IList<IAuditSink> AuditSinks { get; } = [];

    /// <summary>
    /// Signs each audit checkpoint with a key the host supplies and the database never holds (for example
    /// <c>new HmacAuditCheckpointSigner(key)</c> with a key from a secret store); <see cref="Orchestrator.Audit"/> then
    /// refuses forged or rewritten checkpoints and reports deleted ones (see <see cref="AuditVerifier"/>). Default
    /// <see langword="null"/>: checkpoints are hashed only, so someone who can write the database can delete or rewrite them.
    /// </summary>
    public IAuditCheckpointSigner? AuditCheckpointSigner { get; set; }

    /// <summary>Validates the options; a misconfigured orchestrator fails at start, not mid-shift.</summary>
    /// <exception cref="ArgumentException">An option is not valid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Store);
        ArgumentNullException.ThrowIfNull(Adapters);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Validator);
        ArgumentNullException.ThrowIfNull(Actors);
        ArgumentNullException.ThrowIfNull(Settings);
        Settings.Validate();
        ValidateAuditSinks();
        if (Workflows.Count == 0)
        {
            throw new ArgumentException("At least one workflow must be registered.", nameof(Workflows));
        }

        _ = new WorkflowRegistry(Workflows);
        if (OperationProblems() is { Count: > 0 } problems)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RequiredOperationsMissing, "The composed adapters do not support what the registered workflows need:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
        }
    }

    /// <summary>
    /// Every operation a registered workflow declares that the composed adapters cannot carry out for some site (a
    /// required one), or that is not registered at all (a required or optional one), one sentence each.
    /// </summary>
    internal IReadOnlyList<string> OperationProblems()
    {
        var problems = new List<string>();
        foreach (var workflow in Workflows)
        {
            foreach (var operation in workflow.RequiredOperations)
            {
                foreach (var gap in Adapters.FindGaps(operation))
                {
                    problems.Add($"{workflow.Id} needs '{operation}': {gap}");
                }
            }

            foreach (var operation in workflow.OptionalOperations)
            {
                if (!Adapters.Operations.TryGet(operation, out _))
                {
                    problems.Add($"{workflow.Id} may use '{operation}', which is not a registered operation");
                }
            }
        }

        return problems;
    }

    /// <summary>Cursor names on the audit feed that start with this are the orchestrator's own (clustered audit checkpoints).</summary>
    internal const string ReservedCursorPrefix = "$";

    /// <summary>Every sink present and named, no name twice, none reserved: the name keys the sink's delivery cursor.</summary>
    private void ValidateAuditSinks()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sink in AuditSinks)
        {
            if (sink is null)
            {
                throw new ArgumentException("An audit sink is null.", nameof(AuditSinks));
            }

            if (string.IsNullOrWhiteSpace(sink.Name))
            {
                throw new ArgumentException($"An audit sink ({sink.GetType().Name}) has no name: the name keys its delivery cursor in the store.", nameof(AuditSinks));
            }

            if (sink.Name.StartsWith(ReservedCursorPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The audit sink name '{sink.Name}' starts with '{ReservedCursorPrefix}', which is reserved for the orchestrator's own cursors on the audit feed.", nameof(AuditSinks));
            }

            if (!names.Add(sink.Name))
            {
                throw new ArgumentException($"Two audit sinks are named '{sink.Name}': the name keys the delivery cursor in the store, so each sink needs its own.", nameof(AuditSinks));
            }
        }
    }

}
