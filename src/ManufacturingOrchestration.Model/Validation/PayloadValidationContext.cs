using System.Globalization;

namespace ManufacturingOrchestration.Model.Validation;

/// <summary>
/// Collects the problems a payload's business rules find. Paths are relative to the payload, such as
/// <c>quantity.value</c> or <c>lines[0].quantity</c>; they are reported under <c>$.data</c>.
/// </summary>
public sealed class PayloadValidationContext
{
    private readonly List<ValidationError> _errors;
    private readonly string _root;

    internal PayloadValidationContext(List<ValidationError> errors, string root)
    {
        _errors = errors;
        _root = root;
    }

    /// <summary>How many problems have been reported so far (for the whole event).</summary>
    public int ErrorCount => _errors.Count;

    /// <summary>Reports a problem.</summary>
    /// <param name="memberPath">The path relative to the payload, such as <c>quantity.value</c>; empty for the payload itself.</param>
    /// <param name="reasonCode">The catalogued reason code.</param>
    /// <param name="message">What is wrong, for a person.</param>
    public void AddError(string memberPath, ReasonCode reasonCode, string message)
    {
        ArgumentNullException.ThrowIfNull(memberPath);
        _errors.Add(new ValidationError(JsonPathBuilder.Combine(_root, memberPath), reasonCode, message));
    }

    /// <summary>Reports a problem unless the quantity is valid and greater than zero.</summary>
    /// <param name="quantity">The quantity.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the quantity passed.</returns>
    public bool RequirePositive(Quantity quantity, string memberPath)
    {
        if (!RequireNonNegative(quantity, memberPath))
        {
            return false;
        }

        if (quantity.Value == 0)
        {
            AddError(memberPath + ".value", ReasonCodes.NonPositiveQuantity, "The quantity must be greater than zero.");
            return false;
        }

        return true;
    }

    /// <summary>Reports a problem unless the quantity has a valid unit and is not negative (zero is allowed).</summary>
    /// <param name="quantity">The quantity.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the quantity passed.</returns>
    public bool RequireNonNegative(Quantity quantity, string memberPath)
    {
        if (quantity.Unit.Code is null)
        {
            AddError(memberPath + ".unit", ReasonCodes.InvalidUnit, "The quantity has no unit of measure.");
            return false;
        }

        if (quantity.Value < 0)
        {
            AddError(memberPath + ".value", ReasonCodes.NegativeQuantity, $"The quantity must not be negative (was {quantity.Value.ToString(CultureInfo.InvariantCulture)}).");
            return false;
        }

        return true;
    }

    /// <summary>Reports a problem unless the identifier holds a valid value (a <see langword="default"/> identifier does not).</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="id">The identifier.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the identifier passed.</returns>
    public bool RequireIdentifier<T>(T id, string memberPath)
        where T : struct, IIdentifier<T>
    {
        if (!Identifier.IsValid(id.Value, out var problem))
        {
            AddError(memberPath, ReasonCodes.InvalidIdentifier, $"A {T.Kind} identifier {problem}.");
            return false;
        }

        return true;
    }

    /// <summary>Reports a problem unless the optional identifier is absent or valid.</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="id">The identifier.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the identifier passed.</returns>
    public bool RequireIdentifier<T>(T? id, string memberPath)
        where T : struct, IIdentifier<T> => id is not { } value || RequireIdentifier(value, memberPath);

    /// <summary>Reports a problem unless the text is valid free text (<see cref="FreeText"/>): present, not blank, no control characters other than tab and line breaks.</summary>
    /// <param name="text">The text.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the text passed.</returns>
    public bool RequireText(string? text, string memberPath)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            AddError(memberPath, ReasonCodes.Required, "A non-blank value is required.");
            return false;
        }

        if (!FreeText.IsValid(text, out var problem))
        {
            AddError(memberPath, FreeText.IsWellFormed(text) ? ReasonCodes.InvalidText : ReasonCodes.InvalidEncoding, $"The text {problem}.");
            return false;
        }

        return true;
    }

    /// <summary>Reports a problem unless the optional text is absent or valid free text (<see cref="FreeText"/>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the text passed.</returns>
    public bool RequireTextOrAbsent(string? text, string memberPath) => text is null || RequireText(text, memberPath);

    /// <summary>Reports a problem unless the value is a valid key (<see cref="Identifier"/> rules, at most <see cref="Identifier.MaxKeyLength"/> characters), such as a request id or a partition key.</summary>
    /// <param name="value">The value.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the value passed.</returns>
    public bool RequireKey(string? value, string memberPath)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            AddError(memberPath, ReasonCodes.Required, "A non-blank value is required.");
            return false;
        }

        if (!Identifier.IsValid(value, Identifier.MaxKeyLength, out var problem))
        {
            AddError(memberPath, FreeText.IsWellFormed(value) ? ReasonCodes.InvalidIdentifier : ReasonCodes.InvalidEncoding, $"The key {problem}.");
            return false;
        }

        return true;
    }

    /// <summary>Reports a problem unless the value is present.</summary>
    /// <param name="value">The value.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the value is present.</returns>
    public bool RequirePresent([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] object? value, string memberPath)
    {
        if (value is null)
        {
            AddError(memberPath, ReasonCodes.Required, "The member is required.");
            return false;
        }

        return true;
    }

    /// <summary>Reports a problem unless the enum value is one of the defined members.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="memberPath">The member path relative to the payload.</param>
    /// <returns><see langword="true"/> when the value is defined.</returns>
    public bool RequireDefined<TEnum>(TEnum value, string memberPath)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            AddError(memberPath, ReasonCodes.OutOfRange, $"'{value}' is not a defined {typeof(TEnum).Name} value.");
            return false;
        }

        return true;
    }

    /// <summary>Reports a unit mismatch unless both quantities have the same unit.</summary>
    /// <param name="first">The first quantity.</param>
    /// <param name="second">The second quantity, reported when it differs.</param>
    /// <param name="memberPath">The member path of <paramref name="second"/>, relative to the payload.</param>
    /// <returns><see langword="true"/> when the units agree.</returns>
    public bool RequireSameUnit(Quantity first, Quantity second, string memberPath)
    {
        if (first.Unit != second.Unit)
        {
            AddError(memberPath + ".unit", ReasonCodes.UnitMismatch, $"The unit {second.Unit} differs from {first.Unit}.");
            return false;
        }

        return true;
    }
}
