using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Standard;

public sealed class CustomerRequirementRulesTests
{
    private static readonly CustomerId Lenient = new("C-LENIENT");
    private static readonly CustomerId Strict = new("C-STRICT");
    private static readonly ActorId QualityManager = new("qm-anna");

    private static readonly DecisionEngine Engine = new DecisionEngineBuilder()
        .AddStandardRules()
        .AddCustomerRequirements(new CustomerQualityRequirements { Customer = Lenient })
        .AddCustomerRequirements(new CustomerQualityRequirements { Customer = Strict, ForbidsUseAsIs = true, RequiresCertificateOfAnalysis = true })
        .Build();

    private static readonly IReadOnlyList<Actor> Actors =
        [new Actor { Id = QualityManager, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = TestFacts.SiteId }] }];

    private static Allocation[] AllocatedTo(CustomerId? customer) =>
        [new Allocation { Order = new OrderId("SO-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(50), Customer = customer }];

    private static CertificateOfAnalysis[] Certificate() =>
        [new CertificateOfAnalysis { Lot = TestFacts.LotId, Document = new EvidenceReference { Location = new Uri("https://docs.example/coa/L-1.pdf") } }];

    private static FactSet UseAsIs(CustomerId? customer) => new()
    {
        Event = new MrbDispositionDecided
        {
            Nonconformance = new NonconformanceId("NC-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId,
            Lines = [new MrbDispositionLine { Disposition = MrbDisposition.UseAsIs, Lot = TestFacts.LotId, Quantity = Quantity.Each(100), Justification = "within design margin per ECN-12", Authorizer = QualityManager }],
        },
        Site = TestFacts.Site(),
        Allocations = AllocatedTo(customer),
        Actors = Actors,
    };

    private static FactSet FinishedGoods(CustomerId? customer, bool certificate) => new()
    {
        Event = new LotReleased { Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId, ReleasedBy = QualityManager, Quantity = Quantity.Each(50) },
        Site = TestFacts.Site(),
        Allocations = AllocatedTo(customer),
        CertificatesOfAnalysis = certificate ? Certificate() : [],
        Actors = Actors,
    };

    private static FactSet Passed(CustomerId? customer, bool certificate) => new()
    {
        Event = TestFacts.Passed(),
        Lot = TestFacts.Lot(),
        Site = TestFacts.Site(),
        Allocations = AllocatedTo(customer),
        CertificatesOfAnalysis = certificate ? Certificate() : [],
    };

    [Fact]
    public void Decide_UseAsIsOnALotForACustomerAllowingConcessions_UsesTheLotAsIs()
    {
        var decisions = Engine.Decide(UseAsIs(Lenient), TestContext.Current.CancellationToken);

        decisions.OfType<UseLotAsIs>().Should().ContainSingle();
        decisions.Contains<Escalate>().Should().BeFalse();
    }

    [Fact]
    public void Decide_UseAsIsOnALotForACustomerForbiddingConcessions_IsRefusedWithTheCustomerReason()
    {
        var decisions = Engine.Decide(UseAsIs(Strict), TestContext.Current.CancellationToken);

        decisions.Contains<UseLotAsIs>().Should().BeFalse();
        decisions.ApprovalsGating<UseLotAsIs>().Should().BeEmpty();
        var refusal = decisions.OfType<Escalate>().Should().ContainSingle().Subject;
        refusal.ReasonCode.Should().Be(ReasonCodes.CustomerConcessionForbidden);
        refusal.Message.Should().Contain("C-STRICT");
        refusal.Explanation.Firings.Should().ContainSingle().Which.RuleName.Should().Be(CustomerConcessionForbiddenRule.RuleName);
    }

    [Fact]
    public void Decide_FinishedGoodsForACustomerRequiringACertificateWithoutOne_WaitsForTheCertificate()
    {
        var decisions = Engine.Decide(FinishedGoods(Strict, certificate: false), TestContext.Current.CancellationToken);

        decisions.Contains<ReleaseLot>().Should().BeFalse();
        decisions.Contains<ReleaseShipmentHold>().Should().BeFalse();
        var gate = decisions.ApprovalsGating<ReleaseLot>().Should().ContainSingle().Subject;
        gate.Reason.Should().Be(ReasonCodes.CustomerCertificateRequired);
        gate.GatedAction.Should().BeOfType<ReleaseLot>().Which.ReleasedBy.Should().Be(QualityManager);
        decisions.ApprovalsGating<ReleaseShipmentHold>().Should().ContainSingle().Which.Reason.Should().Be(ReasonCodes.CustomerCertificateRequired);
    }

    [Fact]
    public void Decide_FinishedGoodsForACustomerRequiringACertificateWithOne_ReleasesAndShips()
    {
        var decisions = Engine.Decide(FinishedGoods(Strict, certificate: true), TestContext.Current.CancellationToken);

        decisions.OfType<ReleaseLot>().Should().ContainSingle();
        decisions.OfType<ReleaseShipmentHold>().Should().ContainSingle();
        decisions.Contains<RequireApproval>().Should().BeFalse();
    }

    [Fact]
    public void Decide_InspectionPassedForACustomerRequiringACertificate_ReleaseWaitsForItThenGoesThrough()
    {
        var waiting = Engine.Decide(Passed(Strict, certificate: false), TestContext.Current.CancellationToken);
        var released = Engine.Decide(Passed(Strict, certificate: true), TestContext.Current.CancellationToken);

        waiting.Contains<ReleaseLot>().Should().BeFalse();
        waiting.ApprovalsGating<ReleaseLot>().Should().ContainSingle().Which.Reason.Should().Be(ReasonCodes.CustomerCertificateRequired);
        released.OfType<ReleaseLot>().Should().ContainSingle().Which.TargetCategory.Should().Be(StockCategory.Unrestricted);
        released.Contains<RequireApproval>().Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("C-LENIENT")]
    [InlineData("C-UNKNOWN")]
    public void Decide_WithoutRequirementsOfTheLotsCustomers_BehavesAsWithoutCustomers(string? customer)
    {
        var id = customer is null ? (CustomerId?)null : new CustomerId(customer);
        var plain = TestFacts.StandardEngine();

        foreach (var facts in new[] { UseAsIs(id), FinishedGoods(id, certificate: false), Passed(id, certificate: false) })
        {
            var expected = plain.Decide(facts, TestContext.Current.CancellationToken).Decisions.Select(d => d.Describe());
            Engine.Decide(facts, TestContext.Current.CancellationToken).Decisions.Select(d => d.Describe()).Should().BeEquivalentTo(expected);
        }
    }

    [Fact]
    public void AddCustomerRequirements_TwiceForOneCustomer_IsRefused()
    {
        var builder = new DecisionEngineBuilder().AddCustomerRequirements(new CustomerQualityRequirements { Customer = Strict });

        var act = () => builder.AddCustomerRequirements(new CustomerQualityRequirements { Customer = Strict, ForbidsUseAsIs = true });

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.RuleSetInvalid);
    }
}
