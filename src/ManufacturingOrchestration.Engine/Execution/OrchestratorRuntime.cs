using System.Collections.Concurrent;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>What the workers of one orchestrator share: configuration, collaborators, routing, back-pressure and idle tracking.</summary>
internal sealed class OrchestratorRuntime
{
    private readonly ConcurrentDictionary<string, byte> _timersInFlight = new(StringComparer.Ordinal);

    /// <summary>Recently fired timers, by the value of <see cref="_timersFired"/> when each fired.</summary>
    private readonly Dictionary<string, long> _firedTimers = new(StringComparer.Ordinal);
    private long _timersFired;
    private readonly SemaphoreSlim _capacity;
    private readonly SemaphoreSlim _capacityGate;
    private readonly object _idleLock = new();
    private readonly Random _jitter;
    private readonly Lock _jitterGate = new();
    private TaskCompletionSource _idle = NewSignal(completed: true);
    private TaskCompletionSource _timerSignal = NewSignal(completed: false);
    private long _inFlight;

    public OrchestratorRuntime(OrchestratorOptions options, OrchestrationTelemetry telemetry)
    {
        Options = options;
        Store = options.Store;
        Time = options.TimeProvider;
        Logger = options.LoggerFactory?.CreateLogger("ManufacturingOrchestration.Engine") ?? NullLogger.Instance;
        Workflows = new WorkflowRegistry(options.Workflows);
        Telemetry = telemetry;
        Capacity = options.Settings.QueueCapacity * options.Settings.Parallelism;
        _capacity = new SemaphoreSlim(Capacity);
        _capacityGate = new SemaphoreSlim(1, 1);
        _jitter = options.Settings.JitterSeed is { } seed ? new Random(seed) : Random.Shared;
        Steps = new StepProcessor(this);
        Executor = new CommandExecutor(this);
        Operations = new OperationsHandler(this);
        Approvals = new ApprovalProcessor(this);
        AuditSinks = options.AuditSinks.Count > 0 ? new AuditSinkRunner(this, [.. options.AuditSinks], options.Settings.AuditSinkDelivery) : null;
        Cluster = options.Settings.Cluster.Enabled ? new ClusterCoordinator(this) : null;
        Workers = new PartitionWorker[options.Settings.Parallelism];
        for (var i = 0; i < Workers.Length; i++)
        {
            Workers[i] = new PartitionWorker(this, i);
        }
    }

    public OrchestratorOptions Options { get; }

    /// <summary>The back-pressure bound: accepted events that may wait in memory, QueueCapacity × Parallelism.</summary>
    public int Capacity { get; }

    /// <summary>
    /// The delay before retry <paramref name="attempt"/> under <see cref="OrchestratorSettings.Retry"/>, with jitter from
    /// one generator shared by every worker (seeded by <see cref="OrchestratorSettings.JitterSeed"/> when set): a seeded
    /// <see cref="Random"/> is not thread-safe, so draws are serialized.
    /// </summary>
    public TimeSpan NextRetryDelay(int attempt, TimeSpan? retryAfter)
    {
        lock (_jitterGate)
        {
            return Options.Settings.Retry.NextDelay(attempt, retryAfter, _jitter);
        }
    }

    public IOrchestrationStore Store { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public WorkflowRegistry Workflows { get; }

    public OrchestrationTelemetry Telemetry { get; }

    public StepProcessor Steps { get; }

    public CommandExecutor Executor { get; }

    public OperationsHandler Operations { get; }

    public ApprovalProcessor Approvals { get; }

    public PartitionWorker[] Workers { get; }

    /// <summary>The bucket leases of a clustered node, or <see langword="null"/> when the node has the store to itself.</summary>
    public ClusterCoordinator? Cluster { get; }

    /// <summary>The delivery of audit records to the registered sinks, or <see langword="null"/> when there are none.</summary>
    public AuditSinkRunner? AuditSinks { get; }

    /// <summary>
    /// The audit heads this node committed since its last checkpoint took them (a node that has the store to itself; a
    /// clustered node's checkpoint reads the heads from the store). Checkpointed entries are removed, so this holds a
    /// checkpoint interval's partitions rather than every partition the process ever touched.
    /// </summary>
    public ConcurrentDictionary<string, PackedAuditHead> Heads { get; } = new(StringComparer.Ordinal);

    /// <summary>The store commits whose heads may not be in <see cref="Heads"/> yet (entered before the write, exited after <see cref="NotifyCommitted"/>).</summary>
    public CommitEpochs Commits { get; } = new();

    public long OpenDeadLetters;

    public Task TimerSignal => Volatile.Read(ref _timerSignal).Task;

    public void Route(WorkItem item)
    {
        if (Cluster is { } cluster && !cluster.Owns(item.PartitionKey))
        {
            NotOwned(item);
            return;
        }

        Workers[WorkerOf(item.PartitionKey)].Enqueue(item);
    }

    /// <summary>
    /// Lets go of work for a key whose bucket another node owns: what is durable in the store is that node's to do; an
    /// operator's request is refused, naming why.
    /// </summary>
    public void NotOwned(WorkItem item)
    {
        switch (item)
        {
            case EventWork { HoldsCapacity: true } ew:
                ReleaseCapacity(ew);
                break;
            case TimerWork tw:
                _timersInFlight.TryRemove(tw.Timer.Id, out _);
                break;
            case OperatorWork ow:
                ow.Completion.TrySetResult(OperatorActionResult.Refused(ReasonCodes.LeaseLost, $"Partition '{item.PartitionKey}' is owned by another node of the cluster; ask again there or once its bucket moved."));
                break;
            case PartitionWork pw:
                pw.Completion.TrySetResult(OperatorActionResult.Refused(ReasonCodes.LeaseLost, $"Partition '{item.PartitionKey}' is owned by another node of the cluster; ask again there or once its bucket moved."));
                break;
        }
    }

    public int WorkerOf(string partitionKey)
    {
        // FNV-1a: stable across processes, so a key always lands on the same worker index.
        var hash = 2166136261u;
        foreach (var c in partitionKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)Workers.Length);
    }

