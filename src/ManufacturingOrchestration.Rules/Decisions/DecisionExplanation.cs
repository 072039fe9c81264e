namespace ManufacturingOrchestration.Rules;

/// <summary>A fact a rule matched: the rule's variable name and the fact itself.</summary>
public sealed class MatchedFact
{
    /// <summary>Creates a matched fact.</summary>
    /// <param name="name">The variable name the rule declared for the fact.</param>
    /// <param name="value">The fact.</param>
    public MatchedFact(string name, object value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
    }

    /// <summary>The variable name the rule declared for the fact.</summary>
    public string Name { get; }

    /// <summary>The fact.</summary>
    public object Value { get; }

    /// <summary>A readable description: the variable name and the fact as <see cref="FactDescriptions.Describe(object)"/> writes it.</summary>
    /// <returns>The description.</returns>
    public string Describe() => Name + " = " + FactDescriptions.Describe(Value);

    /// <inheritdoc />
    public override string ToString() => Describe();
}

/// <summary>One firing of one rule: which rule, from which rule set and version, on which facts.</summary>
public sealed class RuleFiring
{
    /// <summary>Creates a rule firing.</summary>
    /// <param name="ruleName">The rule name.</param>
    /// <param name="ruleDescription">The rule description, if any.</param>
    /// <param name="ruleSetName">The name of the rule set the rule came from (global set or site overlay).</param>
    /// <param name="ruleSetVersion">The version of that rule set.</param>
    /// <param name="facts">The facts the rule matched.</param>
    public RuleFiring(string ruleName, string? ruleDescription, string ruleSetName, string ruleSetVersion, IReadOnlyList<MatchedFact> facts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ruleName);
        ArgumentNullException.ThrowIfNull(ruleSetName);
        ArgumentNullException.ThrowIfNull(ruleSetVersion);
        ArgumentNullException.ThrowIfNull(facts);
        RuleName = ruleName;
        RuleDescription = string.IsNullOrEmpty(ruleDescription) ? null : ruleDescription;
        RuleSetName = ruleSetName;
        RuleSetVersion = ruleSetVersion;
        Facts = facts;
    }

    /// <summary>The rule name.</summary>
    public string RuleName { get; }

    /// <summary>The rule description, if any.</summary>
    public string? RuleDescription { get; }

    /// <summary>The name of the rule set the rule came from (the global set or a site overlay).</summary>
    public string RuleSetName { get; }

    /// <summary>The version of that rule set.</summary>
    public string RuleSetVersion { get; }

    /// <summary>The facts the rule matched.</summary>
    public IReadOnlyList<MatchedFact> Facts { get; }

    /// <summary>A readable description of the firing.</summary>
    /// <returns>The description.</returns>
    public string Describe() => DecisionTexts.Describe(this);

    /// <inheritdoc />
    public override string ToString() => Describe();
}

/// <summary>Why a decision was made: the rule firings that produced it, in order.</summary>
public sealed class DecisionExplanation
{
    /// <summary>Creates an explanation.</summary>
    /// <param name="firings">The rule firings.</param>
    public DecisionExplanation(IReadOnlyList<RuleFiring> firings)
    {
        ArgumentNullException.ThrowIfNull(firings);
        Firings = firings;
    }

    /// <summary>An explanation with no firings (a decision not yet produced by the engine).</summary>
    public static DecisionExplanation Empty { get; } = new([]);

    /// <summary>The rule firings that produced the decision.</summary>
    public IReadOnlyList<RuleFiring> Firings { get; }

    /// <summary>The names of the rules that produced the decision.</summary>
    public IEnumerable<string> RuleNames => Firings.Select(f => f.RuleName);

    /// <summary>Whether a rule with the given name contributed to the decision.</summary>
    /// <param name="ruleName">The rule name.</param>
    /// <returns><see langword="true"/> when it did.</returns>
    public bool Includes(string ruleName)
    {
        foreach (var firing in Firings)
        {
            if (string.Equals(firing.RuleName, ruleName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether any firing matched a fact of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The fact type.</typeparam>
    /// <returns><see langword="true"/> when one did.</returns>
    public bool Matched<T>()
    {
        foreach (var firing in Firings)
        {
            foreach (var fact in firing.Facts)
            {
                if (fact.Value is T)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A readable description of every firing, one per line.</summary>
    /// <returns>The description.</returns>
    public string Describe() => DecisionTexts.Describe(this);

    /// <inheritdoc />
    public override string ToString() => Describe();

    internal DecisionExplanation With(RuleFiring firing)
    {
        var firings = new RuleFiring[Firings.Count + 1];
        for (var i = 0; i < Firings.Count; i++)
        {
            firings[i] = Firings[i];
        }

        firings[^1] = firing;
        return new DecisionExplanation(firings);
    }
}
