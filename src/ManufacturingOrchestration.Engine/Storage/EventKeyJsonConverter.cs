using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Reads and writes an <see cref="EventKey"/> as <c>{"source":…,"id":…}</c>, the JSON the serializer wrote for it
/// before, without the serializer's object machinery: a key is written into every stored audit record, dead letter and
/// command row, and through a nullable member the serializer's generic path allocated its stack of frames each time.
/// Reading refuses a missing, null or empty member with a <see cref="JsonException"/> and skips members it does not know.
/// Registered on the type, so every serializer context uses it.
/// </summary>
internal sealed class EventKeyJsonConverter : JsonConverter<EventKey>
{
    private static readonly JsonEncodedText SourceName = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");

    /// <inheritdoc />
    public override EventKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An event key must be a JSON object with a source and an id.");
        }

        string? source = null;
        string? id = null;
        // The serializer hands a converter the whole value, checked: inside the object every token read here is a
        // member's name, and the loop ends at the object's end.
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals(SourceName.EncodedUtf8Bytes))
            {
                reader.Read();
                source = Text(ref reader, "source");
            }
            else if (reader.ValueTextEquals(IdName.EncodedUtf8Bytes))
            {
                reader.Read();
                id = Text(ref reader, "id");
            }
            else
            {
                // On a member's name, Skip passes over its value, whatever it holds.
                reader.Skip();
            }
        }

        return new EventKey(
            source ?? throw new JsonException("An event key needs its source."),
            id ?? throw new JsonException("An event key needs its id."));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, EventKey value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();

        // A default key has neither member; null members are left out, as the serializer's options leave them out.
        if (value.Source is { } source)
        {
            writer.WriteString(SourceName, source);
        }

        if (value.Id is { } id)
        {
            writer.WriteString(IdName, id);
        }

        writer.WriteEndObject();
    }

    private static string Text(ref Utf8JsonReader reader, string member) =>
        reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } text
            ? text
            : throw new JsonException($"An event key's {member} must be a non-empty string.");
}
