using System.Threading.Channels;
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
    private readonly OrchestratorRuntime _runtime;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, KeyRuntime> _keys = new(StringComparer.Ordinal);

    // Keys whose cache was dropped after a failed commit: when loaded again they re-read their pending events in order.
    private readonly HashSet<string> _rescan = new(StringComparer.Ordinal);
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

    /// <summary>
    /// Runs rounds until the items and what they lead to are done. A round whose commit does not finish at once (the
    /// store's writer is busy) stays in flight while the next round is handled: its keys' items wait for the round after,
    /// so each key still sees its own commits in order, and the next round's commit starts only once the one in flight
    /// is finished. A commit that finishes at once is finished at once, so a store that commits synchronously runs one
    /// round at a time.
    /// </summary>
    private async Task ProcessRoundsAsync(List<WorkItem> items, CancellationToken ct)
    {
        var round = items;
        Round? inFlight = null;
        try
        {
            while (round.Count > 0 || inFlight is not null)
            {
                var current = round.Count > 0 ? await HandleRoundAsync(round, inFlight, ct).ConfigureAwait(false) : null;
                var next = current?.Next ?? [];
                if (inFlight is not null)
                {
                    next = Resumed(await FinishAsync(inFlight, current, ct).ConfigureAwait(false), next);
                    inFlight = null;
                }

                if (current is not null)
                {
                    var commit = current.Commits.Count == 0 ? ValueTask.CompletedTask : CommitAsync(current.Commits, ct);
                    if (!commit.IsCompleted && HasWorkFor(next))
                    {
                        current.Commit = commit.AsTask();
                        inFlight = current;
                        round = next;
                        continue;
                    }

                    current.Commit = commit.IsCompletedSuccessfully ? null : commit.AsTask();
                    next = Resumed(await FinishAsync(current, null, ct).ConfigureAwait(false), next);
                }

                round = next;
            }
        }
        finally
        {
            if (inFlight?.Commit is { IsCompleted: false } abandoned)
            {
                // Stopping with a commit in flight: the loop ends only once the store is done with it.
                await abandoned.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The items the keys made free again continue first, before anything newer; then the rest in order.</summary>
    private static List<WorkItem> Resumed(List<WorkItem>? resumed, List<WorkItem> next)
    {
        if (resumed is not { Count: > 0 })
        {
            return next;
        }

        resumed.AddRange(next);
        return resumed;
    }

    /// <summary>Whether there is work to handle while a commit is in flight: tops the next round up from the queue.</summary>
    private bool HasWorkFor(List<WorkItem> next)
    {
        var reader = _queue.Reader;
        while (next.Count < _runtime.Options.Settings.MaxBatchSize && reader.TryRead(out var item))
        {
            next.Add(item);
        }

        return next.Count > 0;
    }

    /// <summary>
    /// Handles one item per key of the round (a key's later items, and those of keys whose commit is in flight, go to
    /// the next round) and stages what they produced, not yet committed.
    /// </summary>
    private async Task<Round> HandleRoundAsync(List<WorkItem> items, Round? inFlight, CancellationToken ct)
    {
        DropKeysNoLongerOwned();
        var round = new Round();
        var touched = round.Touched;
        await PrefetchKeysAsync(items, ct).ConfigureAwait(false);

        foreach (var item in items)
        {
            if (touched.ContainsKey(item.PartitionKey) || inFlight?.Touched.ContainsKey(item.PartitionKey) == true)
            {
                round.Next.Add(item);
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
                    if (!key.IsBlocked && !round.FreeScans.Contains(key))
                    {
                        round.FreeScans.Add(key);
                    }

                    Done(item);
                    continue;
                }
            }

            touched[item.PartitionKey] = key;
            round.Handled.Add(item);
            try
            {
                var stage = await HandleAsync(key, item, ct).ConfigureAwait(false);
                if (stage is not null)
                {
                    round.Staged.Add(stage);
                    if (stage.Commit is not null)
                    {
                        round.Commits.Add(Fenced(stage.Commit, key));
                    }

                    if (stage.ScanAfterCommit)
                    {
                        round.Scans.Add(key);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Log.StepFailed(_runtime.Logger, ex, item.PartitionKey);
                CompletionOf(item)?.TrySetResult(OperatorActionResult.Refused(ReasonCodes.StepFailed, $"{ex.GetType().Name}: {ex.Message}"));
                var poison = item is EventWork ew ? PoisonEvent(key, ew.Event, ex) : null;
                if (poison is not null)
                {
                    round.Staged.Add(poison);
                    round.Commits.Add(Fenced(poison.Commit!, key));
                }
            }
        }

        return round;
    }

    /// <summary>
    /// Once the round's commit is durable: applies what it staged, executes its commands, answers its callers and reads
    /// the pending events of keys that are free again (returned, to run before anything newer). A failed commit hands the
    /// round's items back to be tried again instead and returns <see langword="null"/>. The keys of
    /// <paramref name="following"/>, a round handled but not yet committed, stay in the cache.
    /// </summary>
    private async Task<List<WorkItem>?> FinishAsync(Round round, Round? following, CancellationToken ct)
    {
        if (round.Commit is { } commit)
        {
            try
            {
                await commit.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await CommitFailedAsync(ex, round, ct).ConfigureAwait(false);
                return null;
            }
        }

        foreach (var stage in round.Staged)
        {
            stage.Apply();
        }

        await ExecuteCommandsAsync(round.Touched.Values, ct).ConfigureAwait(false);

        foreach (var stage in round.Staged)
        {
            stage.Completion?.TrySetResult(stage.Result ?? OperatorActionResult.Done("done"));
        }

        // Keys that are free again continue with what waited for them, before anything newer.
        List<WorkItem>? resumed = null;
        foreach (var key in round.Touched.Values.Concat(round.FreeScans.Where(k => !round.Touched.ContainsKey(k.State.Key))))
        {
            if (!key.IsBlocked && (key.NeedsScan || round.Scans.Contains(key)))
            {
                (resumed ??= []).AddRange(await ScanAsync(key, ct).ConfigureAwait(false));
            }
        }

        // Before the handled items let the orchestrator look idle, so an idle orchestrator's cache is within bounds.
        TrimKeys(following?.Touched);

        // Only now, with the work they unblocked counted, may the handled items let the orchestrator look idle.
        foreach (var item in round.Handled)
        {
            Done(item);
        }

        return resumed;
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

    /// <summary>
    /// Nothing of the round is committed: forgets its cached keys and tries the same items again shortly. A lost lease
    /// drops its bucket first (logged once, there): the retried items of its keys are let go, not retried.
    /// </summary>
    private async Task CommitFailedAsync(Exception ex, Round round, CancellationToken ct)
    {
        if (ex is LeaseLostException lost && _runtime.Cluster is { } cluster)
        {
            cluster.Lost(lost.Fence);
        }
        else
        {
            Log.StoreFailed(_runtime.Logger, ex, round.Commits[0].PartitionKey);
        }

        foreach (var stage in round.Staged)
        {
            Forget(stage.Key.State.Key);
        }

        var retry = new List<WorkItem>();
        var rescans = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in round.Handled)
        {
            if (CompletionOf(item) is { } completion)
            {
                completion.TrySetResult(OperatorActionResult.Refused(ReasonCodes.ConcurrencyConflict, $"The store refused the commit: {ex.Message}"));
                Done(item);
            }
            else if (item is EventWork)
            {
                // The event stays pending in the store; its key re-reads its pending events in order.
                Forget(item.PartitionKey);
                if (rescans.Add(item.PartitionKey))
                {
                    retry.Add(new ScanWork(item.PartitionKey));
                    _runtime.InFlightAdded();
                }

                Done(item);
            }
            else
            {
                retry.Add(item);
            }
        }

        await RequeueLaterAsync(retry, ct).ConfigureAwait(false);
    }

    private async Task RequeueLaterAsync(List<WorkItem> items, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(200), _runtime.Time, ct).ConfigureAwait(false);
        foreach (var item in items)
        {
            _runtime.InFlightAdded();
            _queue.Writer.TryWrite(item);
            Done(item);
        }
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
        return Hold(item, state, fence);
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
            if (_keys.ContainsKey(item.PartitionKey))
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
    /// key knows is in the store; a key still to be handled in this batch is read from it again. The keys of
    /// <paramref name="keep"/>, handled in a round whose commit is still to come, are not dropped.
    /// </summary>
    private void TrimKeys(Dictionary<string, KeyRuntime>? keep)
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

            if (key.IsSettled && keep?.ContainsKey(partitionKey) != true)
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
                await LoadPendingCommandsAsync(key, ct).ConfigureAwait(false);
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
            await LoadPendingCommandsAsync(key, ct).ConfigureAwait(false);
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

    private Staged PoisonEvent(KeyRuntime key, InboxEvent inboxEvent, Exception ex)
    {
        var now = _runtime.Time.GetUtcNow();
        var deadLetterId = $"dl-{inboxEvent.Key.Source}-{inboxEvent.Key.Id}";
        var state = QueryRetries.Without(key.State);
        var step = new StepBuilder(state, inboxEvent, now);
        step.AddAudit("system:orchestrator", "step-failed", $"{ReasonCodes.StepFailed.Code}: {ex.GetType().Name}: {ex.Message}", null, null, StateDigest.Describe(state), "parked");
        var record = step.Audit[0];
        var head = step.Head;
        var newState = state with
        {
            Version = state.Version + 1,
            AuditHead = head,
            Parked = new ParkInfo { DeadLetterId = deadLetterId, Since = now, ReasonCode = ReasonCodes.StepFailed },
        };
        var deadLetter = new DeadLetter
        {
            Id = deadLetterId,
            PartitionKey = state.Key,
            Event = inboxEvent.Key,
            ReasonCode = ReasonCodes.StepFailed,
            Message = $"{ex.GetType().Name}: {ex.Message}",
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

            foreach (var key in executed!)
            {
                _runtime.Executor.Discard(key);
                Forget(key.State.Key);
                _runtime.InFlightAdded();
                _queue.Writer.TryWrite(new ResumeWork(key.State.Key));
            }
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
        [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "A workflow step failed for partition {PartitionKey}; the event is dead-lettered and the partition parked.")]
        public static partial void StepFailed(ILogger logger, Exception exception, string partitionKey);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The store failed for partition {PartitionKey}; the work is retried.")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string partitionKey);
    }
}

/// <summary>One round of a worker: the keys it handled, what they staged, and the commit that makes it durable.</summary>
internal sealed class Round
{
    /// <summary>The keys handled in the round, one item each.</summary>
    public Dictionary<string, KeyRuntime> Touched { get; } = new(StringComparer.Ordinal);

    public List<Staged> Staged { get; } = [];

    public List<StepCommit> Commits { get; } = [];

    /// <summary>The items handled, done once the round is finished (or handed back when its commit failed).</summary>
    public List<WorkItem> Handled { get; } = [];

    /// <summary>Keys that read their pending events once the commit is durable.</summary>
    public List<KeyRuntime> Scans { get; } = [];

    /// <summary>Keys not handled whose events wait in the store to be read again while they are free.</summary>
    public List<KeyRuntime> FreeScans { get; } = [];

    /// <summary>The items left for the next round, in order.</summary>
    public List<WorkItem> Next { get; } = [];

    /// <summary>The store commit while it is in flight or once it failed; <see langword="null"/> when it succeeded at once or there was none.</summary>
    public Task? Commit { get; set; }
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
        OnApplied?.Invoke();
    }
}

/// <summary>The purposes of the engine's own timers.</summary>
public static class TimerPurposes
{
    /// <summary>A retry of a partition's pending commands.</summary>
    public const string Retry = "retry";
}
