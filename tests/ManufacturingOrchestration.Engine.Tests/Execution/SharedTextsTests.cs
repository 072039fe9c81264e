using System.Text;
using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public sealed class SharedTextsTests
{
    [Fact]
    public void Get_TheSameTextTwice_ReturnsTheOneKeptInstance()
    {
        var shared = new SharedTexts(4);

        var first = shared.Get(new StringBuilder("mfg.quality.inspection.passed.v1 → decided ReleaseLot"));
        var second = shared.Get(new StringBuilder("mfg.quality.inspection.passed.v1 → decided ReleaseLot"));

        second.Should().Be("mfg.quality.inspection.passed.v1 → decided ReleaseLot");
        second.Should().BeSameAs(first);
    }

    [Fact]
    public void Get_DifferentTexts_KeepsEachApart()
    {
        var shared = new SharedTexts(4);

        var released = shared.Get(new StringBuilder("decided ReleaseLot"));
        var quarantined = shared.Get(new StringBuilder("decided QuarantineLot"));

        released.Should().Be("decided ReleaseLot");
        quarantined.Should().Be("decided QuarantineLot");
        shared.Get(new StringBuilder("decided QuarantineLot")).Should().BeSameAs(quarantined);
    }

    [Fact]
    public void Get_BeyondCapacity_GivesTheTextButKeepsNoMore()
    {
        var shared = new SharedTexts(2);
        var a = shared.Get(new StringBuilder("a"));
        shared.Get(new StringBuilder("b"));

        var c = shared.Get(new StringBuilder("c"));
        var again = shared.Get(new StringBuilder("c"));

        again.Should().Be("c");
        again.Should().NotBeSameAs(c, "a full set keeps no new text");
        shared.Get(new StringBuilder("a")).Should().BeSameAs(a, "what it kept before it filled stays kept");
    }

    [Fact]
    public void Get_ABuilderOfSeveralChunks_GivesItsWholeText()
    {
        var shared = new SharedTexts(4);
        var builder = new StringBuilder(4);
        builder.Append("mfg.quality").Append(".inspection").Append(".failed.v1");

        var text = shared.Get(builder);

        text.Should().Be("mfg.quality.inspection.failed.v1");
        shared.Get(new StringBuilder("mfg.quality.inspection.failed.v1")).Should().NotBeSameAs(text, "a text of several chunks is not looked up, so not kept");
    }
}
