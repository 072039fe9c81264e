using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a site or plant (SAP plant, D365 site, B2MML <c>HierarchyScope</c> at site level).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<SiteId>))]
public readonly record struct SiteId : IIdentifier<SiteId>, IComparable<SiteId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public SiteId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "site";

    /// <inheritdoc />
    public static SiteId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(SiteId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
