using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Samples.CustomConnector;

/// <summary>One registration the LIMS applied: one line of its journal.</summary>
public sealed record LimsJournalEntry
{
    /// <summary>The caller's request id (the orchestrator sends the command's idempotency key).</summary>
    public required string RequestId { get; init; }

    /// <summary>The sample registered.</summary>
    public required string SampleId { get; init; }

    /// <summary>The lot.</summary>
    public required string Lot { get; init; }

    /// <summary>The material.</summary>
    public required string Material { get; init; }

    /// <summary>The inspection lot that failed.</summary>
    public required string InspectionLot { get; init; }

    /// <summary>The test method.</summary>
    public required string TestMethod { get; init; }

    /// <summary>When, by the LIMS's clock.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>
/// The LIMS's journal: an append-only file with one JSON line per registration applied, written and flushed before the
/// LIMS answers. It belongs to the LIMS, not to the orchestrator, so counting its lines counts the effects that really
/// happened in the target system.
/// </summary>
public sealed class LimsJournal : IDisposable
{
    private static readonly byte[] NewLine = [(byte)'\n'];
    private readonly FileStream _file;

    private LimsJournal(FileStream file)
    {
        _file = file;
    }

    /// <summary>Opens a journal for appending (created if need be).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The journal.</returns>
    public static LimsJournal Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new LimsJournal(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    /// <summary>Reads every line of a journal.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The entries, in order; none when the file does not exist.</returns>
    public static IReadOnlyList<LimsJournalEntry> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<LimsJournalEntry>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                entries.Add(JsonSerializer.Deserialize(line, LimsJournalJsonContext.Default.LimsJournalEntry)
                    ?? throw new InvalidDataException($"{path}: a journal line is null."));
            }
        }

        return entries;
    }

    /// <summary>Appends an entry and flushes it to the disk.</summary>
    /// <param name="entry">The entry.</param>
    public void Append(LimsJournalEntry entry)
    {
        _file.Write(JsonSerializer.SerializeToUtf8Bytes(entry, LimsJournalJsonContext.Default.LimsJournalEntry));
        _file.Write(NewLine);
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}

/// <summary>The journal's JSON lines, source-generated.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(LimsJournalEntry))]
internal sealed partial class LimsJournalJsonContext : JsonSerializerContext
{
}
