using System.ComponentModel.DataAnnotations;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Commands;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// The plain settings of an <see cref="Orchestrator"/>, with documented defaults: everything that can be written in a
/// configuration file (<c>appsettings.json</c>), apart from the services it is composed of
/// (<see cref="OrchestratorOptions"/>). Bind it with <c>BindSettings(configuration.GetSection("ManufacturingOrchestration"))</c>
/// on the orchestration builder, or set it in code through <see cref="OrchestratorOptions.Settings"/>.
/// </summary>
/// <remarks>
/// <para>Validated when the orchestrator is created and, in a host, at start: each range is declared on its property
/// and checked by generated code; the rules that relate two settings are checked by hand. The message names every
/// setting out of range and the range it must be in.</para>
/// <para>Not read from configuration, because their keys or items are typed values the configuration binder cannot
/// create: <see cref="ApprovalOptions.SiteDeadlines"/>, <see cref="ApprovalOptions.SiteStepDeadlines"/>,
/// <see cref="ApprovalOptions.TwoPersonSites"/> and <see cref="ApprovalOptions.Escalations"/>. Set them in code; a
/// configuration that names them is refused at start rather than ignored.</para>
/// </remarks>
public sealed class OrchestratorSettings
{
    /// <summary>How many partition workers run in parallel (each owns a disjoint set of keys). Default: processor count.</summary>
    [Range(1, int.MaxValue)]
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Work items each worker queues before publishers wait (back-pressure). Default 8192. At most
    /// <c>QueueCapacity × Parallelism</c> accepted events wait in memory; the product must fit in an <see cref="int"/>.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int QueueCapacity { get; set; } = 8192;

    /// <summary>The most work items a worker handles in one group commit. Default 256.</summary>
    [Range(1, int.MaxValue)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// How many partition keys the workers keep in memory between events, in total (each worker keeps its share, at least
    /// 64). A key beyond it that has nothing in progress is dropped from memory and read from the store again when its next
    /// event comes, so a long-running orchestrator's memory does not grow with the number of lots it has ever seen.
    /// Default 16,384.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int KeyCacheCapacity { get; set; } = 16_384;

    /// <summary>How often the audit chain heads are checkpointed. Default 1 minute; also at shutdown. Must be positive.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether a lot seen for the first time is bootstrapped from the ERP before the first step. Default true.</summary>
    public bool BootstrapFromErp { get; set; } = true;

    /// <summary>
    /// How many times the decision of one event is taken again after a target refused one of its commands as stale
    /// (<see cref="Adapters.AdapterResultStatus.Stale"/>: the quantity or version it assumed is gone). Each time the lot or
    /// order is read again from the ERP first. Beyond this the command is dead-lettered and the key parked. Default 3;
    /// 0 dead-letters every stale refusal at once.
    /// </summary>
    [Range(0, 100)]
    public int MaxRedecisions { get; set; } = 3;

    /// <summary>The id of this node (for leases and logs); not blank. Default: machine name and process id.</summary>
    [Required]
    public string NodeId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Seed of the retry jitter, for reproducible tests; random when <see langword="null"/>.</summary>
    public int? JitterSeed { get; set; }

    /// <summary>The durable retry policy for transient adapter failures.</summary>
    [Required]
    [ValidateObjectMembers]
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>
    /// How approvals are governed: deadlines, escalation chain, two-person rule. Its site-keyed parts and the escalation
    /// chain are set in code only (see the remarks of <see cref="OrchestratorSettings"/>).
    /// </summary>
    [Required]
    [ValidateObjectMembers]
    public ApprovalOptions Approvals { get; set; } = new();

    /// <summary>How audit records are delivered to <see cref="OrchestratorOptions.AuditSinks"/>: batch size, polling and the retry backoff of a failing sink.</summary>
    [Required]
    [ValidateObjectMembers]
    public AuditSinkOptions AuditSinkDelivery { get; set; } = new();

    /// <summary>
    /// Whether and how this node shares its store with other orchestrator nodes: bucket leases, fenced commits, timers and
    /// audit checkpoints once per cluster. Off by default (<see cref="ClusterOptions.Enabled"/>).
    /// </summary>
    [Required]
    [ValidateObjectMembers]
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Validates the settings: every range and every rule between two settings.</summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names each one and what it must be.</exception>
    public void Validate()
    {
        if (Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The orchestrator settings are not valid: " + string.Join(" ", problems));
        }
    }

    /// <summary>Every problem of the settings, one sentence each (the one list both validations use).</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        AddFailures(problems, new OrchestratorSettingsValidator().Validate(Options.DefaultName, this));
        AddFailures(problems, new OrchestratorSettingsRules().Validate(Options.DefaultName, this));
        return problems;
    }

    /// <summary>
    /// A copy the orchestrator's options can change without changing the registered settings (the options are composed
    /// more than once in a host: at start validation and for the orchestrator).
    /// </summary>
    internal OrchestratorSettings Clone()
    {
        var copy = (OrchestratorSettings)MemberwiseClone();
        copy.Approvals = Approvals?.Clone()!;
        copy.AuditSinkDelivery = AuditSinkDelivery?.Clone()!;
        copy.Cluster = Cluster?.Clone()!;
        return copy;
    }

    private static void AddFailures(List<string> problems, ValidateOptionsResult result)
    {
        if (result.Failed && result.Failures is { } failures)
        {
            problems.AddRange(failures);
        }
    }
}

/// <summary>The ranges of <see cref="OrchestratorSettings"/> and its nested settings, checked by generated code from their attributes.</summary>
[OptionsValidator]
internal sealed partial class OrchestratorSettingsValidator : IValidateOptions<OrchestratorSettings>;

/// <summary>The rules of <see cref="OrchestratorSettings"/> that relate two settings, which attributes cannot say.</summary>
internal sealed class OrchestratorSettingsRules : IValidateOptions<OrchestratorSettings>
{
    public ValidateOptionsResult Validate(string? name, OrchestratorSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if ((long)options.QueueCapacity * options.Parallelism > int.MaxValue)
        {
            failures.Add($"{nameof(OrchestratorSettings.QueueCapacity)} × {nameof(OrchestratorSettings.Parallelism)} ({options.QueueCapacity} × {options.Parallelism}) must not exceed {int.MaxValue}: it bounds the accepted events waiting in memory.");
        }

        if (options.Retry is { } retry && retry.MaxDelay < retry.InitialDelay)
        {
            failures.Add($"{nameof(OrchestratorSettings.Retry)}.{nameof(RetryPolicy.MaxDelay)} ({retry.MaxDelay}) must not be shorter than {nameof(OrchestratorSettings.Retry)}.{nameof(RetryPolicy.InitialDelay)} ({retry.InitialDelay}).");
        }

        if (options.AuditSinkDelivery is { } delivery && delivery.MaxRetryDelay < delivery.RetryDelay)
        {
            failures.Add($"{nameof(OrchestratorSettings.AuditSinkDelivery)}.{nameof(AuditSinkOptions.MaxRetryDelay)} ({delivery.MaxRetryDelay}) must not be shorter than {nameof(OrchestratorSettings.AuditSinkDelivery)}.{nameof(AuditSinkOptions.RetryDelay)} ({delivery.RetryDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
