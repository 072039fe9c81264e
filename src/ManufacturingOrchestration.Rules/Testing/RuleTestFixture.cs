using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Testing;

/// <summary>
/// A small harness for testing rules: compile just the rules under test (with the same policy constraints as production),
/// evaluate a fact set, and see which rules fired and which decisions came out.
/// </summary>
/// <example>
/// <code>
/// var fixture = new RuleTestFixture(typeof(MyRule));
/// var result = fixture.Evaluate(new FactSet { Event = failed, Site = site });
/// result.Fired(MyRule.RuleName).Should().BeTrue();
/// result.Decisions.OfType&lt;NotifyProcurement&gt;().Should().ContainSingle();
/// </code>
/// </example>
public sealed class RuleTestFixture
{
    /// <summary>Creates a fixture over the given rule classes, with the default policy.</summary>
    /// <param name="ruleTypes">The rules under test.</param>
    public RuleTestFixture(params Type[] ruleTypes)
        : this(builder => builder.AddRules(ruleTypes))
    {
    }

    /// <summary>Creates a fixture over an engine configured by <paramref name="configure"/> (rule sets, overlays, policy).</summary>
    /// <param name="configure">Configures the builder.</param>
    public RuleTestFixture(Action<DecisionEngineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new DecisionEngineBuilder().WithRuleSet("test", "0");
        configure(builder);
        Engine = builder.Build();
    }

    /// <summary>The engine under test.</summary>
    public DecisionEngine Engine { get; }

    /// <summary>Evaluates the facts and records every rule that fired, whether or not it decided anything.</summary>
    /// <param name="facts">The facts.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>The result.</returns>
    public RuleTestResult Evaluate(FactSet facts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var fired = new List<string>();
        var decisions = Engine.Decide(facts, session => session.Events.RuleFiredEvent += (_, e) => fired.Add(e.Rule.Name), cancellationToken);
        return new RuleTestResult(fired, decisions);
    }

    /// <summary>Evaluates the facts and asserts that a rule fired.</summary>
    /// <param name="facts">The facts.</param>
    /// <param name="ruleName">The rule that must fire.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The rule did not fire.</exception>
    public RuleTestResult AssertFires(FactSet facts, string ruleName)
    {
        var result = Evaluate(facts);
        if (!result.Fired(ruleName))
        {
            throw new ManufacturingOrchestrationException(
                ReasonCodes.RuleEvaluationFailed,
                $"Expected rule '{ruleName}' to fire, but fired: [{string.Join(", ", result.FiredRules)}].");
        }

        return result;
    }
}

/// <summary>What one evaluation in a <see cref="RuleTestFixture"/> did.</summary>
public sealed class RuleTestResult
{
    internal RuleTestResult(IReadOnlyList<string> firedRules, DecisionSet decisions)
    {
        FiredRules = firedRules;
        Decisions = decisions;
    }

    /// <summary>The rules that fired, in firing order (a rule firing twice appears twice).</summary>
    public IReadOnlyList<string> FiredRules { get; }

    /// <summary>The decision set, after policy constraints.</summary>
    public DecisionSet Decisions { get; }

    /// <summary>Whether the rule fired.</summary>
    /// <param name="ruleName">The rule name.</param>
    /// <returns><see langword="true"/> when it fired at least once.</returns>
    public bool Fired(string ruleName) => FireCount(ruleName) > 0;

    /// <summary>How often the rule fired.</summary>
    /// <param name="ruleName">The rule name.</param>
    /// <returns>The count.</returns>
    public int FireCount(string ruleName)
    {
        var count = 0;
        foreach (var fired in FiredRules)
        {
            if (string.Equals(fired, ruleName, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}
