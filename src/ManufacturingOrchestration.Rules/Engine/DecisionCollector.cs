using ManufacturingOrchestration.Model;
using NRules.Extensibility;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules;

/// <summary>The rule set a compiled rule came from.</summary>
internal sealed class RuleOrigin
{
    public RuleOrigin(string ruleSetName, string ruleSetVersion)
    {
        RuleSetName = ruleSetName;
        RuleSetVersion = ruleSetVersion;
    }

    public string RuleSetName { get; }

    public string RuleSetVersion { get; }
}

/// <summary>
/// Collects the decisions of one evaluation. One instance per evaluation, used by one thread; it is the session's
/// dependency resolver, which is how <see cref="RuleContextExtensions.Decide"/> finds it without ambient state.
/// </summary>
internal sealed class DecisionCollector : IDependencyResolver
{
    private readonly IReadOnlyDictionary<string, RuleOrigin> _origins;
    private readonly RuleOrigin _fallbackOrigin;
    private readonly List<Decision> _decisions = new(8);
    private IMatch? _lastMatch;
    private RuleFiring? _lastFiring;

    public DecisionCollector(IReadOnlyDictionary<string, RuleOrigin> origins, RuleOrigin fallbackOrigin)
    {
        _origins = origins;
        _fallbackOrigin = fallbackOrigin;
    }

    public List<Decision> Decisions => _decisions;

    public object Resolve(IResolutionContext context, Type serviceType)
    {
        if (serviceType == typeof(DecisionCollector))
        {
            return this;
        }

        throw new ManufacturingOrchestrationException(ReasonCodes.RuleEvaluationFailed, $"The decision engine resolves no service of type {serviceType}.");
    }

    public void Add(IContext context, Decision decision)
    {
        var firing = FiringFor(context);
        for (var i = 0; i < _decisions.Count; i++)
        {
            var existing = _decisions[i];
            if (existing.GetType() == decision.GetType() && existing.IsSameActionAs(decision))
            {
                if (decision.Priority > existing.Priority)
                {
                    // The higher priority wins: keep the new instance, carry over the earlier reasons.
                    decision.Explanation = existing.Explanation.With(firing);
                    _decisions[i] = decision;
                }
                else
                {
                    existing.Explanation = existing.Explanation.With(firing);
                }

                return;
            }
        }

        decision.Explanation = new DecisionExplanation([firing]);
        _decisions.Add(decision);
    }

    private RuleFiring FiringFor(IContext context)
    {
        var match = context.Match;
        if (ReferenceEquals(match, _lastMatch) && _lastFiring is not null)
        {
            return _lastFiring;
        }

        var rule = context.Rule;
        var origin = _origins.TryGetValue(rule.Name, out var found) ? found : _fallbackOrigin;
        var facts = MatchedFacts(match);

        var firing = new RuleFiring(rule.Name, rule.Description, origin.RuleSetName, origin.RuleSetVersion, facts);
        _lastMatch = match;
        _lastFiring = firing;
        return firing;
    }

    // The facts a rule matched, in declaration order, without the empty ones (negated patterns): an array of the exact size.
    private static MatchedFact[] MatchedFacts(IMatch match)
    {
        if (match.Facts is not IReadOnlyList<IFactMatch> all)
        {
            all = [.. match.Facts];
        }

        var count = 0;
        for (var i = 0; i < all.Count; i++)
        {
            count += all[i].Value is null ? 0 : 1;
        }

        var facts = new MatchedFact[count];
        var next = 0;
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Value is { } value)
            {
                facts[next++] = new MatchedFact(all[i].Declaration.Name, value);
            }
        }

        return facts;
    }
}
