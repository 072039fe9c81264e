using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// Reads and writes a <see cref="ReasonCode"/> as its code string alone, such as <c>"lot.on-hold"</c>, so a reason
/// code reads and writes exactly as the string it replaced. Reading looks the code up in <see cref="ReasonCodes"/>:
/// a catalogued code gets its description; any other string (a plant's code, or one of a newer version) is kept as it
/// is, with an empty description, and never fails. Registered on the type, so every serializer context uses it.
/// </summary>
public sealed class ReasonCodeJsonConverter : JsonConverter<ReasonCode>
{
    /// <inheritdoc />
    public override ReasonCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? ReasonCode.FromCode(reader.GetString()!)
            : throw new JsonException("A reason code must be a JSON string.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ReasonCode value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Code);
    }

    /// <inheritdoc />
    public override ReasonCode ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReasonCode.FromCode(reader.GetString()!);

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, ReasonCode value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value.Code);
    }
}
