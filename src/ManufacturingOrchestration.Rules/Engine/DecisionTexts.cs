using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The one writer of explanation text (<see cref="DecisionSet.Describe"/>, <see cref="DecisionExplanation.Describe"/>,
/// <see cref="RuleFiring.Describe"/>): the text kept in the audit record and covered by its hash. It writes without
/// intermediate strings: one reused builder per thread, and each matched fact written in place once per call; a fact
/// that several firings matched is copied from its first occurrence in the builder. Master data that workflows share
/// between events (material definitions, site profiles: immutable records) is formatted once per instance. Lines end with
/// a line feed on every operating system, so a decision explains itself in the same bytes wherever it was taken.
/// </summary>
internal static class DecisionTexts
{
    private const int MaxKeptCapacity = 16 * 1024;

    private static readonly ConditionalWeakTable<object, string> SharedFacts = new();

    [ThreadStatic]
    private static List<SeenFact>? _seen;

    [ThreadStatic]
    private static StringBuilder? _builder;

    public static string Describe(DecisionSet decisions)
    {
        var sb = Acquire();
        var seen = _seen ??= new List<SeenFact>(8);
        seen.Clear();
        try
        {
            sb.Append(decisions.RuleSetName).Append(" (").Append(decisions.RuleSetVersion).Append("): ");
            var list = decisions.Decisions;
            for (var d = 0; d < list.Count; d++)
            {
                if (d > 0)
                {
                    sb.Append('\n');
                }

                var decision = list[d];
                decision.AppendDescription(sb);
                sb.Append('\n').Append("  because ");
                var firings = decision.Explanation.Firings;
                for (var f = 0; f < firings.Count; f++)
                {
                    if (f > 0)
                    {
                        sb.Append('\n');
                    }

                    AppendFiring(sb, firings[f], seen);
                }
            }

            return Release(sb);
        }
        finally
        {
            seen.Clear();
        }
    }

    /// <summary>A decision's own description (<see cref="Decision.AppendDescription"/>), for <see cref="Decision.Describe"/>.</summary>
    public static string Describe(Decision decision)
    {
        var sb = Acquire();
        decision.AppendDescription(sb);
        return Release(sb);
    }

    public static string Describe(DecisionExplanation explanation)
    {
        var sb = Acquire();
        var seen = new List<SeenFact>(4);
        var firings = explanation.Firings;
        for (var f = 0; f < firings.Count; f++)
        {
            if (f > 0)
            {
                sb.Append('\n');
            }

            AppendFiring(sb, firings[f], seen);
        }

        return Release(sb);
    }

    public static string Describe(RuleFiring firing)
    {
        var sb = Acquire();
        AppendFiring(sb, firing, new List<SeenFact>(4));
        return Release(sb);
    }

    private static StringBuilder Acquire()
    {
        var builder = _builder;
        if (builder is null)
        {
            return new StringBuilder(512);
        }

        _builder = null;
        builder.Clear();
        return builder;
    }

    private static string Release(StringBuilder builder)
    {
        var text = builder.ToString();
        if (builder.Capacity <= MaxKeptCapacity)
        {
            _builder = builder;
        }

        return text;
    }

    private static void AppendFiring(StringBuilder sb, RuleFiring firing, List<SeenFact> seen)
    {
        sb.Append("rule '").Append(firing.RuleName).Append("' (").Append(firing.RuleSetName).Append('@').Append(firing.RuleSetVersion).Append(')');
        if (firing.RuleDescription is not null)
        {
            sb.Append(": ").Append(firing.RuleDescription);
        }

        var facts = firing.Facts;
        for (var i = 0; i < facts.Count; i++)
        {
            sb.Append(i == 0 ? " matched " : "; ").Append(facts[i].Name).Append(" = ");
            AppendFact(sb, facts[i].Value, seen);
        }
    }

    private static void AppendFact(StringBuilder sb, object value, List<SeenFact> seen)
    {
        for (var i = 0; i < seen.Count; i++)
        {
            var known = seen[i];
            if (ReferenceEquals(known.Value, value))
            {
                // Copied from its first occurrence in the builder, through a pooled buffer: no string of its own.
                var buffer = ArrayPool<char>.Shared.Rent(known.Length);
                sb.CopyTo(known.Start, buffer, 0, known.Length);
                sb.Append(buffer, 0, known.Length);
                ArrayPool<char>.Shared.Return(buffer);
                return;
            }
        }

        if (value is MaterialDefinition or SiteProfile)
        {
            sb.Append(SharedFacts.GetValue(value, FactDescriptions.Describe));
            return;
        }

        var start = sb.Length;
        FactDescriptions.Append(sb, value);
        seen.Add(new SeenFact(value, start, sb.Length - start));
    }

    /// <summary>A fact already written in this call, and where its text is in the builder.</summary>
    private readonly record struct SeenFact(object Value, int Start, int Length);
}
