using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a material definition (SAP material number, D365 item number, B2MML <c>MaterialDefinitionID</c>).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<MaterialId>))]
public readonly record struct MaterialId : IIdentifier<MaterialId>, IComparable<MaterialId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public MaterialId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "material";

    /// <inheritdoc />
    public static MaterialId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(MaterialId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
