using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// A stable, catalogued code naming why something was refused, rejected or flagged. The same code
/// means the same thing in every plant; see <see cref="ReasonCodes"/> for the catalogue.
/// </summary>
/// <remarks>
/// Two reason codes are equal when their <see cref="Code"/>s are equal (ordinal): the code is the identity, the
/// description only explains it. In JSON a reason code is its code string alone (see <see cref="ReasonCodeJsonConverter"/>).
/// </remarks>
[JsonConverter(typeof(ReasonCodeJsonConverter))]
public readonly record struct ReasonCode
{
    /// <summary>Creates a reason code.</summary>
    /// <param name="code">The stable code, lower-case and dotted, such as <c>lot.withdrawal-not-unrestricted</c>.</param>
    /// <param name="description">What it means, for a person.</param>
    public ReasonCode(string code, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Code = code;
        Description = description;
    }

    private ReasonCode(string code)
    {
        Code = code;
        Description = string.Empty;
    }

    /// <summary>The stable code.</summary>
    public string Code { get; }

    /// <summary>What the code means, for a person; empty for a code read that is not in <see cref="ReasonCodes"/>.</summary>
    public string Description { get; }

    /// <summary>
    /// The reason code for a code string: the catalogued one, with its description, when the code is in
    /// <see cref="ReasonCodes"/>; otherwise a reason code with that code and an empty <see cref="Description"/>
    /// (a plant's own code, or one of a newer version).
    /// </summary>
    /// <param name="code">The code string.</param>
    /// <returns>The reason code.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is null, empty or white space.</exception>
    public static ReasonCode Parse(string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        return FromCode(code);
    }

    /// <summary>
    /// The reason code for a code string as stored or received, whatever it is: the catalogued one when known,
    /// otherwise one carrying the string unchanged, so that reading and writing it back gives the same text.
    /// </summary>
    internal static ReasonCode FromCode(string code) => ReasonCodes.TryFind(code, out var known) ? known : new ReasonCode(code);

    /// <summary>Whether two reason codes have the same code (ordinal); the descriptions are not compared.</summary>
    /// <param name="other">The other reason code.</param>
    /// <returns><see langword="true"/> when the codes are equal.</returns>
    public bool Equals(ReasonCode other) => string.Equals(Code, other.Code, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => Code is null ? 0 : StringComparer.Ordinal.GetHashCode(Code);

    /// <inheritdoc />
    public override string ToString() => Code;
}
