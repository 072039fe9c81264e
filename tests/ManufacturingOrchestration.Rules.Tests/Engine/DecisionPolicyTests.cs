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

    [Fact]
    public void Decide_ReleaseAtRegulatedSite_ApprovalCarriesTheDecisionsPriorityTheSiteAndThePolicyFiring()
    {
        var decisions = CreateSut(typeof(ReleaseAnywayRule)).Decide(TestFacts.FailedFacts(DefectSeverity.Critical, regulated: true), TestContext.Current.CancellationToken);

        var approval = decisions.ApprovalsGating<ReleaseLot>().Should().ContainSingle().Subject;
        approval.Priority.Should().Be(DecisionPriority.Normal);
        approval.Site.Should().Be(TestFacts.SiteId);
        approval.Reason.Should().Be(ReasonCodes.ApprovalRequired);
        approval.Note.Should().Be("At a regulated site release, scrap and use-as-is always need a human approval by the right role.");
        var firing = approval.Explanation.Firings.Should().ContainSingle().Subject;
        firing.RuleName.Should().Be("mo.policy.regulated-site-approval");
        firing.RuleSetName.Should().Be("mo.policy");
        firing.RuleSetVersion.Should().Be("1");
        firing.RuleDescription.Should().Be("At a regulated site release, scrap and use-as-is always need a human approval by the right role.");
        firing.Facts.Select(f => f.Name).Should().Equal("decision", "site");
        firing.Facts[0].Value.Should().BeSameAs(approval.Gated);
        approval.Describe().Should().Be("Require approval by quality-manager at plant-1 (approval.required) before: Release lot L-1 at plant-1 (QualityInspection → Unrestricted)");
        decisions.OfType<QuarantineLot>().Should().ContainSingle("ungoverned decisions pass the policy unchanged")
            .Which.Explanation.RuleNames.Should().Equal(InspectionFailedQuarantineRule.RuleName);
    }

    [Fact]
    public void Decide_UrgentScrapAtRegulatedSite_ApprovalKeepsTheUrgency()
    {
        var facts = new FactSet
        {
            Event = new MrbDispositionDecided
            {
                Nonconformance = new NonconformanceId("NC-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId,
                Lines = [new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = TestFacts.LotId, Quantity = Quantity.Each(5) }],
            },
            Site = TestFacts.Site(regulated: true),
        };
        var engine = new DecisionEngineBuilder().AddRules(typeof(UrgentScrapRule)).Build();

        var approval = engine.Decide(facts, TestContext.Current.CancellationToken).Decisions.Should().ContainSingle().Which.Should().BeOfType<RequireApproval>().Subject;

        approval.Priority.Should().Be(DecisionPriority.Urgent);
        approval.Role.Should().Be(Role.MrbMember);
        approval.Gated.Should().BeOfType<ScrapLot>();
    }

    [Fact]
    public void Decide_UserApprovalByThePolicyRoleAtRegulatedSite_IsNotWrappedAgain()
    {
        var decisions = CreateSut(typeof(ReleaseWithQualityManagerApprovalRule)).Decide(TestFacts.PassedFacts(regulated: true), TestContext.Current.CancellationToken);

        var approvals = decisions.ApprovalsGating<ReleaseLot>();
        approvals.Should().HaveCount(2, "the rule's own approval and the policy's approval of the standard release");
        var own = approvals.Should().ContainSingle(a => a.Explanation.Includes("acme.release-with-qm-approval")).Subject;
        own.Gated.Should().BeOfType<ReleaseLot>("an approval by the policy role already gates the release");
        own.Explanation.Firings.Should().ContainSingle();
    }

    [Fact]
    public void Decide_ReleaseWithoutSiteProfile_MessageIsTheDecisionTheSiteAndWhatToDo()
    {
        var facts = new FactSet { Event = TestFacts.Passed(), Lot = TestFacts.Lot() };

        var act = () => CreateSut().Decide(facts, TestContext.Current.CancellationToken);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Be(
            "Release lot L-1 at plant-1 (QualityInspection → Unrestricted) was decided without the profile of site plant-1: set FactSet.Site to the site's profile (the shipped workflows read it from the registered sites).");
    }

    [Fact]
    public void WithPolicy_CustomScrapAndDeviationApprovers_GateWithThoseRoles()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.MrbDisposition)
            .WithPolicy(new DecisionPolicyOptions { ScrapApprover = new Role("scrap-board"), DeviationApprover = new Role("deviation-board") }).Build();
        var facts = new FactSet
        {
            Event = new MrbDispositionDecided
            {
                Nonconformance = new NonconformanceId("NC-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId,
                Lines =
                [
                    new MrbDispositionLine { Disposition = MrbDisposition.Scrap, Lot = TestFacts.LotId, Quantity = Quantity.Each(5) },
                    new MrbDispositionLine
                    {
                        Disposition = MrbDisposition.UseAsIs, Lot = TestFacts.LotId, Quantity = Quantity.Each(5), Justification = "within margin", Authorizer = new ActorId("mrb-carla"),
                    },
                ],
            },
            Site = TestFacts.Site(regulated: true),
        };

        var decisions = engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.ApprovalsGating<ScrapLot>().Should().ContainSingle().Which.Role.Should().Be(new Role("scrap-board"));
        decisions.ApprovalsGating<UseLotAsIs>().Should().ContainSingle().Which.Role.Should().Be(new Role("deviation-board"));
    }

    [Fact]
    public void PolicyOptions_Defaults_AreQualityManagerMrbMemberAndQualityManager()
    {
        DecisionPolicyOptions.Default.ReleaseApprover.Should().Be(Role.QualityManager);
        DecisionPolicyOptions.Default.ScrapApprover.Should().Be(Role.MrbMember);
        DecisionPolicyOptions.Default.DeviationApprover.Should().Be(Role.QualityManager);
    }

    [Theory]
    [InlineData("release")]
    [InlineData("scrap")]
    [InlineData("deviation")]
    public void WithPolicy_AnApproverRoleNotSet_ThrowsRuleSetInvalid(string unset)
    {
        var options = unset switch
        {
            "release" => new DecisionPolicyOptions { ReleaseApprover = default },
            "scrap" => new DecisionPolicyOptions { ScrapApprover = default },
            _ => new DecisionPolicyOptions { DeviationApprover = default },
        };

        var act = () => new DecisionEngineBuilder().WithPolicy(options);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Where(e => e.ReasonCode == ReasonCodes.RuleSetInvalid && e.Message == "Every policy approver role must be set.");
    }
}
