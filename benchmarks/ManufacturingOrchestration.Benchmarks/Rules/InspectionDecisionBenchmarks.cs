using BenchmarkDotNet.Attributes;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Benchmarks.Rules;

/// <summary>
/// One evaluation of the inspection rule sets (failed and passed) on the standard scenario: fail → quarantine, move to hold,
/// notify procurement, supplier case (critical or class A); pass → release. The baseline is the same facts through an engine
/// holding only the inspection rule sets; the other cases show the cost of the full shipped set and of a regulated site.
/// </summary>
[MemoryDiagnoser]
public class InspectionDecisionBenchmarks
{
    private DecisionEngine _inspectionOnly = null!;
    private DecisionEngine _allRules = null!;
    private FactSet _failed = null!;
    private FactSet _passed = null!;
    private FactSet _passedRegulated = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inspectionOnly = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed, StandardRuleSets.InspectionPassed).Build();
        _allRules = new DecisionEngineBuilder().AddStandardRules().Build();

        var site = new SiteProfile { Id = new SiteId("plant-1"), HoldLocation = new BinId("HOLD-01") };
        var material = new MaterialDefinition { Id = new MaterialId("CAP-100uF"), BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = new SupplierId("acme") };
        var lot = new MaterialLot
        {
            Id = new LotId("L-1"),
            Material = material.Id,
            Site = site.Id,
            Supplier = material.Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(1000) }],
        };
        _failed = new FactSet
        {
            Event = new InspectionFailed
            {
                InspectionLot = new InspectionLotId("IL-1"), Lot = lot.Id, Material = material.Id, Site = site.Id,
                Supplier = material.Supplier, Severity = DefectSeverity.Major, DefectDescription = "capacitance out of tolerance",
            },
            Lot = lot,
            Material = material,
            Site = site,
        };
        var passed = new InspectionPassed { InspectionLot = new InspectionLotId("IL-2"), Lot = lot.Id, Material = material.Id, Site = site.Id };
        _passed = new FactSet { Event = passed, Lot = lot, Material = material, Site = site };
        _passedRegulated = new FactSet { Event = passed, Lot = lot, Material = material, Site = site with { IsRegulated = true } };

        if (_inspectionOnly.Decide(_failed).Count != 4 || _inspectionOnly.Decide(_passed).Count != 1)
        {
            throw new InvalidOperationException("The benchmark scenario does not produce the expected decisions.");
        }
    }

    [Benchmark(Baseline = true, Description = "inspection failed (inspection rule sets)")]
    public DecisionSet InspectionFailed() => _inspectionOnly.Decide(_failed);

    [Benchmark(Description = "inspection passed (inspection rule sets)")]
    public DecisionSet InspectionPassed() => _inspectionOnly.Decide(_passed);

    [Benchmark(Description = "inspection passed, regulated site (policy gate)")]
    public DecisionSet InspectionPassedRegulated() => _inspectionOnly.Decide(_passedRegulated);

    [Benchmark(Description = "inspection failed (all shipped rule sets)")]
    public DecisionSet InspectionFailedAllRules() => _allRules.Decide(_failed);
}
