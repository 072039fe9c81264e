using System.Globalization;
using System.Threading.Channels;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// Owns a disjoint set of partition keys (by hash) and handles their work strictly in order: one worker per key, so
/// no lock is shared across partitions. Each round takes up to a batch of items, runs the steps, group-commits every
/// step of the round in one store transaction, then executes the planned commands (in ordinal order per key) and
/// commits their outcomes.
/// </summary>
internal sealed partial class PartitionWorker
{
    /// <summary>How long failed work waits before it is tried again: a store or handler that keeps failing is not retried in a tight loop.</summary>
    private static readonly TimeSpan RetryWait = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait before a timer whose handling keeps failing is tried again (the wait doubles up to it).</summary>
    private static readonly TimeSpan LongestTimerRetryWait = TimeSpan.FromMinutes(5);

    private readonly OrchestratorRuntime _runtime;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, KeyRuntime> _keys = new(StringComparer.Ordinal);

    // Keys whose cache was dropped after a failed commit: when loaded again they read their pending commands with their
    // state and re-read their pending events in order.
    private readonly HashSet<string> _rescan = new(StringComparer.Ordinal);

    // Timers whose handling failed, by id, with how many times in a row: a timer whose data stays unreadable is tried
    // again less and less often instead of five times a second for ever. Forgotten once one is handled.
    private readonly Dictionary<string, int> _failedTimers = new(StringComparer.Ordinal);
    private readonly int _index;
    private readonly int _keyCapacity;

    // The highest inbox position this worker has taken an event at, and its value when keys were last dropped from the
    // cache: an event at or below the floor may be a queued copy of one a dropped key already processed.
    private long _maxPositionSeen;
    private long _evictionFloor;

    // The cluster's ownership version the key cache was last checked against (clustered nodes only).
    private int _clusterVersion;

    public PartitionWorker(OrchestratorRuntime runtime, int index)
    {
        _runtime = runtime;
        _index = index;
        _keyCapacity = Math.Max(64, runtime.Options.Settings.KeyCacheCapacity / runtime.Options.Settings.Parallelism);
    }

    /// <summary>How many keys the worker holds in memory.</summary>
    internal int CachedKeys => _keys.Count;

    public Task? Loop { get; private set; }

    public void Start(CancellationToken stopping) => Loop = Task.Run(() => RunAsync(stopping), CancellationToken.None);

