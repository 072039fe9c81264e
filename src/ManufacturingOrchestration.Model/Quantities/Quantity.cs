using System.Globalization;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// A non-negative amount of material in a unit of measure. Arithmetic and comparison across different
/// units throw <see cref="ManufacturingOrchestrationException"/> with <see cref="ReasonCodes.UnitMismatch"/>:
/// units are never mixed silently, and no conversion is assumed.
/// </summary>
public readonly record struct Quantity : IComparable<Quantity>
{
    /// <summary>Creates a quantity.</summary>
    /// <param name="value">The amount; must not be negative.</param>
    /// <param name="unit">The unit of measure.</param>
    /// <exception cref="ManufacturingOrchestrationException">The value is negative or the unit is the default value.</exception>
    [JsonConstructor]
    public Quantity(decimal value, UnitOfMeasure unit)
    {
        if (value < 0)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.NegativeQuantity, $"A quantity must not be negative (was {value.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (unit.Code is null)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.InvalidUnit, "A quantity needs a unit of measure.");
        }

        Value = value;
        Unit = unit;
    }

    /// <summary>The amount.</summary>
    public decimal Value { get; }

    /// <summary>The unit of measure.</summary>
    public UnitOfMeasure Unit { get; }

    /// <summary>Whether the amount is zero.</summary>
    [JsonIgnore]
    public bool IsZero => Value == 0;

    /// <summary>Creates a quantity in pieces (<see cref="UnitOfMeasure.Each"/>).</summary>
    /// <param name="value">The amount.</param>
    /// <returns>The quantity.</returns>
    public static Quantity Each(decimal value) => new(value, UnitOfMeasure.Each);

    /// <summary>A zero quantity in the given unit.</summary>
    /// <param name="unit">The unit.</param>
    /// <returns>The quantity.</returns>
    public static Quantity Zero(UnitOfMeasure unit) => new(0, unit);

    /// <summary>Adds two quantities of the same unit.</summary>
    /// <param name="other">The quantity to add.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The units differ (<see cref="ReasonCodes.UnitMismatch"/>) or the sum is beyond the decimal range (<see cref="ReasonCodes.OutOfRange"/>).</exception>
    public Quantity Add(Quantity other)
    {
        EnsureSameUnit(other);
        if (Value > decimal.MaxValue - other.Value)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"Cannot add {other} to {this}: the sum is beyond the largest quantity.");
        }

        return new Quantity(Value + other.Value, Unit);
    }

    /// <summary>Subtracts a quantity of the same unit; the result must not be negative.</summary>
    /// <param name="other">The quantity to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The units differ or the result would be negative.</exception>
    public Quantity Subtract(Quantity other)
    {
        EnsureSameUnit(other);
        if (other.Value > Value)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.InsufficientQuantity, $"Cannot subtract {other} from {this}.");
        }

        return new Quantity(Value - other.Value, Unit);
    }

    /// <summary>The signed difference <c>this − other</c> as a plain number, for variances.</summary>
    /// <param name="other">The quantity to compare with.</param>
    /// <returns>The signed difference in this unit.</returns>
    public decimal DifferenceFrom(Quantity other)
    {
        EnsureSameUnit(other);
        return Value - other.Value;
    }

    /// <summary>Whether <paramref name="other"/> has the same unit.</summary>
    /// <param name="other">The other quantity.</param>
    /// <returns><see langword="true"/> when the units are equal.</returns>
    public bool HasSameUnit(Quantity other) => Unit == other.Unit;

    /// <inheritdoc />
    public int CompareTo(Quantity other)
    {
        EnsureSameUnit(other);
        return Value.CompareTo(other.Value);
    }

    /// <summary>Adds two quantities of the same unit.</summary>
    public static Quantity operator +(Quantity left, Quantity right) => left.Add(right);

    /// <summary>Subtracts two quantities of the same unit.</summary>
    public static Quantity operator -(Quantity left, Quantity right) => left.Subtract(right);

    /// <summary>Compares two quantities of the same unit.</summary>
    public static bool operator <(Quantity left, Quantity right) => left.CompareTo(right) < 0;

    /// <summary>Compares two quantities of the same unit.</summary>
    public static bool operator >(Quantity left, Quantity right) => left.CompareTo(right) > 0;

    /// <summary>Compares two quantities of the same unit.</summary>
    public static bool operator <=(Quantity left, Quantity right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two quantities of the same unit.</summary>
    public static bool operator >=(Quantity left, Quantity right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Value.ToString(CultureInfo.InvariantCulture)} {Unit}";

    private void EnsureSameUnit(Quantity other)
    {
        if (Unit != other.Unit)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.UnitMismatch, $"Cannot combine {this} with {other}: different units of measure.");
        }
    }
}
