using BenchmarkDotNet.Attributes;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Benchmarks.Rules;

/// <summary>
/// What the throughput runner's user workflow does per event with the rules: <see cref="DecisionEngine.Decide"/> on the
/// facts its enrich step gathered (the envelope, the lot, the cached material and site profile, no allocations, no
/// supplier history, no genealogy), over every shipped rule set, then <see cref="DecisionSet.Describe"/> for the audit
/// record. The runner's lots: 100 EA in quality inspection; 4 in 5 inspections pass, the failed fifth decide four
/// actions. The baseline is one passed inspection, the mix cycles through ten events in the runner's 8:2 proportion,
/// and the last case shows what a registered customer costs (the customer gates compiled in, no lot allocated to it).
/// </summary>
[MemoryDiagnoser]
public class DecideAndDescribeBenchmarks
{
    private DecisionEngine _rules = null!;
    private DecisionEngine _rulesWithCustomer = null!;
    private FactSet[] _facts = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _rules = new DecisionEngineBuilder().AddStandardRules().Build();
        _rulesWithCustomer = new DecisionEngineBuilder()
            .AddStandardRules()
            .AddCustomerRequirements(new CustomerQualityRequirements { Customer = new CustomerId("C-1"), RequiresCertificateOfAnalysis = true })
            .Build();

        var sites = new[] { "P1", "P2", "P3" }.Select(s => new SiteProfile { Id = new SiteId(s), HoldLocation = new BinId("HOLD-" + s) }).ToArray();
        var materials = new[] { CriticalityClass.A, CriticalityClass.B, CriticalityClass.C }
            .Select((c, i) => new MaterialDefinition { Id = new MaterialId("M-" + i), BaseUnit = UnitOfMeasure.Each, Criticality = c, Supplier = new SupplierId("S" + i) })
            .ToArray();
        _facts = new FactSet[10];
        for (var k = 0; k < _facts.Length; k++)
        {
            var material = materials[k % materials.Length];
            var site = sites[k % sites.Length];
            var lot = new MaterialLot
            {
                Id = new LotId("L-" + k), Material = material.Id, Site = site.Id, Supplier = material.Supplier, Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
            };
            EventPayload data = k % 5 == 0
                ? new InspectionFailed
                {
                    InspectionLot = new InspectionLotId("IL-" + k), Lot = lot.Id, Material = material.Id, Site = site.Id, Supplier = material.Supplier,
                    Severity = DefectSeverity.Major, DefectDescription = "Dimension out of tolerance",
                }
                : new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + k), Lot = lot.Id, Material = material.Id, Site = site.Id };
            var envelope = new EventEnvelope
            {
                Id = "insp-" + k, Source = "qms://bench", Type = data.EventType, Site = site.Id, Data = data,
            };
            _facts[k] = new FactSet { Envelope = envelope, Lot = lot, Material = material, Site = site };
        }

        if (_rules.Decide(_facts[0]).Count != 4 || _rules.Decide(_facts[1]).Count != 1
            || _rulesWithCustomer.Decide(_facts[1]).Describe() != _rules.Decide(_facts[1]).Describe())
        {
            throw new InvalidOperationException("The benchmark scenario does not produce the expected decisions.");
        }
    }

    [Benchmark(Baseline = true, Description = "passed inspection: decide + describe")]
    public string Passed() => _rules.Decide(_facts[1]).Describe();

    [Benchmark(Description = "failed inspection: decide + describe")]
    public string Failed() => _rules.Decide(_facts[0]).Describe();

    [Benchmark(Description = "runner's mix (8 passed : 2 failed): decide + describe")]
    public string Mix()
    {
        var facts = _facts[_next];
        _next = (_next + 1) % _facts.Length;
        return _rules.Decide(facts).Describe();
    }

    [Benchmark(Description = "passed inspection, a customer registered: decide + describe")]
    public string PassedWithCustomer() => _rulesWithCustomer.Decide(_facts[1]).Describe();
}
