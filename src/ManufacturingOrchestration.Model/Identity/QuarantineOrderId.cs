using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a quarantine order (Dynamics 365 <c>InventQuarantineOrder</c>).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<QuarantineOrderId>))]
public readonly record struct QuarantineOrderId : IIdentifier<QuarantineOrderId>, IComparable<QuarantineOrderId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public QuarantineOrderId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "quarantine order";

    /// <inheritdoc />
    public static QuarantineOrderId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(QuarantineOrderId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
