using System.Globalization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class DecisionSetDescribeTests
{
    private static readonly Lazy<DecisionEngine> Rules = new(() => new DecisionEngineBuilder().AddStandardRules().Build());
    private static readonly SiteProfile Site = new() { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") };
    private static readonly MaterialDefinition Material = new() { Id = new MaterialId("M-1"), BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = new SupplierId("S1") };

    [Fact]
    public void Describe_FailedInspectionWithSeveralDecisions_IsEachDecisionWithItsFiringsAndFacts()
    {
        var decisions = Rules.Value.Decide(Facts(failed: true), TestContext.Current.CancellationToken);

        decisions.Count.Should().BeGreaterThan(2, "the failed inspection decides quarantine, hold, notification and supplier case");
        var expected = $"{decisions.RuleSetName} ({decisions.RuleSetVersion}): " + string.Join(
            "\n",
            decisions.Decisions.Select(d => d.Describe() + "\n" + "  because " + string.Join(
                "\n",
                d.Explanation.Firings.Select(f => $"rule '{f.RuleName}' ({f.RuleSetName}@{f.RuleSetVersion})"
                    + (f.RuleDescription is null ? string.Empty : ": " + f.RuleDescription)
                    + string.Concat(f.Facts.Select((m, i) => (i == 0 ? " matched " : "; ") + m.Name + " = " + FactDescriptions.Describe(m.Value)))))));
        decisions.Describe().Should().Be(expected);
    }

    [Fact]
    public void Describe_OneDecisionOfTwoRules_ListsBothFiringsOnTheirOwnLines()
    {
        var engine = new DecisionEngineBuilder().WithRuleSet("acme", "1").AddRules(typeof(ReevaluateOnPassRule), typeof(ReevaluateOnPassAgainRule)).Build();

        var decisions = engine.Decide(Facts(failed: false), TestContext.Current.CancellationToken);

        var decision = decisions.Decisions.Should().ContainSingle().Subject;
        decision.Explanation.Firings.Should().HaveCount(2);
        decisions.Describe().Should().Be(
            "acme (acme@1): Re-evaluate allocations of lot L-1 for 0 order(s): " + "\n"
            + "  because " + decision.Explanation.Firings[0].Describe() + "\n" + decision.Explanation.Firings[1].Describe());
        decision.Explanation.Firings[0].Describe().Should().StartWith("rule 'acme.reevaluate-on-pass' (acme@1) matched ");
    }

    [Fact]
    public void Describe_OnAThreadThatNeverWroteOne_WritesTheSameText()
    {
        var decisions = Rules.Value.Decide(Facts(failed: true), TestContext.Current.CancellationToken);
        var here = decisions.Describe();
        string? there = null;

        var thread = new Thread(() => there = decisions.Describe());
        thread.Start();
        thread.Join(TimeSpan.FromSeconds(30)).Should().BeTrue();

        there.Should().Be(here);
    }

    [Fact]
    public void Describe_OneFiring_IsTheLiteralText()
    {
        var firing = new RuleFiring("r1", "Quarantine on failure.", "global", "3", [new MatchedFact("site", Site)]);

        firing.Describe().Should().Be("rule 'r1' (global@3): Quarantine on failure. matched site = " + FactDescriptions.Describe(Site));
        new DecisionExplanation([firing, firing]).Describe().Should().Be(firing.Describe() + "\n" + firing.Describe());
    }

    [Fact]
    public void Describe_PassedInspection_IsTheRulesPackagesText()
    {
        var decisions = Rules.Value.Decide(Facts(failed: false), TestContext.Current.CancellationToken);

        decisions.Describe().Should().StartWith(decisions.RuleSetName + " (").And.Contain("mo.inspection-passed.release");
    }

    [Fact]
    public void Describe_CalledAgainForAnotherLot_DescribesTheNewLotNotTheFormerOne()
    {
        var first = Rules.Value.Decide(Facts(failed: true, lot: "L-1"), TestContext.Current.CancellationToken).Describe();
        var second = Rules.Value.Decide(Facts(failed: true, lot: "L-2"), TestContext.Current.CancellationToken).Describe();

        first.Should().Contain("L-1").And.NotContain("L-2");
        second.Should().Contain("L-2").And.NotContain("L-1");
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("tr-TR")]
    public void Describe_UserRuleFactAndDecision_IsByteIdenticalInEveryCulture(string culture)
    {
        var engine = new DecisionEngineBuilder().WithRuleSet("acme", "1.0").AddRules(typeof(RecalibrateGaugeRule)).Build();
        var facts = new FactSet
        {
            Event = Facts(failed: true).Event, Site = Site,
            AdditionalFacts = [new GaugeReading("GAUGE-I", 0.125m, new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero))],
        };
        var invariant = engine.Decide(facts, TestContext.Current.CancellationToken).Describe();

        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        string text;
        try
        {
            text = engine.Decide(facts, TestContext.Current.CancellationToken).Describe();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        invariant.Should().Contain("Recalibrate GAUGE-I (deviation 0.125 mm)").And.Contain("Deviation = 0.125, At = 03/04/2026 05:06:07 +00:00");
        text.Should().Be(invariant);
    }

    [Fact]
    public void Describe_SharedEngineOnSeveralThreadsAtOnce_EveryThreadDecidesAndWritesTheSameText()
    {
        var expected = Rules.Value.Decide(Facts(failed: true), TestContext.Current.CancellationToken).Describe();
        var results = new string[Environment.ProcessorCount * 8];

        Parallel.For(0, results.Length, new ParallelOptions { CancellationToken = TestContext.Current.CancellationToken }, i =>
            results[i] = Rules.Value.Decide(Facts(failed: i % 2 == 0), TestContext.Current.CancellationToken).Describe());

        var passed = Rules.Value.Decide(Facts(failed: false), TestContext.Current.CancellationToken).Describe();
        for (var i = 0; i < results.Length; i++)
        {
            results[i].Should().Be(i % 2 == 0 ? expected : passed, "evaluation {0} ran beside the others on a shared engine", i);
        }
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
