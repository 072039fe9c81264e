using System.Text.Json;

namespace ManufacturingOrchestration.Testing;

/// <summary>Reads an effects-log file, e.g. after the process that wrote it was killed.</summary>
public static class EffectsLogReader
{
    /// <summary>
    /// Reads every complete line of an effects-log file. A torn last line (no newline, or not valid JSON at the
    /// end of the file) is ignored: the simulator never answered success for it.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <returns>The effects, in order; empty when the file does not exist.</returns>
    /// <exception cref="InvalidDataException">A line before the last one is not a valid effect.</exception>
    public static IReadOnlyList<EffectRecord> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Read(stream).Records;
    }

    internal static (IReadOnlyList<EffectRecord> Records, long ValidLength) Read(Stream stream)
    {
        stream.Seek(0, SeekOrigin.Begin);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var records = new List<EffectRecord>();
        var position = 0;
        var line = 0;
        while (position < bytes.Length)
        {
            var end = bytes[position..].IndexOf((byte)'\n');
            line++;
            if (end < 0)
            {
                // Torn tail: written partly before a crash, never acknowledged.
                break;
            }

            var content = bytes.Slice(position, end);
            if (!content.IsEmpty)
            {
                try
                {
                    var record = JsonSerializer.Deserialize(content, EffectsLogJsonContext.Default.EffectRecord)
                        ?? throw new InvalidDataException($"Effects-log line {line} is null.");
                    records.Add(record);
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"Effects-log line {line} is not a valid effect: {ex.Message}", ex);
                }
            }

            position += end + 1;
        }

        return (records, position);
    }
}
