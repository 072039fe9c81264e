namespace ManufacturingOrchestration.Rules.Tests.Engine;

public sealed class DecisionSetTests
{
    [Fact]
    public void Describe_FailedInspection_ListsEveryDecisionWithItsReasons()
    {
        var decisions = TestFacts.StandardEngine().Decide(TestFacts.FailedFacts(), TestContext.Current.CancellationToken);

        var text = decisions.Describe();

        text.Should().StartWith("mo.standard (mo.standard@1.0.0)")
            .And.Contain("Quarantine lot L-1 at plant-1 (QualityInspection → Blocked, 1000 EA)")
            .And.Contain("because rule 'mo.inspection-failed.quarantine'")
            .And.Contain("Notify procurement");
        decisions.RuleNames.Should().Contain("mo.inspection-failed.notify-procurement").And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void OfType_NoDecisionOfThatType_ReturnsEmpty()
    {
        var decisions = TestFacts.StandardEngine().Decide(TestFacts.PassedFacts(), TestContext.Current.CancellationToken);

        decisions.OfType<QuarantineLot>().Should().BeEmpty();
        decisions.OfType<ReleaseLot>().Should().ContainSingle();
        decisions.Contains<ReleaseLot>().Should().BeTrue();
        decisions.IsEmpty.Should().BeFalse();
    }
}
