using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules.Standard;
using ManufacturingOrchestration.Rules.Testing;

namespace ManufacturingOrchestration.Rules.Tests.Testing;

public sealed class RuleTestFixtureTests
{
    [Fact]
    public void Evaluate_RuleThatDecidesNothing_IsStillReportedAsFired()
    {
        var fixture = new RuleTestFixture(typeof(ObserveOnlyRule), typeof(InspectionFailedNotifyProcurementRule));

        var result = fixture.Evaluate(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        result.Fired("acme.observe-only").Should().BeTrue();
        result.FireCount("acme.observe-only").Should().Be(1);
        result.Fired(InspectionFailedNotifyProcurementRule.RuleName).Should().BeTrue();
        result.Decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<NotifyProcurement>()
            .Which.Explanation.Includes("acme.observe-only").Should().BeFalse("a rule that decides nothing explains nothing");
    }

    [Fact]
    public void Evaluate_StandardRules_ReportsFiredRulesAndDecisions()
    {
        var fixture = new RuleTestFixture(b => b.AddStandardRules(StandardRuleSets.InspectionFailed));

        var result = fixture.Evaluate(TestFacts.FailedFacts(DefectSeverity.Critical), TestContext.Current.CancellationToken);

        result.FiredRules.Should().Contain([InspectionFailedQuarantineRule.RuleName, InspectionFailedSupplierCaseRule.RuleName]);
        result.Fired(InspectionFailedContainmentRule.RuleName).Should().BeFalse();
        result.Decisions.OfType<OpenSupplierCase>().Should().ContainSingle();
        result.Decisions.RuleSetVersion.Should().Be("test@0");
    }

    [Fact]
    public void Evaluate_UserRuleAtRegulatedSite_AppliesTheSamePolicyAsProduction()
    {
        var result = new RuleTestFixture(typeof(ReleaseAnywayRule)).Evaluate(TestFacts.FailedFacts(regulated: true), TestContext.Current.CancellationToken);

        result.Fired("acme.release-anyway").Should().BeTrue();
        result.Decisions.ApprovalsGating<ReleaseLot>().Should().ContainSingle();
    }

    [Fact]
    public void AssertFires_RuleDoesNotFire_ThrowsNamingTheRulesThatDid()
    {
        var fixture = new RuleTestFixture(typeof(InspectionPassedReleaseRule));

        var act = () => fixture.AssertFires(TestFacts.FailedFacts(), InspectionPassedReleaseRule.RuleName);

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("*mo.inspection-passed.release*");
    }

    [Fact]
    public void AssertFires_RuleDoesNotFire_MessageListsEveryRuleThatFiredInOrder()
    {
        var fixture = new RuleTestFixture(typeof(ReleaseAnywayRule), typeof(CustomerQualityAlertRule), typeof(InspectionPassedReleaseRule));

        var act = () => fixture.AssertFires(TestFacts.FailedFacts(), InspectionPassedReleaseRule.RuleName);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.RuleEvaluationFailed);
        thrown.Message.Should().BeOneOf(
            "Expected rule 'mo.inspection-passed.release' to fire, but fired: [acme.release-anyway, plant-7.customer-quality-alert].",
            "Expected rule 'mo.inspection-passed.release' to fire, but fired: [plant-7.customer-quality-alert, acme.release-anyway].");
    }

    [Fact]
    public void AssertFires_RuleFires_ReturnsTheEvaluation()
    {
        var fixture = new RuleTestFixture(typeof(ReleaseAnywayRule));

        var result = fixture.AssertFires(TestFacts.FailedFacts(), "acme.release-anyway");

        result.FiredRules.Should().Equal("acme.release-anyway");
        result.Decisions.OfType<ReleaseLot>().Should().ContainSingle();
    }

    [Fact]
    public void FireCount_RuleFiringOncePerFact_CountsEveryFiringAndNoneForOtherRules()
    {
        var fixture = new RuleTestFixture(typeof(AlertPerRecommendationRule));
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Site = TestFacts.Site(),
            Recommendations =
            [
                new Recommendation { Kind = RecommendationKind.Other, Subject = "SMT-1", SuggestedAction = "a", Confidence = 0.9m, Model = "m", ModelVersion = "1" },
                new Recommendation { Kind = RecommendationKind.Other, Subject = "SMT-2", SuggestedAction = "b", Confidence = 0.9m, Model = "m", ModelVersion = "1" },
            ],
        };

        var result = fixture.Evaluate(facts, TestContext.Current.CancellationToken);

        result.FireCount("acme.alert-per-recommendation").Should().Be(2);
        result.FiredRules.Should().Equal("acme.alert-per-recommendation", "acme.alert-per-recommendation");
        result.FireCount("acme.alert-per-recommendation-x").Should().Be(0);
        result.Fired("acme.alert-per-recommendation-x").Should().BeFalse();
        result.Fired("ACME.ALERT-PER-RECOMMENDATION").Should().BeFalse("rule names are compared ordinally");
    }

    [Fact]
    public void Fixture_NullArguments_Throw()
    {
        var noConfigure = () => new RuleTestFixture((Action<DecisionEngineBuilder>)null!);
        var noFacts = () => new RuleTestFixture(typeof(ReleaseAnywayRule)).Evaluate(null!, TestContext.Current.CancellationToken);

        noConfigure.Should().Throw<ArgumentNullException>().WithParameterName("configure");
        noFacts.Should().Throw<ArgumentNullException>().WithParameterName("facts");
    }
}