    public void Enqueue(WorkItem item)
    {
        _runtime.InFlightAdded();
        if (!_queue.Writer.TryWrite(item))
        {
            _runtime.InFlightDone();
            throw new InvalidOperationException("The orchestrator is stopped.");
        }
    }

    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync(CancellationToken stopping)
    {
        var batch = new List<WorkItem>(_runtime.Options.Settings.MaxBatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (batch.Count < _runtime.Options.Settings.MaxBatchSize && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                await ProcessRoundsAsync(batch, stopping).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: what was not committed stays durable in the store and is recovered at the next start.
        }
    }

    private async Task ProcessRoundsAsync(List<WorkItem> items, CancellationToken ct)
    {
        var round = items;
        while (round.Count > 0)
        {
            DropKeysNoLongerOwned();
            var next = new List<WorkItem>();
            var touched = new Dictionary<string, KeyRuntime>(StringComparer.Ordinal);
            var staged = new List<Staged>();
            var commits = new List<StepCommit>();
            var handled = new List<WorkItem>();
            var scans = new List<KeyRuntime>();
            var freeScans = new List<KeyRuntime>();
            await PrefetchKeysAsync(round, ct).ConfigureAwait(false);

            foreach (var item in round)
            {
                if (touched.ContainsKey(item.PartitionKey))
                {
                    next.Add(item);
                    continue;
                }

                KeyRuntime? key;
                try
                {
                    key = await GetKeyAsync(item, ct).ConfigureAwait(false);
                    if (key is null)
                    {
                        // A clustered node that does not own the key's bucket (any more): its owner does the work.
                        _runtime.NotOwned(item);
                        Done(item);
                        continue;
                    }

                    if (item is ResumeWork or TimerWork { Timer.Purpose: TimerPurposes.Retry })
                    {
                        // Read here, not when handled: a read that fails is tried again like a failed load, instead of
                        // leaving the key looking as if it had no commands pending.
                        await LoadPendingCommandsAsync(key, ct).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.StoreFailed(_runtime.Logger, ex, item.PartitionKey);
                    if (item is EventWork)
                    {
                        // Re-read the key's pending events in order later instead of letting this one fall behind newer ones.
                        _rescan.Add(item.PartitionKey);
                        _runtime.InFlightAdded();
                        Done(item);
                        await RequeueLaterAsync([new ScanWork(item.PartitionKey)], ct).ConfigureAwait(false);
                    }
                    else
                    {
                        // A key held without its pending commands is let go: read again, it reads them with its state.
                        Forget(item.PartitionKey);
                        await RequeueLaterAsync([item], ct).ConfigureAwait(false);
                    }

                    continue;
                }

                if (item is EventWork deferrable)
                {
                    _maxPositionSeen = Math.Max(_maxPositionSeen, deferrable.Event.Position);
                    if (deferrable.Event.Position <= key.LastProcessedPosition)
                    {
                        Done(item);
                        continue;
                    }

                    if (key.IsBlocked || key.NeedsScan)
                    {
                        // It stays pending in the store; the key reads it again, in order, once it is free.
                        key.NeedsScan = true;
                        if (!key.IsBlocked && !freeScans.Contains(key))
                        {
                            freeScans.Add(key);
                        }

                        Done(item);
                        continue;
                    }
                }

                touched[item.PartitionKey] = key;
                handled.Add(item);
                try
                {
                    var stage = await HandleAsync(key, item, ct).ConfigureAwait(false);
                    if (item is TimerWork handledTimer)
                    {
                        _failedTimers.Remove(handledTimer.Timer.Id);
                    }

                    if (stage is not null)
                    {
                        staged.Add(stage);
                        if (stage.Commit is not null)
                        {
                            commits.Add(Fenced(stage.Commit, key));
                        }

                        if (stage.ScanAfterCommit)
                        {
                            scans.Add(key);
                        }
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    if (ex is StepStoreException && item is EventWork)
                    {
                        // The event stays pending in the store; after the wait its key re-reads its pending events in order.
                        Log.StoreFailed(_runtime.Logger, ex.InnerException ?? ex, item.PartitionKey);
                        Forget(item.PartitionKey);
                        _runtime.InFlightAdded();
                        await RequeueLaterAsync([new ScanWork(item.PartitionKey)], ct).ConfigureAwait(false);
                        continue;
                    }

                    if (ex is StepStoreException && CompletionOf(item) is { } refused)
                    {
                        // An operator action whose store read failed: nothing of it was staged, so nothing is applied;
                        // the store's failure is not the action's, and the operator may simply try it again.
                        Log.StoreFailed(_runtime.Logger, ex.InnerException ?? ex, item.PartitionKey);
                        refused.TrySetResult(OperatorActionResult.Refused(ReasonCodes.StoreUnavailable, $"The store was unavailable; nothing of the action was applied, try it again ({ex.InnerException?.Message ?? ex.Message})."));
                        continue;
                    }

                    // Stored data the step needed and cannot read back is named as such, not as a failure of the step.
                    var unreadable = ex is ManufacturingOrchestrationException { } known && known.ReasonCode == ReasonCodes.StoreDataUnreadable;
                    var (code, message) = unreadable ? (ReasonCodes.StoreDataUnreadable, ex.Message) : (ReasonCodes.StepFailed, $"{ex.GetType().Name}: {ex.Message}");
                    Log.StepFailed(_runtime.Logger, ex, item.PartitionKey);
                    CompletionOf(item)?.TrySetResult(OperatorActionResult.Refused(code, message));
                    var poison = item is EventWork ew ? PoisonEvent(key, ew.Event, code, message) : null;
                    if (poison is not null)
                    {
                        staged.Add(poison);
                        commits.Add(Fenced(poison.Commit!, key));
                    }

                    if (item is TimerWork failedTimer)
                    {
                        var failures = _failedTimers.TryGetValue(failedTimer.Timer.Id, out var before) ? before + 1 : 1;
                        _failedTimers[failedTimer.Timer.Id] = failures;
                        if (unreadable && failures >= Math.Max(1, _runtime.Options.Settings.Retry.MaxAttempts))
                        {
                            // Its data stays unreadable as often as a failed query is tried: removed with the problem in
                            // the partition's audit trail, instead of being tried every five minutes for ever.
                            var dropped = UnreadableTimer(key, failedTimer.Timer, failures, message);
                            staged.Add(dropped);
                            commits.Add(Fenced(dropped.Commit!, key));
                            continue;
                        }

                        // Still in the store and still due: let go of it after a short wait so that the timer loop reads
                        // it again (it may have been removed or rewritten meanwhile) instead of holding it as in flight
                        // until a restart. It is done with here, so a failed commit of the round does not retry it too.
                        handled.Remove(item);
                        Done(item);
                        _ = AbandonTimerLaterAsync(failedTimer.Timer.Id, TimerRetryWait(failures), ct);
                    }
                }
            }

            if (!await TryCommitAsync(commits, staged, handled, freeScans, ct).ConfigureAwait(false))
            {
                round = next;
                continue;
            }

            foreach (var stage in staged)
            {
                stage.Apply();
            }

            await ExecuteCommandsAsync(touched.Values, ct).ConfigureAwait(false);

            foreach (var stage in staged)
            {
                stage.Completion?.TrySetResult(stage.Result ?? OperatorActionResult.Done("done"));
            }

            // Keys that are free again continue with what waited for them, before anything newer.
            var resumed = new List<WorkItem>();
            foreach (var key in touched.Values.Concat(freeScans.Where(k => !touched.ContainsKey(k.State.Key))))
            {
                if (!key.IsBlocked && (key.NeedsScan || scans.Contains(key)))
                {
                    resumed.AddRange(await ScanAsync(key, ct).ConfigureAwait(false));
                }
            }

            if (resumed.Count > 0)
            {
                resumed.AddRange(next);
                next = resumed;
            }

            // Before the handled items let the orchestrator look idle, so an idle orchestrator's cache is within bounds.
            TrimKeys();

            // Only now, with the work they unblocked counted, may the handled items let the orchestrator look idle.
            foreach (var item in handled)
            {
                Done(item);
            }

            round = next;
        }
    }

    /// <summary>Commits to the store and notes the audit heads, counted as one commit of <see cref="OrchestratorRuntime.Commits"/> throughout.</summary>
    private async ValueTask CommitAsync(List<StepCommit> commits, CancellationToken ct)
    {
        var epoch = _runtime.Commits.Enter();
        try
        {
            await _runtime.Store.CommitAsync(commits, ct).ConfigureAwait(false);
            _runtime.NotifyCommitted(commits);
        }
        finally
        {
            _runtime.Commits.Exit(epoch);
        }
    }

    private async ValueTask<bool> TryCommitAsync(List<StepCommit> commits, List<Staged> staged, List<WorkItem> handled, List<KeyRuntime> freeScans, CancellationToken ct)
    {
        if (commits.Count == 0)
        {
            return true;
        }

        try
        {
            await CommitAsync(commits, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Nothing of the round is committed: forget the cached keys and try the same items again shortly. A lost
            // lease drops its bucket first (logged once, there): the retried items of its keys are let go, not retried.
            if (ex is LeaseLostException lost && _runtime.Cluster is { } cluster)
            {
                cluster.Lost(lost.Fence);
            }
            else
            {
                Log.StoreFailed(_runtime.Logger, ex, commits[0].PartitionKey);
            }

            foreach (var stage in staged)
            {
                Forget(stage.Key.State.Key);
            }

            var retry = new List<WorkItem>();
            var rescans = new HashSet<string>(StringComparer.Ordinal);

            // A conflict is the partition's (changed meanwhile, or another node's now); anything else the store's.
            var refusal = ex is ConcurrencyConflictException or LeaseLostException
                ? OperatorActionResult.Refused(ReasonCodes.ConcurrencyConflict, $"The store refused the commit: {ex.Message}")
                : OperatorActionResult.Refused(ReasonCodes.StoreUnavailable, $"The store was unavailable; nothing of the action was applied, try it again ({ex.Message}).");
            foreach (var item in handled)
            {
                if (CompletionOf(item) is { } completion)
                {
                    completion.TrySetResult(refusal);
                    Done(item);
                }
                else if (item is EventWork)
                {
                    // The event stays pending in the store; its key re-reads its pending events in order.
                    Forget(item.PartitionKey);
                    ScanLater(item.PartitionKey);
                    Done(item);
                }
                else
                {
                    retry.Add(item);
                }
            }

            // Keys whose events were left in the store to be read after this round read them after the wait instead: on a
            // single node nothing else would read them before the key's next event.
            foreach (var key in freeScans)
            {
                ScanLater(key.State.Key);
            }

            await RequeueLaterAsync(retry, ct).ConfigureAwait(false);
            return false;

            // One scan per key after the wait, whatever left its events pending.
            void ScanLater(string partitionKey)
            {
                if (rescans.Add(partitionKey))
                {
                    retry.Add(new ScanWork(partitionKey));
                    _runtime.InFlightAdded();
                }
            }
        }
    }

    private async Task RequeueLaterAsync(List<WorkItem> items, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }

        await Task.Delay(RetryWait, _runtime.Time, ct).ConfigureAwait(false);
        foreach (var item in items)
        {
            _runtime.InFlightAdded();
            _queue.Writer.TryWrite(item);
            Done(item);
        }
    }

    /// <summary>
    /// The wait before a timer whose handling failed <paramref name="failures"/> times in a row is tried again:
    /// <see cref="RetryWait"/>, doubling with each failure, at most <see cref="LongestTimerRetryWait"/>.
    /// </summary>
    internal static TimeSpan TimerRetryWait(int failures) =>
        TimeSpan.FromTicks(Math.Min(RetryWait.Ticks << Math.Min(failures - 1, 20), LongestTimerRetryWait.Ticks));

    /// <summary>Lets go of a timer whose handling failed once <paramref name="wait"/> has passed, so the timer loop fires it again.</summary>
    private async Task AbandonTimerLaterAsync(string timerId, TimeSpan wait, CancellationToken ct)
    {
        try
        {
            await Task.Delay(wait, _runtime.Time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the timer is read from the store again at the next start.
            return;
        }

        _runtime.TimerAbandoned(timerId);
    }

    private static TaskCompletionSource<OperatorActionResult>? CompletionOf(WorkItem item) => item switch
    {
        OperatorWork op => op.Completion,
        PartitionWork pw => pw.Completion,
        _ => null,
    };

    private void Done(WorkItem item)
    {
        if (item is EventWork { HoldsCapacity: true } ew)
        {
            _runtime.ReleaseCapacity(ew);
        }

        _runtime.InFlightDone();
    }

    private async ValueTask<KeyRuntime?> GetKeyAsync(WorkItem item, CancellationToken ct)
    {
        var partitionKey = item.PartitionKey;
        LeaseFence? fence = null;
        if (_runtime.Cluster is { } cluster)
        {
            fence = cluster.FenceOf(partitionKey);
            if (fence is null)
            {
                Forget(partitionKey);
                return null;
            }

            if (_keys.TryGetValue(partitionKey, out var cached) && cached.Fence?.Epoch != fence.Epoch)
            {
                // The bucket changed hands since the key was read: what the cache holds may be stale.
                Forget(partitionKey);
            }
        }

        if (_keys.TryGetValue(partitionKey, out var key))
        {
            return key;
        }

        var state = await _runtime.Store.LoadPartitionAsync(partitionKey, ct).ConfigureAwait(false) ?? PartitionState.Empty(partitionKey);

        // A key dropped after a failed commit may have commands pending in the store (an outcome not recorded, a retry
        // waiting for its timer) that the item now handled does not read: they are read with the key, so it stays
        // blocked behind them and nothing newer of the key is sent before them.
        var pending = _rescan.Contains(partitionKey) ? await _runtime.Store.ReadPendingCommandsAsync(partitionKey, ct).ConfigureAwait(false) : null;
        key = Hold(item, state, fence);
        if (pending is not null)
        {
            key.Pending.AddRange(pending);
        }

        return key;
    }

    /// <summary>Takes a key into the cache with the state read for it and, on a clustered node, its bucket's fence.</summary>
    private KeyRuntime Hold(WorkItem item, PartitionState state, LeaseFence? fence)
    {
        // A key read again after it was dropped from the cache does not know which of its queued events it processed:
        // an event from before the drop is not trusted, the key re-reads its pending events from the store instead. On a
        // clustered node another node may have processed any of them meanwhile, so no queued event is trusted.
        var partitionKey = item.PartitionKey;
        var mayBeStale = item is EventWork ew && (ew.Event.Position <= _evictionFloor || fence is not null);
        var key = new KeyRuntime(state) { NeedsScan = _rescan.Remove(partitionKey) | mayBeStale, Fence = fence };
        _keys[partitionKey] = key;
        return key;
    }

    /// <summary>
    /// Reads the states of a round's keys the cache does not hold in one call, so that a store with a round trip per read
    /// pays one per round, not one per new key. On a clustered node only keys of owned buckets are read. A failure is left
    /// to <see cref="GetKeyAsync"/>, which reads each key again and handles the failure per item.
    /// </summary>
    private async ValueTask PrefetchKeysAsync(List<WorkItem> round, CancellationToken ct)
    {
        Dictionary<string, (WorkItem Item, LeaseFence? Fence)>? missing = null;
        var cluster = _runtime.Cluster;
        foreach (var item in round)
        {
            // A key to read again after a failed commit is read with its pending commands, by GetKeyAsync.
            if (_keys.ContainsKey(item.PartitionKey) || _rescan.Contains(item.PartitionKey))
            {
                continue;
            }

            LeaseFence? fence = null;
            if (cluster is not null && (fence = cluster.FenceOf(item.PartitionKey)) is null)
            {
                continue;
            }

            (missing ??= new Dictionary<string, (WorkItem, LeaseFence?)>(StringComparer.Ordinal)).TryAdd(item.PartitionKey, (item, fence));
        }

        if (missing is not { Count: > 1 })
        {
            return;
        }

        IReadOnlyDictionary<string, PartitionState> states;
        try
        {
            states = await _runtime.Store.LoadPartitionsAsync(missing.Keys, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return;
        }

        foreach (var (partitionKey, (item, fence)) in missing)
        {
            Hold(item, states.TryGetValue(partitionKey, out var state) ? state : PartitionState.Empty(partitionKey), fence);
        }
    }

    /// <summary>The commit with the key's bucket fence on a clustered node; the same commit otherwise.</summary>
    private static StepCommit Fenced(StepCommit commit, KeyRuntime key) =>
        key.Fence is { } fence && commit.Fence is null ? commit with { Fence = fence } : commit;

    /// <summary>On a clustered node whose buckets changed, drops the cached keys of buckets it no longer holds under the same epoch.</summary>
    private void DropKeysNoLongerOwned()
    {
        if (_runtime.Cluster is not { } cluster || cluster.Version == _clusterVersion)
        {
            return;
        }

        _clusterVersion = cluster.Version;
        foreach (var (partitionKey, key) in _keys)
        {
            if (!cluster.IsCurrent(key.Fence))
            {
                _keys.Remove(partitionKey);
                _rescan.Remove(partitionKey);
            }
        }
    }

    /// <summary>
    /// Keeps the key cache within its share of <see cref="OrchestratorSettings.KeyCacheCapacity"/>: past it, drops keys
    /// that have nothing in progress until three quarters are left, so the work is done in batches. Everything a dropped
    /// key knows is in the store; a key still to be handled in this batch is read from it again.
    /// </summary>
    private void TrimKeys()
    {
        if (_keys.Count <= _keyCapacity)
        {
            return;
        }

        var target = _keyCapacity * 3 / 4;
        foreach (var (partitionKey, key) in _keys)
        {
            if (_keys.Count <= target)
            {
                break;
            }

            if (key.IsSettled)
            {
                _keys.Remove(partitionKey);
            }
        }

        _evictionFloor = _maxPositionSeen;
    }

    private void Forget(string partitionKey)
    {
        if (_keys.Remove(partitionKey))
        {
            _rescan.Add(partitionKey);
        }
    }

    private async ValueTask<Staged?> HandleAsync(KeyRuntime key, WorkItem item, CancellationToken ct)
    {
        switch (item)
        {
            case EventWork ew:
                return await _runtime.Steps.ProcessEventAsync(key, ew.Event, ct).ConfigureAwait(false);
            case ResumeWork:
                // Its pending commands were read with the key; they are executed after the round's commit.
                return null;
            case ScanWork:
                // Remembered, so a key that is blocked now (e.g. a retry pending after a restart) reads its waiting events once free.
                key.NeedsScan = true;
                return new Staged(key) { ScanAfterCommit = true };
            case TimerWork tw when tw.Fence is not null && key.Fence != tw.Fence:
                // Read while the node held the bucket before: another node may have fired it since, and the node holds
                // the bucket again. The timer loop reads the store anew.
                _runtime.TimerAbandoned(tw.Timer.Id);
                return null;
            case TimerWork tw:
                return await HandleTimerAsync(key, tw.Timer, ct).ConfigureAwait(false);
            case OperatorWork ow:
                return await _runtime.Operations.HandleAsync(key, ow, ct).ConfigureAwait(false);
            case PartitionWork pw:
                return (await pw.Handler(key, ct).ConfigureAwait(false)) with { Completion = pw.Completion };
            default:
                return null;
        }
    }

    private async ValueTask<Staged?> HandleTimerAsync(KeyRuntime key, DurableTimer timer, CancellationToken ct)
    {
        var stage = new Staged(key)
        {
            Commit = new StepCommit { PartitionKey = key.State.Key, ExpectedVersion = key.State.Version, CancelledTimers = [timer.Id] },
            OnApplied = () => _runtime.TimerFinished(timer.Id),
        };

        if (string.Equals(timer.Purpose, TimerPurposes.Retry, StringComparison.Ordinal))
        {
            // Its pending commands were read with the key; the due one is executed after the timer's removal is committed.
            return stage;
        }

        if (string.Equals(timer.Purpose, QueryRetries.TimerPurpose, StringComparison.Ordinal))
        {
            // The key's waiting event is read again, first, once the timer's removal is committed.
            return !QueryRetries.IsWaiting(key.State) ? stage : stage with
            {
                ScanAfterCommit = true,
                OnApplied = () =>
                {
                    key.QueryRetryDue = true;
                    key.NeedsScan = true;
                    _runtime.TimerFinished(timer.Id);
                },
            };
        }

        if (!WorkflowTimers.IsReservedPurpose(timer.Purpose))
        {
            // A workflow's own timer: removed in the same commit that records its coming due as an event of the key, which
            // the key reads in order with its other events once the commit is in (an unreadable timer fails here instead).
            var elapsed = WorkflowTimers.Elapsed(timer, _runtime.Time.GetUtcNow());
            return stage with
            {
                Commit = stage.Commit! with { FollowUpEvents = [elapsed] },
                ScanAfterCommit = true,
                OnApplied = () =>
                {
                    key.NeedsScan = true;
                    _runtime.TimerFinished(timer.Id);
                },
            };
        }

        var handled = await _runtime.HandleTimerAsync(key, timer, ct).ConfigureAwait(false);
        return handled is null ? stage : handled with { OnApplied = stage.OnApplied };
    }

    private async ValueTask LoadPendingCommandsAsync(KeyRuntime key, CancellationToken ct)
    {
        var pending = await _runtime.Store.ReadPendingCommandsAsync(key.State.Key, ct).ConfigureAwait(false);
        key.Pending.Clear();
        key.Pending.AddRange(pending);
    }

    private async Task<List<WorkItem>> ScanAsync(KeyRuntime key, CancellationToken ct)
    {
        var result = new List<WorkItem>();
        if (key.IsBlocked)
        {
            return result;
        }

        key.NeedsScan = false;
        var pending = await _runtime.Store.ReadPendingEventsAsync(key.State.Key, key.LastProcessedPosition, int.MaxValue, ct).ConfigureAwait(false);
        foreach (var inboxEvent in pending)
        {
            _runtime.InFlightAdded();
            result.Add(new EventWork(inboxEvent));
        }

        return result;
    }

    /// <summary>
    /// Removes a timer whose data could not be read back <paramref name="attempts"/> times in a row, recording the
    /// problem (<see cref="ReasonCodes.StoreDataUnreadable"/>) in the partition's audit trail and the log.
    /// </summary>
    private Staged UnreadableTimer(KeyRuntime key, DurableTimer timer, int attempts, string problem)
    {
        var state = key.State;
        var digest = StateDigest.Describe(state);
        var draft = new AuditRecord
        {
            PartitionKey = state.Key,
            Sequence = 0,
            RecordedAt = _runtime.Time.GetUtcNow(),
            Actor = "system:orchestrator",
            Action = UnreadableTimerAction,
            Reason = string.Create(CultureInfo.InvariantCulture, $"{ReasonCodes.StoreDataUnreadable.Code}: {problem}; the timer '{timer.Id}' ({timer.Purpose}, due {timer.DueAt:O}) was removed without firing after {attempts} attempt(s)"),
            Before = digest,
            After = digest,
            PreviousHash = string.Empty,
            Hash = string.Empty,
        };
        var record = AuditHashes.Chain(state.AuditHead, draft, out var head);
        var newState = state with { Version = state.Version + 1, AuditHead = head };
        return new Staged(key)
        {
            Commit = new StepCommit { PartitionKey = state.Key, ExpectedVersion = state.Version, NewState = newState, Audit = [record], CancelledTimers = [timer.Id] },
            NewState = newState,
            OnApplied = () =>
            {
                _failedTimers.Remove(timer.Id);
                Log.TimerUnreadable(_runtime.Logger, timer.Id, timer.Purpose, state.Key, attempts, problem);
                _runtime.TimerFinished(timer.Id);
            },
        };
    }

    /// <summary>The audit action of a timer removed because its data could not be read back.</summary>
    internal const string UnreadableTimerAction = "timer-unreadable";

    private Staged PoisonEvent(KeyRuntime key, InboxEvent inboxEvent, ReasonCode code, string message)
    {
        var now = _runtime.Time.GetUtcNow();
        var deadLetterId = $"dl-{inboxEvent.Key.Source}-{inboxEvent.Key.Id}";
        var state = QueryRetries.Without(key.State);
        var step = new StepBuilder(state, inboxEvent, now);
        step.AddAudit("system:orchestrator", "step-failed", $"{code.Code}: {message}", null, null, StateDigest.Describe(state), "parked");
        var record = step.Audit[0];
        var head = step.Head;
        var newState = state with
        {
            Version = state.Version + 1,
            AuditHead = head,
            Parked = new ParkInfo { DeadLetterId = deadLetterId, Since = now, ReasonCode = code },
        };
        var deadLetter = new DeadLetter
        {
            Id = deadLetterId,
            PartitionKey = state.Key,
            Event = inboxEvent.Key,
            ReasonCode = code,
            Message = message,
            At = now,
            Site = inboxEvent.Envelope.Site?.Value,
        };
        return new Staged(key)
        {
            Commit = new StepCommit { PartitionKey = state.Key, ExpectedVersion = state.Version, NewState = newState, Audit = [record], DeadLetters = [deadLetter] },
            NewState = newState,
            OnApplied = () => _runtime.DeadLettered(deadLetter),
        };
    }

    private async Task ExecuteCommandsAsync(IEnumerable<KeyRuntime> keys, CancellationToken ct)
    {
        if (_runtime.Cluster is { } cluster)
        {
            keys = await StillOwnedAsync(cluster, keys, ct).ConfigureAwait(false);
        }

        List<Task<StepCommit?>>? running = null;
        List<StepCommit>? completions = null;
        List<KeyRuntime>? executed = null;
        foreach (var key in keys)
        {
            if (key.Pending.Count == 0 || key.State.IsParked)
            {
                continue;
            }

            var pendingTask = _runtime.Executor.ExecuteAsync(key, ct);
            (executed ??= []).Add(key);
            if (pendingTask.IsCompletedSuccessfully)
            {
                if (pendingTask.Result is { } completion)
                {
                    (completions ??= []).Add(Fenced(completion, key));
                }
            }
            else
            {
                (running ??= []).Add(pendingTask.AsTask());
            }
        }

        if (running is not null)
        {
            foreach (var task in running)
            {
                if (await task.ConfigureAwait(false) is { } completion)
                {
                    (completions ??= []).Add(completion);
                }
            }

            if (_runtime.Cluster is not null && completions is not null)
            {
                for (var i = 0; i < completions.Count; i++)
                {
                    if (completions[i].Fence is null && _keys.TryGetValue(completions[i].PartitionKey, out var owner))
                    {
                        completions[i] = Fenced(completions[i], owner);
                    }
                }
            }
        }

        if (completions is null)
        {
            return;
        }

        try
        {
            await CommitAsync(completions, ct).ConfigureAwait(false);
            foreach (var key in executed!)
            {
                _runtime.Executor.Applied(key);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The effects happened but their completion is not recorded: re-executing them later sends the same
            // idempotency keys, which the targets answer with "already applied" — here, or on the node that owns the
            // bucket now when the lease was lost.
            if (ex is LeaseLostException lost && _runtime.Cluster is { } owner)
            {
                owner.Lost(lost.Fence);
            }
            else
            {
                Log.StoreFailed(_runtime.Logger, ex, completions[0].PartitionKey);
            }

            // Resumed after the same short wait as other failed commits: a store that keeps failing is not retried,
            // and the commands re-sent, in a tight loop.
            var resume = new List<WorkItem>();
            foreach (var key in executed!)
            {
                _runtime.Executor.Discard(key);
                Forget(key.State.Key);
                _runtime.InFlightAdded();
                resume.Add(new ResumeWork(key.State.Key));
            }

            await RequeueLaterAsync(resume, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The keys whose commands may be sent: those of buckets this node still holds, confirmed in the store (one renewal
    /// per bucket) just before the send. A key of a bucket found lost is dropped with its planned commands unsent.
    /// </summary>
    private async Task<List<KeyRuntime>> StillOwnedAsync(ClusterCoordinator cluster, IEnumerable<KeyRuntime> keys, CancellationToken ct)
    {
        var confirmed = new Dictionary<string, bool>(StringComparer.Ordinal);
        var owned = new List<KeyRuntime>();
        List<WorkItem>? unconfirmed = null;
        foreach (var key in keys)
        {
            if (key.Pending.Count == 0 || key.State.IsParked)
            {
                continue;
            }

            if (key.Fence is not { LeaseKey: { } bucket } fence)
            {
                continue;
            }

            if (!confirmed.TryGetValue(bucket, out var ok))
            {
                try
                {
                    ok = await cluster.ConfirmAsync(fence, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Not confirmed is not sent: the key's pending commands are read again and tried shortly.
                    Log.StoreFailed(_runtime.Logger, ex, key.State.Key);
                    ok = false;
                }

                confirmed[bucket] = ok;
            }

            if (ok)
            {
                owned.Add(key);
            }
            else
            {
                Forget(key.State.Key);
                if (cluster.IsCurrent(fence))
                {
                    (unconfirmed ??= []).Add(new ResumeWork(key.State.Key));
                }
            }
        }

        if (unconfirmed is not null)
        {
            foreach (var _ in unconfirmed)
            {
                _runtime.InFlightAdded();
            }

            _ = Task.Run(() => RequeueLaterAsync(unconfirmed, ct), CancellationToken.None);
        }

        return owned;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Work on partition {PartitionKey} failed: a failed event is dead-lettered and the partition parked, an operator action is refused, a timer is tried again after a wait that doubles up to five minutes.")]
        public static partial void StepFailed(ILogger logger, Exception exception, string partitionKey);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The store failed for partition {PartitionKey}; the work is retried.")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string partitionKey);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "The durable timer {TimerId} ({Purpose}) of partition {PartitionKey} could not be read back after {Attempts} attempts; it was removed without firing, and the partition's audit trail records why (timer-unreadable): {Problem}")]
        public static partial void TimerUnreadable(ILogger logger, string timerId, string purpose, string partitionKey, int attempts, string problem);
    }
}

/// <summary>What handling one item of one key produced, applied to the key's cache once its commit is durable.</summary>
internal sealed record Staged(KeyRuntime Key)
{
    public StepCommit? Commit { get; init; }

    public PartitionState? NewState { get; init; }

    public IReadOnlyList<OutboxEntry> NewCommands { get; init; } = [];

    public long? ProcessedPosition { get; init; }

    public bool ScanAfterCommit { get; init; }

    public Action? OnApplied { get; init; }

    public TaskCompletionSource<OperatorActionResult>? Completion { get; init; }

    public OperatorActionResult? Result { get; init; }

    public void Apply()
    {
        if (NewState is not null)
        {
            Key.State = NewState;
        }

        if (ProcessedPosition is { } position && position > Key.LastProcessedPosition)
        {
            Key.LastProcessedPosition = position;
        }

        Key.Pending.AddRange(NewCommands);

        // A query retry that fired is over once its event no longer waits (processed, or dead-lettered): the key may then
        // be dropped from the cache like any key with nothing in progress.
        if (Key.QueryRetryDue && !QueryRetries.IsWaiting(Key.State))
        {
            Key.QueryRetryDue = false;
        }

        OnApplied?.Invoke();
    }
}

/// <summary>The purposes of the engine's own timers.</summary>
public static class TimerPurposes
{
    /// <summary>A retry of a partition's pending commands.</summary>
    public const string Retry = "retry";
}
