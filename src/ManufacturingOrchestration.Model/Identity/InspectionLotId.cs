using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies an inspection lot (SAP inspection lot, D365 quality order).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<InspectionLotId>))]
public readonly record struct InspectionLotId : IIdentifier<InspectionLotId>, IComparable<InspectionLotId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public InspectionLotId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "inspection lot";

    /// <inheritdoc />
    public static InspectionLotId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(InspectionLotId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
