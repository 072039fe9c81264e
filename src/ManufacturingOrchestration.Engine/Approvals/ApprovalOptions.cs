using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// How approvals are governed: the two-person rule (per gate and site), deadlines (per workflow, overridable per
/// site) and the escalation chain when a deadline passes.
/// </summary>
public sealed class ApprovalOptions
{
    /// <summary>The deadline of an approval when nothing more specific is configured. Default 4 hours.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Deadlines per workflow name.</summary>
    public IDictionary<string, TimeSpan> WorkflowDeadlines { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>Deadlines per site, overriding the workflow's.</summary>
    public IDictionary<SiteId, TimeSpan> SiteDeadlines { get; } = new Dictionary<SiteId, TimeSpan>();

    /// <summary>
    /// Who is alerted at each escalation level, and after how long past the previous level (level 1 at the deadline).
    /// Default: the quality manager at the deadline, then the plant supervisor two hours later.
    /// </summary>
    public IList<EscalationLevel> Escalations { get; } =
    [
        new EscalationLevel { Role = Role.QualityManager, After = TimeSpan.Zero },
        new EscalationLevel { Role = Role.Supervisor, After = TimeSpan.FromHours(2) },
    ];

    /// <summary>Step deadlines per site, overriding each workflow's <see cref="Workflows.WorkflowDefinition.Deadline"/>.</summary>
    public IDictionary<SiteId, TimeSpan> SiteStepDeadlines { get; } = new Dictionary<SiteId, TimeSpan>();

    /// <summary>Gates (e.g. <c>UseLotAsIs</c>) that need two distinct signers everywhere.</summary>
    public ISet<string> TwoPersonGates { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Sites where every approval needs two distinct signers.</summary>
    public ISet<SiteId> TwoPersonSites { get; } = new HashSet<SiteId>();

    /// <summary>The deadline for a workflow at a site.</summary>
    /// <param name="workflow">The workflow name.</param>
    /// <param name="site">The site.</param>
    /// <returns>The deadline.</returns>
    public TimeSpan DeadlineFor(string workflow, SiteId site) =>
        SiteDeadlines.TryGetValue(site, out var bySite) ? bySite
        : WorkflowDeadlines.TryGetValue(workflow, out var byWorkflow) ? byWorkflow
        : DefaultDeadline;

    /// <summary>How many distinct signers a gate needs at a site.</summary>
    /// <param name="gate">The gate.</param>
    /// <param name="site">The site.</param>
    /// <returns>1 or 2.</returns>
    public int SignaturesFor(string gate, SiteId site) => TwoPersonGates.Contains(gate) || TwoPersonSites.Contains(site) ? 2 : 1;

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DefaultDeadline, TimeSpan.Zero, nameof(DefaultDeadline));
        foreach (var level in Escalations)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(level.After, TimeSpan.Zero, nameof(Escalations));
        }
    }
}

/// <summary>One level of the escalation chain.</summary>
public sealed record EscalationLevel
{
    /// <summary>The role alerted.</summary>
    public required Role Role { get; init; }

    /// <summary>How long after the previous level (or the deadline, for the first) it fires.</summary>
    public required TimeSpan After { get; init; }
}
