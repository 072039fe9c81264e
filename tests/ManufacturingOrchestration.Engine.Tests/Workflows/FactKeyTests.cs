using ManufacturingOrchestration.Engine.Workflows;

namespace ManufacturingOrchestration.Engine.Tests.Workflows;

public sealed class FactKeyTests
{
    private static readonly FactKey<string> Note = new("note");
    private static readonly FactKey<int> Count = new("count");

    [Fact]
    public void GetFact_StoredFact_ReturnsIt()
    {
        var ctx = Context();

        ctx.SetFact(Note, "checked");

        ctx.GetFact(Note).Should().Be("checked");
    }

    [Fact]
    public void GetFact_MissingFact_ReturnsDefault()
    {
        var ctx = Context();

        ctx.GetFact(Note).Should().BeNull();
        ctx.GetFact(Count).Should().Be(0);
    }

    [Fact]
    public void TryGetFact_MissingFact_ReturnsFalseAndDefault()
    {
        var ctx = Context();

        ctx.TryGetFact(Count, out var count).Should().BeFalse();
        count.Should().Be(0);
    }

    [Fact]
    public void TryGetFact_StoredZero_ReturnsTrue()
    {
        var ctx = Context();
        ctx.SetFact(Count, 0);

        ctx.TryGetFact(Count, out var count).Should().BeTrue();
        count.Should().Be(0);
    }

    [Fact]
    public void SetFact_SameKeyTwice_KeepsTheLastValue()
    {
        var ctx = Context();

        ctx.SetFact(Count, 1);
        ctx.SetFact(new FactKey<int>("count"), 2);

        ctx.GetFact(Count).Should().Be(2);
    }

    [Fact]
    public void SetFact_SameNameDifferentTypes_KeepsTwoFacts()
    {
        var ctx = Context();
        var asText = new FactKey<string>("count");

        ctx.SetFact(Count, 3);
        ctx.SetFact(asText, "three");

        ctx.GetFact(Count).Should().Be(3);
        ctx.GetFact(asText).Should().Be("three");
    }

    [Fact]
    public void GetFact_SameNameOtherType_DoesNotSeeTheFact()
    {
        var ctx = Context();
        ctx.SetFact(Count, 3);

        ctx.TryGetFact(new FactKey<long>("count"), out var asLong).Should().BeFalse();
        asLong.Should().Be(0L);
    }

    [Fact]
    public void SetFact_DefaultKey_Throws()
    {
        var ctx = Context();

        var act = () => ctx.SetFact(default(FactKey<int>), 1);

        act.Should().Throw<ArgumentException>().WithParameterName("key");
    }

    [Fact]
    public void Constructor_EmptyName_Throws()
    {
        var act = () => new FactKey<int>(string.Empty);

        act.Should().Throw<ArgumentException>().WithParameterName("name");
    }

    [Fact]
    public void Equals_SameName_AreEqual()
    {
        var left = new FactKey<int>("count");
        var right = new FactKey<int>("count");

        (left == right).Should().BeTrue();
        left.GetHashCode().Should().Be(right.GetHashCode());
        (left != new FactKey<int>("Count")).Should().BeTrue();
    }

    [Fact]
    public void Equals_SameNameDifferentTypes_AreNotEqual()
    {
        object asLong = new FactKey<long>("count");

        Count.Equals(asLong).Should().BeFalse();
    }

    [Fact]
    public void ToString_Always_IsTheName()
    {
        Note.ToString().Should().Be("note");
    }

    private static StepContext Context() => StepContexts.For();
}
