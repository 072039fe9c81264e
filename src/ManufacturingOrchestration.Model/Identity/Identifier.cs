using System.Diagnostics.CodeAnalysis;

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

/// <summary>Validation shared by every identifier type.</summary>
public static class Identifier
{
    /// <summary>The longest identifier value accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>Checks a raw identifier value without throwing.</summary>
    /// <param name="value">The raw value.</param>
    /// <param name="problem">What is wrong, when the value is not valid.</param>
    /// <returns><see langword="true"/> when the value is a valid identifier.</returns>
    public static bool IsValid([NotNullWhen(true)] string? value, [NotNullWhen(false)] out string? problem)
    {
        if (string.IsNullOrEmpty(value))
        {
            problem = "must not be empty";
            return false;
        }

        if (value.Length > MaxLength)
        {
            problem = $"must be at most {MaxLength} characters";
            return false;
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            problem = "must not start or end with white space";
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                problem = "must not contain control characters";
                return false;
            }
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
