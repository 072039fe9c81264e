using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// How the shipped release paths hand release authority to the decision policy, the one place it is decided: each path
/// looks up whoever its event names as releasing or authorizing (<see cref="ResolveAsync"/>) and passes them to the rules
/// (<see cref="FactSet.Actors"/>), and the policy gates the release — finished goods, MRB use-as-is, a drift correction
/// towards a less restrictive category — behind an approval by the approving role when the claimant is unknown, a system
/// or lacks the role at the site, and always at a regulated site. An incoming-inspection release names no claimant (the
/// rules release on a measured result) and is gated at a regulated site only.
/// </summary>
internal static class ReleaseAuthority
{
    /// <summary>Looks the claimants up in the actor directory and keeps those found as <see cref="ScenarioFactKeys.Claimants"/>.</summary>
    public static async ValueTask ResolveAsync(ScenarioServices services, StepContext ctx, IEnumerable<ActorId?> claimants, CancellationToken cancellationToken)
    {
        var found = new List<Actor>();
        foreach (var id in claimants.OfType<ActorId>().Distinct())
        {
            if (await services.Actors.FindAsync(id, cancellationToken).ConfigureAwait(false) is { } actor)
            {
                found.Add(actor);
            }
        }

        ctx.SetFact(ScenarioFactKeys.Claimants, found);
    }

    /// <summary>The claimants resolved for this event (none when the step did not resolve any).</summary>
    public static IReadOnlyList<Actor> Claimants(StepContext ctx) => ctx.GetFact(ScenarioFactKeys.Claimants) ?? [];
}
