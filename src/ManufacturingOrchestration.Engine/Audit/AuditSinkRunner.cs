using ManufacturingOrchestration.Engine.Execution;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// Streams the store's audit feed to every registered <see cref="IAuditSink"/>: one loop per sink reads a batch after the
/// sink's cursor, hands it to the sink, then moves the cursor (compare-and-set) past it. At least once, in commit order.
/// </summary>
/// <remarks>
/// <para>A loop that has caught up waits for a commit that appended audit records (<see cref="Committed"/>), or at most
/// <see cref="AuditSinkOptions.PollInterval"/>. A sink or store failure is logged and counted, and the same cursor is
/// tried again after a backoff on the orchestrator's clock; the loops of other sinks do not wait for it.</para>
/// <para>Progress is counted in commit notifications, so <see cref="WaitForDeliveryAsync"/> can wait deterministically:
/// a loop whose read came back short has delivered every record committed before that read began.</para>
/// </remarks>
internal sealed partial class AuditSinkRunner
{
    private readonly OrchestratorRuntime _runtime;
    private readonly AuditSinkOptions _options;
    private readonly SinkLoop[] _sinks;
    private readonly Lock _progressGate = new();
    private TaskCompletionSource _committed = NewSignal();
    private TaskCompletionSource _progress = NewSignal();
    private long _commits;

    public AuditSinkRunner(OrchestratorRuntime runtime, IReadOnlyList<IAuditSink> sinks, AuditSinkOptions options)
    {
        _runtime = runtime;
        _options = options;
        _sinks = sinks.Select(static sink => new SinkLoop(sink)).ToArray();
    }

    /// <summary>Starts one loop per sink; the task completes when every loop has ended after <paramref name="stopping"/> fired.</summary>
    public Task Start(CancellationToken stopping) =>
        Task.WhenAll(_sinks.Select(sink => Task.Run(() => RunAsync(sink, stopping), CancellationToken.None)));

    /// <summary>A commit of this orchestrator appended audit records: wakes the loops that caught up.</summary>
    public void Committed()
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Exchange(ref _committed, NewSignal()).TrySetResult();
    }

    /// <summary>Completes when every sink has been given every audit record committed before the call (and those the store held at start).</summary>
    public async Task WaitForDeliveryAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _commits);
        while (true)
        {
            Task progress;
            lock (_progressGate)
            {
                progress = _progress.Task;
            }

            if (_sinks.All(sink => Interlocked.Read(ref sink.CaughtUpTo) >= target))
            {
                return;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(SinkLoop sink, CancellationToken stopping)
    {
        var store = _runtime.Store;
        long? cursor = null;
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            // The backoff counts from the start of the attempt, before the sink is called.
            var attemptedAt = _runtime.Time.GetUtcNow();
            try
            {
                // Signal and count first: a commit notified after this is either in the read below or wakes the wait.
                var committed = Volatile.Read(ref _committed).Task;
                var commits = Interlocked.Read(ref _commits);
                cursor ??= await store.ReadAuditSinkCursorAsync(sink.Name, stopping).ConfigureAwait(false);
                var batch = await store.ReadAuditFeedAsync(cursor.Value, _options.BatchSize, stopping).ConfigureAwait(false);
                if (batch.Count > 0)
                {
                    var records = new AuditRecord[batch.Count];
                    for (var i = 0; i < records.Length; i++)
                    {
                        records[i] = batch[i].Record;
                    }

                    await sink.Sink.WriteAsync(records, stopping).ConfigureAwait(false);
                    var last = batch[^1].Position;
                    if (!await store.TrySaveAuditSinkCursorAsync(sink.Name, cursor.Value, last, stopping).ConfigureAwait(false))
                    {
                        // Another deliverer moved the cursor (a cursor shared by several nodes): go on from where it is.
                        Log.CursorMoved(_runtime.Logger, sink.Name, cursor.Value);
                        cursor = null;
                        continue;
                    }

                    cursor = last;
                    _runtime.Telemetry.AuditDelivered(sink.Name, records.Length);
                }

                failures = 0;
                if (batch.Count < _options.BatchSize)
                {
                    CaughtUp(sink, commits);
                }

                if (batch.Count == 0)
                {
                    await WaitAsync(_runtime.Time.GetUtcNow() + _options.PollInterval, committed, stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failing sink or store never ends delivery: the same records are tried again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                cursor = null;
                var delay = _options.DelayAfter(failures);
                Log.SinkFailed(_runtime.Logger, ex, sink.Name, failures, delay);
                _runtime.Telemetry.AuditSinkFailed(sink.Name);
                try
                {
                    await WaitAsync(attemptedAt + delay, null, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private void CaughtUp(SinkLoop sink, long commits)
    {
        Interlocked.Exchange(ref sink.CaughtUpTo, commits);
        lock (_progressGate)
        {
            _progress.TrySetResult();
            _progress = NewSignal();
        }
    }

    /// <summary>
    /// Waits until the clock reaches <paramref name="until"/> or <paramref name="wake"/> completes. The delay is armed
    /// relative to the clock as it is when armed; a clock that moved meanwhile (a fake clock advanced on another thread)
    /// is read anew rather than waited on, as the orchestrator's timer loop does.
    /// </summary>
    private async Task WaitAsync(DateTimeOffset until, Task? wake, CancellationToken stopping)
    {
        var time = _runtime.Time;
        while (wake?.IsCompleted != true)
        {
            var now = time.GetUtcNow();
            if (now >= until)
            {
                return;
            }

            using var disarm = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var delay = Task.Delay(until - now, time, disarm.Token);
            if (time.GetUtcNow() - now <= Orchestrator.WakeUpSlack)
            {
                await Task.WhenAny(delay, wake ?? delay).ConfigureAwait(false);
            }

            await disarm.CancelAsync().ConfigureAwait(false);
            stopping.ThrowIfCancellationRequested();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One sink and how far it has caught up, in commit notifications (-1 until its first catch-up).</summary>
    private sealed class SinkLoop(IAuditSink sink)
    {
        public long CaughtUpTo = -1;

        public IAuditSink Sink { get; } = sink;

        /// <summary>The name read once, at registration: it keys the cursor for the whole run.</summary>
        public string Name { get; } = sink.Name;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Audit sink {Sink} failed ({Failures} time(s) in a row); the same records are delivered again in {Delay}.")]
        public static partial void SinkFailed(ILogger logger, Exception exception, string sink, int failures, TimeSpan delay);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "The cursor of audit sink {Sink} was moved from {Position} by another deliverer; delivery goes on from the saved cursor.")]
        public static partial void CursorMoved(ILogger logger, string sink, long position);
    }
}
