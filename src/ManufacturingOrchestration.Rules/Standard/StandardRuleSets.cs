using ManufacturingOrchestration.Model;
using NRules.Fluent.Dsl;

namespace ManufacturingOrchestration.Rules;

/// <summary>The names (tags) of the shipped rule sets. Each shipped rule is tagged with the rule set it belongs to.</summary>
public static class StandardRuleSets
{
    /// <summary>Inspection passed: release from quality inspection (restricted batches to restricted-use).</summary>
    public const string InspectionPassed = "inspection-passed";

    /// <summary>Inspection failed: quarantine, hold move, procurement, supplier case, allocations, containment.</summary>
    public const string InspectionFailed = "inspection-failed";

    /// <summary>Finished-goods release: shipment hold, ATP, customer service, genealogy.</summary>
    public const string FinishedGoodsRelease = "finished-goods-release";

    /// <summary>Cycle-count variance: tolerance per ABC class, per-role limits, pause picks, root cause.</summary>
    public const string CycleCount = "cycle-count";

    /// <summary>Scrap spike: alerts, yield metrics, replenishment review.</summary>
    public const string ScrapSpike = "scrap-spike";

    /// <summary>Production completion: confirmation, remaining quantity and reservations.</summary>
    public const string ProductionCompletion = "production-completion";

    /// <summary>MRB dispositions: use-as-is, rework, return to supplier, scrap.</summary>
    public const string MrbDisposition = "mrb-disposition";

    /// <summary>Recommendations: model output used to raise priority or suggest.</summary>
    public const string Recommendations = "recommendations";

    /// <summary>Every shipped rule set.</summary>
    public static IReadOnlyList<string> All { get; } =
        [InspectionPassed, InspectionFailed, FinishedGoodsRelease, CycleCount, ScrapSpike, ProductionCompletion, MrbDisposition, Recommendations];

    /// <summary>The shipped rule classes of a rule set.</summary>
    /// <param name="ruleSet">The rule set name.</param>
    /// <returns>The rule types.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The rule set is not shipped.</exception>
    public static IReadOnlyList<Type> RuleTypes(string ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        return ByRuleSet.Value.TryGetValue(ruleSet, out var types)
            ? types
            : throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, $"'{ruleSet}' is not a shipped rule set.");
    }

    private static readonly Lazy<Dictionary<string, Type[]>> ByRuleSet = new(() =>
        typeof(StandardRuleSets).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(Standard.InspectionFailedQuarantineRule).Namespace && typeof(Rule).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetCustomAttributesData()
                .Where(a => a.AttributeType == typeof(TagAttribute))
                .Select(a => (Tag: (string)a.ConstructorArguments[0].Value!, Type: t)))
            .GroupBy(x => x.Tag, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Type).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal));
}