    /// <summary>
    /// Takes <paramref name="count"/> queue slots (at most the whole capacity) for one batch, all or none. One batch
    /// takes its slots at a time: batches taking them a slot at a time side by side could share the capacity between
    /// them, each wait for the rest, and nothing in flight would free another. Cancelled, it gives back what it took.
    /// </summary>
    public async ValueTask AcquireCapacityAsync(int count, CancellationToken ct)
    {
        // More than the whole capacity could never be taken: the gate would be held forever.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        await _capacityGate.WaitAsync(ct).ConfigureAwait(false);
        var held = 0;
        try
        {
            for (; held < count; held++)
            {
                if (!_capacity.Wait(0))
                {
                    await _capacity.WaitAsync(ct).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            if (held > 0)
            {
                _capacity.Release(held);
            }

            throw;
        }
        finally
        {
            _capacityGate.Release();
        }
    }

    public void ReleaseCapacity() => _capacity.Release();

    public void ReleaseCapacity(EventWork work) => _capacity.Release();

    public void InFlightAdded()
    {
        if (Interlocked.Increment(ref _inFlight) == 1)
        {
            lock (_idleLock)
            {
                if (_idle.Task.IsCompleted)
                {
                    _idle = NewSignal(completed: false);
                }
            }
        }
    }

    public void InFlightDone()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            lock (_idleLock)
            {
                if (Volatile.Read(ref _inFlight) == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    public long InFlight => Volatile.Read(ref _inFlight);

    public Task IdleTask
    {
        get
        {
            lock (_idleLock)
            {
                return _idle.Task;
            }
        }
    }

    public void NotifyCommitted(IReadOnlyList<StepCommit> commits)
    {
        var audited = false;
        foreach (var commit in commits)
        {
            audited |= commit.Audit.Count > 0;
            if (commit.NewState is { } state && commit.Audit.Count > 0 && Cluster is null)
            {
                Heads[state.Key] = PackedAuditHead.Pack(state.AuditHead);
            }
        }

        if (audited)
        {
            AuditSinks?.Committed();
        }
    }

    public void Scan(IEnumerable<InboxEvent> accepted)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var inboxEvent in accepted)
        {
            if (seen.Add(inboxEvent.PartitionKey))
            {
                Route(new ScanWork(inboxEvent.PartitionKey));
            }
        }
    }

    public void TimerScheduled() => Interlocked.Exchange(ref _timerSignal, NewSignal(completed: false)).TrySetResult();

    /// <summary>The count of timers fired so far: taken before the store's due timers are read (see <see cref="TryStartTimer"/>).</summary>
    public long TimersFired
    {
        get
        {
            lock (_firedTimers)
            {
                return _timersFired;
            }
        }
    }

    /// <summary>
    /// Marks a timer read from the store as in flight, unless it is already, or it fired after
    /// <paramref name="readAfter"/> (<see cref="TimersFired"/> before the read): a read that began before a fire's
    /// commit may still have returned the timer that commit removed, and must not fire it again.
    /// </summary>
    public bool TryStartTimer(string id, long readAfter)
    {
        lock (_firedTimers)
        {
            return !(_firedTimers.TryGetValue(id, out var fired) && fired > readAfter) && _timersInFlight.TryAdd(id, 0);
        }
    }

    /// <summary>Forgets the fires no read begun after <paramref name="readAfter"/> can be stale about.</summary>
    public void ForgetFiredTimers(long readAfter)
    {
        lock (_firedTimers)
        {
            foreach (var (id, fired) in _firedTimers)
            {
                if (fired <= readAfter)
                {
                    _firedTimers.Remove(id);
                }
            }
        }
    }

    /// <summary>A timer fired: its removal from the store is committed.</summary>
    public void TimerFinished(string id)
    {
        lock (_firedTimers)
        {
            _firedTimers[id] = ++_timersFired;
            _timersInFlight.TryRemove(id, out _);
        }

        TimerScheduled();
    }

    /// <summary>A timer read under an earlier tenure of its bucket is let go unfired; the timer loop reads the store again.</summary>
    public void TimerAbandoned(string id)
    {
        _timersInFlight.TryRemove(id, out _);
        TimerScheduled();
    }

    public ValueTask<Staged?> HandleTimerAsync(KeyRuntime key, DurableTimer timer, CancellationToken ct) =>
        string.Equals(timer.Purpose, StepDeadlines.Purpose, StringComparison.Ordinal)
            ? new ValueTask<Staged?>(StepDeadlines.OnTimer(this, key, timer))
            : Approvals.OnTimerAsync(key, timer, ct);

    public void DeadLettered(DeadLetter deadLetter)
    {
        Interlocked.Increment(ref OpenDeadLetters);
        Telemetry.DeadLettered(deadLetter.Site);
    }

    public void DeadLetterResolved() => Interlocked.Decrement(ref OpenDeadLetters);

    private static TaskCompletionSource NewSignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            signal.SetResult();
        }

        return signal;
    }
}
