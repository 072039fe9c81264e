using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The one place policy constraints live: a post-processing step over the decision set that no rule can bypass.
/// Release, scrap and use-as-is at a regulated site — or led to by a recommendation anywhere — become approvals.
/// </summary>
internal sealed class DecisionPolicy
{
    /// <summary>The name recorded for the regulated-site constraint.</summary>
    public const string RegulatedSiteRuleName = "mo.policy.regulated-site-approval";

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
            if (!regulated && recommendation is null)
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

            var ruleName = regulated ? RegulatedSiteRuleName : RecommendationRuleName;
            var description = regulated
                ? "At a regulated site release, scrap and use-as-is always need a human approval by the right role."
                : "A recommendation may suggest but never decide a release, scrap or use-as-is.";
            decisions[i] = new RequireApproval
            {
                Role = required,
                Site = facts.EffectiveSite,
                Reason = regulated ? ReasonCodes.ApprovalRequired : ReasonCodes.RecommendationNotAuthoritative,
                Note = description,
                Gated = decision,
                Priority = decision.Priority,
                Explanation = new DecisionExplanation([new RuleFiring(ruleName, description, PolicyRuleSetName, PolicyVersion, matched)]),
            };
        }
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
            foreach (var firing in current.Explanation.Firings)
            {
                foreach (var fact in firing.Facts)
                {
                    if (fact.Value is Recommendation recommendation)
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
