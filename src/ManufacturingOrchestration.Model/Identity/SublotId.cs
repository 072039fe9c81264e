using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a sublot or handling unit (B2MML <c>MaterialSubLotID</c>, SAP handling unit, a pallet or reel).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<SublotId>))]
public readonly record struct SublotId : IIdentifier<SublotId>, IComparable<SublotId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public SublotId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "sublot";

    /// <inheritdoc />
    public static SublotId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(SublotId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
