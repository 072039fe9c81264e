using ManufacturingOrchestration.Model;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules;

/// <summary>How a rule's action hands a decision to the decision engine.</summary>
public static class RuleContextExtensions
{
    /// <summary>
    /// Adds <paramref name="decision"/> to the decision set of the current evaluation, explained by the current rule,
    /// its rule set and version, and the facts the rule matched. Two rules deciding the same action are merged into one
    /// decision whose explanation names both (the higher priority wins).
    /// </summary>
    /// <param name="context">The rule's action context.</param>
    /// <param name="decision">The decision.</param>
    /// <exception cref="ManufacturingOrchestrationException">The session was not created by a <see cref="DecisionEngine"/>.</exception>
    public static void Decide(this IContext context, Decision decision)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(decision);
        if (context.Resolve(typeof(DecisionCollector)) is not DecisionCollector collector)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleEvaluationFailed, "Decide was called outside a decision engine evaluation.");
        }

        collector.Add(context, decision);
    }
}
