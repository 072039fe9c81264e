using System.Collections.Concurrent;
using ManufacturingOrchestration.Engine.Audit;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// The in-memory implementation of <see cref="IOrchestrationStore"/>: fast, thread-safe, and lost with the process.
/// For tests, samples and benchmarks; use a durable store in production.
/// </summary>
/// <remarks>
/// Each partition has its own lock; a commit locks the partitions it touches in ordinal key order, validates every
/// commit of the batch, and only then applies them, so a failed validation leaves nothing visible. There is no lock
/// shared by all partitions on the commit path: the cross-partition indexes (keys by what their instances wait for,
/// audit records by action) are lock-free concurrent collections updated while the committing partitions are locked.
/// A read of those indexes that runs during a group commit may see some partitions of it and not yet others.
/// The audit feed is the one structure every commit with audit records shares: a list whose index is the feed position,
/// appended to under a short lock of its own, once per group commit, while the committing partitions are locked.
/// <para>
/// Processed inbox entries and finished commands older than <see cref="InMemoryStoreOptions.RetentionWindow"/> are
/// pruned every <see cref="InMemoryStoreOptions.PruneInterval"/> on the store's clock, so what a long run keeps grows
/// with the window, not with everything ever accepted. Dispose the store to stop the timer; a store that is never
/// disposed is still collected once nothing else refers to it (the timer holds it weakly). Of the audit checkpoints, the
/// latest <see cref="CheckpointsKept"/> are kept (the durable stores keep every one).
/// </para>
/// </remarks>
public sealed class InMemoryOrchestrationStore : IOrchestrationStore, IDisposable
{
    /// <summary>
    /// How many audit checkpoints the store keeps, the latest ones: each holds every partition's head, and one is
    /// appended every checkpoint interval while anything is audited, so keeping them all would grow by a copy of every
    /// head a minute. The verifier reads the latest two.
    /// </summary>
    public const int CheckpointsKept = 16;

    private readonly ConcurrentDictionary<EventKey, InboxSlot> _inbox = new();
    private readonly ConcurrentDictionary<string, PartitionSlot> _partitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OutboxEntry> _commands = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeadLetter> _deadLetters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DurableTimer> _timers = new(StringComparer.Ordinal);
    private readonly List<AuditCheckpoint> _checkpoints = [];
    private readonly List<RejectedEvent> _rejections = [];
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _waitingFor = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<AuditRecord>> _auditByAction = new(StringComparer.Ordinal);
    private readonly List<AuditRecord> _auditFeed = []; // the record at index i has feed position i + 1; guarded by _auditFeedGate
    private readonly Lock _auditFeedGate = new();
    private readonly ConcurrentDictionary<string, long> _auditSinkCursors = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan? _retentionWindow;
    private readonly ITimer? _pruneTimer;
    private long _position;
    private int _pruning;
    private long _lastPruneCutOffTicks = -1;
    private volatile bool _disposed;

    /// <summary>Creates an empty store with the default <see cref="InMemoryStoreOptions"/> on the system clock.</summary>
    public InMemoryOrchestrationStore()
        : this(null)
    {
    }

    /// <summary>Creates an empty store.</summary>
    /// <param name="options">The settings; the defaults when <see langword="null"/>. Read once, here.</param>
    /// <param name="timeProvider">
    /// The clock of automatic pruning; <see cref="TimeProvider.System"/> when <see langword="null"/>. Use the orchestrator's
    /// clock: the retention window is measured against the times the orchestrator stamps on events and commands.
    /// </param>
    /// <exception cref="ArgumentException">A setting is out of range (the message names it).</exception>
    public InMemoryOrchestrationStore(InMemoryStoreOptions? options, TimeProvider? timeProvider = null)
    {
        options ??= new InMemoryStoreOptions();
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _retentionWindow = options.RetentionWindow;
        if (_retentionWindow is not null)
        {
            var ticker = new PruneTicker(new WeakReference<InMemoryOrchestrationStore>(this));
            _pruneTimer = _time.CreateTimer(static state => ((PruneTicker)state!).Tick(), ticker, options.PruneInterval, options.PruneInterval);
            ticker.Timer = _pruneTimer;
        }
    }

