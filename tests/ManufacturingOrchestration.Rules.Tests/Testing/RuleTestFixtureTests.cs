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
}
