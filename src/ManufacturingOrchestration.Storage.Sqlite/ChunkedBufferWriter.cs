using System.Buffers;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>Receives one chunk of what a <see cref="ChunkedBufferWriter"/> was given.</summary>
/// <param name="chunk">The bytes, valid only during the call.</param>
internal delegate void ChunkSink(ReadOnlySpan<byte> chunk);

/// <summary>
/// A buffer writer that hands what it is given to a sink in chunks of about 64 KB (or only counts it), so a value of
/// any size — an audit checkpoint holds every partition's head — is written through one small buffer.
/// </summary>
internal sealed class ChunkedBufferWriter : IBufferWriter<byte>
{
    private const int ChunkSize = 64 * 1024;

    private readonly ChunkSink? _sink;
    private byte[] _buffer = new byte[ChunkSize];
    private int _pending;

    /// <summary>Creates a writer.</summary>
    /// <param name="sink">Where the chunks go; <see langword="null"/> to count the bytes only.</param>
    public ChunkedBufferWriter(ChunkSink? sink) => _sink = sink;

    /// <summary>The bytes written so far, handed on or not.</summary>
    public long Length { get; private set; }

    /// <summary>How many bytes <paramref name="write"/> writes.</summary>
    public static long Measure(Action<IBufferWriter<byte>> write)
    {
        var counter = new ChunkedBufferWriter(null);
        write(counter);
        return counter.Length;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _pending);
        _pending += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        // Reserved first: it may replace the buffer with a larger one.
        var start = Reserve(sizeHint);
        return _buffer.AsMemory(start);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <summary>Hands on what is still pending.</summary>
    public void Flush()
    {
        if (_pending > 0)
        {
            _sink?.Invoke(_buffer.AsSpan(0, _pending));
            _pending = 0;
        }
    }

    private int Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _pending < needed)
        {
            Flush();
            if (_buffer.Length < needed)
            {
                _buffer = new byte[needed];
            }
        }

        return _pending;
    }
}
