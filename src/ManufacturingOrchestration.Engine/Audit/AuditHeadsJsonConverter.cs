using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// A checkpoint's heads as JSON — an object of partition keys, each <c>{"count": n, "hash": "…"}</c>, the bytes the
/// stores have always kept — read straight into <see cref="PackedAuditHeads"/> and written from them without unpacking:
/// a checkpoint holds every partition's head, and a head object with its 64-character hash text per partition cost about
/// 250 bytes each time one was read or written (a million partitions: a quarter of a gigabyte at a node's start).
/// </summary>
/// <remarks>
/// Reads as the serializer would read the dictionary: members of a head it does not know are skipped, a member given
/// twice takes its last value, a partition given twice its last head; a missing or null count or hash, or a count
/// that is not a whole number, is refused.
/// </remarks>
internal sealed class AuditHeadsJsonConverter : JsonConverter<IReadOnlyDictionary<string, AuditHead>>
{
    public override IReadOnlyDictionary<string, AuditHead> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The heads of the checkpoint are not a JSON object.");
        }

        var keys = new List<string>();
        var heads = new List<PackedAuditHead>();
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            Next(ref reader);
            heads.Add(ReadHead(ref reader, key));
            keys.Add(key);
        }

        return PackedAuditHeads.FromUnsorted(keys, heads);
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, AuditHead> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value is PackedAuditHeads packed)
        {
            Span<char> scratch = stackalloc char[64];
            var keys = packed.SortedKeys;
            var heads = packed.SortedHeads;
            for (var i = 0; i < keys.Length; i++)
            {
                WriteHead(writer, keys[i], heads[i].Count, heads[i].Hash(scratch));
            }
        }
        else
        {
            foreach (var (key, head) in value)
            {
                WriteHead(writer, key, head.Count, head.Hash);
            }
        }

        writer.WriteEndObject();
    }

    private static PackedAuditHead ReadHead(ref Utf8JsonReader reader, string key)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"The head of partition '{key}' is not a JSON object.");
        }

        long? count = null;
        PackedAuditHead? hashed = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("count"u8))
            {
                Next(ref reader);
                count = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
                    ? value
                    : throw new JsonException($"The count of partition '{key}' is not a whole number.");
            }
            else if (reader.ValueTextEquals("hash"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException($"The hash of partition '{key}' is not a string.");
                }

                // Held with count 0 until the count is known (it may come after the hash).
                hashed = reader.ValueIsEscaped || reader.HasValueSequence
                    ? PackedAuditHead.Pack(new AuditHead { Count = 0, Hash = reader.GetString()! })
                    : PackedAuditHead.Pack(0, reader.ValueSpan);
            }
            else
            {
                // From the member's name past its value.
                reader.Skip();
            }
        }

        return (count, hashed) switch
        {
            ({ } c, { } h) => h.WithCount(c),
            (null, _) => throw new JsonException($"The head of partition '{key}' has no count."),
            _ => throw new JsonException($"The head of partition '{key}' has no hash."),
        };
    }

    private static void WriteHead(Utf8JsonWriter writer, string key, long count, ReadOnlySpan<char> hash)
    {
        writer.WritePropertyName(key);
        writer.WriteStartObject();
        writer.WriteNumber("count"u8, count);
        writer.WriteString("hash"u8, hash);
        writer.WriteEndObject();
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The heads of the checkpoint end before their object does.");
}
