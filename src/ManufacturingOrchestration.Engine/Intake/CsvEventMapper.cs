using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>
/// Maps a CSV row with named columns to CloudEvents JSON for the common legacy-plant events: inspection results and
/// cycle counts. The JSON then goes through the same serializer as every other event, so a bad cell is reported with
/// the same JSON path and reason code as bad JSON would be (and the column named in the message).
/// The layout is documented in docs/operations.md ("CSV layout").
/// </summary>
internal sealed class CsvEventMapper
{
    private static readonly string[] CommonColumns = ["type", "event_id", "source", "site", "time", "sequence", "correlation_id"];

    private static readonly Dictionary<string, (string Type, string[] Columns)> Layouts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["inspection-passed"] = (EventTypes.InspectionPassed, ["lot", "material", "inspection_lot", "quantity", "unit", "usage_decision", "inspector"]),
        ["inspection-failed"] = (EventTypes.InspectionFailed, ["lot", "material", "inspection_lot", "severity", "supplier", "rejected_quantity", "unit", "defect"]),
        ["cycle-count"] = (EventTypes.CycleCountRecorded, ["count_id", "material", "lot", "location", "bin", "category", "book_quantity", "counted_quantity", "unit", "counted_by"]),
    };

    private static readonly HashSet<string> KnownColumns = new(CommonColumns.Concat(Layouts.Values.SelectMany(l => l.Columns)), StringComparer.OrdinalIgnoreCase);

    private readonly string[] _header;
    private readonly string _defaultSource;
    private readonly string? _defaultType;

    /// <summary>The index of the header's <c>event_id</c> column when it names it exactly once, otherwise -1.</summary>
    private readonly int _eventIdColumn;

    /// <summary>The index of the header's <c>source</c> column when it names it exactly once, otherwise -1.</summary>
    private readonly int _sourceColumn;

    public CsvEventMapper(string[] header, string defaultSource, string? defaultType, IReadOnlyList<ValidationError>? headerErrors = null)
    {
        _header = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        _eventIdColumn = _header.Count(h => h == "event_id") == 1 ? Array.IndexOf(_header, "event_id") : -1;
        _sourceColumn = _header.Count(h => h == "source") == 1 ? Array.IndexOf(_header, "source") : -1;
        _defaultSource = defaultSource;
        _defaultType = defaultType;
        HeaderErrors = headerErrors is { Count: > 0 } ? headerErrors : ValidateHeader(_header);
    }

    /// <summary>The most problems of a header listed one by one; the rest are counted in one more.</summary>
    public const int MaxHeaderErrors = 10;

    /// <summary>The most characters of a refused value quoted in a message; a longer one is cut and ends with <c>…</c>.</summary>
    public const int MaxShownLength = 64;

    /// <summary>Problems of the header itself; when any, every row is rejected with them.</summary>
    public IReadOnlyList<ValidationError> HeaderErrors { get; }

    /// <summary>The short type names of the layouts (<c>inspection-passed</c>, <c>inspection-failed</c>, <c>cycle-count</c>).</summary>
    public static IReadOnlyCollection<string> LayoutNames => Layouts.Keys;

    /// <summary>The deterministic event id of a row: file name, line number and a hash of the line's content.</summary>
    /// <remarks>The id must pass the identifier rules whatever the file is called: characters an identifier may not hold
    /// (a line break, a format character) are written as <c>\uXXXX</c>, and so that no other name gives the same id, a
    /// backslash in a name is written as <c>\\</c>; names with neither are used as they are. A name whose escaped form
    /// is too long for an event id is replaced by a hash of it.</remarks>
    public static string DeriveEventId(string fileName, int lineNumber, string line)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(line));
        return string.Create(CultureInfo.InvariantCulture, $"csv:{IdSafeName(fileName)}:{lineNumber}:{Convert.ToHexStringLower(hash, 0, 8)}");
    }

    /// <summary>The id a row is reported under, whether or not it can be mapped: its own <c>event_id</c> cell when the
    /// header names that column once, the row has a cell for each column and the cell is a valid event id; otherwise
    /// the derived id (<see cref="DeriveEventId"/>). An operator then finds a refused row by the id its sender gave it.</summary>
    public string ReportedEventId(string fileName, int lineNumber, string line, char delimiter)
    {
        if (_eventIdColumn >= 0
            && TrySplit(line, delimiter, out var fields, out _)
            && fields.Count == _header.Length
            && fields[_eventIdColumn].Trim() is { Length: > 0 } own
            && Identifier.IsValid(own, Identifier.MaxKeyLength, out _))
        {
            return own;
        }

        return DeriveEventId(fileName, lineNumber, line);
    }

    /// <summary>The source a row is reported under, whether or not it can be mapped: its own <c>source</c> cell when it
    /// has one, the default source when the header names no <c>source</c> column or the row's cell is empty, and
    /// <see langword="null"/> when which cell is the source is unknown (the header could not be read or names the column
    /// twice, or the row cannot be split into the header's columns). The cell is not checked here: a rejection records
    /// refused text printable.</summary>
    public string? ReportedSource(string line, char delimiter)
    {
        if (_header.Length == 0)
        {
            return null;
        }

        if (!_header.Contains("source"))
        {
            return _defaultSource;
        }

        if (_sourceColumn < 0 || !TrySplit(line, delimiter, out var fields, out _) || fields.Count != _header.Length)
        {
            return null;
        }

        return fields[_sourceColumn].Trim() is { Length: > 0 } own ? own : _defaultSource;
    }

    private static string IdSafeName(string fileName)
    {
        var probe = "csv:" + fileName + ":0";
        if (fileName.Contains('\\', StringComparison.Ordinal) || !Identifier.IsValid(probe, Identifier.MaxKeyLength, out _))
        {
            var escaped = new StringBuilder(fileName.Length + 16);
            for (var i = 0; i < fileName.Length; i++)
            {
                var c = fileName[i];
                if (char.IsHighSurrogate(c) && i + 1 < fileName.Length && char.IsLowSurrogate(fileName[i + 1]))
                {
                    escaped.Append(c).Append(fileName[++i]);
                }
                else if (c == '\\')
                {
                    escaped.Append(@"\\");
                }
                else if (char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                {
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                }
                else
                {
                    escaped.Append(c);
                }
            }

            fileName = escaped.ToString();
        }

        return fileName.Length <= 768 ? fileName : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fileName)), 0, 16);
    }

    /// <summary>Maps one row to CloudEvents JSON, or returns the problems that prevent it.</summary>
    public (string? Json, IReadOnlyList<ValidationError> Errors, IReadOnlyDictionary<string, string> ColumnsByPath) Map(string fileName, int lineNumber, string line, char delimiter)
    {
        var columnsByPath = new Dictionary<string, string>(StringComparer.Ordinal);
        if (HeaderErrors.Count > 0)
        {
            return (null, HeaderErrors, columnsByPath);
        }

        if (!TrySplit(line, delimiter, out var fields, out var splitError))
        {
            return (null, [new ValidationError("$", ReasonCodes.WrongType, splitError)], columnsByPath);
        }

        if (fields.Count != _header.Length)
        {
            return (null, [new ValidationError("$", ReasonCodes.WrongType, $"The row has {fields.Count} fields; the header names {_header.Length} columns.")], columnsByPath);
        }

        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _header.Length; i++)
        {
            var value = fields[i].Trim();
            if (value.Length > 0)
            {
                row[_header[i]] = value;
            }
        }

        var typeName = row.GetValueOrDefault("type") ?? _defaultType;
        if (typeName is null)
        {
            return (null, [new ValidationError("$.type", ReasonCodes.Required, "column 'type': the row names no event type and the file drop has no default CSV event type.")], columnsByPath);
        }

        var layout = Layouts.FirstOrDefault(l => string.Equals(l.Key, typeName, StringComparison.OrdinalIgnoreCase) || string.Equals(l.Value.Type, typeName, StringComparison.Ordinal));
        if (layout.Key is null)
        {
            return (null, [new ValidationError("$.type", ReasonCodes.UnknownEventType, $"column 'type': '{Shown(typeName)}' is not a CSV event type; use one of {string.Join(", ", Layouts.Keys)}.")], columnsByPath);
        }

        var unexpected = row.Keys.Where(k => !CommonColumns.Contains(k) && !layout.Value.Columns.Contains(k)).ToArray();
        if (unexpected.Length > 0)
        {
            return (null, unexpected.Select(c => new ValidationError("$", ReasonCodes.OutOfRange, $"column '{c}' has a value but is not part of the '{layout.Key}' layout.")).ToArray(), columnsByPath);
        }

        var envelope = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = row.GetValueOrDefault("event_id") ?? DeriveEventId(fileName, lineNumber, line),
            ["source"] = row.GetValueOrDefault("source") ?? _defaultSource,
            ["type"] = layout.Value.Type,
        };
        columnsByPath["$.id"] = "event_id";
        columnsByPath["$.source"] = "source";
        Set(envelope, "site", row, "site", "$.site", columnsByPath);
        Set(envelope, "time", row, "time", "$.time", columnsByPath);
        Set(envelope, "sequence", row, "sequence", "$.sequence", columnsByPath);
        Set(envelope, "correlationid", row, "correlation_id", "$.correlationid", columnsByPath);

        var data = new JsonObject();
        envelope["data"] = data;
        switch (layout.Key)
        {
            case "inspection-passed":
                Set(data, "inspectionLot", row, "inspection_lot", "$.data.inspectionLot", columnsByPath);
                Set(data, "lot", row, "lot", "$.data.lot", columnsByPath);
                Set(data, "material", row, "material", "$.data.material", columnsByPath);
                Set(data, "site", row, "site", "$.data.site", columnsByPath);
                SetEnum(data, "usageDecision", row, "usage_decision", "$.data.usageDecision", columnsByPath);
                SetQuantity(data, "quantity", row, "quantity", "$.data.quantity", columnsByPath);
                Set(data, "inspector", row, "inspector", "$.data.inspector", columnsByPath);
                break;
            case "inspection-failed":
                Set(data, "inspectionLot", row, "inspection_lot", "$.data.inspectionLot", columnsByPath);
                Set(data, "lot", row, "lot", "$.data.lot", columnsByPath);
                Set(data, "material", row, "material", "$.data.material", columnsByPath);
                Set(data, "site", row, "site", "$.data.site", columnsByPath);
                Set(data, "supplier", row, "supplier", "$.data.supplier", columnsByPath);
                SetEnum(data, "severity", row, "severity", "$.data.severity", columnsByPath);
                SetQuantity(data, "rejectedQuantity", row, "rejected_quantity", "$.data.rejectedQuantity", columnsByPath);
                Set(data, "defectDescription", row, "defect", "$.data.defectDescription", columnsByPath);
                break;
            default:
                var count = new JsonObject();
                data["count"] = count;
                Set(count, "id", row, "count_id", "$.data.count.id", columnsByPath);
                Set(count, "material", row, "material", "$.data.count.material", columnsByPath);
                Set(count, "lot", row, "lot", "$.data.count.lot", columnsByPath);
                Set(count, "site", row, "site", "$.data.count.site", columnsByPath);
                Set(count, "location", row, "location", "$.data.count.location", columnsByPath);
                Set(count, "bin", row, "bin", "$.data.count.bin", columnsByPath);
                SetEnum(count, "category", row, "category", "$.data.count.category", columnsByPath);
                SetQuantity(count, "bookQuantity", row, "book_quantity", "$.data.count.bookQuantity", columnsByPath);
                SetQuantity(count, "countedQuantity", row, "counted_quantity", "$.data.count.countedQuantity", columnsByPath);
                Set(count, "countedBy", row, "counted_by", "$.data.count.countedBy", columnsByPath);
                break;
        }

        return (envelope.ToJsonString(), [], columnsByPath);
    }

    /// <summary>Names the column behind each error's JSON path in its message, so a plant fixes the right cell.</summary>
    public static IReadOnlyList<ValidationError> NameColumns(IReadOnlyList<ValidationError> errors, IReadOnlyDictionary<string, string> columnsByPath)
    {
        return errors.Select(e => Column(e.Path, columnsByPath) is { } column
            ? new ValidationError(e.Path, e.ReasonCode, $"column '{column}': {e.Message}")
            : e).ToArray();

        static string? Column(string path, IReadOnlyDictionary<string, string> map)
        {
            var p = path;
            while (true)
            {
                if (map.TryGetValue(p, out var column))
                {
                    return column;
                }

                var dot = p.LastIndexOf('.');
                if (dot <= 1)
                {
                    return null;
                }

                p = p[..dot];
            }
        }
    }

    /// <summary>Splits one CSV record: fields separated by the delimiter, optionally in double quotes with <c>""</c> for a
    /// quote. After a field's closing quote only spaces and tabs may come before the delimiter: <c>"12"0</c> is refused,
    /// never read as <c>120</c>.</summary>
    internal static bool TrySplit(string line, char delimiter, out List<string> fields, out string error)
    {
        fields = [];
        error = string.Empty;
        var current = new StringBuilder();
        var quoted = false;
        var closed = false;
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        current.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                    closed = true;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == delimiter)
            {
                fields.Add(current.ToString());
                current.Clear();
                closed = false;
            }
            else if (closed)
            {
                if (c is not (' ' or '\t'))
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"Field {fields.Count + 1} has text after its closing quote; a quote inside a quoted field is written \"\".");
                    return false;
                }
            }
            else if (c == '"' && current.ToString().Trim().Length == 0)
            {
                current.Clear();
                quoted = true;
            }
            else
            {
                current.Append(c);
            }

            i++;
        }

        if (quoted)
        {
            error = "A quoted field is not closed (fields cannot span lines).";
            return false;
        }

        fields.Add(current.ToString());
        return true;
    }

    /// <summary>A refused value as a message quotes it: at most <see cref="MaxShownLength"/> characters, never cut inside a surrogate pair.</summary>
    private static string Shown(string value)
    {
        if (value.Length <= MaxShownLength)
        {
            return value;
        }

        var cut = char.IsHighSurrogate(value[MaxShownLength - 1]) ? MaxShownLength - 1 : MaxShownLength;
        return string.Concat(value.AsSpan(0, cut), "…");
    }

    private static List<ValidationError> ValidateHeader(string[] header)
    {
        var errors = new List<ValidationError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var more = 0;
        foreach (var column in header)
        {
            ValidationError? error = null;
            if (column.Length == 0)
            {
                error = new ValidationError("$", ReasonCodes.Required, "The header has an empty column name.");
            }
            else if (!KnownColumns.Contains(column))
            {
                error = new ValidationError("$", ReasonCodes.OutOfRange, $"The header names an unknown column '{Shown(column)}'.");
            }
            else if (!seen.Add(column))
            {
                error = new ValidationError("$", ReasonCodes.OutOfRange, $"The header names the column '{Shown(column)}' twice.");
            }

            // Every row of the file is refused with these: a header of thousands of bad columns must not make each row's
            // rejection record thousands of problems.
            if (error is not null && errors.Count < MaxHeaderErrors)
            {
                errors.Add(error);
            }
            else if (error is not null)
            {
                more++;
            }
        }

        if (more > 0)
        {
            errors.Add(new ValidationError("$", ReasonCodes.OutOfRange, string.Create(CultureInfo.InvariantCulture, $"The header has {more} more problems like these.")));
        }

        return errors;
    }

    private static void Set(JsonObject target, string member, Dictionary<string, string> row, string column, string path, Dictionary<string, string> columnsByPath)
    {
        columnsByPath[path] = column;
        if (row.TryGetValue(column, out var value))
        {
            target[member] = value;
        }
    }

    private static void SetEnum(JsonObject target, string member, Dictionary<string, string> row, string column, string path, Dictionary<string, string> columnsByPath)
    {
        columnsByPath[path] = column;
        if (row.TryGetValue(column, out var value))
        {
            // Enum values are camelCase in JSON: "Major" and "major" both read as DefectSeverity.Major.
            target[member] = char.ToLowerInvariant(value[0]) + value[1..];
        }
    }

    private static void SetQuantity(JsonObject target, string member, Dictionary<string, string> row, string column, string path, Dictionary<string, string> columnsByPath)
    {
        columnsByPath[path] = column;
        columnsByPath[path + ".value"] = column;
        columnsByPath[path + ".unit"] = "unit";
        columnsByPath[path + ".unit.code"] = "unit";
        if (!row.TryGetValue(column, out var value))
        {
            return;
        }

        // No thousands separators: in a decimal-comma export (often ';'-delimited) "1,5" is one and a half, and reading it
        // as 15 would silently book ten times as much. A number the invariant culture cannot read stays text and is refused.
        var quantity = new JsonObject
        {
            ["value"] = decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(value),
        };
        if (row.TryGetValue("unit", out var unit))
        {
            quantity["unit"] = new JsonObject { ["code"] = unit };
        }

        target[member] = quantity;
    }
}
