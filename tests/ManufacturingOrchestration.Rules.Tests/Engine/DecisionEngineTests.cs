using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class DecisionEngineTests
{
    private static readonly SiteId Plant7 = new("plant-7");

    private static DecisionEngine CreateSut() =>
        new DecisionEngineBuilder()
            .WithRuleSet("mo.standard", "1.0.0")
            .AddStandardRules(StandardRuleSets.InspectionFailed, StandardRuleSets.InspectionPassed)
            .AddSiteOverlay(Plant7, "plant-7", "2026.2", overlay => overlay
                .AddRules(typeof(PlantSupplierCaseForEveryFailureRule), typeof(CustomerQualityAlertRule))
                .RemoveRule(InspectionFailedMoveToHoldRule.RuleName))
            .Build();

    private static FactSet AtPlant7(FactSet facts) => new()
    {
        Event = facts.Event, Lot = facts.Lot, Material = facts.Material, Site = facts.Site! with { Id = Plant7 },
    };

    [Fact]
    public void Decide_OverlayRuleWithGlobalName_ReplacesGlobalRuleAtThatSiteOnly()
    {
        var engine = CreateSut();

        var atPlant7 = engine.Decide(AtPlant7(TestFacts.FailedFacts(DefectSeverity.Minor)), TestContext.Current.CancellationToken);
        var elsewhere = engine.Decide(TestFacts.FailedFacts(DefectSeverity.Minor), TestContext.Current.CancellationToken);

        var supplierCase = atPlant7.OfType<OpenSupplierCase>().Should().ContainSingle("the plant opens a case for every failure").Subject;
        var firing = supplierCase.Explanation.Firings.Should().ContainSingle().Subject;
        firing.RuleName.Should().Be(InspectionFailedSupplierCaseRule.RuleName);
        firing.RuleSetName.Should().Be("plant-7");
        firing.RuleSetVersion.Should().Be("2026.2");
        elsewhere.Contains<OpenSupplierCase>().Should().BeFalse("globally a minor defect on class C material opens no case");
    }

    [Fact]
    public void Decide_OverlayAddsAndRemovesRules_GlobalRulesKeepTheirOrigin()
    {
        var decisions = CreateSut().Decide(AtPlant7(TestFacts.FailedFacts()), TestContext.Current.CancellationToken);

        decisions.OfType<AlertQuality>().Should().ContainSingle().Which.Explanation.Firings.Single().RuleSetName.Should().Be("plant-7");
        decisions.Contains<MoveStockToHold>().Should().BeFalse("the overlay removed the hold-move rule");
        var quarantine = decisions.OfType<QuarantineLot>().Single().Explanation.Firings.Single();
        quarantine.RuleSetName.Should().Be("mo.standard");
        quarantine.RuleSetVersion.Should().Be("1.0.0");
        decisions.RuleSetName.Should().Be("mo.standard+plant-7");
        decisions.RuleSetVersion.Should().Be("mo.standard@1.0.0+plant-7@2026.2");
    }

    [Fact]
    public void Decide_SiteTakenFromEnvelopeWhenNoProfile_SelectsOverlay()
    {
        var envelope = new Model.Events.EventEnvelope { Id = "e-1", Source = "qms://plant-7", Type = Model.Events.EventTypes.InspectionFailed, Site = Plant7, Data = TestFacts.Failed() };

        var decisions = CreateSut().Decide(new FactSet { Envelope = envelope, Lot = TestFacts.Lot(), Material = TestFacts.Material() }, TestContext.Current.CancellationToken);

        decisions.RuleSetVersion.Should().Contain("plant-7@2026.2");
        decisions.Contains<AlertQuality>().Should().BeTrue();
    }

    [Fact]
    public void GetRuleNames_OverlaySite_ListsReplacedAddedAndNotRemovedRules()
    {
        var engine = CreateSut();

        engine.GetRuleNames(Plant7).Should().Contain("plant-7.customer-quality-alert")
            .And.Contain(InspectionFailedSupplierCaseRule.RuleName)
            .And.NotContain(InspectionFailedMoveToHoldRule.RuleName);
        engine.GetRuleNames().Should().Contain(InspectionFailedMoveToHoldRule.RuleName).And.NotContain("plant-7.customer-quality-alert");
        engine.OverlaySites.Should().Equal(Plant7);
        engine.GetRuleSetVersion(Plant7).Should().Be("mo.standard@1.0.0+plant-7@2026.2");
        engine.RuleSetVersion.Should().Be("mo.standard@1.0.0");
    }

    [Fact]
    public void Decide_RuleThrows_ThrowsRuleEvaluationFailed()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(BrokenRule)).Build();

        var act = () => engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Where(e => e.ReasonCode == ReasonCodes.RuleEvaluationFailed && e.Message.Contains("broken for L-1", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var act = () => CreateSut().Decide(TestFacts.FailedFacts(), cts.Token);

        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Decide_CancelledWhileRulesFire_ThrowsInsteadOfReturningThePartialSet()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).AddRules(typeof(CancelWhileFiringRule)).Build();
        using var cancellation = new CancellationTokenSource();
        var facts = new FactSet { Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(), AdditionalFacts = [cancellation] };

        var act = () => engine.Decide(facts, cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
        cancellation.IsCancellationRequested.Should().BeTrue("the rule cancelled the token while the rules fired");
    }

    [Fact]
    public void Decide_AfterAnEvaluationWasCancelledWhileRulesFired_NextEvaluationOnThatThreadIsComplete()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).AddRules(typeof(CancelWhileFiringRule)).Build();
        using var cancellation = new CancellationTokenSource();
        var cancelled = new FactSet { Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(), AdditionalFacts = [cancellation] };

        var act = () => engine.Decide(cancelled, cancellation.Token);
        act.Should().Throw<OperationCanceledException>();
        var next = engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        next.Decisions.Select(d => d.Describe()).Should().Equal(
            "Quarantine lot L-1 at plant-1 (QualityInspection → Blocked, 1000 EA)",
            "Move lot L-1 to hold location HOLD-01 at plant-1 (Blocked, 1000 EA)",
            "Notify procurement about CAP-100uF lot L-1 at plant-1 (expedite): Lot L-1 failed inspection IL-1 (Major): capacitance out of tolerance");
        next.Decisions.Should().OnlyContain(d => d.Explanation.Firings.Count == 1, "no activation of the cancelled evaluation fired into this one");
    }

    [Fact]
    public void Decide_CancelledTokenWithTheTestFixture_ThrowsBeforeAnyRuleFires()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var fixture = new ManufacturingOrchestration.Rules.Testing.RuleTestFixture(typeof(ReleaseAnywayRule));

        var act = () => fixture.Evaluate(TestFacts.FailedFacts(), cancellation.Token);

        act.Should().Throw<OperationCanceledException>();
        fixture.Evaluate(TestFacts.FailedFacts(), TestContext.Current.CancellationToken).FiredRules.Should().Equal("acme.release-anyway");
    }

    [Fact]
    public void Decide_RuleThrows_MessageNamesTheRuleAndRuleSetVersionAndKeepsTheRuleException()
    {
        var engine = new DecisionEngineBuilder().WithRuleSet("acme", "3.1").AddRules(typeof(BrokenRule)).Build();

        var act = () => engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.RuleEvaluationFailed);
        thrown.Message.Should().Be("Rule 'acme.broken' of 'acme@3.1' failed: broken for L-1");
        thrown.InnerException.Should().BeAssignableTo<NRules.RuleExecutionException>()
            .Which.InnerException.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void Decide_RuleThrowsAnOrchestrationException_KeepsItsReasonCodeAndMessage()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(LotOnHoldRule)).Build();

        var act = () => engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.LotOnHold);
        thrown.Message.Should().Be("Lot L-1 is on hold.");
        thrown.InnerException.Should().BeAssignableTo<NRules.RuleExecutionException>();
    }

    [Fact]
    public void Decide_RuleResolvesAnotherService_RefusedAsRuleEvaluationFailed()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(ResolveOtherServiceRule)).Build();

        var act = () => engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.RuleEvaluationFailed);
        thrown.Message.Should().Be("The decision engine resolves no service of type System.String.");
    }

    [Fact]
    public void Decide_RuleDecidesNull_RefusedNamingTheMissingDecision()
    {
        var engine = new DecisionEngineBuilder().WithRuleSet("acme", "1").AddRules(typeof(DecideNullRule)).Build();

        var act = () => engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.Message.Should().Be("Rule 'acme.decide-null' of 'acme@1' failed: Value cannot be null. (Parameter 'decision')");
    }

    [Fact]
    public void Decide_CalledAgainFromARuleOfTheSameRuleSet_BothEvaluationsAreComplete()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).AddRules(typeof(NestedEvaluationRule)).Build();
        var facts = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(),
            AdditionalFacts = [new NestedEvaluation(engine, TestFacts.FailedFacts(DefectSeverity.Minor))],
        };

        var decisions = engine.Decide(facts, TestContext.Current.CancellationToken);

        decisions.Decisions.Select(d => d.Describe()).Should().BeEquivalentTo(
        [
            "Quarantine lot L-1 at plant-1 (QualityInspection → Blocked, 1000 EA)",
            "Move lot L-1 to hold location HOLD-01 at plant-1 (Blocked, 1000 EA)",
            "Notify procurement about CAP-100uF lot L-1 at plant-1 (expedite): Lot L-1 failed inspection IL-1 (Major): capacitance out of tolerance",
            "Alert quality at plant-1: Quarantine lot L-1 at plant-1 (QualityInspection → Blocked, 1000 EA) | Move lot L-1 to hold location HOLD-01 at plant-1 (Blocked, 1000 EA)"
                + " | Notify procurement about CAP-100uF lot L-1 at plant-1: Lot L-1 failed inspection IL-1 (Minor): capacitance out of tolerance",
        ]);
        engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken).Count.Should().Be(3, "the pooled session is clean after the nested call");
    }

    [Fact]
    public void Decide_NoEvent_DecidesNothing()
    {
        CreateSut().Decide(new FactSet { Lot = TestFacts.Lot(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public async Task Decide_ConcurrentCallsOnOneEngine_EachGetsItsOwnCompleteDecisionSet()
    {
        var engine = CreateSut();
        var expected = engine.Decide(TestFacts.FailedFacts(DefectSeverity.Critical), TestContext.Current.CancellationToken).Decisions.Select(d => d.Describe()).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            var seen = new List<string[]>();
            for (var i = 0; i < 200; i++)
            {
                seen.Add(engine.Decide(TestFacts.FailedFacts(DefectSeverity.Critical), TestContext.Current.CancellationToken).Decisions.Select(d => d.Describe()).ToArray());
            }

            return seen;
        })));

        results.SelectMany(r => r).Should().HaveCount(1600).And.OnlyContain(r => r.SequenceEqual(expected));
    }

    [Fact]
    public void Decide_SequentialEvaluationsOnOneThread_LeaveNothingBehindForTheNext()
    {
        var engine = TestFacts.StandardEngine();
        var withGenealogy = new FactSet
        {
            Event = TestFacts.Failed(), Lot = TestFacts.Lot(consumed: 10), Material = TestFacts.Material(), Site = TestFacts.Site(),
            Genealogy = [new GenealogyLink { ComponentLot = TestFacts.LotId, Order = new OrderId("WO-9"), Quantity = Quantity.Each(10) }],
        };
        var withoutGenealogy = new FactSet { Event = TestFacts.Failed(), Lot = TestFacts.Lot(consumed: 10), Material = TestFacts.Material(), Site = TestFacts.Site() };

        engine.Decide(withGenealogy, TestContext.Current.CancellationToken).Contains<ContainWorkOrders>().Should().BeTrue();
        var second = engine.Decide(withoutGenealogy, TestContext.Current.CancellationToken);
        var third = engine.Decide(TestFacts.PassedFacts(), TestContext.Current.CancellationToken);

        second.Contains<ContainWorkOrders>().Should().BeFalse("the genealogy of the first evaluation is gone");
        second.OfType<Escalate>().Should().ContainSingle("without genealogy the partly consumed lot is escalated");
        third.Decisions.Should().ContainSingle().Which.Should().BeOfType<ReleaseLot>("nothing of the failed evaluations remains");
    }

    [Fact]
    public void Decide_AfterARuleInsertedAFact_NextEvaluationDoesNotSeeIt()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(InsertRecommendationOnMarkerRule), typeof(ReleaseWhenModelSaysSoRule)).Build();
        var marked = new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site(), AdditionalFacts = [InsertRecommendationOnMarkerRule.Marker] };

        var first = engine.Decide(marked, TestContext.Current.CancellationToken);
        var second = engine.Decide(new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site() }, TestContext.Current.CancellationToken);

        first.ApprovalsGating<ReleaseLot>().Should().ContainSingle("the inserted recommendation led to a (gated) release");
        second.IsEmpty.Should().BeTrue("the recommendation inserted by a rule in the first evaluation must not survive it");
    }

    [Fact]
    public void Decide_ConditionThrows_MessageNamesTheConditionAndTheEngineKeepsDeciding()
    {
        var engine = new DecisionEngineBuilder().WithRuleSet("acme", "2").AddRules(typeof(GaugeLimitRule)).Build();
        var facts = (decimal deviation) => new FactSet { Event = TestFacts.Failed(), Site = TestFacts.Site(), AdditionalFacts = [new GaugeReading("GAUGE-I", deviation, default)] };

        var act = () => engine.Decide(facts(-1m), TestContext.Current.CancellationToken);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.RuleEvaluationFailed);
        thrown.Message.Should().Be("A rule condition of 'acme@2' failed (reading => OverLimit(reading)): a negative deviation");
        thrown.InnerException.Should().BeAssignableTo<NRules.RuleExecutionException>();
        engine.Decide(facts(2m), TestContext.Current.CancellationToken).OfType<RecalibrateGauge>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_AfterARuleThrew_NextEvaluationIsComplete()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules(StandardRuleSets.InspectionFailed).AddRules(typeof(ThrowOnMarkerRule)).Build();
        var marked = new FactSet { Event = TestFacts.Failed(), Lot = TestFacts.Lot(), Material = TestFacts.Material(), Site = TestFacts.Site(), AdditionalFacts = [ThrowOnMarkerRule.Marker] };

        var act = () => engine.Decide(marked, TestContext.Current.CancellationToken);
        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.RuleEvaluationFailed && e.Message == "Rule 'acme.throw-on-marker' of 'mo.standard@1.0.0' failed: marker for L-1");
        var next = engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        next.Decisions.Select(d => d.Describe()).Should().Equal(
            "Quarantine lot L-1 at plant-1 (QualityInspection → Blocked, 1000 EA)",
            "Move lot L-1 to hold location HOLD-01 at plant-1 (Blocked, 1000 EA)",
            "Notify procurement about CAP-100uF lot L-1 at plant-1 (expedite): Lot L-1 failed inspection IL-1 (Major): capacitance out of tolerance");
        next.Decisions.Should().OnlyContain(d => d.Explanation.Firings.Count == 1);
    }

    [Fact]
    public void Decide_RuleDeclaringAFactOnlyInANegation_StillSeesThatFact()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(LotReleasedGenealogyRule)).Build();
        var released = new Model.Events.LotReleased { Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Site = TestFacts.SiteId, ReleasedBy = new ActorId("qm") };
        var genealogy = new GenealogyLink { ComponentLot = TestFacts.LotId, Order = new OrderId("WO-1"), Quantity = Quantity.Each(1) };

        var withGenealogy = engine.Decide(new FactSet { Event = released, Lot = TestFacts.Lot(), Genealogy = [genealogy] }, TestContext.Current.CancellationToken);
        var withoutGenealogy = engine.Decide(new FactSet { Event = released, Lot = TestFacts.Lot() }, TestContext.Current.CancellationToken);

        withGenealogy.IsEmpty.Should().BeTrue("the negated genealogy fact must be inserted even though only a negation declares it");
        withoutGenealogy.Contains<PublishGenealogy>().Should().BeTrue();
    }

    [Fact]
    public void Decide_RuleOnTheEventBaseType_FiresForEveryEventType()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules().AddRules(typeof(AnyEventRule)).Build();

        engine.Decide(TestFacts.PassedFacts(), TestContext.Current.CancellationToken).OfType<AlertQuality>().Should().ContainSingle()
            .Which.Message.Should().Be("event " + Model.Events.EventTypes.InspectionPassed);
        engine.Decide(new FactSet { Event = new Model.Events.SupplierUpdated { Supplier = TestFacts.Supplier, Change = "probation" } }, TestContext.Current.CancellationToken)
            .OfType<AlertQuality>().Should().ContainSingle();
    }

    [Fact]
    public void Decide_RuleWithoutAnyEvent_FiresWhateverTheEventAndWithoutOne()
    {
        var engine = new DecisionEngineBuilder().AddStandardRules().AddRules(typeof(RestrictedLotWatchRule)).Build();

        engine.Decide(TestFacts.PassedFacts(restricted: true), TestContext.Current.CancellationToken).OfType<AlertQuality>().Should().ContainSingle();
        engine.Decide(new FactSet { Lot = TestFacts.Lot(restricted: true) }, TestContext.Current.CancellationToken).OfType<AlertQuality>().Should().ContainSingle();
        engine.Decide(TestFacts.PassedFacts(restricted: false), TestContext.Current.CancellationToken).Contains<AlertQuality>().Should().BeFalse();
    }
}
