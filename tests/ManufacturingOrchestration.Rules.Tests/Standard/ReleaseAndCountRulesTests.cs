using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Standard;

public sealed class ReleaseAndCountRulesTests
{
    private static readonly DecisionEngine Engine = TestFacts.StandardEngine();

    private static LotReleased Released(params string[] backorders) => new()
    {
        Lot = new LotId("FG-7"), Material = TestFacts.MaterialId, Site = TestFacts.SiteId, ReleasedBy = new ActorId("qm-anna"),
        ProducedBy = new OrderId("WO-9"), Backorders = backorders,
    };

    private static FactSet CountFacts(decimal book, decimal counted, AbcClass abc = AbcClass.C, bool controlled = false, CountAuthority? authority = null) => new()
    {
        Event = new CycleCountRecorded
        {
            Count = new CycleCount
            {
                Id = new CycleCountId("CC-1"), Material = TestFacts.MaterialId, Lot = TestFacts.LotId, Site = TestFacts.SiteId,
                BookQuantity = Quantity.Each(book), CountedQuantity = Quantity.Each(counted), CountedBy = new ActorId("op-ben"),
            },
        },
        Material = TestFacts.Material(abc: abc, controlled: controlled),
        Site = TestFacts.Site(),
        CountAuthority = authority,
    };

    [Fact]
    public void Decide_LotReleasedWithBackordersAndGenealogy_ReleasesHoldUpdatesAtpNotifiesAndPublishesLinks()
    {
        var link = new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-7"), Order = new OrderId("WO-9"), Quantity = Quantity.Each(10) };
        var facts = new FactSet { Event = Released("SO-1", "SO-2"), Site = TestFacts.Site(), Genealogy = [link], Lot = TestFacts.Lot() with { Id = new LotId("FG-7") } };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.OfType<ReleaseShipmentHold>().Should().ContainSingle().Which.Lot.Should().Be(new LotId("FG-7"));
        decisions.OfType<UpdateAtp>().Should().ContainSingle();
        decisions.OfType<NotifyCustomerService>().Should().ContainSingle().Which.Backorders.Should().Equal("SO-1", "SO-2");
        var publish = decisions.OfType<PublishGenealogy>().Should().ContainSingle().Subject;
        publish.Links.Should().Equal(link);
        publish.Explanation.Includes(LotReleasedGenealogyWithLinksRule.RuleName).Should().BeTrue();
    }

