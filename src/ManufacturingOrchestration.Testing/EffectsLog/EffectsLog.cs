using System.Collections.Concurrent;
using System.Text.Json;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// The effects the simulators applied, in order. In memory by default; <see cref="OpenFile(string)"/> makes it an
/// append-only file with one JSON line per effect, flushed to the disk before the simulator answers success, so a
/// crash test can count the effects that really happened (<see cref="EffectsLogReader"/>) and a simulator re-created
/// on the same file reloads the idempotency keys it already applied. Thread-safe.
/// </summary>
public sealed class EffectsLog : IDisposable
{
    private static readonly byte[] s_newLine = [(byte)'\n'];
    private readonly ConcurrentQueue<EffectRecord> _records = new();
    private readonly Lock _writeLock = new();
    private readonly FileStream? _file;
    private long _sequence;
    private bool _disposed;

    /// <summary>Creates an in-memory log.</summary>
    public EffectsLog()
    {
    }

    private EffectsLog(FileStream file, IReadOnlyList<EffectRecord> existing)
    {
        _file = file;
        foreach (var record in existing)
        {
            _records.Enqueue(record);
            _sequence = Math.Max(_sequence, record.Sequence);
        }
    }

    /// <summary>The file path, when the log is file-backed.</summary>
    public string? Path => _file?.Name;

    /// <summary>How many effects are in the log (including those loaded from the file).</summary>
    public int Count => _records.Count;

    /// <summary>A snapshot of every effect, in order.</summary>
    public IReadOnlyList<EffectRecord> Records => [.. _records];

    /// <summary>
    /// Opens (or creates) a file-backed log. Existing lines are loaded; a torn last line left by a crash
    /// mid-write is cut off, since its effect was never acknowledged.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <returns>The log.</returns>
    public static EffectsLog OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.WriteThrough);
        try
        {
            var (records, validLength) = EffectsLogReader.Read(file);
            file.SetLength(validLength);
            file.Seek(0, SeekOrigin.End);
            return new EffectsLog(file, records);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The effects of one system, in order.</summary>
    /// <param name="system">The system, such as <c>erp</c>.</param>
    /// <returns>The effects.</returns>
    public IReadOnlyList<EffectRecord> For(string system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var result = new List<EffectRecord>();
        foreach (var record in _records)
        {
            if (string.Equals(record.System, system, StringComparison.Ordinal))
            {
                result.Add(record);
            }
        }

        return result;
    }

    /// <summary>How many effects of a command kind are in the log.</summary>
    /// <param name="commandKind">The command kind.</param>
    /// <returns>The count.</returns>
    public int CountOf(string commandKind)
    {
        ArgumentNullException.ThrowIfNull(commandKind);
        var count = 0;
        foreach (var record in _records)
        {
            if (string.Equals(record.CommandKind, commandKind, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Appends an effect: assigns its sequence and, when file-backed, writes and flushes its line to the disk before returning.</summary>
    /// <param name="system">The system.</param>
    /// <param name="commandKind">The command kind.</param>
    /// <param name="idempotencyKey">The idempotency key.</param>
    /// <param name="correlationId">The correlation id.</param>
    /// <param name="lot">The lot, when any.</param>
    /// <param name="order">The order, when any.</param>
    /// <param name="summary">What happened.</param>
    /// <param name="externalReference">The reference returned, when any.</param>
    /// <param name="timestamp">When it happened.</param>
    /// <returns>The appended record.</returns>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public EffectRecord Append(string system, string commandKind, string idempotencyKey, string? correlationId, string? lot, string? order, string summary, string? externalReference, DateTimeOffset timestamp)
    {
        if (_file is null)
        {
            // In memory: no lock on the hot path; sequences are unique and increasing per appending thread.
            var inMemory = new EffectRecord
            {
                Sequence = Interlocked.Increment(ref _sequence),
                Timestamp = timestamp,
                System = system,
                CommandKind = commandKind,
                IdempotencyKey = idempotencyKey,
                CorrelationId = correlationId,
                Lot = lot,
                Order = order,
                Summary = summary,
                ExternalReference = externalReference,
            };
            _records.Enqueue(inMemory);
            return inMemory;
        }

        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var record = new EffectRecord
            {
                Sequence = _sequence + 1,
                Timestamp = timestamp,
                System = system,
                CommandKind = commandKind,
                IdempotencyKey = idempotencyKey,
                CorrelationId = correlationId,
                Lot = lot,
                Order = order,
                Summary = summary,
                ExternalReference = externalReference,
            };

            var bytes = JsonSerializer.SerializeToUtf8Bytes(record, EffectsLogJsonContext.Default.EffectRecord);
            _file.Write(bytes);
            _file.Write(s_newLine);
            _file.Flush(flushToDisk: true);

            _sequence = record.Sequence;
            _records.Enqueue(record);
            return record;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _file?.Dispose();
        }
    }
}
