namespace ManufacturingOrchestration.Model.Tests.Identity;

public class FreeTextTests
{
    /// <summary>Theory data cannot carry an unpaired surrogate (it is serialized as U+FFFD), so the tests name it <c>&lt;D800&gt;</c>.</summary>
    private static string Lone(string? text) => text is null ? null! : text.Replace("<D800>", "\uD800", StringComparison.Ordinal).Replace("<DC00>", "\uDC00", StringComparison.Ordinal).Replace("<D83D>", "\uD83D", StringComparison.Ordinal);

    [Theory]
    [InlineData("Lot re-inspected; results within limits.")]
    [InlineData("Line 1\nLine 2\r\n\tindented")]
    [InlineData("Ünïcødé \U0001F44D")]
    [InlineData("ZWJ in a word: \u0915\u094D\u200D\u0937")]
    public void IsValid_ReasonableText_IsValid(string text)
    {
        FreeText.IsValid(text, out var problem).Should().BeTrue();
        problem.Should().BeNull();
    }

    [Theory]
    [InlineData(null, "blank")]
    [InlineData("", "blank")]
    [InlineData(" \t\n", "blank")]
    [InlineData("\u0000", "control character U+0000")]
    [InlineData("reason\u0007", "control character U+0007")]
    [InlineData("\u001B[31mred", "control character U+001B")]
    [InlineData("\uFEFFreason", "format character U+FEFF")]
    [InlineData("approve \u202Eesaeler", "format character U+202E")]
    [InlineData("approve \u2066x\u2069", "format character U+2066")]
    [InlineData("half <D83D> pair", "unpaired surrogate U+D83D")]
    public void IsValid_BadText_NamesTheProblem(string? text, string expected)
    {
        FreeText.IsValid(Lone(text), out var problem).Should().BeFalse();
        problem.Should().Contain(expected);
    }

    [Fact]
    public void IsValid_TooLong_IsInvalid()
    {
        FreeText.IsValid(new string('x', FreeText.MaxLength), out _).Should().BeTrue();
        FreeText.IsValid(new string('x', FreeText.MaxLength + 1), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\u0000b", "a\\u0000b")]
    [InlineData("\uFEFFkey", "\\uFEFFkey")]
    [InlineData("x<D800>y\\z", "x\\uD800y\\\\z")]
    [InlineData("pair \U0001F600 kept", "pair \U0001F600 kept")]
    public void Escape_UnprintableOrIllFormed_IsWrittenAsEscapes(string text, string expected)
    {
        var escaped = FreeText.Escape(Lone(text));

        escaped.Should().Be(expected);
        FreeText.IsWellFormed(escaped).Should().BeTrue();
    }
}