    [Fact]
    public void Decide_LotReleasedWithoutBackordersOrGenealogy_PublishesWithoutLinksAndDoesNotNotify()
    {
        var decisions = Engine.Decide(new FactSet { Event = Released(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        decisions.Contains<NotifyCustomerService>().Should().BeFalse();
        var publish = decisions.OfType<PublishGenealogy>().Should().ContainSingle().Subject;
        publish.Links.Should().BeEmpty();
        publish.Order.Should().Be(new OrderId("WO-9"));
    }

    private static readonly Actor QmAnna = new() { Id = new ActorId("qm-anna"), Roles = [new RoleAssignment { Role = Role.QualityManager, Site = TestFacts.SiteId }] };

    [Fact]
    public void Decide_ReleaseOfFinishedGoodsAtRegulatedSite_IsGatedByTheReleaseApproverEvenWhenTheReleaserHoldsTheRole()
    {
        var decisions = Engine.Decide(new FactSet { Event = Released(), Site = TestFacts.Site(regulated: true), Actors = [QmAnna] }, TestContext.Current.CancellationToken);

        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.Reason.Should().Be(ReasonCodes.ApprovalRequired);
        approval.Gated.Should().BeOfType<ReleaseLot>().Which.ReleasedBy.Should().Be(new ActorId("qm-anna"));
        decisions.Contains<ReleaseLot>().Should().BeFalse();
    }

    [Fact]
    public void Decide_ReleaseOfFinishedGoodsByAReleaserHoldingTheRoleAtTheSite_ReleasesTheStockWithoutApproval()
    {
        var decisions = Engine.Decide(new FactSet { Event = Released(), Site = TestFacts.Site(), Actors = [QmAnna] }, TestContext.Current.CancellationToken);

        decisions.Contains<RequireApproval>().Should().BeFalse();
        var release = decisions.OfType<ReleaseLot>().Should().ContainSingle().Subject;
        release.ReleasedBy.Should().Be(new ActorId("qm-anna"));
        release.Explanation.Includes(LotReleasedStockRule.RuleName).Should().BeTrue();
    }

    public static TheoryData<string, Actor[]> UnverifiedReleasers => new()
    {
        { "unknown to the directory", [] },
        { "role at another site", [QmAnna with { Roles = [new RoleAssignment { Role = Role.QualityManager, Site = new SiteId("OTHER") }] }] },
        { "another role", [QmAnna with { Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = TestFacts.SiteId }] }] },
        { "a system account", [QmAnna with { IsSystem = true }] },
    };

    [Theory]
    [MemberData(nameof(UnverifiedReleasers))]
    public void Decide_ReleaseOfFinishedGoodsByAReleaserWithoutAuthority_IsGatedByTheReleaseApprover(string why, Actor[] directory)
    {
        var decisions = Engine.Decide(new FactSet { Event = Released(), Site = TestFacts.Site(), Actors = directory }, TestContext.Current.CancellationToken);

        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle(why).Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.Reason.Should().Be(ReasonCodes.ReleaseAuthorityUnverified);
        approval.Explanation.Includes(DecisionPolicy.ReleaseAuthorityRuleName).Should().BeTrue();
        approval.Gated.Should().BeOfType<ReleaseLot>();
        decisions.Contains<ReleaseLot>().Should().BeFalse();
    }

    [Fact]
    public void Decide_CountWithinTolerance_PostsDirectlyWithoutPause()
    {
        var decisions = Engine.Decide(CountFacts(book: 1000, counted: 990), TestContext.Current.CancellationToken);

        var adjustment = decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<PostCountAdjustment>().Subject;
        adjustment.Variance.Should().Be(-10);
        adjustment.Explanation.Includes(CycleCountWithinToleranceRule.RuleName).Should().BeTrue();
    }

    [Fact]
    public void Decide_CountWithoutVariance_DecidesNothing()
    {
        Engine.Decide(CountFacts(book: 1000, counted: 1000), TestContext.Current.CancellationToken).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Decide_SameVarianceForClassAAndClassC_OnlyClassAIsOverTolerance()
    {
        Engine.Decide(CountFacts(book: 1000, counted: 980, abc: AbcClass.C), TestContext.Current.CancellationToken).Contains<PausePicks>().Should().BeFalse("2 % and 20 units are inside ±5 % / 100");
        Engine.Decide(CountFacts(book: 1000, counted: 980, abc: AbcClass.A), TestContext.Current.CancellationToken).Contains<PausePicks>().Should().BeTrue("2 % is outside ±1 %");
    }

    [Fact]
    public void Decide_CountOverAbsoluteToleranceButInsidePercentage_IsOverTolerance()
    {
        // Class C: 5 % allowed, 100 units absolute: 150 of 10,000 is 1.5 % but over the absolute limit.
        Engine.Decide(CountFacts(book: 10_000, counted: 9_850), TestContext.Current.CancellationToken).Contains<PausePicks>().Should().BeTrue();
    }

    [Fact]
    public void Decide_CountOverToleranceWithoutAuthority_PausesPicksAndRequiresSupervisorApproval()
    {
        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80), TestContext.Current.CancellationToken);

        decisions.OfType<PausePicks>().Should().ContainSingle().Which.CycleCount.Should().Be(new CycleCountId("CC-1"));
        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.CycleCountSupervisor);
        approval.Gated.Should().BeOfType<PostCountAdjustment>().Which.Variance.Should().Be(-20);
        decisions.Decisions.OfType<PostCountAdjustment>().Should().BeEmpty("the adjustment waits for the approval");
    }

    [Fact]
    public void Decide_CountOverToleranceWithinSupervisorsOwnLimit_PostsDirectlyWithoutPausingPicks()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25 };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, authority: authority), TestContext.Current.CancellationToken);

        decisions.Contains<PausePicks>().Should().BeFalse("nothing stays open once the supervisor posts, so nothing would ever resume the picks");
        decisions.OfType<PostCountAdjustment>().Should().ContainSingle().Which.Explanation.Includes(CycleCountWithinToleranceRule.RuleName).Should().BeTrue();
        decisions.Contains<RequireApproval>().Should().BeFalse();
    }

    [Fact]
    public void Decide_CountOverToleranceWithinOperatorsOwnLimit_PausesPicksAndRequiresApproval()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25 };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, authority: authority), TestContext.Current.CancellationToken);

        decisions.Contains<PausePicks>().Should().BeTrue("an operator's authority never widens the ABC tolerance band");
        decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle().Which.Role.Should().Be(Role.CycleCountSupervisor);
        decisions.Decisions.OfType<PostCountAdjustment>().Should().BeEmpty();
    }

    [Fact]
    public void Decide_SupervisorsCountAboveOwnDocumentLimit_RequiresApproval()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25, MaxDocumentDifference = 10 };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, authority: authority), TestContext.Current.CancellationToken);

        decisions.Decisions.OfType<PostCountAdjustment>().Should().BeEmpty();
        decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_CountWithinToleranceAboveCounterLimit_PausesPicksAndRequiresApproval()
    {
        // Class C: ±5 % / 100 units; −50 of 1,000 is inside the band, but the counter may post 10 units and 1 %.
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = 10, MaxAdjustmentPercent = 1 };

        var decisions = Engine.Decide(CountFacts(book: 1000, counted: 950, authority: authority), TestContext.Current.CancellationToken);

        decisions.Decisions.OfType<PostCountAdjustment>().Should().BeEmpty();
        var approval = decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.CycleCountSupervisor);
        approval.Gated.Should().BeOfType<PostCountAdjustment>().Which.Variance.Should().Be(-50);
        approval.Note.Should().Be("The variance is inside the tolerance but beyond the counter's own limit.");
        decisions.OfType<PausePicks>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_CountWithinToleranceAndCounterLimits_PostsDirectly()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = 10, MaxAdjustmentPercent = 1 };

        var decisions = Engine.Decide(CountFacts(book: 1000, counted: 990, authority: authority), TestContext.Current.CancellationToken);

        decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<PostCountAdjustment>().Which.Variance.Should().Be(-10);
    }

    [Fact]
    public void Decide_CountWithinToleranceAndItemLimitsAboveDocumentLimit_RequiresApproval()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = 100, MaxAdjustmentPercent = 5, MaxDocumentDifference = 20 };

        var decisions = Engine.Decide(CountFacts(book: 1000, counted: 970, authority: authority), TestContext.Current.CancellationToken);

        decisions.Decisions.OfType<PostCountAdjustment>().Should().BeEmpty();
        decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_CountWithinToleranceWithAnotherActorsLowLimit_PostsDirectly()
    {
        var someoneElse = new CountAuthority { Actor = new ActorId("op-cara"), Role = Role.Operator, MaxAdjustmentQuantity = 1, MaxAdjustmentPercent = 0.1m };

        var decisions = Engine.Decide(CountFacts(book: 1000, counted: 990, authority: someoneElse), TestContext.Current.CancellationToken);

        decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<PostCountAdjustment>();
    }

    [Fact]
    public void Decide_CountOverToleranceAboveCounterLimit_PausesPicksAndRequiresApproval()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = 5, MaxAdjustmentPercent = 5 };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, authority: authority), TestContext.Current.CancellationToken);

        decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle();
        decisions.OfType<PausePicks>().Should().ContainSingle().Which.Explanation.Includes(CycleCountPausePicksRule.RuleName).Should().BeTrue();
        decisions.Decisions.OfType<PostCountAdjustment>().Should().BeEmpty();
    }

    [Theory]
    [InlineData(19, 50, "the quantity limit is below the 20-unit variance")]
    [InlineData(50, 19, "the percentage limit is below the 20 % variance")]
    public void Decide_CountOverToleranceOverOneOfTheCounterLimits_PausesPicksAndRequiresApproval(int maxQuantity, int maxPercent, string because)
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = maxQuantity, MaxAdjustmentPercent = maxPercent };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, authority: authority), TestContext.Current.CancellationToken);

        decisions.Contains<PausePicks>().Should().BeTrue(because);
        decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle(because);
    }

    [Fact]
    public void Decide_CountOverToleranceWithAnotherActorsAuthority_PausesPicksAndRequiresApproval()
    {
        var someoneElse = new CountAuthority { Actor = new ActorId("ccs-cleo"), Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25 };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, authority: someoneElse), TestContext.Current.CancellationToken);

        decisions.Contains<PausePicks>().Should().BeTrue("only the counter's own authority lets the count be posted at once");
        decisions.ApprovalsGating<PostCountAdjustment>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_ControlledMaterialOverToleranceWithinSupervisorsLimit_OpensRootCauseAnalysisAndPostsWithoutPausingPicks()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25 };

        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, controlled: true, authority: authority), TestContext.Current.CancellationToken);

        decisions.Contains<OpenRootCauseAnalysis>().Should().BeTrue();
        decisions.Contains<PostCountAdjustment>().Should().BeTrue();
        decisions.Contains<PausePicks>().Should().BeFalse();
    }

    [Fact]
    public void Decide_ControlledMaterialOverTolerance_OpensRootCauseAnalysis()
    {
        var decisions = Engine.Decide(CountFacts(book: 100, counted: 80, controlled: true), TestContext.Current.CancellationToken);

        decisions.OfType<OpenRootCauseAnalysis>().Should().ContainSingle().Which.Subject.Should().Be("cycle count CC-1");
    }

    [Fact]
    public void Decide_ControlledMaterialWithinTolerance_NoRootCauseAnalysis()
    {
        Engine.Decide(CountFacts(book: 1000, counted: 990, controlled: true), TestContext.Current.CancellationToken).Contains<OpenRootCauseAnalysis>().Should().BeFalse();
    }
}
