using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class DecisionPolicyTests
{
    private static DecisionEngine CreateSut(params Type[] userRules) =>
        new DecisionEngineBuilder().AddStandardRules().AddRules(userRules).Build();

    private static Recommendation Recommendation(RecommendationKind kind, MrbDisposition? disposition = null, decimal confidence = 0.9m) => new()
    {
        Kind = kind, Lot = TestFacts.LotId, SuggestedAction = "act", SuggestedDisposition = disposition, Confidence = confidence,
        Model = "risk-model", ModelVersion = "2026.3", Explanation = "similar defects escalated 8 of 10 times",
    };

    [Fact]
    public void Decide_UserRuleReleasesAtRegulatedSite_ReleaseComesOutAsApproval()
    {
        var decisions = CreateSut(typeof(ReleaseAnywayRule)).Decide(TestFacts.FailedFacts(regulated: true), TestContext.Current.CancellationToken);

        decisions.Contains<ReleaseLot>().Should().BeFalse();
        var approval = decisions.ApprovalsGating<ReleaseLot>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.Explanation.Includes(DecisionPolicy.RegulatedSiteRuleName).Should().BeTrue();
        approval.Gated.Explanation.Includes("acme.release-anyway").Should().BeTrue("the gated decision keeps its own explanation");
    }

    private static CorrectStockCategory Correction(StockCategory from, StockCategory to) => new()
    {
        Lot = TestFacts.LotId, Site = TestFacts.SiteId, Quantity = Quantity.Each(50), FromCategory = from, ToCategory = to,
    };

    [Theory]
    [InlineData(StockCategory.Blocked, StockCategory.Unrestricted)]
    [InlineData(StockCategory.Blocked, StockCategory.QualityInspection)]
    [InlineData(StockCategory.QualityInspection, StockCategory.Unrestricted)]
    [InlineData(StockCategory.RestrictedUse, StockCategory.Unrestricted)]
    [InlineData(StockCategory.Blocked, StockCategory.RestrictedUse)]
    public void Govern_CorrectionTowardsALessRestrictiveCategory_IsGatedByTheReleaseApprover(StockCategory from, StockCategory to)
    {
        var governed = CreateSut().Govern([Correction(from, to)], new FactSet { Site = TestFacts.Site() });

        var approval = governed.Decisions.Should().ContainSingle().Which.Should().BeOfType<RequireApproval>().Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.Reason.Should().Be(ReasonCodes.ReleaseAuthorityUnverified);
        approval.Explanation.Includes(DecisionPolicy.ReleaseAuthorityRuleName).Should().BeTrue();
        approval.Gated.Should().BeOfType<CorrectStockCategory>().Which.ToCategory.Should().Be(to);
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted, StockCategory.Blocked)]
    [InlineData(StockCategory.QualityInspection, StockCategory.Blocked)]
    [InlineData(StockCategory.Unrestricted, StockCategory.QualityInspection)]
    [InlineData(StockCategory.Unrestricted, StockCategory.RestrictedUse)]
    public void Govern_CorrectionTowardsAMoreRestrictiveCategory_GoesThroughEvenAtARegulatedSite(StockCategory from, StockCategory to)
    {
        var governed = CreateSut().Govern([Correction(from, to)], new FactSet { Site = TestFacts.Site(regulated: true) });

        governed.Decisions.Should().ContainSingle().Which.Should().BeOfType<CorrectStockCategory>();
    }

    [Fact]
    public void Govern_ReleasingCorrectionWithAReleaseApproverConfigured_AsksThatRole()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules().WithPolicy(new DecisionPolicyOptions { ReleaseApprover = Role.Supervisor }).Build();

        var governed = engine.Govern([Correction(StockCategory.Blocked, StockCategory.Unrestricted)], new FactSet { Site = TestFacts.Site() });

        governed.Decisions.Should().ContainSingle().Which.Should().BeOfType<RequireApproval>().Which.Role.Should().Be(Role.Supervisor);
    }

    [Fact]
    public void Decide_UserRuleReleasesAtUnregulatedSite_ReleaseGoesThrough()
    {
        var decisions = CreateSut(typeof(ReleaseAnywayRule)).Decide(TestFacts.FailedFacts(regulated: false), TestContext.Current.CancellationToken);

        decisions.OfType<ReleaseLot>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_UserApprovalByWrongRoleAtRegulatedSite_IsWrappedInApprovalByPolicyRole()
    {
        var decisions = CreateSut(typeof(ReleaseWithOperatorApprovalRule)).Decide(TestFacts.PassedFacts(regulated: true), TestContext.Current.CancellationToken);

        var approvals = decisions.ApprovalsGating<ReleaseLot>();
        approvals.Should().NotBeEmpty().And.OnlyContain(a => a.RequiresRole(Role.QualityManager));
        approvals.Should().Contain(a => a.Role == Role.QualityManager && a.RequiresRole(Role.Operator));
    }

    [Fact]
    public void Decide_ReleaseWithoutSiteProfile_RefusedNamingTheSiteInsteadOfASilentApproval()
    {
        var facts = new FactSet { Event = TestFacts.Passed(), Lot = TestFacts.Lot() };

        var act = () => CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.Should().Match<ManufacturingOrchestrationException>(e => e.ReasonCode == ReasonCodes.SiteProfileMissing && e.Message.Contains("site " + TestFacts.Lot().Site.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_ReleaseWithoutSiteProfile_NamesTheEventsSiteBeforeTheLots()
    {
        var envelope = new EventEnvelope { Id = "e-1", Source = "qms://p5", Type = EventTypes.InspectionPassed, Site = new SiteId("P5"), Data = TestFacts.Passed() };
        var facts = new FactSet { Envelope = envelope, Lot = TestFacts.Lot() };

        var act = () => CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Contain("without the profile of site P5:");
    }

    [Fact]
    public void Decide_ReleaseWithoutSiteProfileOrAnySite_SaysNoSiteWasNamed()
    {
        var facts = new FactSet { Event = TestFacts.Passed() };

        var act = () => CreateSut(typeof(ReleaseWithOperatorApprovalRule)).Decide(facts, TestContext.Current.CancellationToken);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Contain("without the profile of site (none named):");
    }

    [Fact]
    public void Decide_NoGovernedDecisionWithoutSiteProfile_DecidesAsUsual()
    {
        var facts = new FactSet { Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material() };

        var decisions = CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<QuarantineLot>().Should().BeTrue();
    }

    [Fact]
    public void Decide_UserRuleReleasesOnRecommendationAtUnregulatedSite_ReleaseIsGatedAsNotAuthoritative()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Recommendations = [Recommendation(RecommendationKind.Other)],
        };

        var decisions = CreateSut(typeof(ReleaseWhenModelSaysSoRule)).Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<ReleaseLot>().Should().BeFalse();
        var approval = decisions.ApprovalsGating<ReleaseLot>().Should().ContainSingle().Subject;
        approval.Reason.Should().Be(ReasonCodes.RecommendationNotAuthoritative);
        approval.Explanation.Includes(DecisionPolicy.RecommendationRuleName).Should().BeTrue();
        approval.Explanation.Matched<Recommendation>().Should().BeTrue();
        approval.Explanation.Firings.Should().ContainSingle().Which.Facts.Select(f => f.Name).Should().Equal("decision", "site", "recommendation");
        approval.Note.Should().Be("A recommendation may suggest but never decide a release, scrap or use-as-is.");
    }

    [Fact]
    public void Decide_ScrapSuggestedByModel_IsNeverADirectScrap()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Recommendations = [Recommendation(RecommendationKind.DispositionSuggestion, MrbDisposition.Scrap)],
        };

        var decisions = CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<ScrapLot>().Should().BeFalse();
        var approval = decisions.ApprovalsGating<ScrapLot>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.MrbMember);
        approval.Explanation.Includes(RecommendedDispositionRule.RuleName).Should().BeTrue();
    }

    [Fact]
    public void Decide_UseAsIsSuggestedByModel_IsEscalatedNotAccepted()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Recommendations = [Recommendation(RecommendationKind.DispositionSuggestion, MrbDisposition.UseAsIs)],
        };

        var decisions = CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<UseLotAsIs>().Should().BeFalse();
        decisions.ApprovalsGating<UseLotAsIs>().Should().BeEmpty();
        decisions.OfType<Escalate>().Should().ContainSingle().Which.Message.Should().Contain("risk-model@2026.3");
    }

    [Fact]
    public void Decide_SupplierEscalationRecommendation_RaisesSupplierCasePriorityAndKeepsBothReasons()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(Model.DefectSeverity.Critical), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Recommendations = [Recommendation(RecommendationKind.SupplierEscalationRisk)],
        };

        var decisions = CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        var supplierCase = decisions.OfType<OpenSupplierCase>().Should().ContainSingle().Subject;
        supplierCase.Priority.Should().Be(DecisionPriority.Urgent);
        supplierCase.Explanation.RuleNames.Should().BeEquivalentTo([InspectionFailedSupplierCaseRule.RuleName, RecommendedSupplierEscalationRule.RuleName]);
    }

    [Fact]
    public void Decide_SupplierEscalationRecommendationWithLowConfidence_OpensNoCaseOnAMinorDefect()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(Model.DefectSeverity.Minor), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Recommendations = [Recommendation(RecommendationKind.SupplierEscalationRisk, confidence: 0.5m)],
        };

        CreateSut().Decide(facts, TestContext.Current.CancellationToken).Contains<OpenSupplierCase>().Should().BeFalse();
    }

    [Fact]
    public void WithPolicy_CustomReleaseApprover_GatesWithThatRole()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionPassed)
            .WithPolicy(new DecisionPolicyOptions { ReleaseApprover = new Role("qa-release-officer") }).Build();

        var decisions = engine.Decide(TestFacts.PassedFacts(regulated: true), TestContext.Current.CancellationToken);

        decisions.ApprovalsGating<ReleaseLot>().Should().ContainSingle().Which.Role.Should().Be(new Role("qa-release-officer"));
    }
}
