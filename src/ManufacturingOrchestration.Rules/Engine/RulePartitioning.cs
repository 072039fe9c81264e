using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules;

/// <summary>The fact types a rule declares anywhere in its conditions (patterns, negations, existentials, aggregates).</summary>
internal static class RuleFactTypes
{
    /// <summary>The declared fact types, or <see langword="null"/> when the conditions hold an element this walk does not know.</summary>
    public static HashSet<Type>? Collect(IRuleDefinition rule) => Collect(rule.LeftHandSide);

    /// <summary>The fact types declared in one element, or <see langword="null"/> when it holds an element this walk does not know.</summary>
    public static HashSet<Type>? Collect(RuleElement element)
    {
        var types = new HashSet<Type>();
        return Walk(element, types) ? types : null;
    }

    private static bool Walk(RuleElement? element, HashSet<Type> types)
    {
        switch (element)
        {
            case null:
                return true;
            case PatternElement pattern:
                types.Add(pattern.ValueType);
                return Walk(pattern.Source, types);
            case GroupElement group:
                foreach (var child in group.ChildElements)
                {
                    if (!Walk(child, types))
                    {
                        return false;
                    }
                }

                return true;
            case NotElement not:
                return Walk(not.Source, types);
            case ExistsElement exists:
                return Walk(exists.Source, types);
            case ForAllElement forAll:
                return Walk(forAll.BasePattern, types) && forAll.Patterns.All(p => Walk(p, types));
            case AggregateElement aggregate:
                return Walk(aggregate.Source, types);
            case BindingElement:
                return true;
            default:
                return false;
        }
    }
}

/// <summary>Which facts a compiled partition has any use for: facts no rule declares are not inserted at all.</summary>
internal sealed class FactFilter
{
    private readonly Type[] _declared;
    private readonly bool _acceptAll;

    public FactFilter(IEnumerable<Type> declared, bool acceptAll)
    {
        _declared = declared.Distinct().ToArray();
        _acceptAll = acceptAll;
        Site = Accepts(typeof(SiteProfile));
        Lot = Accepts(typeof(MaterialLot));
        Material = Accepts(typeof(MaterialDefinition));
        Order = Accepts(typeof(ProductionOrder));
        SupplierHistory = Accepts(typeof(SupplierQualityHistory));
        Allocations = Accepts(typeof(OpenAllocations));
        Genealogy = Accepts(typeof(LotGenealogy));
        CustomerRequirements = Accepts(typeof(LotCustomerRequirements));
        ScrapWindow = Accepts(typeof(ScrapWindow));
        CountTolerances = Accepts(typeof(CountToleranceProfile));
        CountAuthority = Accepts(typeof(CountAuthority));
        Recommendation = Accepts(typeof(Recommendation));
        Envelope = Accepts(typeof(EventEnvelope));
    }

    public static FactFilter All { get; } = new([], acceptAll: true);

    public bool Site { get; }

    public bool Lot { get; }

    public bool Material { get; }

    public bool Order { get; }

    public bool SupplierHistory { get; }

    public bool Allocations { get; }

    public bool Genealogy { get; }

    public bool CustomerRequirements { get; }

    public bool ScrapWindow { get; }

    public bool CountTolerances { get; }

    public bool CountAuthority { get; }

    public bool Recommendation { get; }

    public bool Envelope { get; }

    public bool Accepts(Type factType)
    {
        if (_acceptAll)
        {
            return true;
        }

        foreach (var declared in _declared)
        {
            if (declared.IsAssignableFrom(factType))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The rules in force at a site (the global set, or the global set with an overlay), compiled into one partition per
/// event payload type: an event only meets the rules that can match it, and only the facts those rules declare are
/// inserted. Rules that declare no payload type (or the <see cref="EventPayload"/> base) are in every partition.
/// </summary>
internal sealed class SiteRuleSet
{
    private readonly Dictionary<Type, CompiledRuleSet> _byEvent;
    private readonly CompiledRuleSet _other;
    private readonly Lazy<SiteRuleSet>? _asWritten;

    public SiteRuleSet(string name, string version, IReadOnlyList<string> ruleNames, Dictionary<Type, CompiledRuleSet> byEvent, CompiledRuleSet other, Lazy<SiteRuleSet>? asWritten = null)
    {
        Name = name;
        Version = version;
        RuleNames = ruleNames;
        _byEvent = byEvent;
        _other = other;
        _asWritten = asWritten;
    }

    public string Name { get; }

    public string Version { get; }

    public IReadOnlyList<string> RuleNames { get; }

    /// <summary>
    /// The partition for an evaluation. A set compiled without the customer gates (<see cref="CustomerGates"/>) hands an
    /// evaluation that brings a <see cref="LotCustomerRequirements"/> of its own to the rules as written, compiled on first use.
    /// </summary>
    public CompiledRuleSet For(FactSet facts) =>
        (_asWritten is not null && facts.HasAdditionalFact<LotCustomerRequirements>() ? _asWritten.Value : this).For(facts.EffectiveEvent);

    public CompiledRuleSet For(EventPayload? payload) =>
        payload is not null && _byEvent.TryGetValue(payload.GetType(), out var partition) ? partition : _other;
}
