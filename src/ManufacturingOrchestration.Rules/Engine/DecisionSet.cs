namespace ManufacturingOrchestration.Rules;

/// <summary>The decisions of one evaluation, after policy constraints, with the rule set and version that decided.</summary>
public sealed class DecisionSet
{
    internal DecisionSet(IReadOnlyList<Decision> decisions, string ruleSetName, string ruleSetVersion)
    {
        Decisions = decisions;
        RuleSetName = ruleSetName;
        RuleSetVersion = ruleSetVersion;
    }

    /// <summary>The decisions, in the order the rules made them.</summary>
    public IReadOnlyList<Decision> Decisions { get; }

    /// <summary>The name of the rule set that decided: the global set, or the global set with a site overlay.</summary>
    public string RuleSetName { get; }

    /// <summary>The version of the rule set that decided, such as <c>mo.standard@1.0.0+plant-7@2026.2</c>.</summary>
    public string RuleSetVersion { get; }

    /// <summary>The number of decisions.</summary>
    public int Count => Decisions.Count;

    /// <summary>Whether there are no decisions.</summary>
    public bool IsEmpty => Decisions.Count == 0;

    /// <summary>The decisions of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The decision type.</typeparam>
    /// <returns>The decisions, in order.</returns>
    public IReadOnlyList<T> OfType<T>()
        where T : Decision
    {
        List<T>? result = null;
        foreach (var decision in Decisions)
        {
            if (decision is T typed)
            {
                (result ??= []).Add(typed);
            }
        }

        return result ?? (IReadOnlyList<T>)[];
    }

    /// <summary>Whether there is a decision of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The decision type.</typeparam>
    /// <returns><see langword="true"/> when there is one.</returns>
    public bool Contains<T>()
        where T : Decision
    {
        foreach (var decision in Decisions)
        {
            if (decision is T)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The approvals whose gated action is of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The gated decision type.</typeparam>
    /// <returns>The approvals, in order.</returns>
    public IReadOnlyList<RequireApproval> ApprovalsGating<T>()
        where T : Decision
    {
        List<RequireApproval>? result = null;
        foreach (var decision in Decisions)
        {
            if (decision is RequireApproval approval && approval.GatedAction is T)
            {
                (result ??= []).Add(approval);
            }
        }

        return result ?? (IReadOnlyList<RequireApproval>)[];
    }

    /// <summary>The names of the rules that produced the decisions, without duplicates, in order.</summary>
    public IReadOnlyList<string> RuleNames =>
        Decisions.SelectMany(d => d.Explanation.Firings).Select(f => f.RuleName).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Every decision and its explanation, for people and the audit trail.</summary>
    /// <returns>The description.</returns>
    /// <remarks>The text is covered by the audit record's hash; it is written once, here, without intermediate strings.</remarks>
    public string Describe() => DecisionTexts.Describe(this);
}
