namespace ManufacturingOrchestration.Model;

/// <summary>
/// A stable, catalogued code naming why something was refused, rejected or flagged. The same code
/// means the same thing in every plant; see <see cref="ReasonCodes"/> for the catalogue.
/// </summary>
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

    /// <summary>The stable code.</summary>
    public string Code { get; }

    /// <summary>What the code means, for a person.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public override string ToString() => Code;
}
