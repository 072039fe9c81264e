using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;
using ManufacturingOrchestration.Rules.Testing;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

/// <summary>
/// An engine built without customer requirements compiles the shipped rules without their customer gates; it must
/// decide exactly as the rules as written do (an engine with a customer registered that no lot here is allocated to):
/// the same rules firing in the same order, the same decisions and the same explanation text.
/// </summary>
public sealed class CustomerGatesTests
{
    private static readonly CustomerId Registered = new("C-STRICT");
    private static readonly SiteId OverlaySite = new("plant-7");
    private static readonly ActorId QualityManager = new("qm-anna");

    private static readonly Action<DecisionEngineBuilder> Standard = b => b
        .AddStandardRules()
        .AddSiteOverlay(OverlaySite, "plant-7", "2026.1", o => o.AddRules(typeof(PlantSupplierCaseForEveryFailureRule)).RemoveRule(InspectionFailedMoveToHoldRule.RuleName));

    private static readonly Action<DecisionEngineBuilder> AsWritten = b =>
    {
        Standard(b);
        b.AddCustomerRequirements(new CustomerQualityRequirements { Customer = Registered, ForbidsUseAsIs = true, RequiresCertificateOfAnalysis = true });
    };

    private static readonly RuleTestFixture WithoutCustomers = new(Standard);
    private static readonly RuleTestFixture WithCustomers = new(AsWritten);

