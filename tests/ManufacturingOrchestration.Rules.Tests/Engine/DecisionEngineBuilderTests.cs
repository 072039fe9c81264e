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

    [Fact]
    public void BuilderMethods_NullOrBlankArguments_Throw()
    {
        var builder = new DecisionEngineBuilder();

        builder.Invoking(b => b.WithRuleSet(" ", "1")).Should().Throw<ArgumentException>().WithParameterName("name");
        builder.Invoking(b => b.WithRuleSet("acme", " ")).Should().Throw<ArgumentException>().WithParameterName("version");
        builder.Invoking(b => b.AddStandardRules(null!)).Should().Throw<ArgumentNullException>().WithParameterName("ruleSets");
        builder.Invoking(b => b.AddRules(null!)).Should().Throw<ArgumentNullException>().WithParameterName("ruleTypes");
        builder.Invoking(b => b.AddRulesFrom(null!)).Should().Throw<ArgumentNullException>().WithParameterName("assembly");
        builder.Invoking(b => b.AddSiteOverlay(new SiteId("plant-7"), " ", "1", _ => { })).Should().Throw<ArgumentException>().WithParameterName("name");
        builder.Invoking(b => b.AddSiteOverlay(new SiteId("plant-7"), "plant-7", " ", _ => { })).Should().Throw<ArgumentException>().WithParameterName("version");
        builder.Invoking(b => b.AddSiteOverlay(new SiteId("plant-7"), "plant-7", "1", null!)).Should().Throw<ArgumentNullException>().WithParameterName("configure");
        builder.Invoking(b => b.WithPolicy(null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void OverlayBuilderMethods_NullOrBlankArguments_Throw()
    {
        new DecisionEngineBuilder().AddSiteOverlay(new SiteId("plant-7"), "plant-7", "1", overlay =>
        {
            overlay.Invoking(o => o.AddRules(null!)).Should().Throw<ArgumentNullException>().WithParameterName("ruleTypes");
            overlay.Invoking(o => o.AddRulesFrom(null!)).Should().Throw<ArgumentNullException>().WithParameterName("assembly");
            overlay.Invoking(o => o.RemoveRule(" ")).Should().Throw<ArgumentException>().WithParameterName("ruleName");
            overlay.Site.Should().Be(new SiteId("plant-7"));
            overlay.Name.Should().Be("plant-7");
            overlay.Version.Should().Be("1");
        });
    }

    [Fact]
    public void AddSiteOverlay_SameSiteTwice_MessageNamesTheSite()
    {
        var builder = new DecisionEngineBuilder().AddSiteOverlay(new SiteId("plant-7"), "a", "1", _ => { });

        var act = () => builder.AddSiteOverlay(new SiteId("plant-7"), "b", "1", _ => { });

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Be("Site plant-7 already has an overlay.");
    }

    [Fact]
    public void Build_OverlayRemovesUnknownRule_MessageNamesOverlayAndRule()
    {
        var act = () => new DecisionEngineBuilder().AddStandardRules()
            .AddSiteOverlay(new SiteId("plant-7"), "plant-7", "1", o => o.RemoveRule("no.such-rule")).Build();

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Be("Overlay 'plant-7' removes rule 'no.such-rule', which is not in the global rule set.");
    }

    [Fact]
    public void Build_DuplicateRuleNamesInAnOverlay_MessageNamesTheOverlayAndItsVersion()
    {
        var act = () => new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed)
            .AddSiteOverlay(new SiteId("plant-7"), "plant-7", "2026.2", o => o.AddRules(typeof(ReleaseAnywayRule), typeof(DuplicateNameRule))).Build();

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid && e.Message == "Rule name 'acme.release-anyway' is used twice in 'plant-7@2026.2'.");
    }

    [Fact]
    public void Build_RuleWhoseDefinitionFails_ThrowsRuleSetInvalidNamingTheRuleSet()
    {
        var act = () => new DecisionEngineBuilder().WithRuleSet("acme", "4").AddRules(typeof(UndefinableRule)).Build();

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.RuleSetInvalid);
        thrown.Message.Should().StartWith("A rule of 'acme@4' could not be loaded: ");
        thrown.InnerException.Should().BeAssignableTo<NRules.Fluent.RuleDefinitionException>();
    }

    [Fact]
    public void AddRules_TypeThatIsNotARule_MessageNamesTheType()
    {
        var act = () => new DecisionEngineBuilder().AddRules(typeof(string));

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Be("System.String is not a concrete NRules rule class.");
    }

    [Fact]
    public void AddStandardRules_UnknownRuleSet_MessageNamesIt()
    {
        var act = () => new DecisionEngineBuilder().AddStandardRules("no-such-set");

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Be("'no-such-set' is not a shipped rule set.");
    }

    [Fact]
    public void AddSiteOverlay_RulesFromAnAssemblyScan_AreInForceAtThatSiteOnly()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed)
            .AddSiteOverlay(new SiteId("plant-7"), "plant-7", "1", o => o.AddRulesFrom(typeof(DecisionEngineBuilderTests).Assembly, t => t == typeof(CustomerQualityAlertRule)))
            .Build();

        engine.GetRuleNames(new SiteId("plant-7")).Should().Contain("plant-7.customer-quality-alert");
        engine.GetRuleNames().Should().NotContain("plant-7.customer-quality-alert");
        engine.GetRuleNames(new SiteId("plant-8")).Should().Equal(engine.GetRuleNames());
        engine.GetRuleSetVersion(new SiteId("plant-8")).Should().Be("mo.standard@1.0.0");
    }
}
