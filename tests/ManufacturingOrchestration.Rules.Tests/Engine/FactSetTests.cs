using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class FactSetTests
{
    private static readonly SiteId Plant7 = new("plant-7");

    [Fact]
    public void Decide_AllocationsWithoutTheLot_AreStillTheOpenAllocationsOfTheEventsLot()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).Build();
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Site = TestFacts.Site(),
            Allocations = [new Allocation { Order = new OrderId("WO-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(3) }],
        };

        var decisions = engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.OfType<ReevaluateAllocations>().Should().ContainSingle().Which.Describe().Should().Be("Re-evaluate allocations of lot L-1 for 1 order(s): WO-1");
    }

    [Fact]
    public void Decide_GenealogyWithoutTheLot_IsStillTheGenealogyOfItsComponentLot()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.FinishedGoodsRelease).Build();
        var released = new LotReleased { Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId, ReleasedBy = new ActorId("qm") };
        var facts = new FactSet
        {
            Event = released, Site = TestFacts.Site(),
            Genealogy = [new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-1"), Order = new OrderId("WO-1"), Quantity = Quantity.Each(1) }],
        };

        var decisions = engine.Decide(facts, TestContext.Current.CancellationToken);

        var publish = decisions.OfType<PublishGenealogy>().Should().ContainSingle().Subject;
        publish.Describe().Should().Be("Publish genealogy of lot L-1 (1 link(s))");
        publish.Explanation.RuleNames.Should().Equal("mo.fg-release.publish-genealogy-with-links");
    }

    [Fact]
    public void Decide_CountTolerancesOnAnotherEvent_AreInsertedOnlyWhenGiven()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(ToleranceWatchRule)).Build();

        var given = engine.Decide(new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site(), CountTolerances = CountToleranceProfile.Default }, TestContext.Current.CancellationToken);
        var absent = engine.Decide(new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        given.OfType<AlertQuality>().Should().ContainSingle().Which.Message.Should().Be("tolerances known");
        absent.IsEmpty.Should().BeTrue("the default profile is only assumed for a cycle count");
    }

    [Fact]
    public void Decide_RuleOnTheEnvelope_SeesTheEnvelopeBesideItsPayload()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(EnvelopeWatchRule), typeof(CustomerQualityAlertRule)).Build();
        var envelope = new EventEnvelope { Id = "e-42", Source = "qms://plant-1", Type = EventTypes.InspectionFailed, Site = TestFacts.SiteId, Data = TestFacts.Failed() };

        var decisions = engine.Decide(new FactSet { Envelope = envelope, Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        decisions.OfType<AlertQuality>().Select(a => a.Message).Should().BeEquivalentTo(["envelope e-42", "Customer X requires notification within 24 h."]);
    }

    [Fact]
    public void EffectiveEventAndSite_ExplicitEventAndProfileWinOverTheEnvelope()
    {
        var envelope = new EventEnvelope { Id = "e-1", Source = "qms://plant-7", Type = EventTypes.InspectionFailed, Site = Plant7, Data = TestFacts.Failed() };
        var passed = TestFacts.Passed();

        var facts = new FactSet { Envelope = envelope, Event = passed, Site = TestFacts.Site() };

        facts.EffectiveEvent.Should().BeSameAs(passed);
        facts.EffectiveSite.Should().Be(TestFacts.SiteId);
        new FactSet { Envelope = envelope }.EffectiveEvent.Should().BeSameAs(envelope.Data);
        new FactSet { Envelope = envelope }.EffectiveSite.Should().Be(Plant7);
        new FactSet().EffectiveEvent.Should().BeNull();
        new FactSet().EffectiveSite.Should().BeNull();
    }

    [Fact]
    public void Decide_ExplicitEventBesideAnEnvelope_DecidesOnTheExplicitEventAtTheProfilesSite()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed, StandardRuleSets.InspectionPassed)
            .AddSiteOverlay(Plant7, "plant-7", "1", o => o.AddRules(typeof(CustomerQualityAlertRule))).Build();
        var envelope = new EventEnvelope { Id = "e-1", Source = "qms://plant-7", Type = EventTypes.InspectionFailed, Site = Plant7, Data = TestFacts.Failed() };

        var decisions = engine.Decide(new FactSet { Envelope = envelope, Event = TestFacts.Passed(), Lot = TestFacts.Lot(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        decisions.Decisions.Should().ContainSingle().Which.Describe().Should().Be("Release lot L-1 at plant-1 (QualityInspection → Unrestricted)");
        decisions.RuleSetVersion.Should().Be("mo.standard@1.0.0");
    }

    [Fact]
    public void Decide_ListsOfFactsSetToNull_AreNoFacts()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).AddRules(typeof(RecalibrateGaugeRule)).Build();
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Allocations = null!, Genealogy = null!, Recommendations = null!, AdditionalFacts = null!,
        };

        var decisions = engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.Describe().Should().Be(engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken).Describe());
        facts.AdditionalFacts.Should().BeEmpty();
        facts.Recommendations.Should().BeEmpty();
    }

    [Fact]
    public void Decide_TheSameFactTwice_IsOneFactAndTheEngineKeepsDeciding()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).AddRules(typeof(RecalibrateGaugeRule), typeof(AlertPerRecommendationRule)).Build();
        var reading = new GaugeReading("GAUGE-I", 0.125m, new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var recommendation = new Recommendation { Kind = RecommendationKind.Other, Lot = TestFacts.LotId, SuggestedAction = "look", Confidence = 0.5m, Model = "m", ModelVersion = "1" };
        var once = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Site = TestFacts.Site(), Recommendations = [recommendation], AdditionalFacts = [reading],
        };
        var twice = new FactSet
        {
            Event = TestFacts.Failed(), Lot = once.Lot, Site = TestFacts.Site(),
            Recommendations = [recommendation, recommendation], AdditionalFacts = [reading, reading with { }, once.Lot!],
        };

        var decisions = engine.Decide(twice, TestContext.Current.CancellationToken);

        decisions.Describe().Should().Be(engine.Decide(once, TestContext.Current.CancellationToken).Describe(), "an equal fact given again says nothing new");
        decisions.OfType<RecalibrateGauge>().Should().ContainSingle();
        engine.Decide(once, TestContext.Current.CancellationToken).OfType<RecalibrateGauge>().Should().ContainSingle("the thread's session is clean afterwards");
    }

    [Fact]
    public void Decide_NullAdditionalFact_IsRefusedNamingItsPlace()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(RecalibrateGaugeRule)).Build();
        var reading = new GaugeReading("GAUGE-I", 0.125m, default);

        var act = () => engine.Decide(new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site(), AdditionalFacts = [reading, null!] }, TestContext.Current.CancellationToken);

        act.Should().Throw<ArgumentException>().WithParameterName("facts").WithMessage("FactSet.AdditionalFacts[1] is null*");
        engine.Decide(new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site(), AdditionalFacts = [reading] }, TestContext.Current.CancellationToken)
            .OfType<RecalibrateGauge>().Should().ContainSingle("the engine keeps deciding");
    }
}