    private static readonly IReadOnlyList<Actor> Actors =
        [new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = TestFacts.SiteId }] }];

    private static readonly Dictionary<string, Func<FactSet>> Cases = new(StringComparer.Ordinal)
    {
        ["inspection failed, major, class C"] = () => TestFacts.FailedFacts(),
        ["inspection failed, critical, class A, regulated"] = () => TestFacts.FailedFacts(DefectSeverity.Critical, CriticalityClass.A, regulated: true),
        ["inspection failed, at the overlay site"] = () => At(OverlaySite, TestFacts.FailedFacts()),
        ["inspection failed, allocated, alternates, poor supplier, genealogy"] = () => new FactSet
        {
            Event = TestFacts.Failed(DefectSeverity.Critical),
            Lot = TestFacts.Lot(consumed: 10),
            Material = TestFacts.Material(CriticalityClass.A, alternates: [new SupplierId("beta")]),
            Site = TestFacts.Site(),
            Allocations = [Allocation(customer: null), Allocation(new CustomerId("C-OTHER"))],
            SupplierHistory = new SupplierQualityHistory { Supplier = TestFacts.Supplier, WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddDays(90), Inspections = 20, Failures = 4 },
            Genealogy = [new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-7"), Order = new OrderId("WO-9"), Quantity = Quantity.Each(10) }],
        },
        ["inspection failed, partly consumed without genealogy, recommendations"] = () => new FactSet
        {
            Event = TestFacts.Failed(),
            Lot = TestFacts.Lot(consumed: 10),
            Material = TestFacts.Material(),
            Site = TestFacts.Site(),
            Recommendations =
            [
                new Recommendation { Kind = RecommendationKind.SupplierEscalationRisk, Lot = TestFacts.LotId, SuggestedAction = "escalate", Confidence = 0.95m, Model = "risk", ModelVersion = "1" },
                new Recommendation { Kind = RecommendationKind.DispositionSuggestion, Lot = TestFacts.LotId, SuggestedAction = "rework", SuggestedDisposition = MrbDisposition.Rework, Confidence = 0.9m, Model = "risk", ModelVersion = "1" },
            ],
        },
        ["inspection passed, accepted"] = () => TestFacts.PassedFacts(),
        ["inspection passed, accepted, allocated to another customer"] = () => new FactSet
        {
            Event = TestFacts.Passed(), Lot = TestFacts.Lot(), Site = TestFacts.Site(), Allocations = [Allocation(new CustomerId("C-OTHER"))],
        },
        ["inspection passed, restricted batch"] = () => TestFacts.PassedFacts(restricted: true),
        ["inspection passed, accepted restricted, regulated"] = () => TestFacts.PassedFacts(regulated: true, decision: UsageDecision.AcceptRestricted),
        ["inspection passed, rejected"] = () => TestFacts.PassedFacts(decision: UsageDecision.Reject),
        ["inspection passed, at the overlay site"] = () => At(OverlaySite, TestFacts.PassedFacts()),
        ["finished goods released, backorders and genealogy"] = () => new FactSet
        {
            Event = Released("SO-1", "SO-2"),
            Site = TestFacts.Site(),
            Lot = TestFacts.Lot() with { Id = new LotId("FG-7") },
            Genealogy = [new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-7"), Order = new OrderId("WO-9"), Quantity = Quantity.Each(10) }],
            Actors = Actors,
        },
        ["finished goods released, nothing else"] = () => new FactSet { Event = Released(), Site = TestFacts.Site(), Actors = Actors },
        ["finished goods released by an unknown claimant"] = () => new FactSet { Event = Released("SO-3"), Site = TestFacts.Site() },
        ["MRB use as is, rework, return and scrap"] = () => new FactSet
        {
            Event = new MrbDispositionDecided
            {
                Nonconformance = new NonconformanceId("NC-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId,
                Lines = [Line(MrbDisposition.UseAsIs), Line(MrbDisposition.Rework), Line(MrbDisposition.ReturnToSupplier), Line(MrbDisposition.Scrap)],
            },
            Site = TestFacts.Site(),
            Allocations = [Allocation(new CustomerId("C-OTHER"))],
            Actors = Actors,
        },
        ["MRB use as is at a regulated site"] = () => new FactSet
        {
            Event = new MrbDispositionDecided
            {
                Nonconformance = new NonconformanceId("NC-2"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId,
                Lines = [Line(MrbDisposition.UseAsIs)],
            },
            Site = TestFacts.Site(regulated: true),
            Actors = Actors,
        },
        ["cycle count over tolerance"] = () => Count(book: 100, counted: 80),
        ["cycle count within tolerance, controlled material"] = () => Count(book: 1000, counted: 999, controlled: true),
        ["scrap spike"] = () => new FactSet
        {
            Event = new ScrapReported { Site = TestFacts.SiteId, Line = "SMT-2", Material = TestFacts.MaterialId, Quantity = Quantity.Each(5) },
            Site = TestFacts.Site(),
            ScrapWindow = new ScrapWindow
            {
                Site = TestFacts.SiteId, Line = "SMT-2", WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddHours(8),
                ScrapQuantity = 10, GoodQuantity = 90, BaselineYield = 0.98m,
            },
        },
        ["production confirmed, partial"] = () => new FactSet
        {
            Event = new ProductionConfirmed { Order = new OrderId("WO-1"), Material = TestFacts.MaterialId, Site = TestFacts.SiteId, Yield = Quantity.Each(40), IsFinal = false },
            Site = TestFacts.Site(),
            Order = new ProductionOrder { Id = new OrderId("WO-1"), Material = TestFacts.MaterialId, Site = TestFacts.SiteId, PlannedQuantity = Quantity.Each(100), ConfirmedQuantity = 50 },
        },
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void Cases_AllButTheRejectedInspection_FireRules()
    {
        foreach (var (name, facts) in Cases)
        {
            WithCustomers.Evaluate(facts(), TestContext.Current.CancellationToken).FiredRules.Should().HaveCount(c => name.EndsWith("rejected", StringComparison.Ordinal) ? c == 0 : c > 0, name);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decide_WithoutCustomerRequirements_DecidesAsTheRulesAsWritten(string name)
    {
        var facts = Cases[name]();

        var expected = WithCustomers.Evaluate(facts, TestContext.Current.CancellationToken);
        var actual = WithoutCustomers.Evaluate(facts, TestContext.Current.CancellationToken);

        actual.FiredRules.Should().Equal(expected.FiredRules);
        actual.Decisions.Decisions.Select(d => d.GetType()).Should().Equal(expected.Decisions.Decisions.Select(d => d.GetType()));
        actual.Decisions.Describe().Should().Be(expected.Decisions.Describe());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decide_WithoutCustomerRequirementsOnThePooledSession_DescribesAsTheRulesAsWritten(string name)
    {
        var facts = Cases[name]();

        var expected = WithCustomers.Engine.Decide(facts, TestContext.Current.CancellationToken).Describe();

        WithoutCustomers.Engine.Decide(facts, TestContext.Current.CancellationToken).Describe().Should().Be(expected);
        WithoutCustomers.Engine.Decide(facts, TestContext.Current.CancellationToken).Describe().Should().Be(expected, "the pooled session is clean for the next evaluation");
    }

    [Fact]
    public void GetRuleNames_WithoutCustomerRequirements_StillNamesTheCustomerRules()
    {
        WithoutCustomers.Engine.GetRuleNames().Should().Equal(WithCustomers.Engine.GetRuleNames());
        WithoutCustomers.Engine.GetRuleNames(OverlaySite).Should().Equal(WithCustomers.Engine.GetRuleNames(OverlaySite));
        WithoutCustomers.Engine.GetRuleNames().Should().Contain(CustomerCertificateInspectionReleaseRule.RuleName);
    }

    [Fact]
    public void Decide_WithoutCustomerRequirementsButTheCallersOwnCustomerFact_GatesTheReleaseAsWritten()
    {
        var requirements = new LotCustomerRequirements(TestFacts.LotId, [new CustomerQualityRequirements { Customer = Registered, RequiresCertificateOfAnalysis = true }], certificateOnFile: false);
        var facts = new FactSet { Event = TestFacts.Passed(), Lot = TestFacts.Lot(), Site = TestFacts.Site(), AdditionalFacts = [requirements] };

        var result = WithoutCustomers.Evaluate(facts, TestContext.Current.CancellationToken);

        result.Fired(CustomerCertificateInspectionReleaseRule.RuleName).Should().BeTrue();
        result.Fired(InspectionPassedReleaseRule.RuleName).Should().BeFalse();
        result.Decisions.Contains<ReleaseLot>().Should().BeFalse();
        result.Decisions.OfType<RequireApproval>().Should().ContainSingle().Which.Reason.Should().Be(ReasonCodes.CustomerCertificateRequired);
        WithoutCustomers.Engine.Decide(facts, TestContext.Current.CancellationToken).Describe().Should().Be(result.Decisions.Describe());
        WithoutCustomers.Engine.Decide(TestFacts.PassedFacts(), TestContext.Current.CancellationToken).Contains<ReleaseLot>().Should().BeTrue("the next evaluation without the fact is decided without the gates again");
    }

    private static FactSet At(SiteId site, FactSet facts) => new()
    {
        Event = facts.Event switch
        {
            InspectionFailed failed => failed with { Site = site },
            InspectionPassed passed => passed with { Site = site },
            _ => facts.Event,
        },
        Lot = facts.Lot! with { Site = site },
        Material = facts.Material,
        Site = facts.Site! with { Id = site },
    };

    private static Allocation Allocation(CustomerId? customer) =>
        new() { Order = new OrderId("SO-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(50), Customer = customer };

    private static LotReleased Released(params string[] backorders) => new()
    {
        Lot = new LotId("FG-7"), Material = TestFacts.MaterialId, Site = TestFacts.SiteId, ReleasedBy = QualityManager,
        ProducedBy = new OrderId("WO-9"), Backorders = backorders, Quantity = Quantity.Each(50),
    };

    private static MrbDispositionLine Line(MrbDisposition disposition) => new()
    {
        Disposition = disposition, Lot = TestFacts.LotId, Quantity = Quantity.Each(25), Justification = "within design margin per ECN-12", Authorizer = QualityManager,
    };

    private static FactSet Count(decimal book, decimal counted, bool controlled = false) => new()
    {
        Event = new CycleCountRecorded
        {
            Count = new CycleCount
            {
                Id = new CycleCountId("CC-1"), Material = TestFacts.MaterialId, Lot = TestFacts.LotId, Site = TestFacts.SiteId,
                BookQuantity = Quantity.Each(book), CountedQuantity = Quantity.Each(counted), CountedBy = new ActorId("op-ben"),
            },
        },
        Material = TestFacts.Material(controlled: controlled),
        Site = TestFacts.Site(),
    };
}
