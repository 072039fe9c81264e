using ManufacturingOrchestration.Engine.Commands;

namespace ManufacturingOrchestration.Engine.Tests.Commands;

public sealed class IdempotencyKeysTests
{
    private const string Source = "qms://plant-1";
    private const string EventId = "evt-1";
    private const string Step = "release";
    private const string Kind = "erp.change-stock-category";

    [Fact]
    public void Derive_KnownInput_MatchesTheDocumentedFormat()
    {
        // "mo1-" + the first 16 bytes of SHA-256("qms://plant-1\nevt-1\nrelease\nerp.change-stock-category\n0"), computed independently.
        var key = IdempotencyKeys.Derive(Source, EventId, Step, Kind);

        key.Should().Be("mo1-7b89119b5ca747b11ff8e58521a575f4");
    }

    [Fact]
    public void Derive_SameInputs_GivesTheSameKey()
    {
        var first = IdempotencyKeys.Derive(Source, EventId, Step, Kind, 1);
        var second = IdempotencyKeys.Derive(Source, EventId, Step, Kind, 1);

        first.Should().Be(second);
    }

    [Fact]
    public void Derive_AnyInput_IsMo1PrefixAnd32LowerCaseHex()
    {
        var key = IdempotencyKeys.Derive("erp://S4H/100", "ÄÖÜ-ß-⚙", "step with spaces", Kind, 7);

        key.Should().MatchRegex("^mo1-[0-9a-f]{32}$");
        key.Should().HaveLength(36).And.StartWith(IdempotencyKeys.Prefix);
    }

    [Fact]
    public void Derive_OccurrenceOmitted_IsOccurrenceZero()
    {
        var implicitZero = IdempotencyKeys.Derive(Source, EventId, Step, Kind);

        implicitZero.Should().Be(IdempotencyKeys.Derive(Source, EventId, Step, Kind, 0));
    }

    [Theory]
    [InlineData("mes://line-4", EventId, Step, Kind, 0)]
    [InlineData(Source, "evt-2", Step, Kind, 0)]
    [InlineData(Source, EventId, "notify", Kind, 0)]
    [InlineData(Source, EventId, Step, "wms.place-hold", 0)]
    [InlineData(Source, EventId, Step, Kind, 1)]
    public void Derive_OnePartDiffers_GivesAnotherKey(string source, string eventId, string step, string kind, int occurrence)
    {
        var key = IdempotencyKeys.Derive(source, eventId, step, kind, occurrence);

        key.Should().NotBe(IdempotencyKeys.Derive(Source, EventId, Step, Kind, 0));
    }

    [Fact]
    public void Derive_PartsSwapped_GiveAnotherKey()
    {
        var key = IdempotencyKeys.Derive(EventId, Source, Step, Kind);

        key.Should().NotBe(IdempotencyKeys.Derive(Source, EventId, Step, Kind));
    }

    [Theory]
    [InlineData("", EventId, Step, Kind, 0)]
    [InlineData(Source, "", Step, Kind, 0)]
    [InlineData(Source, EventId, "", Kind, 0)]
    [InlineData(Source, EventId, Step, "", 0)]
    [InlineData(Source, EventId, Step, Kind, -1)]
    public void Derive_EmptyPartOrNegativeOccurrence_Throws(string source, string eventId, string step, string kind, int occurrence)
    {
        var act = () => IdempotencyKeys.Derive(source, eventId, step, kind, occurrence);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void DeriveRevision_Revisions_DifferFromTheOriginalAndFromEachOther()
    {
        var original = IdempotencyKeys.Derive(Source, EventId, Step, Kind);

        var first = IdempotencyKeys.DeriveRevision(original, 1);
        var second = IdempotencyKeys.DeriveRevision(original, 2);
        var ofAnother = IdempotencyKeys.DeriveRevision(IdempotencyKeys.Derive(Source, "evt-2", Step, Kind), 1);

        new[] { original, first, second, ofAnother }.Should().OnlyHaveUniqueItems();
        first.Should().MatchRegex("^mo1-[0-9a-f]{32}$");
        second.Should().MatchRegex("^mo1-[0-9a-f]{32}$");
    }

    [Fact]
    public void DeriveRevision_SameInputs_GivesTheSameKey()
    {
        var original = IdempotencyKeys.Derive(Source, EventId, Step, Kind);

        var again = IdempotencyKeys.DeriveRevision(original, 3);

        again.Should().Be(IdempotencyKeys.DeriveRevision(original, 3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void DeriveRevision_RevisionBelowOne_Throws(int revision)
    {
        var act = () => IdempotencyKeys.DeriveRevision("mo1-7b89119b5ca747b11ff8e58521a575f4", revision);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
