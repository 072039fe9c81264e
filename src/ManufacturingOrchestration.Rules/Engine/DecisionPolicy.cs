using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The one place policy constraints live: a post-processing step over the decision set that no rule can bypass.
/// Release, scrap and use-as-is at a regulated site — or led to by a recommendation anywhere — become approvals; and
/// anywhere, a release or use-as-is whose claimant (<see cref="Decision.Claimant"/>: who the event says released or
/// authorized it) is unknown to the actor directory, a system, or lacks the approving role at the site becomes an
/// approval too. Every release path — incoming inspection, finished goods, MRB use-as-is, drift correction — goes through
/// here: the workflows hand their decisions to the engine (<see cref="DecisionEngine.Decide(FactSet, CancellationToken)"/>
/// or <see cref="DecisionEngine.Govern"/>) and never decide authority themselves.
/// </summary>
internal sealed class DecisionPolicy
{
    /// <summary>The name recorded for the regulated-site constraint.</summary>
    public const string RegulatedSiteRuleName = "mo.policy.regulated-site-approval";

    /// <summary>The name recorded for the release-authority constraint (a claimed releaser or authorizer not verified).</summary>
    public const string ReleaseAuthorityRuleName = "mo.policy.release-authority";

    /// <summary>The name recorded for the recommendation constraint.</summary>
    public const string RecommendationRuleName = "mo.policy.recommendation-approval";

    /// <summary>The rule set name recorded for policy constraints.</summary>
    public const string PolicyRuleSetName = "mo.policy";

    /// <summary>The version of the policy constraints.</summary>
    public const string PolicyVersion = "1";

    private readonly DecisionPolicyOptions _options;

    public DecisionPolicy(DecisionPolicyOptions options)
    {
        _options = options;
    }

    public void Apply(List<Decision> decisions, FactSet facts)
    {
        for (var i = 0; i < decisions.Count; i++)
        {
            var decision = decisions[i];
            var action = decision is RequireApproval approval ? approval.GatedAction : decision;
            var role = ApproverFor(action);
            if (role is not { } required)
            {
                continue;
            }

            // No silent default: without the site's profile nobody can tell whether the action needs an approval, and an
            // approval request nobody expects would leave the lot waiting without a word. Refused, naming the site.
            if (facts.Site is not { } site)
            {
                throw new ManufacturingOrchestrationException(
                    ReasonCodes.SiteProfileMissing,
                    $"{decision.Describe()} was decided without the profile of site {(facts.EffectiveSite ?? facts.Lot?.Site)?.Value ?? "(none named)"}: set FactSet.Site to the site's profile (the shipped workflows read it from the registered sites).");
            }

            var regulated = site.IsRegulated;
            var recommendation = FindRecommendation(decision);
            var unverified = regulated || recommendation is not null ? null : UnverifiedClaim(action, required, site, facts);
            if (!regulated && recommendation is null && unverified is null)
            {
                continue;
            }

            if (decision is RequireApproval existing && existing.RequiresRole(required))
            {
                continue;
            }

            var matched = new List<MatchedFact>(3) { new("decision", decision) };
            if (facts.Site is not null)
            {
                matched.Add(new MatchedFact("site", facts.Site));
            }

            if (recommendation is not null)
            {
                matched.Add(new MatchedFact("recommendation", recommendation));
            }

            var (ruleName, description, reason) = regulated
                ? (RegulatedSiteRuleName, "At a regulated site release, scrap and use-as-is always need a human approval by the right role.", ReasonCodes.ApprovalRequired)
                : recommendation is not null
                    ? (RecommendationRuleName, "A recommendation may suggest but never decide a release, scrap or use-as-is.", ReasonCodes.RecommendationNotAuthoritative)
                    : (ReleaseAuthorityRuleName, $"A release or use-as-is named in an event is a claim, not a signature: {unverified}, so a person holding {required} at {site.Id} must approve.", ReasonCodes.ReleaseAuthorityUnverified);
            decisions[i] = new RequireApproval
            {
                Role = required,
                Site = facts.EffectiveSite,
                Reason = reason,
                Note = description,
                Gated = decision,
                Priority = decision.Priority,
                Explanation = new DecisionExplanation([new RuleFiring(ruleName, description, PolicyRuleSetName, PolicyVersion, matched)]),
            };
        }
    }

    /// <summary>
    /// Release authority, checked the same way for every release path: a release or use-as-is whose
    /// <see cref="Decision.Claimant"/> is unknown to the directory (<see cref="FactSet.Actors"/>), is a system account,
    /// or does not hold the approving role at the site is not authorized by that claim. <see langword="null"/> when the
    /// decision names no claimant (the rules decided it from a result) or the claimant holds the role.
    /// </summary>
    internal static string? UnverifiedClaim(Decision action, Role required, SiteProfile site, FactSet facts)
    {
        if (action.Governance is not (GovernedAction.Release or GovernedAction.Deviation) || action.Claimant is not { } claimant)
        {
            return null;
        }

        Actor? actor = null;
        foreach (var candidate in facts.Actors)
        {
            if (candidate.Id == claimant)
            {
                actor = candidate;
                break;
            }
        }

        return actor switch
        {
            null => $"{claimant} is not known to the actor directory",
            { IsSystem: true } => $"{claimant} is a system, not a person",
            _ when !actor.HoldsRole(required, site.Id) => $"{claimant} does not hold {required} at {site.Id}",
            _ => null,
        };
    }

    private Role? ApproverFor(Decision action) => action.Governance switch
    {
        GovernedAction.Release => _options.ReleaseApprover,
        GovernedAction.Scrap => _options.ScrapApprover,
        GovernedAction.Deviation => _options.DeviationApprover,
        _ => null,
    };

    private static Recommendation? FindRecommendation(Decision decision)
    {
        Decision? current = decision;
        while (current is not null)
        {
            // Indexed: no enumerator boxed per decision on every evaluation.
            var firings = current.Explanation.Firings;
            for (var f = 0; f < firings.Count; f++)
            {
                var facts = firings[f].Facts;
                for (var i = 0; i < facts.Count; i++)
                {
                    if (facts[i].Value is Recommendation recommendation)
                    {
                        return recommendation;
                    }
                }
            }

            current = (current as RequireApproval)?.Gated;
        }

        return null;
    }
}
