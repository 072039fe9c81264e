using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Model;
using Stateless.Graph;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>
/// Writes a machine's transition table as a Mermaid <c>stateDiagram-v2</c> or as Graphviz DOT. Output is
/// deterministic (states in declaration order, transitions in configuration order), so a document that embeds it
/// can be checked for staleness by a test.
/// </summary>
/// <remarks>
/// Labels read <c>Trigger [reason.code]</c>: the bracket names the reason code returned when that guard fails.
/// Internal transitions (the state does not change, the object does) are drawn as self-loops marked <c>(internal)</c>;
/// dynamic transitions are drawn once per possible destination with its criterion.
/// </remarks>
internal static class StateGraph
{
    public static string ToMermaid(StateMachineInfo info, Func<string, bool>? includeTrigger = null)
    {
        var builder = new StringBuilder();
        builder.Append("stateDiagram-v2\n");
        builder.Append(CultureInfo.InvariantCulture, $"    [*] --> {info.InitialState.UnderlyingState}\n");
        foreach (var state in info.States)
        {
            var from = state.UnderlyingState.ToString();
            foreach (var transition in state.FixedTransitions)
            {
                var trigger = transition.Trigger.UnderlyingTrigger.ToString()!;
                if (includeTrigger is not null && !includeTrigger(trigger))
                {
                    continue;
                }

                var to = transition.IsInternalTransition ? from : transition.DestinationState.UnderlyingState.ToString();
                builder.Append(CultureInfo.InvariantCulture, $"    {from} --> {to} : {Label(trigger, transition, transition.IsInternalTransition, null)}\n");
            }

            foreach (var transition in state.DynamicTransitions)
            {
                var trigger = transition.Trigger.UnderlyingTrigger.ToString()!;
                if (includeTrigger is not null && !includeTrigger(trigger))
                {
                    continue;
                }

                foreach (var destination in transition.PossibleDestinationStates ?? [])
                {
                    builder.Append(CultureInfo.InvariantCulture, $"    {from} --> {destination.DestinationState} : {Label(trigger, transition, false, destination.Criterion)}\n");
                }
            }
        }

        return builder.ToString();
    }

    public static string ToDot(StateMachineInfo info) => UmlDotGraph.Format(info);

    private static string Label(string trigger, TransitionInfo transition, bool isInternal, string? criterion)
    {
        var label = new StringBuilder(trigger);
        if (!string.IsNullOrEmpty(criterion))
        {
            label.Append(CultureInfo.InvariantCulture, $" when {criterion}");
        }

        var guards = transition.GuardConditionsMethodDescriptions?
            .SelectMany(g => g.Description?.Split(", ") ?? [])
            .Where(d => ReasonCodes.TryFind(d, out _))
            .ToList() ?? [];
        if (guards.Count > 0)
        {
            label.Append(CultureInfo.InvariantCulture, $" [{string.Join(", ", guards)}]");
        }

        if (isInternal)
        {
            label.Append(" (internal)");
        }

        return label.ToString();
    }
}
