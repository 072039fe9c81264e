using System.Buffers;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>: what a commit serializes is written here and
/// bound to the statements from it, then the array goes back to the pool. Not thread-safe; dispose it once.
/// </summary>
internal sealed class PooledBytes : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;

    public PooledBytes(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>The number of bytes written so far.</summary>
    public int Written { get; private set; }

    /// <summary>A range written earlier.</summary>
    public ReadOnlySpan<byte> Slice((int Start, int Length) range) => _buffer.AsSpan(range.Start, range.Length);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - Written);
        Written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Written);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        Written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - Written >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Written + needed));
        _buffer.AsSpan(0, Written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
