using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a corrective action (CAPA, 8D or SCAR).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<CorrectiveActionId>))]
public readonly record struct CorrectiveActionId : IIdentifier<CorrectiveActionId>, IComparable<CorrectiveActionId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public CorrectiveActionId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "corrective action";

    /// <inheritdoc />
    public static CorrectiveActionId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(CorrectiveActionId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
