using System.ComponentModel.DataAnnotations;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// How approvals are governed: the two-person rule (per gate and site), deadlines (per workflow, overridable per
/// site) and the escalation chain when a deadline passes.
/// </summary>
/// <remarks>
/// Part of the orchestrator's settings (<see cref="Execution.OrchestratorSettings.Approvals"/>). From configuration only
/// <see cref="DefaultDeadline"/>, <see cref="WorkflowDeadlines"/>, <see cref="TwoPersonGates"/>,
/// <see cref="ReauthenticationWindow"/> and <see cref="SuperiorRoles"/> are read; the
/// site-keyed parts and <see cref="Escalations"/> hold typed values the configuration binder cannot create, so they are
/// set in code.
/// </remarks>
public sealed class ApprovalOptions
{
    /// <summary>The deadline of an approval when nothing more specific is configured; positive. Default 4 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Deadlines per workflow name.</summary>
    public IDictionary<string, TimeSpan> WorkflowDeadlines { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>Deadlines per site, overriding the workflow's.</summary>
    public IDictionary<SiteId, TimeSpan> SiteDeadlines { get; } = new Dictionary<SiteId, TimeSpan>();

    /// <summary>
    /// Who is alerted at each escalation level, and after how long past the previous level (level 1 at the deadline).
    /// Default: the quality manager at the deadline, then the plant supervisor two hours later.
    /// </summary>
    [ValidateEnumeratedItems]
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

    /// <summary>
    /// How recently a signer must have authenticated (<see cref="AuthenticatedIdentity.AuthenticatedAt"/>) to sign;
    /// positive. Default 5 minutes: the host asks for credentials again when a person signs after a longer session.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan ReauthenticationWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The roles that carry at least the authority of a role, by role name: a holder of one of them may sign for the
    /// role, an approval may be reassigned or delegated to them, never to a role not listed (authority is kept or
    /// raised, never lowered). The relation is transitive. Default: an operator's or warehouse lead's approvals can be
    /// taken by a supervisor, a quality engineer's by a quality manager.
    /// </summary>
    public IDictionary<string, IList<string>> SuperiorRoles { get; } = new Dictionary<string, IList<string>>(StringComparer.Ordinal)
    {
        [Role.Operator.Name] = [Role.Supervisor.Name],
        [Role.WarehouseLead.Name] = [Role.Supervisor.Name],
        [Role.QualityEngineer.Name] = [Role.QualityManager.Name],
    };

    /// <summary>Whether <paramref name="candidate"/> carries at least the authority of <paramref name="required"/>: the same role, or one of its superior roles (transitively).</summary>
    /// <param name="candidate">The role offered.</param>
    /// <param name="required">The role needed.</param>
    /// <returns><see langword="true"/> when the candidate role is enough.</returns>
    public bool Satisfies(Role candidate, Role required)
    {
        if (candidate == required)
        {
            return true;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { required.Name };
        var frontier = new Queue<string>();
        frontier.Enqueue(required.Name);
        while (frontier.TryDequeue(out var role))
        {
            if (!SuperiorRoles.TryGetValue(role, out var superiors))
            {
                continue;
            }

            foreach (var superior in superiors)
            {
                if (string.Equals(superior, candidate.Name, StringComparison.Ordinal))
                {
                    return true;
                }

                if (seen.Add(superior))
                {
                    frontier.Enqueue(superior);
                }
            }
        }

        return false;
    }

    /// <summary>Whether an actor holds, at a site, the required role or a role that carries at least its authority (<see cref="Satisfies"/>).</summary>
    /// <param name="actor">The actor.</param>
    /// <param name="required">The role needed.</param>
    /// <param name="site">The site.</param>
    /// <returns><see langword="true"/> when one of the actor's roles at the site is enough.</returns>
    public bool HasAuthority(Actor actor, Role required, SiteId site)
    {
        ArgumentNullException.ThrowIfNull(actor);
        foreach (var assignment in actor.Roles)
        {
            if ((assignment.Site is null || assignment.Site == site) && Satisfies(assignment.Role, required))
            {
                return true;
            }
        }

        return false;
    }

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

    /// <summary>A copy whose collections can be changed without changing this one's.</summary>
    internal ApprovalOptions Clone()
    {
        var copy = new ApprovalOptions { DefaultDeadline = DefaultDeadline, ReauthenticationWindow = ReauthenticationWindow };
        copy.SuperiorRoles.Clear();
        foreach (var (role, superiors) in SuperiorRoles)
        {
            copy.SuperiorRoles[role] = [.. superiors];
        }

        CopyInto(WorkflowDeadlines, copy.WorkflowDeadlines);
        CopyInto(SiteDeadlines, copy.SiteDeadlines);
        CopyInto(SiteStepDeadlines, copy.SiteStepDeadlines);
        copy.Escalations.Clear();
        CopyInto(Escalations, copy.Escalations);
        CopyInto(TwoPersonGates, copy.TwoPersonGates);
        CopyInto(TwoPersonSites, copy.TwoPersonSites);
        return copy;
    }

    private static void CopyInto<T>(IEnumerable<T> source, ICollection<T> target)
    {
        foreach (var item in source)
        {
            target.Add(item);
        }
    }
}

/// <summary>One level of the escalation chain.</summary>
public sealed record EscalationLevel
{
    /// <summary>The role alerted.</summary>
    public required Role Role { get; init; }

    /// <summary>How long after the previous level (or the deadline, for the first) it fires; not negative.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public required TimeSpan After { get; init; }
}
