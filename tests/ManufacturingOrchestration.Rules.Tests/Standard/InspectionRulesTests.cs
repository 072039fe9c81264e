using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Standard;

public sealed class InspectionRulesTests
{
    private static readonly DecisionEngine Engine = TestFacts.StandardEngine();

    [Fact]
    public void Decide_MajorFailureOnClassCMaterial_QuarantinesMovesToHoldAndNotifiesProcurementWithoutSupplierCase()
    {
        var decisions = Engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        var quarantine = decisions.OfType<QuarantineLot>().Should().ContainSingle().Subject;
        quarantine.Lot.Should().Be(TestFacts.LotId);
        quarantine.FromCategory.Should().Be(StockCategory.QualityInspection);
        quarantine.Quantity.Should().Be(Quantity.Each(1000));
        decisions.OfType<MoveStockToHold>().Should().ContainSingle().Which.HoldLocation.Should().Be(new BinId("HOLD-01"));
        var notify = decisions.OfType<NotifyProcurement>().Should().ContainSingle().Subject;
        notify.Expedite.Should().BeTrue("a major defect expedites replacement supply");
        notify.Supplier.Should().Be(TestFacts.Supplier);
        decisions.Contains<OpenSupplierCase>().Should().BeFalse();
        decisions.Count.Should().Be(3);
    }

    [Fact]
    public void Decide_CriticalFailure_OpensSupplierCaseWithEvidence()
    {
        var decisions = Engine.Decide(TestFacts.FailedFacts(DefectSeverity.Critical), TestContext.Current.CancellationToken);

        var supplierCase = decisions.OfType<OpenSupplierCase>().Should().ContainSingle().Subject;
        supplierCase.Supplier.Should().Be(TestFacts.Supplier);
        supplierCase.Severity.Should().Be(DefectSeverity.Critical);
        supplierCase.Evidence.Should().ContainSingle().Which.MediaType.Should().Be("image/jpeg");
        decisions.OfType<QuarantineLot>().Single().Priority.Should().Be(DecisionPriority.Urgent);
    }

    [Fact]
    public void Decide_MinorFailureOnClassAMaterial_OpensSupplierCase()
    {
        var decisions = Engine.Decide(TestFacts.FailedFacts(DefectSeverity.Minor, CriticalityClass.A), TestContext.Current.CancellationToken);

        decisions.OfType<OpenSupplierCase>().Should().ContainSingle()
            .Which.Explanation.Includes(InspectionFailedSupplierCaseRule.RuleName).Should().BeTrue();
        decisions.OfType<NotifyProcurement>().Single().Expedite.Should().BeTrue("class A material expedites replacement supply");
    }

