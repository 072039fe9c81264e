using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ManufacturingOrchestration.Model;

/// <summary>A strongly typed identifier whose value is a validated, non-empty string.</summary>
/// <typeparam name="TSelf">The identifier type.</typeparam>
public interface IIdentifier<TSelf>
    where TSelf : struct, IIdentifier<TSelf>
{
    /// <summary>The identifier's value.</summary>
    string Value { get; }

    /// <summary>The identifier's kind, such as <c>lot</c>, used in error messages.</summary>
    static abstract string Kind { get; }

    /// <summary>Creates the identifier, throwing when <paramref name="value"/> is not valid.</summary>
    /// <param name="value">The raw value.</param>
    /// <returns>The identifier.</returns>
    static abstract TSelf Create(string value);
}

/// <summary>
/// The identifier rules, defined once for every identifier: the typed identifiers (<see cref="LotId"/>, <see cref="SiteId"/>…,
/// at most <see cref="MaxLength"/> characters) and the event keys (event id, source, partition key, subject, correlation
/// and causation id, at most <see cref="MaxKeyLength"/> characters). Every intake path (typed publish, JSON, CSV, file
/// drop) applies them and refuses anything else with <see cref="ReasonCodes.InvalidIdentifier"/>.
/// </summary>
/// <remarks>
/// <para>A valid identifier is non-empty, well-formed UTF-16 (no unpaired surrogate), has no control characters
/// (Unicode category Cc), no format characters (Cf: the byte order mark U+FEFF, zero-width and bidirectional
/// controls), no line or paragraph separators (Zl, Zp), and no white space at either end.</para>
/// <para>Identifiers are compared ordinally and are not normalized: <c>é</c> (U+00E9) and <c>e</c> followed by
/// U+0301 are two different identifiers. Stores keep exactly the characters accepted.</para>
/// </remarks>
public static class Identifier
{
    /// <summary>The longest typed identifier value accepted, in UTF-16 code units.</summary>
    public const int MaxLength = 128;

    /// <summary>The longest event key accepted (event id, source, partition key, subject, correlation or causation id), in UTF-16 code units.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>Checks a raw typed identifier value (at most <see cref="MaxLength"/> characters) without throwing.</summary>
    /// <param name="value">The raw value.</param>
    /// <param name="problem">What is wrong, when the value is not valid.</param>
    /// <returns><see langword="true"/> when the value is a valid identifier.</returns>
    public static bool IsValid([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? problem) => IsValid(value, MaxLength, out problem);

    /// <summary>Checks a raw identifier value against the identifier rules and a length bound, without throwing.</summary>
    /// <param name="value">The raw value.</param>
    /// <param name="maxLength">The longest value accepted, in UTF-16 code units (<see cref="MaxLength"/> or <see cref="MaxKeyLength"/>).</param>
    /// <param name="problem">What is wrong, when the value is not valid.</param>
    /// <returns><see langword="true"/> when the value is a valid identifier.</returns>
    public static bool IsValid([NotNullWhen(true)] string? value, int maxLength, [NotNullWhen(false)] out string? problem)
    {
        if (string.IsNullOrEmpty(value))
        {
            problem = "must not be empty";
            return false;
        }

        if (value.Length > maxLength)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"must be at most {maxLength} characters (has {value.Length})");
            return false;
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            problem = "must not start or end with white space";
            return false;
        }

        // Checked in text order: the first refused character or unpaired surrogate is the one named.
        var unpaired = FreeText.IndexOfUnpairedSurrogate(value);
        var end = unpaired < 0 ? value.Length : unpaired;
        for (var i = 0; i < end; i++)
        {
            var c = value[i];
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                var what = category switch
                {
                    UnicodeCategory.Control => "control character",
                    UnicodeCategory.Format => c == '\uFEFF' ? "byte order mark (a format character)" : "format character",
                    _ => "line or paragraph separator",
                };
                problem = string.Create(CultureInfo.InvariantCulture, $"must not contain the {what} U+{(int)c:X4} (at index {i})");
                return false;
            }
        }

        if (unpaired >= 0)
        {
            problem = FreeText.UnpairedSurrogateProblem(value, unpaired);
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>Tries to create an identifier of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="value">The raw value.</param>
    /// <param name="id">The identifier, when valid.</param>
    /// <returns><see langword="true"/> when the value is valid.</returns>
    public static bool TryCreate<T>(string? value, out T id)
        where T : struct, IIdentifier<T>
    {
        if (IsValid(value, out _))
        {
            id = T.Create(value);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>Validates a raw value for an identifier of the given kind, or throws.</summary>
    /// <param name="value">The raw value.</param>
    /// <param name="kind">The identifier kind, for the message.</param>
    /// <returns>The value, unchanged.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public static string Validate(string? value, string kind)
    {
        if (!IsValid(value, out var problem))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.InvalidIdentifier, $"A {kind} identifier {problem}.");
        }

        return value;
    }
}
