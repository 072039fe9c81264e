using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a material lot or batch (SAP batch, D365 batch number, B2MML <c>MaterialLotID</c>). Unique within a material and site in most ERPs; the orchestrator treats it as unique within a deployment.</summary>
[JsonConverter(typeof(IdentifierJsonConverter<LotId>))]
public readonly record struct LotId : IIdentifier<LotId>, IComparable<LotId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public LotId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "lot";

    /// <inheritdoc />
    public static LotId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(LotId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
