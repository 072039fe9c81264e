using System.Text;
using System.Text.Json;
using CsCheck;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Intake.FuzzTests;

/// <summary>The generators of the suite: hostile text, valid but unusual identifiers, and events built from them.</summary>
internal static class FuzzGen
{
    /// <summary>Characters and fragments that broke or could break intake: BOM, unpaired surrogates, controls, format
    /// characters, separators, quotes, delimiters, combining marks, characters outside the BMP, noncharacters.</summary>
    private static readonly string[] Nasty =
    [
        "\uFEFF", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\u0000", "\u0001", "\u0007", "\u001B", "\u007F", "\u0085", "\u200B", "\u200D", "\u202E",
        "\u2066", "\u2028", "\u2029", "\r", "\n", "\r\n", "\t", " ", "\u00A0", "\"", "\\", "'", ",", ";", "{", "}", "[", "]", ":", "/", "../",
        "%00", "\\u0000", "\\uD800", "é", "e\u0301", "\u00C5", "A\u030A", "\U0001F600", "\U0001F469\u200D\U0001F52C", "\uFFFE", "\uFFFF", "\uFFFD", "ß", "İ",
    ];

    /// <summary>Characters a valid identifier may hold, the unusual ones included (decomposed accents, emoji).</summary>
    private static readonly string[] ValidPieces = ["a", "Z", "7", "-", "_", ".", "/", ":", "é", "e\u0301", "Ω", "\U0001F600", "ß", "漢", "İ", " x"];

    public static readonly Gen<string> Fragment = Gen.Frequency(
        (5, Gen.String[Gen.Char.AlphaNumeric, 1, 8]),
        (4, Gen.OneOf(Nasty)),
        (1, Gen.String[Gen.Char, 0, 6]));

    /// <summary>Any text, mostly hostile.</summary>
    public static readonly Gen<string> Text = Fragment.Array[0, 6].Select(string.Concat);

    /// <summary>A valid identifier body (the identifier rules hold for it), with unusual characters in it.</summary>
    public static readonly Gen<string> ValidId = Gen.OneOf(ValidPieces).Array[1, 12].Select(p => "v" + string.Concat(p).Trim());

    /// <summary>Raw bytes: anything, including invalid UTF-8 and NULs.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Byte.Array[0, 200];

    public static EventEnvelope ValidEvent(string id, string supplier) => new()
    {
        Id = id,
        Source = "fuzz://valid",
        Type = EventTypes.SupplierUpdated,
        Site = new SiteId("P1"),
        Data = new SupplierUpdated { Supplier = new SupplierId(supplier), Change = "probation", Note = "Line 1\nLine 2" },
    };

    /// <summary>A typed event with hostile text in one or more places; may be valid by chance.</summary>
    public static readonly Gen<Func<int, EventEnvelope>> TypedEvent =
        Gen.Select(Text, Text, Text, Text, Gen.Int[0, 9], Gen.Int[0, 1400])
            .Select((a, b, c, d, where, depth) => new Func<int, EventEnvelope>(n =>
            {
                var envelope = ValidEvent("t-" + n, "S-" + n);
                return where switch
                {
                    0 => envelope with { Id = a },
                    1 => envelope with { Source = "fuzz://" + a },
                    2 => envelope with { PartitionKey = a },
                    3 => envelope with { Subject = a, CorrelationId = b, CausationId = c },
                    4 => envelope with { Data = new SupplierUpdated { Supplier = new SupplierId("S-" + n), Change = a, Note = b } },
                    5 => envelope with { Extensions = new Dictionary<string, JsonElement> { [Lower(a)] = Element(b, depth) } },
                    6 => envelope with { Type = a },
                    7 => envelope with { Id = a + "-" + n, DataContentType = b, DataSchema = c, TraceParent = d },
                    8 => envelope with { Data = Approval(a, b, c) },
                    _ => envelope with { Id = "\uFEFF" + envelope.Id },
                };
            }));

