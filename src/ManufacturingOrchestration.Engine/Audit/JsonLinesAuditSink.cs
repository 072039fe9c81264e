using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;
using Microsoft.Win32.SafeHandles;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// An <see cref="IAuditSink"/> that appends each audit record as one line of JSON to a file (JSON Lines): the record's
/// fields in camel case (<c>partitionKey</c>, <c>sequence</c>, <c>recordedAt</c>, …, <c>previousHash</c>, <c>hash</c>),
/// one object per line ending in <c>\n</c>, flushed to disk before <see cref="WriteAsync"/> returns. It skips a
/// redelivered record by (partition key, sequence), so the file holds each record exactly once, in sequence order per key.
/// </summary>
/// <remarks>
/// <para>Opening the file (at the first write, and again after a write that failed) reads its end: the keys and
/// sequences of its last <see cref="JsonLinesAuditSinkOptions.DeduplicationWindow"/> lines are remembered, and a last
/// line without its line break — a write the process did not finish, so never acknowledged and certain to be delivered
/// again — is cut off. A complete line that is not an audit record is refused with
/// <see cref="ReasonCodes.AuditSinkFileUnreadable"/>, and the file is left as it is.</para>
/// <para>The records verify like the store's: read them back with <see cref="ReadRecordsAsync"/> and check each key's
/// chain with <see cref="AuditVerifier.VerifyChain(string, IReadOnlyList{AuditRecord}, AuditCheckpoint?)"/>.</para>
/// <para>One process writes a file. Thread-safe; dispose the sink to close the file.</para>
/// </remarks>
public sealed class JsonLinesAuditSink : IAuditSink, IAsyncDisposable, IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly int _window;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _buffer = new(ChunkSize);
    private FileStream? _file;
    private RecentRecords? _recent;
    private bool _disposed;

    /// <summary>Creates the sink; the file is opened at the first write.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public JsonLinesAuditSink(JsonLinesAuditSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = options.Name;
        Path = System.IO.Path.GetFullPath(options.Path);
        _window = options.DeduplicationWindow;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The file, as a full path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The batch is larger than <see cref="JsonLinesAuditSinkOptions.DeduplicationWindow"/>.</exception>
    /// <exception cref="ManufacturingOrchestrationException">The file holds a complete line that is not an audit record (<see cref="ReasonCodes.AuditSinkFileUnreadable"/>).</exception>
    public async ValueTask WriteAsync(IReadOnlyList<AuditRecord> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count > _window)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch.Count, $"A batch of {batch.Count} records is larger than the deduplication window of '{Name}' ({_window}): its redelivery could not be recognised. Raise {nameof(JsonLinesAuditSinkOptions.DeduplicationWindow)} or lower {nameof(AuditSinkOptions)}.{nameof(AuditSinkOptions.BatchSize)}.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_file is null || _recent is null)
            {
                Open();
            }

            var appended = Serialize(batch, _recent!);
            if (appended.Count == 0)
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                _file!.Write(_buffer.WrittenSpan);
                _file.Flush(flushToDisk: true);
            }
            catch
            {
                // What reached the file is unknown (a part of the batch, a torn line): open it again before the next write.
                Close();
                throw;
            }

            foreach (var (key, sequence) in appended)
            {
                _recent!.Add(key, sequence);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads the records of a JSON-lines audit file in file order. A last line without its line break (a write that did
    /// not finish) is not returned.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The records.</returns>
    /// <exception cref="ManufacturingOrchestrationException">A complete line is not an audit record (<see cref="ReasonCodes.AuditSinkFileUnreadable"/>).</exception>
    public static async IAsyncEnumerable<AuditRecord> ReadRecordsAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, ChunkSize, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[ChunkSize];
            var count = 0;
            long offset = 0; // of buffer[0] in the file
            while (true)
            {
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    yield break;
                }

                count += read;
                var start = 0;
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', start, count - start)) >= 0)
                {
                    yield return ParseLine(buffer, start, newline - start, path, offset + start);
                    start = newline + 1;
                }

                Buffer.BlockCopy(buffer, start, buffer, 0, count - start);
                count -= start;
                offset += start;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            Close();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the records the file does not hold yet into the buffer; returns their keys and sequences.</summary>
    private List<(string Key, long Sequence)> Serialize(IReadOnlyList<AuditRecord> batch, RecentRecords recent)
    {
        _buffer.ResetWrittenCount();
        var appended = new List<(string Key, long Sequence)>(batch.Count);
        Dictionary<string, long>? inBatch = null;
        using var writer = new Utf8JsonWriter(_buffer, WriterOptions);
        foreach (var record in batch)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(batch));
            if (recent.Holds(record.PartitionKey, record.Sequence)
                || (inBatch is not null && inBatch.TryGetValue(record.PartitionKey, out var last) && record.Sequence <= last))
            {
                continue;
            }

            JsonSerializer.Serialize(writer, record, AuditJsonContext.Default.AuditRecord);
            writer.Flush();
            writer.Reset();
            _buffer.Write("\n"u8);
            (inBatch ??= new Dictionary<string, long>(StringComparer.Ordinal))[record.PartitionKey] = record.Sequence;
            appended.Add((record.PartitionKey, record.Sequence));
        }

        return appended;
    }

    /// <summary>Opens the file: remembers the records of its tail and cuts off an unfinished last line.</summary>
    private void Open()
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var handle = file.SafeFileHandle;
            var length = RandomAccess.GetLength(handle);
            var end = EndOfLastLine(handle, length);
            var recent = new RecentRecords(_window);
            var start = StartOfTail(handle, end, _window);
            if (end > start)
            {
                var tail = new byte[end - start];
                ReadExactly(handle, tail, start);
                var lineStart = 0;
                int newline;
                while ((newline = Array.IndexOf(tail, (byte)'\n', lineStart)) >= 0)
                {
                    var record = ParseLine(tail, lineStart, newline - lineStart, Path, start + lineStart);
                    recent.Add(record.PartitionKey, record.Sequence);
                    lineStart = newline + 1;
                }
            }

            if (end < length)
            {
                // Every record line starts with '{': anything else after the last line break is not an unfinished write of this sink.
                Span<byte> first = stackalloc byte[1];
                ReadExactly(handle, first, end);
                if (first[0] != (byte)'{')
                {
                    throw Unreadable(Path, end, "it ends in a line that is not the start of an audit record");
                }

                file.SetLength(end);
                file.Flush(flushToDisk: true);
            }

            file.Seek(end, SeekOrigin.Begin);
            _file = file;
            _recent = recent;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
        _recent = null;
    }

    /// <summary>The offset just after the file's last line break (0 when there is none).</summary>
    private static long EndOfLastLine(SafeFileHandle handle, long length)
    {
        var chunk = new byte[(int)Math.Min(ChunkSize, Math.Max(length, 1))];
        var position = length;
        while (position > 0)
        {
            var size = (int)Math.Min(chunk.Length, position);
            position -= size;
            ReadExactly(handle, chunk.AsSpan(0, size), position);
            var last = chunk.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                return position + last + 1;
            }
        }

        return 0;
    }

    /// <summary>The offset where the last <paramref name="lines"/> complete lines before <paramref name="end"/> begin.</summary>
    private static long StartOfTail(SafeFileHandle handle, long end, int lines)
    {
        var chunk = new byte[(int)Math.Min(ChunkSize, Math.Max(end, 1))];
        var position = end;
        var seen = 0;
        while (position > 0)
        {
            var size = (int)Math.Min(chunk.Length, position);
            position -= size;
            ReadExactly(handle, chunk.AsSpan(0, size), position);
            for (var i = size - 1; i >= 0; i--)
            {
                // The first line break seen ends the last line; the one after the tail's first line is number lines + 1.
                if (chunk[i] == (byte)'\n' && ++seen == lines + 1)
                {
                    return position + i + 1;
                }
            }
        }

        return 0;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The file became shorter while it was read.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    private static AuditRecord ParseLine(byte[] buffer, int start, int length, string path, long offset)
    {
        try
        {
            return JsonSerializer.Deserialize(buffer.AsSpan(start, length), AuditJsonContext.Default.AuditRecord)
                ?? throw new JsonException("The line is null.");
        }
        catch (JsonException ex)
        {
            throw Unreadable(path, offset, ex.Message, ex);
        }
    }

    private static ManufacturingOrchestrationException Unreadable(string path, long offset, string problem, Exception? inner = null) =>
        new(ReasonCodes.AuditSinkFileUnreadable, $"The audit file {path} cannot be appended to: at byte {offset}, {problem}.", inner);

    /// <summary>
    /// The (partition key, sequence) of the most recent records, with the highest sequence per key among them: a record
    /// at or below it is already in the file. Keys leave when their last record in the window does.
    /// </summary>
    private sealed class RecentRecords(int capacity)
    {
        private readonly Queue<(string Key, long Sequence)> _order = new();
        private readonly Dictionary<string, (long Last, int Count)> _byKey = new(StringComparer.Ordinal);

        public bool Holds(string key, long sequence) => _byKey.TryGetValue(key, out var held) && sequence <= held.Last;

        public void Add(string key, long sequence)
        {
            _order.Enqueue((key, sequence));
            _byKey[key] = _byKey.TryGetValue(key, out var held) ? (Math.Max(held.Last, sequence), held.Count + 1) : (sequence, 1);
            if (_order.Count > capacity)
            {
                var (oldest, _) = _order.Dequeue();
                var entry = _byKey[oldest];
                if (entry.Count == 1)
                {
                    _byKey.Remove(oldest);
                }
                else
                {
                    _byKey[oldest] = (entry.Last, entry.Count - 1);
                }
            }
        }
    }
}

/// <summary>The JSON of an audit record in a JSON-lines audit file.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
