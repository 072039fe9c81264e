using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a storage location within a site (SAP storage location, D365 warehouse).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<StorageLocationId>))]
public readonly record struct StorageLocationId : IIdentifier<StorageLocationId>, IComparable<StorageLocationId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public StorageLocationId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "storage location";

    /// <inheritdoc />
    public static StorageLocationId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(StorageLocationId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
