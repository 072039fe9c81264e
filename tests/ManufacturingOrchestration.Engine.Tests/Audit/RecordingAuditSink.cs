using ManufacturingOrchestration.Engine.Audit;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

/// <summary>
/// An audit sink that keeps every batch it was given. <see cref="ThrowOnCall"/> makes chosen calls fail before anything
/// is kept; <see cref="HoldOnCall"/> makes chosen calls keep their batch and then not return until cancelled, as a sink
/// whose process dies between delivery and the cursor save. Every wait on it is bounded.
/// </summary>
internal sealed class RecordingAuditSink(string name) : IAuditSink
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<AuditRecord>> _batches = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private int _finishedCalls;

    public string Name { get; } = name;

    /// <summary>Which calls (1 for the first) throw.</summary>
    public Func<int, bool> ThrowOnCall { get; init; } = static _ => false;

    /// <summary>Which calls keep their batch and then wait until cancelled.</summary>
    public Func<int, bool> HoldOnCall { get; init; } = static _ => false;

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<IReadOnlyList<AuditRecord>> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<AuditRecord> Received => [.. Batches.SelectMany(b => b)];

    public async ValueTask WriteAsync(IReadOnlyList<AuditRecord> batch, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        if (ThrowOnCall(call))
        {
            Finished();
            throw new HttpRequestException($"The SIEM refused call {call}.");
        }

        lock (_gate)
        {
            _batches.Add([.. batch]);
        }

        Finished();
        if (HoldOnCall(call))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="count"/> calls have thrown, kept their batch or begun to hold.</summary>
    public Task WaitForCallsAsync(int count) => WaitUntilAsync(() => _finishedCalls >= count, $"{count} call(s)");

    /// <summary>Waits until the sink holds at least <paramref name="count"/> records.</summary>
    public Task WaitForRecordsAsync(int count) => WaitUntilAsync(() => _batches.Sum(b => b.Count) >= count, $"{count} record(s)");

    private async Task WaitUntilAsync(Func<bool> done, string what)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(Limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (done())
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Audit sink {Name} did not see {what} within {Limit}: {Calls} call(s), {Received.Count} record(s).");
            }
        }
    }

    private void Finished()
    {
        lock (_gate)
        {
            _finishedCalls++;
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
