using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>
/// Writes an enum as its camelCase name and refuses numbers, so stored JSON stays readable and stable: the enum
/// convention of the model's and the adapters' JSON. Connectors can use it for enums of their own wire types.
/// </summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
public sealed class CamelCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    /// <summary>Creates the converter.</summary>
    public CamelCaseEnumConverter()
        : base(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    {
    }
}