    /// <summary>
    /// The cut-off of the latest automatic prune that completed (<see cref="InMemoryStoreOptions.RetentionWindow"/> before
    /// the store's clock at that prune's tick), or <see langword="null"/> before the first: what the retention window has
    /// removed so far, for a health check or a test that moved the clock.
    /// </summary>
    public DateTimeOffset? LastPruneCutOff => Interlocked.Read(ref _lastPruneCutOffTicks) is var ticks and >= 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InboxEvent>> AcceptAsync(IReadOnlyList<InboxEvent> events, bool[] accepted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(accepted);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<InboxEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var slot = GetPartition(events[i].PartitionKey);
            lock (slot)
            {
                var stored = TryAcceptLocked(slot, events[i]);
                accepted[i] = stored is not null;
                if (stored is not null)
                {
                    result.Add(stored);
                }
            }
        }

        return new ValueTask<IReadOnlyList<InboxEvent>>(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InboxEvent>> ReadPendingEventsAsync(string? partitionKey, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<InboxEvent>();
        if (partitionKey is not null)
        {
            if (_partitions.TryGetValue(partitionKey, out var slot))
            {
                lock (slot)
                {
                    foreach (var pending in slot.PendingEventsOrEmpty)
                    {
                        if (pending.Position > afterPosition)
                        {
                            result.Add(pending);
                            if (result.Count >= maxCount)
                            {
                                break;
                            }
                        }
                    }
                }
            }

            return new ValueTask<IReadOnlyList<InboxEvent>>(result);
        }

        foreach (var slot in _partitions.Values)
        {
            lock (slot)
            {
                foreach (var pending in slot.PendingEventsOrEmpty)
                {
                    if (pending.Position > afterPosition)
                    {
                        result.Add(pending);
                    }
                }
            }
        }

        result.Sort(static (a, b) => a.Position.CompareTo(b.Position));
        if (result.Count > maxCount)
        {
            result.RemoveRange(maxCount, result.Count - maxCount);
        }

        return new ValueTask<IReadOnlyList<InboxEvent>>(result);
    }

    /// <inheritdoc />
    public ValueTask<PartitionState?> LoadPartitionAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_partitions.TryGetValue(partitionKey, out var slot))
        {
            lock (slot)
            {
                return new ValueTask<PartitionState?>(slot.State);
            }
        }