    /// <summary>CloudEvents JSON, mutated: hostile strings as escapes, invalid UTF-8, truncation, deep nesting, random bytes.</summary>
    public static readonly Gen<Func<int, byte[]>> JsonEvent =
        Gen.Select(Text, Gen.Int[0, 11], Gen.Int[0, 100_000], Bytes, Gen.Int[1, 1500])
            .Select((text, how, at, noise, depth) => new Func<int, byte[]>(n =>
            {
                var valid = EventSerializer.Default.SerializeToUtf8Bytes(ValidEvent("j-" + n, "S-" + n));
                return how switch
                {
                    0 => Replace(valid, "\"j-" + n + "\"", Literal(text)),
                    1 => Replace(valid, "\"fuzz://valid\"", Literal("fuzz://" + text)),
                    2 => Replace(valid, "\"S-" + n + "\"", Literal(text)),
                    3 => Replace(valid, "\"probation\"", Literal(text)),
                    4 => Insert(valid, at % (valid.Length + 1), noise),
                    5 => valid[..(at % (valid.Length + 1))],
                    6 => Replace(valid, "\"probation\"", new string('[', depth) + new string(']', depth)),
                    7 => Replace(valid, "\"data\":", "\"x" + Lower(text) + "\":" + Literal(text) + ",\"data\":"),
                    8 => noise,
                    9 => Replace(valid, "\"j-" + n + "\"", "\"j-" + n + "\\uD800\""),
                    10 => Replace(valid, "\"specversion\":", Literal(text) + ":1,\"specversion\":"),
                    _ => Replace(valid, "\"site\":\"P1\"", "\"site\":" + Literal(text) + ",\"partitionkey\":" + Literal(text)),
                };
            }));

    /// <summary>A CSV row of a cycle count, with hostile text in a cell or around the delimiters.</summary>
    public static readonly Gen<Func<int, string>> CsvRow =
        Gen.Select(Text, Gen.Int[0, 7], Gen.Int[-5, 50])
            .Select((text, where, quantity) => new Func<int, string>(n =>
            {
                string[] cells = ["cycle-count", "c-" + n, "P1", "CNT-" + n, "M-1", "L-" + n, "available", "10", quantity.ToString(System.Globalization.CultureInfo.InvariantCulture), "EA", "counter-1"];
                switch (where)
                {
                    case 0: cells[1] = text; break;
                    case 1: cells[5] = text; break;
                    case 2: cells[10] = text; break;
                    case 3: cells[9] = text; break;
                    case 4: cells[1] = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""; break;
                    case 5: cells[6] = text; break;
                    case 6: return text;
                    default: break;
                }

                return string.Join(',', cells);
            }));

    public const string CsvHeader = "type,event_id,site,count_id,material,lot,category,book_quantity,counted_quantity,unit,counted_by";

    public static string ValidCsvRow(string eventId, int n) => $"cycle-count,{eventId},P1,CNT-V{n},M-1,L-V{n},unrestricted,10,10,EA,counter-1";

    private static EventPayload Approval(string reason, string requestId, string justification) => new ApprovalGiven
    {
        RequestId = requestId,
        PartitionKey = "L-1",
        Signature = new ElectronicSignature { Signer = new ActorId("qm-1"), Role = Role.QualityManager, Meaning = SignatureMeaning.Approve, SignedAt = DateTimeOffset.UnixEpoch, Reason = reason, Justification = justification },
    };

    private static string Lower(string text)
    {
        var letters = new string(text.Where(char.IsAsciiLetterLower).ToArray());
        return letters.Length == 0 ? "ext" : letters;
    }

    /// <summary>A JSON element from text: a string (escapes kept as they are), or an array nested <paramref name="depth"/> deep.</summary>
    private static JsonElement Element(string text, int depth)
    {
        var json = depth % 3 == 0 ? new string('[', depth) + new string(']', depth) : Literal(text);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2000 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>A JSON string literal of any text: controls, quotes, backslashes and every surrogate (paired or not) as escapes.</summary>
    public static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c < 0x20 || c == '"' || c == '\\' || char.IsSurrogate(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    private static byte[] Replace(byte[] json, string find, string replacement)
    {
        var text = Encoding.UTF8.GetString(json);
        return Encoding.UTF8.GetBytes(text.Replace(find, replacement, StringComparison.Ordinal));
    }

    private static byte[] Insert(byte[] json, int at, byte[] noise) => [.. json.AsSpan(0, at), .. noise, .. json.AsSpan(at)];
}
