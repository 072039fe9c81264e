namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class DecisionCollectorTests
{
    private static readonly DecisionEngine Engine = new DecisionEngineBuilder()
        .WithRuleSet("acme", "2")
        .AddRules(typeof(EscalateFirstRule), typeof(EscalateSecondRule), typeof(AlertPerRecommendationRule))
        .Build();

    private static FactSet Facts(DecisionPriority first, DecisionPriority second, params Recommendation[] recommendations) => new()
    {
        Event = TestFacts.Failed(), Site = TestFacts.Site(), AdditionalFacts = [new EscalationPriorities(first, second)], Recommendations = recommendations,
    };

    private static Recommendation Suggestion(string line, string action) => new()
    {
        Kind = RecommendationKind.Other, Lot = TestFacts.LotId, Subject = line, SuggestedAction = action, Confidence = 0.9m, Model = "m", ModelVersion = "1",
    };

    [Fact]
    public void Decide_TwoRulesSameActionSamePriority_KeepsTheFirstDecisionExplainedByBothInOrder()
    {
        var decisions = Engine.Decide(Facts(DecisionPriority.Normal, DecisionPriority.Normal), TestContext.Current.CancellationToken);

        var escalation = decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<Escalate>().Subject;
        escalation.Message.Should().Be("first", "on a priority tie the decision made first is kept");
        escalation.Priority.Should().Be(DecisionPriority.Normal);
        escalation.Explanation.RuleNames.Should().Equal("acme.escalate-first", "acme.escalate-second");
        escalation.Explanation.Firings.Should().OnlyContain(f => f.RuleSetName == "acme" && f.RuleSetVersion == "2");
    }

    [Fact]
    public void Decide_LaterRuleSameActionHigherPriority_KeepsTheLaterDecisionWithTheEarlierReasonFirst()
    {
        var decisions = Engine.Decide(Facts(DecisionPriority.High, DecisionPriority.Urgent), TestContext.Current.CancellationToken);

        var escalation = decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<Escalate>().Subject;
        escalation.Message.Should().Be("second");
        escalation.Priority.Should().Be(DecisionPriority.Urgent);
        escalation.Explanation.RuleNames.Should().Equal("acme.escalate-first", "acme.escalate-second");
    }

    [Fact]
    public void Decide_LaterRuleSameActionLowerPriority_KeepsTheEarlierDecision()
    {
        var decisions = Engine.Decide(Facts(DecisionPriority.Urgent, DecisionPriority.Normal), TestContext.Current.CancellationToken);

        var escalation = decisions.Decisions.Should().ContainSingle().Which.Should().BeOfType<Escalate>().Subject;
        escalation.Message.Should().Be("first");
        escalation.Priority.Should().Be(DecisionPriority.Urgent);
        escalation.Explanation.RuleNames.Should().Equal("acme.escalate-first", "acme.escalate-second");
    }

    [Fact]
    public void Decide_OneRuleFiringForTwoFacts_EachDecisionNamesTheFactOfItsOwnFiring()
    {
        var decisions = Engine.Decide(
            Facts(DecisionPriority.Normal, DecisionPriority.Normal, Suggestion("SMT-1", "check feeder"), Suggestion("SMT-2", "check nozzle")),
            TestContext.Current.CancellationToken);

        var alerts = decisions.OfType<AlertQuality>();
        alerts.Select(a => a.Line).Should().BeEquivalentTo(["SMT-1", "SMT-2"]);
        foreach (var alert in alerts)
        {
            var firing = alert.Explanation.Firings.Should().ContainSingle().Subject;
            firing.RuleName.Should().Be("acme.alert-per-recommendation");
            firing.Facts.Select(f => f.Name).Should().Equal("failed", "recommendation");
            firing.Facts[1].Value.Should().BeOfType<Recommendation>().Which.Subject.Should().Be(alert.Line);
        }

        decisions.OfType<Escalate>().Should().ContainSingle("alerts of other lines are different actions of another type, the escalation is still one")
            .Which.Explanation.Firings.Select(f => f.RuleName).Should().Equal("acme.escalate-first", "acme.escalate-second");
        decisions.Count.Should().Be(3);
    }

    [Fact]
    public void Decide_SameKeyDifferentDecisionTypes_AreNeverMerged()
    {
        var engine = new DecisionEngineBuilder().AddRules(typeof(CustomerQualityAlertRule), typeof(ReleaseAnywayRule)).Build();

        var decisions = engine.Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        decisions.Decisions.Select(d => d.GetType()).Should().BeEquivalentTo([typeof(AlertQuality), typeof(ReleaseLot)]);
        decisions.Decisions.Should().OnlyContain(d => d.Explanation.Firings.Count == 1);
        decisions.OfType<ReleaseLot>().Single().Explanation.RuleNames.Should().Equal("acme.release-anyway");
        decisions.OfType<AlertQuality>().Single().Explanation.RuleNames.Should().Equal("plant-7.customer-quality-alert");
    }
}
