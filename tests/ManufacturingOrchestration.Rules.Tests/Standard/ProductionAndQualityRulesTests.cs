using System.Globalization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Standard;

public sealed class ProductionAndQualityRulesTests
{
    private static readonly DecisionEngine Engine = TestFacts.StandardEngine();
    private static readonly NonconformanceId Ncr = new("NC-1");

    private static FactSet ScrapFacts(decimal scrap, decimal good) => new()
    {
        Event = new ScrapReported { Site = TestFacts.SiteId, Line = "SMT-2", Material = TestFacts.MaterialId, Quantity = Quantity.Each(5) },
        Site = TestFacts.Site(),
        ScrapWindow = new ScrapWindow
        {
            Site = TestFacts.SiteId, Line = "SMT-2", WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddHours(8),
            ScrapQuantity = scrap, GoodQuantity = good, BaselineYield = 0.98m,
        },
    };

    private static FactSet Confirmed(bool final) => new()
    {
        Event = new ProductionConfirmed { Order = new OrderId("WO-1"), Material = TestFacts.MaterialId, Site = TestFacts.SiteId, Yield = Quantity.Each(40), IsFinal = final },
        Site = TestFacts.Site(),
        Order = new ProductionOrder
        {
            Id = new OrderId("WO-1"), Material = TestFacts.MaterialId, Site = TestFacts.SiteId, PlannedQuantity = Quantity.Each(100), ConfirmedQuantity = 50,
            Allocations = [new Allocation { Order = new OrderId("WO-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(10) }],
        },
    };

    private static FactSet Mrb(IndustryProfile industry = IndustryProfile.General, bool regulated = false, params MrbDispositionLine[] lines) => new()
    {
        Event = new MrbDispositionDecided { Nonconformance = Ncr, Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId, Lines = lines },
        Site = TestFacts.Site(regulated, industry),
        Actors = [new Actor { Id = new ActorId("mrb-carla"), Roles = [new RoleAssignment { Role = Role.QualityManager, Site = TestFacts.SiteId }] }],
    };

    private static MrbDispositionLine Line(MrbDisposition disposition, string? justification = "within design margin per ECN-12", string? authorizer = "mrb-carla") => new()
    {
        Disposition = disposition, Lot = TestFacts.LotId, Quantity = Quantity.Each(100), Justification = justification,
        Authorizer = authorizer is null ? null : new ActorId(authorizer),
    };

    [Fact]
    public void Decide_ScrapSpike_AlertsQualityAndMaintenanceUpdatesYieldAndReviewsReplenishment()
    {
        var decisions = Engine.Decide(ScrapFacts(scrap: 10, good: 90), TestContext.Current.CancellationToken);

        decisions.OfType<AlertQuality>().Should().ContainSingle().Which.Line.Should().Be("SMT-2");
        decisions.OfType<AlertMaintenance>().Should().ContainSingle();
        decisions.OfType<ReviewReplenishment>().Should().ContainSingle();
        decisions.OfType<UpdateYieldMetrics>().Should().ContainSingle().Which.ScrapRate.Should().Be(0.1m);
    }

    [Fact]
    public void Decide_ScrapAtBaseline_OnlyUpdatesYieldMetrics()
    {
        var decisions = Engine.Decide(ScrapFacts(scrap: 2, good: 98), TestContext.Current.CancellationToken);

        decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<UpdateYieldMetrics>().Which.Yield.Should().Be(0.98m);
    }

    [Fact]
    public void Decide_PartialConfirmation_ConfirmsAndKeepsReservations()
    {
        var decisions = Engine.Decide(Confirmed(final: false), TestContext.Current.CancellationToken);

        decisions.OfType<ConfirmProduction>().Should().ContainSingle().Which.IsFinal.Should().BeFalse();
        var remainder = decisions.OfType<HandleOrderRemainder>().Should().ContainSingle().Subject;
        remainder.RemainingQuantity.Should().Be(10);
        remainder.ReleaseReservations.Should().BeFalse();
        remainder.TechnicallyComplete.Should().BeFalse();
    }

    [Fact]
    public void Decide_FinalConfirmation_ReleasesRemainingReservationsAndTechnicallyCompletes()
    {
        var decisions = Engine.Decide(Confirmed(final: true), TestContext.Current.CancellationToken);

        var remainder = decisions.OfType<HandleOrderRemainder>().Should().ContainSingle().Subject;
        remainder.ReleaseReservations.Should().BeTrue();
        remainder.TechnicallyComplete.Should().BeTrue();
        remainder.ReservationsToRelease.Should().ContainSingle();
        remainder.Explanation.Includes(ProductionFinalRemainderRule.RuleName).Should().BeTrue();
    }

    [Fact]
    public void Decide_UseAsIsWithJustificationAndAuthorizer_UsesLotAsIs()
    {
        var decisions = Engine.Decide(Mrb(lines: Line(MrbDisposition.UseAsIs)), TestContext.Current.CancellationToken);

        var useAsIs = decisions.OfType<UseLotAsIs>().Should().ContainSingle().Subject;
        useAsIs.Authorizer.Should().Be(new ActorId("mrb-carla"));
        useAsIs.Justification.Should().Contain("ECN-12");
    }

    [Theory]
    [InlineData(null, "mrb-carla", "ncr.justification-required")]
    [InlineData("fine", null, "ncr.authorizer-required")]
    public void Decide_UseAsIsMissingJustificationOrAuthorizer_EscalatesInsteadOfAccepting(string? justification, string? authorizer, string code)
    {
        var decisions = Engine.Decide(Mrb(lines: Line(MrbDisposition.UseAsIs, justification, authorizer)), TestContext.Current.CancellationToken);

        decisions.Contains<UseLotAsIs>().Should().BeFalse();
        decisions.OfType<Escalate>().Should().ContainSingle().Which.ReasonCode!.Value.Code.Should().Be(code);
    }

    [Fact]
    public void Decide_UseAsIsAuthorizedBySomeoneUnknown_NeedsTheDeviationApproverEvenAtAGeneralSite()
    {
        var decisions = Engine.Decide(Mrb(lines: Line(MrbDisposition.UseAsIs, authorizer: "mrb-stranger")), TestContext.Current.CancellationToken);

        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.Reason.Should().Be(ReasonCodes.ReleaseAuthorityUnverified);
        approval.Gated.Should().BeOfType<UseLotAsIs>().Which.Authorizer.Should().Be(new ActorId("mrb-stranger"));
        decisions.Contains<UseLotAsIs>().Should().BeFalse();
    }

    [Fact]
    public void Decide_UseAsIsInAerospace_NeedsDesignAuthority()
    {
        var decisions = Engine.Decide(Mrb(IndustryProfile.Aerospace, lines: Line(MrbDisposition.UseAsIs)), TestContext.Current.CancellationToken);

        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.DesignAuthority);
        approval.Gated.Should().BeOfType<UseLotAsIs>();
    }

    [Fact]
    public void Decide_UseAsIsInAerospaceAtRegulatedSite_NeedsDesignAuthorityAndQualityManager()
    {
        var decisions = Engine.Decide(Mrb(IndustryProfile.Aerospace, regulated: true, lines: Line(MrbDisposition.UseAsIs)), TestContext.Current.CancellationToken);

        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.RequiresRole(Role.DesignAuthority).Should().BeTrue();
        approval.GatedAction.Should().BeOfType<UseLotAsIs>();
    }

    [Fact]
    public void Decide_Rework_ReworksWithReinspectionAndIsNotGatedAtRegulatedSite()
    {
        var decisions = Engine.Decide(Mrb(regulated: true, lines: Line(MrbDisposition.Rework)), TestContext.Current.CancellationToken);

        var rework = decisions.OfType<ReworkLot>().Should().ContainSingle().Subject;
        rework.RequiresReinspection.Should().BeTrue();
        rework.IsRepair.Should().BeFalse();
    }

    [Fact]
    public void Decide_RepairInAerospace_NeedsDesignAuthority()
    {
        var decisions = Engine.Decide(Mrb(IndustryProfile.Aerospace, lines: Line(MrbDisposition.Repair)), TestContext.Current.CancellationToken);

        decisions.ApprovalsGating<ReworkLot>().Should().ContainSingle().Which.Role.Should().Be(Role.DesignAuthority);
    }

    [Fact]
    public void Decide_MixedDispositions_ReturnsAndScrapsTheirLines()
    {
        var decisions = Engine.Decide(Mrb(lines: [Line(MrbDisposition.ReturnToSupplier), Line(MrbDisposition.Scrap)]), TestContext.Current.CancellationToken);

        decisions.OfType<ReturnToSupplier>().Should().ContainSingle().Which.Nonconformance.Should().Be(Ncr);
        var scrap = decisions.OfType<ScrapLot>().Should().ContainSingle().Subject;
        scrap.FromCategory.Should().Be(StockCategory.Blocked);
        scrap.Explanation.Includes(MrbScrapRule.RuleName).Should().BeTrue();
    }

    [Fact]
    public void Decide_ScrapAtRegulatedSite_ComesOutAsApprovalByMrbMember()
    {
        var decisions = Engine.Decide(Mrb(regulated: true, lines: Line(MrbDisposition.Scrap)), TestContext.Current.CancellationToken);

        decisions.Contains<ScrapLot>().Should().BeFalse();
        decisions.ApprovalsGating<ScrapLot>().Should().ContainSingle().Which.Role.Should().Be(Role.MrbMember);
    }

    [Fact]
    public void Decide_EveryDispositionOnOneNcr_EachRuleHandlesOnlyItsOwnLines()
    {
        var decisions = Engine.Decide(
            Mrb(lines: [Line(MrbDisposition.Scrap, justification: null, authorizer: null), Line(MrbDisposition.UseAsIs), Line(MrbDisposition.Rework, justification: null, authorizer: null), Line(MrbDisposition.ReturnToSupplier, justification: null, authorizer: null)]),
            TestContext.Current.CancellationToken);

        decisions.Decisions.Select(d => d.Describe()).Should().BeEquivalentTo(
        [
            "Scrap 100 EA of lot L-1 from Blocked at plant-1",
            "Use 100 EA of lot L-1 as is (NCR NC-1, authorized by mrb-carla)",
            "Rework 100 EA of lot L-1, then re-inspect (NCR NC-1)",
            "Return 100 EA of lot L-1 to supplier (of the lot) (NCR NC-1)",
        ]);
    }

    [Theory]
    [InlineData(MrbDisposition.Rework, "Rework 100 EA of lot L-1, then re-inspect (NCR NC-1)")]
    [InlineData(MrbDisposition.Repair, "Repair 100 EA of lot L-1, then re-inspect (NCR NC-1)")]
    public void Decide_ReworkOrRepairBesideAnotherDisposition_OnlyTheReworkLineIsReworked(MrbDisposition disposition, string expected)
    {
        var decisions = Engine.Decide(Mrb(lines: [Line(MrbDisposition.Scrap), Line(disposition)]), TestContext.Current.CancellationToken);

        decisions.OfType<ReworkLot>().Should().ContainSingle().Which.Describe().Should().Be(expected);
    }

    [Fact]
    public void Decide_UseAsIsMissingJustification_EscalatesWithTheExactSubjectAndMessage()
    {
        var decisions = Engine.Decide(Mrb(lines: Line(MrbDisposition.UseAsIs, justification: " ")), TestContext.Current.CancellationToken);

        var escalation = decisions.OfType<Escalate>().Should().ContainSingle().Subject;
        escalation.Describe().Should().Be("Escalate NCR NC-1 lot L-1 to mrb-member: Use-as-is (concession) needs a documented justification.");
        escalation.Priority.Should().Be(DecisionPriority.High);
        escalation.Site.Should().Be(TestFacts.SiteId);
    }

    [Fact]
    public void Decide_UseAsIsSuggestionInAnyCulture_EscalatesToMrbWithInvariantText()
    {
        var decisions = InGerman(() => Engine.Decide(SuggestionFacts(MrbDisposition.UseAsIs), TestContext.Current.CancellationToken));

        var escalation = decisions.OfType<Escalate>().Should().ContainSingle().Subject;
        escalation.Role.Should().Be(Role.MrbMember);
        escalation.Site.Should().Be(TestFacts.SiteId);
        escalation.Subject.Should().Be("lot L-1");
        escalation.Message.Should().Be("risk-model@2026.3 suggests UseAsIs (0.90): similar defects escalated 8 of 10 times");
    }

    [Fact]
    public void Decide_ReturnSuggestionInAnyCulture_AsksTheMrbToApproveTheReturnWithInvariantText()
    {
        var decisions = InGerman(() => Engine.Decide(SuggestionFacts(MrbDisposition.ReturnToSupplier), TestContext.Current.CancellationToken));

        var approval = decisions.ApprovalsGating<ReturnToSupplier>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.MrbMember);
        approval.Site.Should().Be(TestFacts.SiteId);
        approval.Reason.Should().Be(ReasonCodes.RecommendationNotAuthoritative);
        approval.Note.Should().Be("Suggested by risk-model@2026.3 with confidence 0.90: similar defects escalated 8 of 10 times");
        approval.Gated.Describe().Should().Be("Return 1000 EA of lot L-1 to supplier acme (NCR suggested-IL-1)");
    }

    [Fact]
    public void Decide_ScrapSuggestion_AsksTheMrbToApproveTheScrapFromBlockedStock()
    {
        var decisions = Engine.Decide(SuggestionFacts(MrbDisposition.Scrap), TestContext.Current.CancellationToken);

        var approval = decisions.ApprovalsGating<ScrapLot>().Should().ContainSingle().Subject;
        approval.Gated.Describe().Should().Be("Scrap 1000 EA of lot L-1 from Blocked at plant-1");
        approval.Role.Should().Be(Role.MrbMember);
    }

    [Theory]
    [InlineData(0.8, true)]
    [InlineData(0.79, false)]
    public void Decide_SupplierEscalationRecommendationAtTheConfidenceThreshold_OpensAnUrgentCase(double confidence, bool opens)
    {
        var decisions = Engine.Decide(RiskFacts(TestFacts.Failed(DefectSeverity.Minor), (decimal)confidence), TestContext.Current.CancellationToken);

        decisions.OfType<OpenSupplierCase>().Should().HaveCount(opens ? 1 : 0);
        if (opens)
        {
            decisions.OfType<OpenSupplierCase>().Single().Priority.Should().Be(DecisionPriority.Urgent);
        }
    }

    [Fact]
    public void Decide_SupplierEscalationRecommendationEventWithoutSupplier_OpensTheCaseAgainstTheLotsSupplier()
    {
        var decisions = Engine.Decide(RiskFacts(TestFacts.Failed(DefectSeverity.Minor) with { Supplier = null }, 0.9m), TestContext.Current.CancellationToken);

        decisions.OfType<OpenSupplierCase>().Should().ContainSingle().Which.Supplier.Should().Be(TestFacts.Supplier);
    }

    [Fact]
    public void Decide_SupplierEscalationRecommendationEventNamesASupplier_OpensTheCaseAgainstTheEventsSupplier()
    {
        var decisions = Engine.Decide(RiskFacts(TestFacts.Failed(DefectSeverity.Minor) with { Supplier = new SupplierId("beta-parts") }, 0.9m), TestContext.Current.CancellationToken);

        decisions.OfType<OpenSupplierCase>().Should().ContainSingle().Which.Supplier.Should().Be(new SupplierId("beta-parts"));
    }

    [Fact]
    public void Decide_SupplierEscalationRecommendationNoSupplierKnown_OpensNoCase()
    {
        var facts = RiskFacts(TestFacts.Failed(DefectSeverity.Minor) with { Supplier = null }, 0.9m);
        facts = new FactSet { Event = facts.Event, Lot = facts.Lot! with { Supplier = null }, Material = facts.Material, Site = facts.Site, Recommendations = facts.Recommendations };

        Engine.Decide(facts, TestContext.Current.CancellationToken).Contains<OpenSupplierCase>().Should().BeFalse();
    }

    private static FactSet SuggestionFacts(MrbDisposition disposition) => new()
    {
        Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
        Recommendations =
        [
            new Recommendation
            {
                Kind = RecommendationKind.DispositionSuggestion, Lot = TestFacts.LotId, SuggestedAction = "act", SuggestedDisposition = disposition, Confidence = 0.9m,
                Model = "risk-model", ModelVersion = "2026.3", Explanation = "similar defects escalated 8 of 10 times",
            },
        ],
    };

    private static FactSet RiskFacts(InspectionFailed failed, decimal confidence) => new()
    {
        Event = failed, Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
        Recommendations =
        [
            new Recommendation
            {
                Kind = RecommendationKind.SupplierEscalationRisk, Lot = TestFacts.LotId, SuggestedAction = "escalate", Confidence = confidence, Model = "risk-model", ModelVersion = "2026.3",
            },
        ],
    };

    private static T InGerman<T>(Func<T> evaluate)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            return evaluate();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
