namespace ManufacturingOrchestration.Samples.Tests.Shared;

public class SampleOptionsTests
{
    [Fact]
    public void Parse_AllOptions_ReadsThem()
    {
        var options = SampleOptions.Parse(["--events", "120", "--seed", "7", "--out", "some/dir"]);

        options.Events.Should().Be(120);
        options.Seed.Should().Be(7);
        options.OutputDirectory.Should().Be("some/dir");
    }

    [Fact]
    public void Parse_Nothing_UsesTheDefaults()
    {
        var options = SampleOptions.Parse([]);

        options.Events.Should().Be(600);
        options.Seed.Should().Be(42);
        options.OutputDirectory.Should().BeNull();
    }

    [Theory]
    [InlineData("--events", "zero")]
    [InlineData("--events", "-3")]
    [InlineData("--seed", "x")]
    [InlineData("--colour", "red")]
    public void Parse_BadOption_Throws(string name, string value)
    {
        var parse = () => SampleOptions.Parse([name, value]);

        parse.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Parse_MissingValue_Throws()
    {
        var parse = () => SampleOptions.Parse(["--seed"]);

        parse.Should().Throw<ArgumentException>().WithMessage("*needs a value*");
    }
}
