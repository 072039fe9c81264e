using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios.Reconciliation;

/// <summary>
/// Runs a <see cref="DriftReconciler"/> every <see cref="Interval"/> on the given <see cref="TimeProvider"/>, over the lots a
/// caller-supplied function names (for example every lot the ERP lists for a site). Runs never overlap; a run that
/// fails is recorded in <see cref="LastError"/> and the next one runs on schedule. Dispose to stop.
/// </summary>
/// <remarks>
/// The schedule is fixed-rate from <see cref="Start"/>: run <c>n</c> is due at start + n × interval; a run that takes
/// longer than the interval delays the next one instead of piling up. Reconciliation is in memory here: after a restart
/// the schedule starts again from the new start time.
/// </remarks>
public sealed class ReconciliationScheduler : IAsyncDisposable
{
    private readonly DriftReconciler _reconciler;
    private readonly Func<CancellationToken, ValueTask<IReadOnlyList<LotId>>> _lots;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private long _completedRuns;
    private long _skippedRuns;
    private long _nextRunAtTicks;
    private Exception? _lastError;

    /// <summary>Creates a scheduler; call <see cref="Start"/> to begin.</summary>
    /// <param name="reconciler">The reconciler.</param>
    /// <param name="lots">Names the lots to reconcile at each run.</param>
    /// <param name="interval">The time between runs; at least one second.</param>
    /// <param name="time">The clock (the orchestrator's, so tests can advance it).</param>
    public ReconciliationScheduler(DriftReconciler reconciler, Func<CancellationToken, ValueTask<IReadOnlyList<LotId>>> lots, TimeSpan interval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        ArgumentNullException.ThrowIfNull(lots);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        _reconciler = reconciler;
        _lots = lots;
        Interval = interval;
        _time = time;
    }

    /// <summary>The time between runs.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// When set, a scheduled run goes ahead only when it returns <see langword="true"/> at its due time; otherwise the run
    /// is skipped (not counted in <see cref="CompletedRuns"/>) and the next one is due an interval later. With several
    /// orchestrator nodes on one store, <c>() =&gt; orchestrator.Cluster?.HoldsSingleton ?? true</c> reconciles on one
    /// node of the cluster at a time. Set it before <see cref="Start"/>; default <see langword="null"/> (every run goes ahead).
    /// </summary>
    public Func<bool>? RunWhen { get; set; }

    /// <summary>How many scheduled runs <see cref="RunWhen"/> skipped.</summary>
    public long SkippedRuns => Interlocked.Read(ref _skippedRuns);

    /// <summary>How many runs completed (successfully or not).</summary>
    public long CompletedRuns => Interlocked.Read(ref _completedRuns);

    /// <summary>The failure of the latest run, or <see langword="null"/> when it succeeded.</summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// When the next scheduled run is due, once the scheduler waits for it on its clock (<see langword="null"/> before
    /// that): a host or a test can see the wait is armed before it moves a clock.
    /// </summary>
    public DateTimeOffset? NextRunAt => Interlocked.Read(ref _nextRunAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Whether the scheduler runs.</summary>
    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>Starts the schedule: the first run is due one <see cref="Interval"/> from now.</summary>
    /// <exception cref="InvalidOperationException">It was already started or disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The reconciliation scheduler was already started.");
        }

        _loop = RunAsync(_time.GetUtcNow(), _stopping.Token);
    }

    /// <summary>Runs a reconciliation now, outside the schedule (it does not overlap a scheduled run's lots source call).</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public async Task<DriftReport> RunNowAsync(CancellationToken cancellationToken)
    {
        var lots = await _lots(cancellationToken).ConfigureAwait(false);
        return await _reconciler.ReconcileAsync(lots, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the schedule and waits for a run in progress to end (it is cancelled).</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(DateTimeOffset start, CancellationToken stopping)
    {
        long run = 0;
        while (!stopping.IsCancellationRequested)
        {
            run++;
            var due = start + (Interval * run);
            try
            {
                var wait = due - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    var delay = Task.Delay(wait, _time, stopping);
                    Interlocked.Exchange(ref _nextRunAtTicks, due.UtcTicks);
                    await delay.ConfigureAwait(false);
                }

                if (RunWhen is { } runWhen && !runWhen())
                {
                    Interlocked.Increment(ref _skippedRuns);
                    continue;
                }

                await RunNowAsync(stopping).ConfigureAwait(false);
                Volatile.Write(ref _lastError, null);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failing run must not stop the schedule: it is recorded and the next run goes ahead.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _lastError, ex);
            }

            Interlocked.Increment(ref _completedRuns);
            var behind = (long)Math.Floor((_time.GetUtcNow() - start) / Interval);
            run = Math.Max(run, behind);
        }
    }
}
