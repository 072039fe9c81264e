using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// The rules for free text that ends up in a record — a signature's reason and justification, an operator's or an
/// approval administrator's reason, descriptions and names in payloads — defined once beside the
/// <see cref="Identifier"/> rules and applied by the model, approvals and operator actions alike.
/// </summary>
/// <remarks>
/// <para>Valid free text is not blank, at most <see cref="MaxLength"/> characters, well-formed UTF-16 (no unpaired
/// surrogate), and has no control characters (Unicode category Cc) other than tab, line feed and carriage return —
/// multi-line text is legitimate in a reason — no byte order mark (U+FEFF) and no bidirectional embedding, override or
/// isolate controls (U+202A–U+202E, U+2066–U+2069), which could make a record read differently from what it says.
/// Other format characters (such as the zero-width joiner some scripts need) are allowed.</para>
/// <para>Text is kept exactly as given: it is not trimmed and not normalized.</para>
/// </remarks>
public static class FreeText
{
    /// <summary>The longest free text accepted, in UTF-16 code units.</summary>
    public const int MaxLength = 8192;

    /// <summary>Checks free text without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="problem">What is wrong, when the text is not valid.</param>
    /// <returns><see langword="true"/> when the text is valid free text.</returns>
    public static bool IsValid([NotNullWhen(true)] string? text, [NotNullWhen(false)] out string? problem)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "must not be blank";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"must be at most {MaxLength} characters (has {text.Length})");
            return false;
        }

        // Checked in text order: the first refused character or unpaired surrogate is the one named.
        var unpaired = IndexOfUnpairedSurrogate(text);
        var end = unpaired < 0 ? text.Length : unpaired;
        for (var i = 0; i < end; i++)
        {
            var c = text[i];
            if (IsRefused(c))
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"must not contain the {(char.IsControl(c) ? "control" : "format")} character U+{(int)c:X4} (at index {i}); tab and line breaks are allowed");
                return false;
            }
        }

        if (unpaired >= 0)
        {
            problem = UnpairedSurrogateProblem(text, unpaired);
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>Whether text is well-formed UTF-16: every surrogate is part of a pair, so the text has an exact UTF-8 form.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when the text has no unpaired surrogate.</returns>
    public static bool IsWellFormed(ReadOnlySpan<char> text) => IndexOfUnpairedSurrogate(text) < 0;

    /// <summary>The index of the first unpaired surrogate in the text, or -1 when the text is well-formed UTF-16.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The index, or -1.</returns>
    public static int IndexOfUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }

    /// <summary>
    /// Makes refused input safe to show and to record (in a rejection, a report or a log): unpaired surrogates, control
    /// characters, format characters and line separators are written as <c>\uXXXX</c>, and a backslash as <c>\\</c> when
    /// anything was escaped; text with none of them is returned unchanged.
    /// </summary>
    /// <param name="text">The raw text; <see langword="null"/> gives an empty string.</param>
    /// <returns>The printable text.</returns>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (!NeedsEscape(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c == '\\')
            {
                builder.Append(@"\\");
            }
            else if (char.IsSurrogate(c) || IsUnprintable(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        if (IndexOfUnpairedSurrogate(text) >= 0)
        {
            return true;
        }

        foreach (var c in text)
        {
            if (IsUnprintable(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnprintable(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>The problem text for an unpaired surrogate, the same for identifiers and free text.</summary>
    internal static string UnpairedSurrogateProblem(string text, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"must be well-formed Unicode: an unpaired surrogate U+{(int)text[index]:X4} is at index {index}");

    private static bool IsRefused(char c) =>
        (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
        || c == '\uFEFF'
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069';
}
