using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a cycle-count document or counting work.</summary>
[JsonConverter(typeof(IdentifierJsonConverter<CycleCountId>))]
public readonly record struct CycleCountId : IIdentifier<CycleCountId>, IComparable<CycleCountId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public CycleCountId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "cycle count";

    /// <inheritdoc />
    public static CycleCountId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(CycleCountId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
