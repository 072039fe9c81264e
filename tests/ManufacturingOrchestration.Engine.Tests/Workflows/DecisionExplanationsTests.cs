using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Engine.Tests.Workflows;

public sealed class DecisionExplanationsTests
{
    private static readonly Lazy<DecisionEngine> Rules = new(() => new DecisionEngineBuilder().AddStandardRules().Build());
    private static readonly SiteProfile Site = new() { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") };
    private static readonly MaterialDefinition Material = new() { Id = new MaterialId("M-1"), BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = new SupplierId("S1") };

    [Fact]
    public void Describe_FailedInspectionWithSeveralDecisions_IsTheRulesPackagesText()
    {
        var decisions = Rules.Value.Decide(Facts(failed: true), TestContext.Current.CancellationToken);

        decisions.Count.Should().BeGreaterThan(2, "the failed inspection decides quarantine, hold, notification and supplier case");
        DecisionExplanations.Describe(decisions).Should().Be(decisions.Describe());
    }

    [Fact]
    public void Describe_PassedInspection_IsTheRulesPackagesText()
    {
        var decisions = Rules.Value.Decide(Facts(failed: false), TestContext.Current.CancellationToken);

        DecisionExplanations.Describe(decisions).Should().Be(decisions.Describe()).And.Contain("mo.inspection-passed.release");
    }

    [Fact]
    public void Describe_CalledAgainForAnotherLot_DescribesTheNewLotNotTheFormerOne()
    {
        var first = DecisionExplanations.Describe(Rules.Value.Decide(Facts(failed: true, lot: "L-1"), TestContext.Current.CancellationToken));
        var second = DecisionExplanations.Describe(Rules.Value.Decide(Facts(failed: true, lot: "L-2"), TestContext.Current.CancellationToken));

        first.Should().Contain("L-1").And.NotContain("L-2");
        second.Should().Contain("L-2").And.NotContain("L-1");
    }

    private static FactSet Facts(bool failed, string lot = "L-1")
    {
        var lotId = new LotId(lot);
        var materialLot = new MaterialLot
        {
            Id = lotId,
            Material = Material.Id,
            Site = Site.Id,
            Supplier = Material.Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
        };
        EventPayload payload = failed
            ? new InspectionFailed { InspectionLot = new InspectionLotId("IL-" + lot), Lot = lotId, Material = Material.Id, Site = Site.Id, Supplier = Material.Supplier, Severity = DefectSeverity.Major, DefectDescription = "Dimension out of tolerance" }
            : new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lot), Lot = lotId, Material = Material.Id, Site = Site.Id };
        return new FactSet { Event = payload, Lot = materialLot, Material = Material, Site = Site };
    }
}