        return new ValueTask<PartitionState?>((PartitionState?)null);
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        cancellationToken.ThrowIfCancellationRequested();
        if (commits.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var slots = LockSet(commits);
        var taken = 0;
        try
        {
            for (; taken < slots.Length; taken++)
            {
                Monitor.Enter(slots[taken]);
            }

            // Validate everything first: nothing is applied unless all of it can be. Each locked slot tracks the version
            // and audit length the commits before it in this batch would leave (a key may appear more than once).
            foreach (var slot in slots)
            {
                slot.PlannedVersion = slot.State?.Version ?? 0;
                slot.PlannedAuditCount = slot.Audit.Count;
            }

            // Fences first, under the same partition locks as the writes: a takeover (TryAcquireLeaseGrantAsync locks the
            // partition too) happens wholly before this check or wholly after the batch is applied.
            foreach (var commit in commits)
            {
                if (commit.Fence is { } fence)
                {
                    var slot = _partitions[fence.LeaseKey ?? commit.PartitionKey];
                    if (!string.Equals(slot.LeaseOwner, fence.Owner, StringComparison.Ordinal) || slot.LeaseEpoch != fence.Epoch)
                    {
                        throw new LeaseLostException(commit.PartitionKey, fence);
                    }
                }
            }

            foreach (var commit in commits)
            {
                var slot = _partitions[commit.PartitionKey];
                if (slot.PlannedVersion != commit.ExpectedVersion)
                {
                    throw new ConcurrencyConflictException(commit.PartitionKey, commit.ExpectedVersion, slot.PlannedVersion);
                }

                commit.ThrowIfInconsistent();
                if (commit.NewState is { } state)
                {
                    slot.PlannedVersion = state.Version;
                }

                slot.PlannedAuditCount = ValidateAudit(slot.PlannedAuditCount, commit);
            }

            foreach (var commit in commits)
            {
                Apply(_partitions[commit.PartitionKey], commit);
            }

            AppendToAuditFeed(commits);
        }
        finally
        {
            for (var i = taken - 1; i >= 0; i--)
            {
                Monitor.Exit(slots[i]);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadPendingCommandsAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_partitions.TryGetValue(partitionKey, out var slot))
        {
            return new ValueTask<IReadOnlyList<OutboxEntry>>(Array.Empty<OutboxEntry>());
        }

        lock (slot)
        {
            return new ValueTask<IReadOnlyList<OutboxEntry>>(slot.PendingCommands is { } pending ? [.. pending.Values] : Array.Empty<OutboxEntry>());
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWithPendingCommandsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new List<string>();
        foreach (var (key, slot) in _partitions)
        {
            lock (slot)
            {
                if (slot.PendingCommands is not null)
                {
                    keys.Add(key);
                }
            }
        }

        return new ValueTask<IReadOnlyList<string>>(keys);
    }

    /// <inheritdoc />
    public ValueTask<OutboxEntry?> ReadCommandAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<OutboxEntry?>(_commands.TryGetValue(idempotencyKey, out var entry) ? entry : null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadCommandsCausedByAsync(EventKey causedBy, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = _commands.Values.Where(c => c.CausedBy == causedBy).OrderBy(c => c.Ordinal).ThenBy(c => c.CreatedAt).ToArray();
        return new ValueTask<IReadOnlyList<OutboxEntry>>(result);
    }

    /// <inheritdoc />
    public ValueTask<InboxEvent?> ReadEventAsync(EventKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_inbox.TryGetValue(key, out var inboxSlot))
        {
            return new ValueTask<InboxEvent?>((InboxEvent?)null);
        }

        if (inboxSlot.Processed)
        {
            return new ValueTask<InboxEvent?>(inboxSlot.Event);
        }

        foreach (var slot in _partitions.Values)
        {
            lock (slot)
            {
                foreach (var pending in slot.PendingEventsOrEmpty)
                {
                    if (pending.Key == key)
                    {
                        return new ValueTask<InboxEvent?>(pending);
                    }
                }
            }
        }

        return new ValueTask<InboxEvent?>((InboxEvent?)null);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.MaxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var result = _deadLetters.Values
            .Where(d => (!query.OnlyOpen || d.IsOpen)
                && (query.PartitionKey is null || d.PartitionKey == query.PartitionKey)
                && (query.Site is null || d.Site == query.Site)
                && (query.Id is null || d.Id == query.Id)
                && (query.From is null || d.At >= query.From)
                && (query.To is null || d.At < query.To))
            .OrderBy(d => d.At).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Take(query.MaxCount)
            .ToArray();
        return new ValueTask<IReadOnlyList<DeadLetter>>(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DurableTimer>> ReadDueTimersAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var result = _timers.Values.Where(t => t.DueAt <= dueBy).OrderBy(t => t.DueAt).ThenBy(t => t.Id, StringComparer.Ordinal).Take(maxCount).ToArray();
        return new ValueTask<IReadOnlyList<DurableTimer>>(result);
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> ReadNextTimerDueAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset? next = null;
        foreach (var timer in _timers.Values)
        {
            if (next is null || timer.DueAt < next)
            {
                next = timer.DueAt;
            }
        }

        return new ValueTask<DateTimeOffset?>(next);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAsync(string partitionKey, long fromSequence, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_partitions.TryGetValue(partitionKey, out var slot))
        {
            return new ValueTask<IReadOnlyList<AuditRecord>>(Array.Empty<AuditRecord>());
        }

        lock (slot)
        {
            var start = (int)Math.Max(0, fromSequence - 1);
            var result = start >= slot.Audit.Count ? [] : slot.Audit.GetRange(start, slot.Audit.Count - start).ToArray();
            return new ValueTask<IReadOnlyList<AuditRecord>>(result);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// In memory the by-action index and the feed hold the chain's own record objects, so the action and time a record
    /// is filed under are its hashed content; the sequence is its place in the chain and the position the one the feed
    /// gave that sequence.
    /// </remarks>
    public ValueTask<IReadOnlyList<AuditStoredRecord>> ReadAuditStoredAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_partitions.TryGetValue(partitionKey, out var slot))
        {
            return new ValueTask<IReadOnlyList<AuditStoredRecord>>(Array.Empty<AuditStoredRecord>());
        }

        lock (slot)
        {
            var result = new AuditStoredRecord[slot.Audit.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var record = slot.Audit[i];
                var positionIndex = record.Sequence - 1;
                result[i] = new AuditStoredRecord
                {
                    Record = record,
                    PartitionKey = partitionKey,
                    Sequence = i + 1,
                    Action = record.Action,
                    RecordedAt = record.RecordedAt,
                    Position = positionIndex >= 0 && positionIndex < slot.AuditPositions.Count ? slot.AuditPositions[(int)positionIndex] : 0,
                };
            }

            return new ValueTask<IReadOnlyList<AuditStoredRecord>>(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadAuditPartitionsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new List<string>();
        foreach (var (key, slot) in _partitions)
        {
            lock (slot)
            {
                if (slot.Audit.Count > 0)
                {
                    keys.Add(key);
                }
            }
        }

        return new ValueTask<IReadOnlyList<string>>(keys);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditByActionAsync(string action, DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_auditByAction.TryGetValue(action, out var records))
        {
            return new ValueTask<IReadOnlyList<AuditRecord>>(Array.Empty<AuditRecord>());
        }

        // The queue is in commit order; a stable sort by time keeps that order among records of the same moment.
        var result = records.Where(r => (from is null || r.RecordedAt >= from) && (to is null || r.RecordedAt < to)).OrderBy(r => r.RecordedAt).Take(maxCount).ToArray();
        return new ValueTask<IReadOnlyList<AuditRecord>>(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWaitingForAsync(string waitingFor, string? afterKey, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(waitingFor);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_waitingFor.TryGetValue(waitingFor, out var keys))
        {
            return new ValueTask<IReadOnlyList<string>>(Array.Empty<string>());
        }

        var result = keys.Keys.Where(k => afterKey is null || string.CompareOrdinal(k, afterKey) > 0).Order(StringComparer.Ordinal).Take(maxCount).ToArray();
        return new ValueTask<IReadOnlyList<string>>(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditFeedEntry>> ReadAuditFeedAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_auditFeedGate)
        {
            // The record after position p is at index p.
            if (afterPosition >= _auditFeed.Count || maxCount == 0)
            {
                return new ValueTask<IReadOnlyList<AuditFeedEntry>>(Array.Empty<AuditFeedEntry>());
            }

            var start = (int)afterPosition;
            var result = new AuditFeedEntry[Math.Min(maxCount, _auditFeed.Count - start)];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new AuditFeedEntry { Position = start + i + 1, Record = _auditFeed[start + i] };
            }

            return new ValueTask<IReadOnlyList<AuditFeedEntry>>(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> ReadAuditSinkCursorAsync(string sinkName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<long>(_auditSinkCursors.TryGetValue(sinkName, out var position) ? position : 0);
    }

    /// <inheritdoc />
    public ValueTask<bool> TrySaveAuditSinkCursorAsync(string sinkName, long expectedPosition, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedPosition);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(position, expectedPosition);
        cancellationToken.ThrowIfCancellationRequested();

        // Saved positions are positive, so "none saved" and "saved at 0" are one state.
        var saved = expectedPosition == 0
            ? _auditSinkCursors.TryAdd(sinkName, position)
            : _auditSinkCursors.TryUpdate(sinkName, position, expectedPosition);
        return new ValueTask<bool>(saved);
    }

    /// <inheritdoc />
    public ValueTask AppendCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_checkpoints)
        {
            var latest = _checkpoints.Count == 0 ? 0 : _checkpoints[^1].Number;
            if (checkpoint.Number != latest + 1)
            {
                throw new AuditCheckpointConflictException(checkpoint.Number, latest);
            }

            _checkpoints.Add(checkpoint);
            if (_checkpoints.Count > CheckpointsKept)
            {
                _checkpoints.RemoveAt(0);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<AuditCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_checkpoints)
        {
            return new ValueTask<AuditCheckpoint?>(_checkpoints.Count == 0 ? null : _checkpoints[^1]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditCheckpoint>> ReadLatestCheckpointsAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_checkpoints)
        {
            var count = Math.Min(maxCount, _checkpoints.Count);
            var result = new AuditCheckpoint[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = _checkpoints[_checkpoints.Count - 1 - i];
            }

            return new ValueTask<IReadOnlyList<AuditCheckpoint>>(result);
        }
    }

    /// <summary>Lets tests tamper with the stored checkpoints (oldest first) to prove that verification detects it.</summary>
    internal void TamperWithCheckpoints(Action<List<AuditCheckpoint>> tamper)
    {
        lock (_checkpoints)
        {
            tamper(_checkpoints);
        }
    }

    /// <inheritdoc />
    public ValueTask RecordRejectionAsync(RejectedEvent rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_rejections)
        {
            _rejections.Add(rejected);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RejectedEvent>> ReadRejectionsAsync(DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_rejections)
        {
            var result = _rejections.Where(r => (from is null || r.ReceivedAt >= from) && (to is null || r.ReceivedAt < to)).OrderBy(r => r.ReceivedAt).Take(maxCount).ToArray();
            return new ValueTask<IReadOnlyList<RejectedEvent>>(result);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAcquireLeaseAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await TryAcquireLeaseGrantAsync(partitionKey, owner, until, now, cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public ValueTask<LeaseGrant?> TryAcquireLeaseGrantAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        var slot = GetPartition(partitionKey);
        lock (slot)
        {
            if (slot.LeaseOwner is null || slot.LeaseOwner == owner || slot.LeaseUntil <= now)
            {
                if (slot.LeaseOwner != owner)
                {
                    slot.LeaseEpoch++;
                }

                slot.LeaseOwner = owner;
                slot.LeaseUntil = until;
                return new ValueTask<LeaseGrant?>(new LeaseGrant { PartitionKey = partitionKey, Owner = owner, Epoch = slot.LeaseEpoch, Until = until });
            }

            return new ValueTask<LeaseGrant?>((LeaseGrant?)null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LeaseGrant>> ReadLeasesAsync(string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        cancellationToken.ThrowIfCancellationRequested();
        var leases = new List<LeaseGrant>();
        foreach (var (key, slot) in _partitions)
        {
            if (!key.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            lock (slot)
            {
                if (slot.LeaseOwner is { } owner)
                {
                    leases.Add(new LeaseGrant { PartitionKey = key, Owner = owner, Epoch = slot.LeaseEpoch, Until = slot.LeaseUntil });
                }
            }
        }

        leases.Sort(static (a, b) => string.CompareOrdinal(a.PartitionKey, b.PartitionKey));
        return new ValueTask<IReadOnlyList<LeaseGrant>>(leases);
    }

    /// <inheritdoc />
    public ValueTask ReleaseLeaseAsync(string partitionKey, string owner, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_partitions.TryGetValue(partitionKey, out var slot))
        {
            lock (slot)
            {
                if (slot.LeaseOwner == owner)
                {
                    slot.LeaseOwner = null;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Prunes processed inbox entries (with the envelopes kept for them) and finished outbox commands (completed,
    /// skipped, resolved manually, superseded) accepted or planned before <paramref name="olderThan"/>. Pending events
    /// and commands, dead-lettered commands and the audit trail are never pruned. Commits go on while it runs.
    /// </summary>
    /// <param name="olderThan">The cut-off.</param>
    /// <param name="cancellationToken">Cancels the call before it starts.</param>
    /// <returns>How many entries were removed.</returns>
    public ValueTask<long> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<long>(Prune(olderThan));
    }

    /// <summary>Stops automatic pruning. The data stays readable; a prune already running finishes.</summary>
    public void Dispose()
    {
        _disposed = true;
        _pruneTimer?.Dispose();
    }

    private long Prune(DateTimeOffset olderThan)
    {
        long removed = 0;

        // Each entry is removed only if it is still the one looked at (a pair, not a key), so an entry written again
        // meanwhile is never lost. A removed node is freed; the table keeps its bucket array (one reference per entry at
        // the largest count it held), so memory stays at the level of the largest window instead of growing without end.
        foreach (var entry in _inbox)
        {
            if (entry.Value.Processed && entry.Value.AcceptedAt < olderThan && _inbox.TryRemove(entry))
            {
                removed++;
            }
        }

        foreach (var entry in _commands)
        {
            if (entry.Value.Status is not OutboxStatus.Pending and not OutboxStatus.DeadLettered && entry.Value.CreatedAt < olderThan && _commands.TryRemove(entry))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// A tick of the prune timer: prunes up to the window's cut-off as of now. A tick that comes while a pass runs is
    /// skipped (the next one prunes up to its own, later, cut-off). Nothing a pass throws leaves it: the host keeps
    /// running and the next tick tries again.
    /// </summary>
    private void PruneOnTick()
    {
        if (_disposed || _retentionWindow is not { } window || Interlocked.Exchange(ref _pruning, 1) == 1)
        {
            return;
        }

        try
        {
            var cutOff = RetentionCutOff.At(_time.GetUtcNow(), window);
            if (cutOff > DateTimeOffset.MinValue)
            {
                Prune(cutOff);
            }

            Interlocked.Exchange(ref _lastPruneCutOffTicks, cutOff.UtcTicks);
        }
        catch (Exception)
        {
            // A failed pass removes what it removed; the next tick tries again.
        }
        finally
        {
            Volatile.Write(ref _pruning, 0);
        }
    }

    private PartitionSlot GetPartition(string key) => _partitions.GetOrAdd(key, static _ => new PartitionSlot());

    private InboxEvent? TryAcceptLocked(PartitionSlot slot, InboxEvent incoming)
    {
        var inboxSlot = new InboxSlot { AcceptedAt = incoming.AcceptedAt };
        if (!_inbox.TryAdd(incoming.Key, inboxSlot))
        {
            return null;
        }

        var stored = incoming with { Position = Interlocked.Increment(ref _position) };

        // A key mostly has one event waiting at a time: room for one, grown when a second arrives.
        (slot.PendingEvents ??= new SortedList<long, InboxEvent>(1)).Add(stored.Position, stored);
        return stored;
    }

    /// <summary>The distinct partitions a batch touches, in ordinal key order (the order every commit locks them in).</summary>
    private PartitionSlot[] LockSet(IReadOnlyList<StepCommit> commits)
    {
        var count = 0;
        foreach (var commit in commits)
        {
            count += 1 + commit.FollowUpEvents.Count + (commit.Fence?.LeaseKey is null ? 0 : 1);
        }

        var keys = new string[count];
        var k = 0;
        foreach (var commit in commits)
        {
            keys[k++] = commit.PartitionKey;
            if (commit.Fence?.LeaseKey is { } leaseKey)
            {
                // The lease that fences the commit is locked with the partitions, so a takeover cannot come in between.
                keys[k++] = leaseKey;
            }

            for (var i = 0; i < commit.FollowUpEvents.Count; i++)
            {
                var followUp = commit.FollowUpEvents[i];
                keys[k++] = followUp.PartitionKey;
            }
        }

        Array.Sort(keys, StringComparer.Ordinal);
        var distinct = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (distinct == 0 || !string.Equals(keys[i], keys[distinct - 1], StringComparison.Ordinal))
            {
                keys[distinct++] = keys[i];
            }
        }

        var slots = new PartitionSlot[distinct];
        for (var i = 0; i < distinct; i++)
        {
            slots[i] = GetPartition(keys[i]);
        }

        return slots;
    }

    private static long ValidateAudit(long count, StepCommit commit)
    {
        for (var i = 0; i < commit.Audit.Count; i++)
        {
            var record = commit.Audit[i];
            if (record.Sequence != count + 1 || !string.Equals(record.PartitionKey, commit.PartitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Audit record {record.Sequence} of '{record.PartitionKey}' does not continue the chain of '{commit.PartitionKey}' at {count + 1}.", nameof(commit));
            }

            count = record.Sequence;
        }

        return count;
    }

    /// <summary>Gives the batch's audit records their feed positions, in batch order (called with the batch's partitions locked).</summary>
    private void AppendToAuditFeed(IReadOnlyList<StepCommit> commits)
    {
        var any = false;
        foreach (var commit in commits)
        {
            any |= commit.Audit.Count > 0;
        }

        if (!any)
        {
            return;
        }

        lock (_auditFeedGate)
        {
            foreach (var commit in commits)
            {
                if (commit.Audit.Count == 0)
                {
                    continue;
                }

                var positions = GetPartition(commit.PartitionKey).AuditPositions;
                for (var i = 0; i < commit.Audit.Count; i++)
                {
                    _auditFeed.Add(commit.Audit[i]);
                    positions.Add(_auditFeed.Count);
                }
            }
        }
    }

    /// <summary>Lets tests tamper with a stored audit chain to prove that verification detects it.</summary>
    internal void TamperWithAudit(string partitionKey, Action<List<AuditRecord>> tamper)
    {
        var slot = GetPartition(partitionKey);
        lock (slot)
        {
            tamper(slot.Audit);
        }
    }

    private void Apply(PartitionSlot slot, StepCommit commit)
    {
        if (commit.NewState is not null)
        {
            IndexWaiting(commit.PartitionKey, slot.State?.Instances, commit.NewState.Instances);
            slot.State = commit.NewState;
        }

        for (var i = 0; i < commit.ProcessedEvents.Count; i++)
        {
            var processed = commit.ProcessedEvents[i];
            var removed = RemovePending(slot, processed);
            if (_inbox.TryGetValue(processed, out var inboxSlot))
            {
                inboxSlot.Processed = true;

                // Kept while it may have to be decided again: its step planned commands a target may refuse as stale.
                inboxSlot.Event = commit.NewCommands.Count > 0 ? removed : null;
            }
        }

        for (var i = 0; i < commit.NewCommands.Count; i++)
        {
            var command = commit.NewCommands[i];
            _commands[command.IdempotencyKey] = command;
            if (command.Status == OutboxStatus.Pending)
            {
                (slot.PendingCommands ??= new SortedList<long, OutboxEntry>(commit.NewCommands.Count))[command.Ordinal] = command;
            }
        }

        for (var i = 0; i < commit.UpdatedCommands.Count; i++)
        {
            var command = commit.UpdatedCommands[i];
            _commands[command.IdempotencyKey] = command;
            if (command.Status == OutboxStatus.Pending)
            {
                (slot.PendingCommands ??= [])[command.Ordinal] = command;
            }
            else if (slot.PendingCommands is { } pending && pending.Remove(command.Ordinal) && pending.Count == 0)
            {
                slot.PendingCommands = null;
            }
        }

        slot.Audit.AddRange(commit.Audit);
        for (var i = 0; i < commit.Audit.Count; i++)
        {
            var record = commit.Audit[i];
            _auditByAction.GetOrAdd(record.Action, static _ => new ConcurrentQueue<AuditRecord>()).Enqueue(record);
        }

        for (var i = 0; i < commit.FollowUpEvents.Count; i++)
        {
            var followUp = commit.FollowUpEvents[i];
            TryAcceptLocked(GetPartition(followUp.PartitionKey), followUp);
        }

        for (var i = 0; i < commit.Timers.Count; i++)
        {
            var timer = commit.Timers[i];
            _timers[timer.Id] = timer;
        }

        for (var i = 0; i < commit.CancelledTimers.Count; i++)
        {
            var timerId = commit.CancelledTimers[i];
            _timers.TryRemove(timerId, out _);
        }

        for (var i = 0; i < commit.DeadLetters.Count; i++)
        {
            var deadLetter = commit.DeadLetters[i];
            _deadLetters[deadLetter.Id] = deadLetter;
        }
    }

    /// <summary>Moves a key between the waiting sets as its instances change (called with the partition locked).</summary>
    private void IndexWaiting(string key, IReadOnlyList<WorkflowInstanceState>? before, IReadOnlyList<WorkflowInstanceState> after)
    {
        if ((before is null || before.Count == 0) && after.Count == 0)
        {
            return;
        }

        if (before is not null)
        {
            foreach (var instance in before)
            {
                if (!Waits(after, instance.WaitingFor) && _waitingFor.TryGetValue(instance.WaitingFor, out var keys))
                {
                    keys.TryRemove(key, out _);
                }
            }
        }

        foreach (var instance in after)
        {
            _waitingFor.GetOrAdd(instance.WaitingFor, static _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[key] = 0;
        }

        static bool Waits(IReadOnlyList<WorkflowInstanceState> instances, string waitingFor)
        {
            foreach (var instance in instances)
            {
                if (string.Equals(instance.WaitingFor, waitingFor, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static InboxEvent? RemovePending(PartitionSlot slot, EventKey key)
    {
        if (slot.PendingEvents is not { } events)
        {
            return null;
        }

        // By index: enumerating a sorted list allocates its enumerator.
        var pending = events.Values;
        for (var i = 0; i < pending.Count; i++)
        {
            var candidate = pending[i];
            if (candidate.Key == key)
            {
                if (events.Count == 1)
                {
                    slot.PendingEvents = null;
                }
                else
                {
                    events.RemoveAt(i);
                }

                return candidate;
            }
        }

        return null;
    }

    /// <summary>The prune timer's state: refers to the store weakly, and stops the timer once the store is gone.</summary>
    private sealed class PruneTicker(WeakReference<InMemoryOrchestrationStore> store)
    {
        public ITimer? Timer { get; set; }

        public void Tick()
        {
            if (store.TryGetTarget(out var target))
            {
                target.PruneOnTick();
            }
            else
            {
                Timer?.Dispose();
            }
        }
    }

    private sealed class InboxSlot
    {
        public required DateTimeOffset AcceptedAt { get; init; }

        public bool Processed { get; set; }

        /// <summary>A processed event whose step planned commands (see <see cref="IOrchestrationStore.ReadEventAsync"/>).</summary>
        public InboxEvent? Event { get; set; }
    }

    /// <summary>
    /// One partition's stored data. Read and written with the slot locked. The pending lists exist only while something
    /// is pending: a store holding many settled keys keeps no empty collections for them.
    /// </summary>
    private sealed class PartitionSlot
    {
        public PartitionState? State { get; set; }

        public SortedList<long, InboxEvent>? PendingEvents { get; set; }

        public IEnumerable<InboxEvent> PendingEventsOrEmpty => PendingEvents?.Values ?? (IEnumerable<InboxEvent>)[];

        public SortedList<long, OutboxEntry>? PendingCommands { get; set; }

        /// <summary>During a commit's validation: the version the batch's earlier commits leave this partition at.</summary>
        public long PlannedVersion { get; set; }

        /// <summary>During a commit's validation: the audit length the batch's earlier commits leave this partition at.</summary>
        public long PlannedAuditCount { get; set; }

        public List<AuditRecord> Audit { get; } = [];

        /// <summary>The feed position of each record of <see cref="Audit"/>, by sequence (index = sequence - 1).</summary>
        public List<long> AuditPositions { get; } = [];

        public string? LeaseOwner { get; set; }

        public DateTimeOffset LeaseUntil { get; set; }

        /// <summary>The fencing epoch: grows each time the lease passes to an owner that did not hold it (0 when never leased).</summary>
        public long LeaseEpoch { get; set; }
    }
}
