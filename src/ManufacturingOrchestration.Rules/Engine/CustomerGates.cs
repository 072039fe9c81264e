using NRules.RuleModel;
using NRules.RuleModel.Builders;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The rules as they read when no customer has quality requirements. The engine then never inserts a
/// <see cref="LotCustomerRequirements"/> fact, so a rule's last condition "no such fact for this lot" (the release rules'
/// gate) always holds. Compiled without that condition, the network has five nodes fewer on the rule's path for every
/// evaluation's facts to pass through, on insert and on retract, and decides the same: the same rules fire on the same
/// facts in the same order.
/// </summary>
/// <remarks>
/// <para>The order is the subtle part. NRules fires rules of equal priority in the order their activations were made,
/// which follows the order in which rules share and attach network nodes. Removing a rule's last negated pattern only
/// moves the rule's own terminal up to the node the negation hung from, in the same place among that node's children,
/// provided every rule that negates the fact is compiled next to the others (rules with an identical negation share
/// one negation node). Anything else is left as written: a negation that is not the last condition, a rule that
/// matches the fact (it never fires, but its nodes are shared with other rules in the order they were made), and the
/// whole rule set when the rules that negate the fact are not contiguous.</para>
/// <para>A caller can still hand the engine such a fact of its own (<see cref="FactSet.AdditionalFacts"/>): that
/// evaluation then runs on the rules as written.</para>
/// </remarks>
internal static class CustomerGates
{
    /// <summary>
    /// The rules without their customer gates, in the same order, or <see langword="null"/> when there is nothing to
    /// remove or it cannot be removed without changing the order in which rules fire.
    /// </summary>
    public static List<T>? Remove<T>(List<T> rules, Func<T, IRuleDefinition> definition, Func<T, IRuleDefinition, T> with)
    {
        int first = -1, last = -1, gated = 0;
        for (var i = 0; i < rules.Count; i++)
        {
            if (Negates(definition(rules[i]).LeftHandSide))
            {
                first = first < 0 ? i : first;
                last = i;
                gated++;
            }
        }

        if (gated == 0 || last - first + 1 != gated)
        {
            return null;
        }

        var result = new List<T>(rules.Count);
        foreach (var rule in rules)
        {
            var ungated = WithoutGate(definition(rule));
            result.Add(ungated is null ? rule : with(rule, ungated));
        }

        return result;
    }

    /// <summary>The rule without its last condition when that is the gate, else <see langword="null"/>.</summary>
    private static IRuleDefinition? WithoutGate(IRuleDefinition rule)
    {
        if (rule.LeftHandSide is not AndElement and || and.ChildElements.Count < 2 || !IsGate(and.ChildElements[^1]))
        {
            return null;
        }

        var kept = new List<RuleElement>(and.ChildElements.Count - 1);
        for (var i = 0; i < and.ChildElements.Count - 1; i++)
        {
            if (Negates(and.ChildElements[i]))
            {
                return null;
            }

            kept.Add(and.ChildElements[i]);
        }

        return Element.RuleDefinition(
            rule.Name,
            rule.Description,
            rule.Priority,
            rule.Repeatability,
            rule.Tags,
            rule.Properties,
            rule.DependencyGroup,
            Element.AndGroup(kept),
            rule.FilterGroup,
            rule.RightHandSide);
    }

    private static bool IsGate(RuleElement element) =>
        element is NotElement { Source: PatternElement { Source: null } pattern } && pattern.ValueType == typeof(LotCustomerRequirements);

    /// <summary>Whether an element reads the fact in any way but a plain positive pattern (which only ever fails to match).</summary>
    private static bool Negates(RuleElement element)
    {
        switch (element)
        {
            case PatternElement { Source: null } pattern:
                return false;
            case GroupElement group:
                foreach (var child in group.ChildElements)
                {
                    if (Negates(child))
                    {
                        return true;
                    }
                }

                return false;
            default:
                var types = RuleFactTypes.Collect(element);
                if (types is null)
                {
                    return true;
                }

                foreach (var type in types)
                {
                    if (type.IsAssignableFrom(typeof(LotCustomerRequirements)))
                    {
                        return true;
                    }
                }

                return false;
        }
    }
}
