using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// A unit of measure: a code within a code system. The default code system is UN/ECE Recommendation 20
/// (<c>EA</c>/<c>C62</c>, <c>KGM</c>, <c>MTR</c>…); ERP-internal codes (SAP <c>ST</c>, <c>PC</c>) use their own code system.
/// Two units are equal only when code and code system are equal (ordinal, case-sensitive).
/// </summary>
public readonly record struct UnitOfMeasure
{
    /// <summary>The default code system name.</summary>
    public const string DefaultCodeSystem = "UNECE";

    /// <summary>Creates a unit of measure.</summary>
    /// <param name="code">The unit code: 1–16 letters, digits or the characters <c>-_/%</c>.</param>
    /// <param name="codeSystem">The code system; <see cref="DefaultCodeSystem"/> when omitted.</param>
    /// <exception cref="ManufacturingOrchestrationException">The code or code system is not valid.</exception>
    [JsonConstructor]
    public UnitOfMeasure(string code, string? codeSystem = null)
    {
        if (!IsValidCode(code))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.InvalidUnit, $"'{code}' is not a valid unit of measure code.");
        }

        codeSystem ??= DefaultCodeSystem;
        if (!IsValidCode(codeSystem))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.InvalidUnit, $"'{codeSystem}' is not a valid unit code system.");
        }

        Code = code;
        CodeSystem = codeSystem;
    }

    /// <summary>Each (piece), UN/ECE code <c>EA</c>.</summary>
    public static UnitOfMeasure Each { get; } = new("EA");

    /// <summary>Kilogram, UN/ECE code <c>KGM</c>.</summary>
    public static UnitOfMeasure Kilogram { get; } = new("KGM");

    /// <summary>Metre, UN/ECE code <c>MTR</c>.</summary>
    public static UnitOfMeasure Metre { get; } = new("MTR");

    /// <summary>Litre, UN/ECE code <c>LTR</c>.</summary>
    public static UnitOfMeasure Litre { get; } = new("LTR");

    /// <summary>The unit code.</summary>
    public string Code { get; }

    /// <summary>The code system the code belongs to.</summary>
    public string CodeSystem { get; }

    /// <summary>Whether <paramref name="code"/> is a syntactically valid unit code or code system.</summary>
    /// <param name="code">The candidate.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidCode(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 16)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '%'))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => CodeSystem == DefaultCodeSystem ? Code : $"{Code} ({CodeSystem})";
}
