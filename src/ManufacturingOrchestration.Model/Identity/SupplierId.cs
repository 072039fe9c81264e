using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a supplier (vendor).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<SupplierId>))]
public readonly record struct SupplierId : IIdentifier<SupplierId>, IComparable<SupplierId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public SupplierId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "supplier";

    /// <inheritdoc />
    public static SupplierId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(SupplierId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
