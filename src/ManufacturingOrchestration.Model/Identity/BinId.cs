using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a bin or storage unit location within a warehouse (WMS location).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<BinId>))]
public readonly record struct BinId : IIdentifier<BinId>, IComparable<BinId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public BinId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "bin";

    /// <inheritdoc />
    public static BinId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(BinId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
