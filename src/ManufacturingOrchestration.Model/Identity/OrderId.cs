using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>Identifies a production or work order (SAP production order, D365 production order, B2MML <c>WorkOrderID</c>).</summary>
[JsonConverter(typeof(IdentifierJsonConverter<OrderId>))]
public readonly record struct OrderId : IIdentifier<OrderId>, IComparable<OrderId>
{
    private readonly string? _value;

    /// <summary>Creates the identifier.</summary>
    /// <param name="value">The value: non-empty, at most <see cref="Identifier.MaxLength"/> characters, no control characters.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a valid identifier.</exception>
    public OrderId(string value) => _value = Identifier.Validate(value, Kind);

    /// <inheritdoc />
    public string Value => _value ?? string.Empty;

    /// <inheritdoc />
    public static string Kind => "order";

    /// <inheritdoc />
    public static OrderId Create(string value) => new(value);

    /// <inheritdoc />
    public int CompareTo(OrderId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
