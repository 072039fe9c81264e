using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a nonconformance report (NCR) or quality notification.</summary>
[JsonConverter(typeof(IdentifierJsonConverter<NonconformanceId>))]
public readonly record struct NonconformanceId : IIdentifier<NonconformanceId>, IComparable<NonconformanceId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public NonconformanceId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "nonconformance";

    /// <inheritdoc />
    public static NonconformanceId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(NonconformanceId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
