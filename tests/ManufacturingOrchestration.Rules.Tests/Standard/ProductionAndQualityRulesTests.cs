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
}
