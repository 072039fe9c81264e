using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class DecisionEngineBuilderTests
{
    [Fact]
    public void Build_DuplicateRuleNames_ThrowsRuleSetInvalid()
    {
        var act = () => new DecisionEngineBuilder().AddRules(typeof(ReleaseAnywayRule), typeof(DuplicateNameRule)).Build();

        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid && e.Message.Contains("acme.release-anyway", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_OverlayRemovesUnknownRule_ThrowsRuleSetInvalid()
    {
        var act = () => new DecisionEngineBuilder().AddStandardRules()
            .AddSiteOverlay(new SiteId("plant-7"), "plant-7", "1", o => o.RemoveRule("no.such-rule")).Build();

        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid);
    }

    [Fact]
    public void AddSiteOverlay_SameSiteTwice_ThrowsRuleSetInvalid()
    {
        var builder = new DecisionEngineBuilder().AddSiteOverlay(new SiteId("plant-7"), "a", "1", _ => { });

        var act = () => builder.AddSiteOverlay(new SiteId("plant-7"), "b", "1", _ => { });

        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid);
    }

    [Fact]
    public void AddRules_TypeThatIsNotARule_ThrowsRuleSetInvalid()
    {
        var act = () => new DecisionEngineBuilder().AddRules(typeof(string));

        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid);
    }

    [Fact]
    public void AddStandardRules_UnknownRuleSet_ThrowsRuleSetInvalid()
    {
        var act = () => new DecisionEngineBuilder().AddStandardRules("no-such-set");

        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid);
    }

    [Fact]
    public void AddStandardRules_SameSetTwice_AddsEachRuleOnce()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionPassed).AddStandardRules().Build();

        engine.GetRuleNames().Should().OnlyHaveUniqueItems().And.Contain(InspectionPassedReleaseRule.RuleName);
    }

    [Fact]
    public void AddRulesFrom_AssemblyScanWithFilter_LoadsOnlyMatchingRules()
    {
        var engine = new DecisionEngineBuilder().AddRulesFrom(typeof(DecisionEngineBuilderTests).Assembly, t => t == typeof(CustomerQualityAlertRule)).Build();

        engine.GetRuleNames().Should().Equal("plant-7.customer-quality-alert");
        engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken).OfType<AlertQuality>().Should().ContainSingle();
    }

    [Fact]
    public void AddStandardRules_EveryShippedRuleSet_HasRulesAndEveryRuleIsTaggedIntoOneSet()
    {
        var perSet = StandardRuleSets.All.ToDictionary(s => s, StandardRuleSets.RuleTypes);

        perSet.Values.Should().OnlyContain(types => types.Count > 0);
        perSet.Values.SelectMany(t => t).Should().OnlyHaveUniqueItems();
        new DecisionEngineBuilder().AddStandardRules().Build().GetRuleNames().Should().HaveCount(perSet.Values.Sum(t => t.Count));
    }
}
