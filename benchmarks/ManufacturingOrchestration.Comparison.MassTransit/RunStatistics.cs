using System.Collections.Concurrent;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>
/// What the saga reports while it runs: messages handled (with the latency from publish to the saga's handling done),
/// duplicates without effect, and anything rejected; completes when every published message has been seen.
/// </summary>
public sealed class RunStatistics
{
    private readonly double[] _latencies;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expected;
    private long _handled;
    private long _duplicates;
    private long _seen;

    public RunStatistics(int expected)
    {
        _expected = expected;
        _latencies = new double[expected];
    }

    public long Accepted => Interlocked.Read(ref _handled);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public ConcurrentQueue<string> Problems { get; } = new();

    public long RejectedCount => Problems.Count;

    /// <summary>Completes when every published message has been handled, counted as a duplicate or rejected.</summary>
    public Task Completion => _done.Task;

    public ReadOnlySpan<double> Latencies => _latencies.AsSpan(0, (int)Math.Min(Accepted, _latencies.Length));

    public void Handled(DateTime? sentTime)
    {
        var slot = Interlocked.Increment(ref _handled) - 1;
        if (slot < _latencies.Length)
        {
            _latencies[slot] = sentTime is { } sent ? (DateTime.UtcNow - sent).TotalMilliseconds : double.NaN;
        }

        Seen();
    }

    public void Duplicate()
    {
        Interlocked.Increment(ref _duplicates);
        Seen();
    }

    public void Rejected(string problem)
    {
        Problems.Enqueue(problem);
        Seen();
    }

    private void Seen()
    {
        if (Interlocked.Increment(ref _seen) >= _expected)
        {
            _done.TrySetResult();
        }
    }
}
