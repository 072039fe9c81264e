using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>Reads and writes an identifier as a JSON string, refusing values that are not valid identifiers.</summary>
/// <typeparam name="T">The identifier type.</typeparam>
public sealed class IdentifierJsonConverter<T> : JsonConverter<T>
    where T : struct, IIdentifier<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"A {T.Kind} identifier must be a JSON string.");
        }

        var value = reader.GetString();
        if (!Identifier.IsValid(value, out var problem))
        {
            throw new JsonException($"A {T.Kind} identifier {problem}.");
        }

        return T.Create(value);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }

    /// <inheritdoc />
    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (!Identifier.IsValid(value, out var problem))
        {
            throw new JsonException($"A {T.Kind} identifier {problem}.");
        }

        return T.Create(value);
    }

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value.Value);
    }
}