    [Fact]
    public void Decide_SupplierWithPoorHistoryAndCriticalDefect_MergesOneCaseExplainedByBothRulesAndEscalates()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(DefectSeverity.Critical), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            SupplierHistory = new SupplierQualityHistory
            {
                Supplier = TestFacts.Supplier, WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddDays(90),
                Inspections = 20, Failures = 4,
            },
        };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        var supplierCase = decisions.OfType<OpenSupplierCase>().Should().ContainSingle().Subject;
        supplierCase.Explanation.RuleNames.Should().BeEquivalentTo([InspectionFailedSupplierCaseRule.RuleName, InspectionFailedSupplierHistoryRule.RuleName]);
        decisions.OfType<Escalate>().Should().ContainSingle().Which.Role.Should().Be(Role.SupplierQuality);
    }

    [Fact]
    public void Decide_SupplierWithGoodHistory_NoEscalation()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            SupplierHistory = new SupplierQualityHistory
            {
                Supplier = TestFacts.Supplier, WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddDays(90), Inspections = 50, Failures = 1,
            },
        };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<Escalate>().Should().BeFalse();
        decisions.Contains<OpenSupplierCase>().Should().BeFalse("a major defect on class C material from a good supplier opens no case");
    }

    [Theory]
    [InlineData(100, 3, 0, "3 failure(s) in 100 inspection(s), 0 open corrective action(s); lot L-1 failed again.")]
    [InlineData(10, 1, 0, "1 failure(s) in 10 inspection(s), 0 open corrective action(s); lot L-1 failed again.")]
    [InlineData(100, 0, 1, "0 failure(s) in 100 inspection(s), 1 open corrective action(s); lot L-1 failed again.")]
    public void Decide_SupplierHistoryAtAThreshold_OpensCaseAndEscalatesToSupplierQuality(int inspections, int failures, int openCorrectiveActions, string message)
    {
        var decisions = Engine.Decide(WithHistory(inspections, failures, openCorrectiveActions), TestContext.Current.CancellationToken);

        var supplierCase = decisions.OfType<OpenSupplierCase>().Should().ContainSingle("a major defect on class C material opens a case only through the history").Subject;
        supplierCase.Explanation.RuleNames.Should().Equal(InspectionFailedSupplierHistoryRule.RuleName);
        supplierCase.Priority.Should().Be(DecisionPriority.High);
        var escalation = decisions.OfType<Escalate>().Should().ContainSingle().Subject;
        escalation.Role.Should().Be(Role.SupplierQuality);
        escalation.Site.Should().Be(TestFacts.SiteId);
        escalation.Subject.Should().Be("supplier acme");
        escalation.Priority.Should().Be(DecisionPriority.High);
        escalation.Message.Should().Be(message);
    }

    [Theory]
    [InlineData(100, 2, 0)]
    [InlineData(11, 1, 0)]
    [InlineData(0, 0, 0)]
    public void Decide_SupplierHistoryJustBelowEveryThreshold_NeitherCaseNorEscalation(int inspections, int failures, int openCorrectiveActions)
    {
        var decisions = Engine.Decide(WithHistory(inspections, failures, openCorrectiveActions), TestContext.Current.CancellationToken);

        decisions.Contains<Escalate>().Should().BeFalse();
        decisions.Contains<OpenSupplierCase>().Should().BeFalse();
        decisions.Count.Should().Be(3, "quarantine, hold move and procurement notice are all that remain");
    }

    [Fact]
    public void Decide_PoorHistoryOfAnotherSupplier_NeitherCaseNorEscalation()
    {
        var facts = WithHistory(10, 5, 2);
        facts = new FactSet
        {
            Event = facts.Event, Lot = facts.Lot, Material = facts.Material, Site = facts.Site,
            SupplierHistory = facts.SupplierHistory! with { Supplier = new SupplierId("other-supplier") },
        };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<Escalate>().Should().BeFalse();
        decisions.Contains<OpenSupplierCase>().Should().BeFalse();
    }

    [Fact]
    public void Decide_AllocatedLotWithAlternateSuppliers_ReevaluatesAllocationsAndRequestsAlternateSupply()
    {
        var alternate = new SupplierId("beta-parts");
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(alternates: alternate), Site = TestFacts.Site(),
            Allocations =
            [
                new Allocation { Order = new OrderId("WO-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(300) },
                new Allocation { Order = new OrderId("WO-2"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(200) },
            ],
        };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.OfType<ReevaluateAllocations>().Should().ContainSingle().Which.Orders.Should().Equal(new OrderId("WO-1"), new OrderId("WO-2"));
        var request = decisions.OfType<RequestAlternateSupply>().Should().ContainSingle().Subject;
        request.AlternateSuppliers.Should().Equal(alternate);
        request.Quantity.Should().Be(Quantity.Each(500));
    }

    [Fact]
    public void Decide_PartiallyConsumedLotWithGenealogy_ContainsAffectedWorkOrders()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(consumed: 100), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Genealogy =
            [
                new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-7"), Order = new OrderId("WO-9"), Quantity = Quantity.Each(100) },
            ],
        };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        var containment = decisions.OfType<ContainWorkOrders>().Should().ContainSingle().Subject;
        containment.Orders.Should().Equal(new OrderId("WO-9"));
        containment.ProducedLots.Should().Equal(new LotId("FG-7"));
        decisions.Contains<Escalate>().Should().BeFalse();
    }

    [Fact]
    public void Decide_PartiallyConsumedLotWithoutGenealogy_EscalatesToQualityEngineering()
    {
        var facts = new FactSet { Event = TestFacts.Failed(), Lot = TestFacts.Lot(consumed: 100), Material = TestFacts.Material(), Site = TestFacts.Site() };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.Contains<ContainWorkOrders>().Should().BeFalse();
        decisions.OfType<Escalate>().Should().ContainSingle().Which.Role.Should().Be(Role.QualityEngineer);
    }

    [Fact]
    public void Decide_FailedInspection_ExplanationNamesRuleRuleSetVersionAndMatchedFacts()
    {
        var decisions = Engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        var firing = decisions.OfType<QuarantineLot>().Single().Explanation.Firings.Should().ContainSingle().Subject;
        firing.RuleName.Should().Be(InspectionFailedQuarantineRule.RuleName);
        firing.RuleSetName.Should().Be("mo.standard");
        firing.RuleSetVersion.Should().Be("1.0.0");
        firing.Facts.Select(f => f.Name).Should().Equal("failed", "lot");
        firing.Describe().Should().Contain("mo.inspection-failed.quarantine").And.Contain("L-1").And.Contain("QI (or unrestricted) → blocked");
        decisions.RuleSetVersion.Should().Be("mo.standard@1.0.0");
    }

    [Fact]
    public void Decide_PassedInspection_ReleasesToUnrestricted()
    {
        var decisions = Engine.Decide(TestFacts.PassedFacts(), TestContext.Current.CancellationToken);

        var release = decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<ReleaseLot>().Subject;
        release.TargetCategory.Should().Be(StockCategory.Unrestricted);
        release.Explanation.Includes(InspectionPassedReleaseRule.RuleName).Should().BeTrue();
    }

    [Theory]
    [InlineData(true, UsageDecision.Accept)]
    [InlineData(false, UsageDecision.AcceptRestricted)]
    public void Decide_PassedRestrictedBatchOrRestrictedAcceptance_ReleasesToRestrictedUseOnly(bool restrictedBatch, UsageDecision decision)
    {
        var decisions = Engine.Decide(TestFacts.PassedFacts(restricted: restrictedBatch, decision: decision), TestContext.Current.CancellationToken);

        decisions.OfType<ReleaseLot>().Should().ContainSingle().Which.TargetCategory.Should().Be(StockCategory.RestrictedUse);
    }

    [Fact]
    public void Decide_PassedAtRegulatedSite_ReleaseComesOutAsApprovalByQualityManager()
    {
        var decisions = Engine.Decide(TestFacts.PassedFacts(regulated: true), TestContext.Current.CancellationToken);

        decisions.Contains<ReleaseLot>().Should().BeFalse();
        var approval = decisions.OfType<RequireApproval>().Should().ContainSingle().Subject;
        approval.Role.Should().Be(Role.QualityManager);
        approval.Site.Should().Be(TestFacts.SiteId);
        approval.Reason.Should().Be(ReasonCodes.ApprovalRequired);
        approval.Gated.Should().BeOfType<ReleaseLot>().Which.Explanation.Includes(InspectionPassedReleaseRule.RuleName).Should().BeTrue();
    }

    private static FactSet WithHistory(int inspections, int failures, int openCorrectiveActions) => new()
    {
        Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
        SupplierHistory = new SupplierQualityHistory
        {
            Supplier = TestFacts.Supplier, WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddDays(90),
            Inspections = inspections, Failures = failures, OpenCorrectiveActions = openCorrectiveActions,
        },
    };

    [Fact]
    public void Decide_FailedLotWithOnlyUnrestrictedStock_QuarantinesFromUnrestricted()
    {
        var lot = TestFacts.Lot() with { Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(40) }] };

        var decisions = Engine.Decide(new FactSet { Event = TestFacts.Failed(), Lot = lot, Material = TestFacts.Material(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        decisions.OfType<QuarantineLot>().Should().ContainSingle().Which.FromCategory.Should().Be(StockCategory.Unrestricted);
    }

    [Fact]
    public void Decide_FailedLotWithNoStockLeft_QuarantinesFromQualityInspection()
    {
        var lot = TestFacts.Lot() with { Buckets = [] };

        var decisions = Engine.Decide(new FactSet { Event = TestFacts.Failed(), Lot = lot, Material = TestFacts.Material(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        var quarantine = decisions.OfType<QuarantineLot>().Should().ContainSingle().Subject;
        quarantine.FromCategory.Should().Be(StockCategory.QualityInspection);
        quarantine.HoldReason.Should().Be("inspection IL-1 failed (Major)");
        quarantine.Priority.Should().Be(DecisionPriority.High);
    }

    [Fact]
    public void Decide_FailureWithoutDescriptionOnClassAMaterial_NotifiesProcurementSayingSo()
    {
        var facts = new FactSet
        {
            Event = TestFacts.Failed(DefectSeverity.Minor) with { DefectDescription = null, Supplier = null }, Lot = TestFacts.Lot(),
            Material = TestFacts.Material(CriticalityClass.A), Site = TestFacts.Site(),
        };

        var decisions = Engine.Decide(facts, TestContext.Current.CancellationToken);

        var notify = decisions.OfType<NotifyProcurement>().Should().ContainSingle().Subject;
        notify.Message.Should().Be("Lot L-1 failed inspection IL-1 (Minor): no description");
        notify.Supplier.Should().Be(TestFacts.Supplier, "the material's supplier stands in for the event's");
        decisions.OfType<OpenSupplierCase>().Should().ContainSingle().Which.Supplier.Should().Be(TestFacts.Supplier);
    }

    [Fact]
    public void Decide_MinorFailureOnClassCMaterial_NotifiesProcurementWithoutExpediting()
    {
        var decisions = Engine.Decide(TestFacts.FailedFacts(DefectSeverity.Minor), TestContext.Current.CancellationToken);

        decisions.OfType<NotifyProcurement>().Should().ContainSingle().Which.Expedite.Should().BeFalse();
        decisions.Contains<OpenSupplierCase>().Should().BeFalse();
    }
}
