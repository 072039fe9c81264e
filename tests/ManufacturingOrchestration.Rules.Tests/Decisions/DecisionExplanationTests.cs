namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class DecisionExplanationTests
{
    private static RuleFiring Firing(string rule, params MatchedFact[] facts) => new(rule, "why", "global", "3", facts);

    [Fact]
    public void MatchedFact_NullNameOrValue_Throws()
    {
        var noName = () => new MatchedFact(null!, TestFacts.Site());
        var noValue = () => new MatchedFact("site", null!);

        noName.Should().Throw<ArgumentNullException>().WithParameterName("name");
        noValue.Should().Throw<ArgumentNullException>().WithParameterName("value");
        new MatchedFact("site", TestFacts.Site()).ToString().Should().Be("site = site plant-1 (General)");
    }

    [Fact]
    public void RuleFiring_MissingArguments_Throw()
    {
        var blankRule = () => new RuleFiring(" ", null, "global", "3", []);
        var noRuleSet = () => new RuleFiring("r1", null, null!, "3", []);
        var noVersion = () => new RuleFiring("r1", null, "global", null!, []);
        var noFacts = () => new RuleFiring("r1", null, "global", "3", null!);

        blankRule.Should().Throw<ArgumentException>().WithParameterName("ruleName");
        noRuleSet.Should().Throw<ArgumentNullException>().WithParameterName("ruleSetName");
        noVersion.Should().Throw<ArgumentNullException>().WithParameterName("ruleSetVersion");
        noFacts.Should().Throw<ArgumentNullException>().WithParameterName("facts");
    }

    [Fact]
    public void RuleFiring_EmptyDescription_IsNoDescription()
    {
        var firing = new RuleFiring("r1", string.Empty, "global", "3", []);

        firing.RuleDescription.Should().BeNull();
        firing.ToString().Should().Be("rule 'r1' (global@3)");
    }

    [Fact]
    public void DecisionExplanation_NullFirings_Throws()
    {
        var act = () => new DecisionExplanation(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("firings");
    }

    [Fact]
    public void IncludesAndMatched_OnlyForRulesThatFiredAndFactTypesTheyMatched()
    {
        var explanation = new DecisionExplanation([Firing("r1", new MatchedFact("site", TestFacts.Site())), Firing("r2", new MatchedFact("lot", TestFacts.Lot()))]);

        explanation.Includes("r2").Should().BeTrue();
        explanation.Includes("r3").Should().BeFalse();
        explanation.Includes("R1").Should().BeFalse("rule names are compared ordinally");
        explanation.Matched<Model.MaterialLot>().Should().BeTrue();
        explanation.Matched<Model.SiteProfile>().Should().BeTrue();
        explanation.Matched<Recommendation>().Should().BeFalse();
        explanation.RuleNames.Should().Equal("r1", "r2");
        explanation.ToString().Should().Be(
            "rule 'r1' (global@3): why matched site = site plant-1 (General)" + "\n"
            + "rule 'r2' (global@3): why matched lot = lot L-1 of CAP-100uF at plant-1 from acme: QI=1000 EA; Pending; Restricted");
    }

    [Fact]
    public void DecisionExplanation_Empty_IncludesAndMatchesNothing()
    {
        DecisionExplanation.Empty.Includes("r1").Should().BeFalse();
        DecisionExplanation.Empty.Matched<object>().Should().BeFalse();
        DecisionExplanation.Empty.Describe().Should().BeEmpty();
    }

    [Fact]
    public void FactDescriptions_NullArguments_Throw()
    {
        var describeNull = () => FactDescriptions.Describe((object)null!);
        var describeNullLot = () => FactDescriptions.Describe((Model.MaterialLot)null!);
        var appendToNull = () => FactDescriptions.Append(null!, TestFacts.Site());
        var appendNull = () => FactDescriptions.Append(new System.Text.StringBuilder(), null!);
        var stockToNull = () => FactDescriptions.AppendStock(null!, TestFacts.Lot());
        var stockOfNull = () => FactDescriptions.AppendStock(new System.Text.StringBuilder(), null!);

        describeNull.Should().Throw<ArgumentNullException>().WithParameterName("fact");
        describeNullLot.Should().Throw<ArgumentNullException>().WithParameterName("lot");
        appendToNull.Should().Throw<ArgumentNullException>().WithParameterName("builder");
        appendNull.Should().Throw<ArgumentNullException>().WithParameterName("fact");
        stockToNull.Should().Throw<ArgumentNullException>().WithParameterName("builder");
        stockOfNull.Should().Throw<ArgumentNullException>().WithParameterName("lot");
    }
}
