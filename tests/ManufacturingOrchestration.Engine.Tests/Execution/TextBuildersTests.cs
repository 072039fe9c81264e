using System.Text;
using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

// Each test runs synchronously on one thread, which is what the per-thread cache is about.
public sealed class TextBuildersTests
{
    [Fact]
    public void Acquire_AfterARelease_TheSameBuilderEmptied()
    {
        var first = TextBuilders.Acquire();
        first.Append("lot L-1: QI=100 EA");
        TextBuilders.ToStringAndRelease(first).Should().Be("lot L-1: QI=100 EA");

        var second = TextBuilders.Acquire();

        second.Should().BeSameAs(first);
        second.Length.Should().Be(0);
        TextBuilders.ToStringAndRelease(second);
    }

    [Fact]
    public void Acquire_WhileTheCachedOneIsInUse_ANewBuilder()
    {
        var outer = TextBuilders.Acquire();

        var inner = TextBuilders.Acquire();

        inner.Should().NotBeSameAs(outer);
        TextBuilders.ToStringAndRelease(inner);
        TextBuilders.ToStringAndRelease(outer);
    }

    [Fact]
    public void ToSharedStringAndRelease_GivesTheBuilderBackToo()
    {
        var builder = TextBuilders.Acquire();
        builder.Append("mfg.quality.inspection.passed.v1");

        TextBuilders.ToSharedStringAndRelease(builder, new SharedTexts(4)).Should().Be("mfg.quality.inspection.passed.v1");

        var next = TextBuilders.Acquire();
        next.Should().BeSameAs(builder);
        TextBuilders.ToStringAndRelease(next);
    }

    [Fact]
    public void ToStringAndRelease_ABuilderAtTheKeptLimit_IsKept()
    {
        var atLimit = new StringBuilder(16 * 1024);
        TextBuilders.ToStringAndRelease(atLimit);

        var next = TextBuilders.Acquire();

        next.Should().BeSameAs(atLimit);
        TextBuilders.ToStringAndRelease(next);
    }

    [Fact]
    public void ToStringAndRelease_ABuilderThatGrewBeyondTheLimit_IsNotKept()
    {
        var grown = TextBuilders.Acquire();
        grown.Append('x', 20_000);
        TextBuilders.ToStringAndRelease(grown).Should().HaveLength(20_000);

        var next = TextBuilders.Acquire();

        next.Should().NotBeSameAs(grown, "a builder that grew unusually large is not held for the thread's lifetime");
        TextBuilders.ToStringAndRelease(next);
    }
}
