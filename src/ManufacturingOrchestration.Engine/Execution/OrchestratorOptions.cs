using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model.Validation;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>Everything an <see cref="Orchestrator"/> is composed of, with documented defaults.</summary>
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

    /// <summary>The durable retry policy for transient adapter failures.</summary>
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>Intake validation. Default <see cref="EventValidator.Default"/> (the built-in event taxonomy).</summary>
    public EventValidator Validator { get; set; } = EventValidator.Default;

    /// <summary>Who exists and which roles they hold; operator actions and approvals are checked against it.</summary>
    public IActorDirectory Actors { get; set; } = new InMemoryActorDirectory();

    /// <summary>How approvals are governed: deadlines, escalation chain, two-person rule.</summary>
    public ApprovalOptions Approvals { get; set; } = new();

    /// <summary>The logger factory. Default: none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How many partition workers run in parallel (each owns a disjoint set of keys). Default: processor count.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Work items each worker queues before publishers wait (back-pressure). Default 8192.</summary>
    public int QueueCapacity { get; set; } = 8192;

    /// <summary>The most work items a worker handles in one group commit. Default 256.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// How many partition keys the workers keep in memory between events, in total (each worker keeps its share, at least
    /// 64). A key beyond it that has nothing in progress is dropped from memory and read from the store again when its next
    /// event comes, so a long-running orchestrator's memory does not grow with the number of lots it has ever seen.
    /// Default 16,384.
    /// </summary>
    public int KeyCacheCapacity { get; set; } = 16_384;

    /// <summary>How often the audit chain heads are checkpointed. Default 1 minute; also at shutdown.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether a lot seen for the first time is bootstrapped from the ERP before the first step. Default true.</summary>
    public bool BootstrapFromErp { get; set; } = true;

    /// <summary>The id of this node (for leases and logs). Default: machine name and process id.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Seed of the retry jitter, for reproducible tests; random when <see langword="null"/>.</summary>
    public int? JitterSeed { get; set; }

    /// <summary>
    /// The external destinations committed audit records stream to (a SIEM, a GRC tool, <see cref="JsonLinesAuditSink"/>):
    /// each at least once, in commit order, from a cursor per sink name kept in the store. None by default; names must be
    /// unique.
    /// </summary>
    public IList<IAuditSink> AuditSinks { get; } = [];

    /// <summary>How audit records are delivered to <see cref="AuditSinks"/>: batch size, polling and the retry backoff of a failing sink.</summary>
    public AuditSinkOptions AuditSinkDelivery { get; set; } = new();

    /// <summary>Validates the options; a misconfigured orchestrator fails at start, not mid-shift.</summary>
    /// <exception cref="ArgumentException">An option is not valid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Store);
        ArgumentNullException.ThrowIfNull(Adapters);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Retry);
        ArgumentNullException.ThrowIfNull(Validator);
        ArgumentNullException.ThrowIfNull(Actors);
        Retry.Validate();
        ArgumentNullException.ThrowIfNull(Approvals);
        Approvals.Validate();
        ArgumentNullException.ThrowIfNull(AuditSinkDelivery);
        AuditSinkDelivery.Validate();
        ValidateAuditSinks();
        foreach (var (option, problem) in RangeProblems())
        {
            throw new ArgumentOutOfRangeException(option, $"{option} {problem}");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(NodeId);
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

    /// <summary>Every sink present and named, no name twice: the name keys the sink's delivery cursor.</summary>
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

            if (!names.Add(sink.Name))
            {
                throw new ArgumentException($"Two audit sinks are named '{sink.Name}': the name keys the delivery cursor in the store, so each sink needs its own.", nameof(AuditSinks));
            }
        }
    }

    /// <summary>The numeric options out of range, each named with what is wrong (the one list both validations use).</summary>
    internal IEnumerable<(string Option, string Problem)> RangeProblems()
    {
        if (Parallelism < 1)
        {
            yield return (nameof(Parallelism), $"must be at least 1 (was {Parallelism}).");
        }

        if (QueueCapacity < 1)
        {
            yield return (nameof(QueueCapacity), $"must be at least 1 (was {QueueCapacity}).");
        }

        if (MaxBatchSize < 1)
        {
            yield return (nameof(MaxBatchSize), $"must be at least 1 (was {MaxBatchSize}).");
        }

        if (KeyCacheCapacity < 1)
        {
            yield return (nameof(KeyCacheCapacity), $"must be at least 1 (was {KeyCacheCapacity}).");
        }

        if (CheckpointInterval <= TimeSpan.Zero)
        {
            yield return (nameof(CheckpointInterval), $"must be positive (was {CheckpointInterval}).");
        }
    }
}
