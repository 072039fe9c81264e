using ManufacturingOrchestration.Engine.Audit;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Everything the orchestrator keeps durable, behind one contract: the inbox (de-duplicated on event identity),
/// keyed partition state, the outbox of adapter commands, dead letters and parked partitions, durable timers,
/// the hash-chained audit trail with its commit-ordered feed and the audit sinks' delivery cursors, rejected events and
/// partition leases.
/// </summary>
/// <remarks>
/// <para>Implementations must make <see cref="CommitAsync"/> atomic across every commit in the batch: either all
/// of it is visible afterwards or none of it is, including when it throws or the process dies.</para>
/// <para>Implementations must be safe to call from many threads. The orchestrator guarantees that one partition is
/// only committed by one worker at a time (per node; across nodes through <see cref="TryAcquireLeaseAsync"/>), and
/// optimistic concurrency on <see cref="StepCommit.ExpectedVersion"/> catches any violation of that. A commit fenced by
/// <see cref="StepCommit.Fence"/> is applied only while the lease it names is still the partition's lease.</para>
/// <para>Every implementation runs the store contract test suite unchanged.</para>
/// </remarks>
public interface IOrchestrationStore
{
    /// <summary>
    /// Accepts events into the inbox, de-duplicating on (source, id) against every event accepted within the
    /// retention window, and assigns each accepted one its <see cref="InboxEvent.Position"/>.
    /// </summary>
    /// <param name="events">The events, in arrival order.</param>
    /// <param name="accepted">Receives, per event, <see langword="true"/> when accepted and <see langword="false"/> when a duplicate.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is accepted when it is cancelled before committing.</param>
    /// <returns>The accepted events with their positions, in arrival order.</returns>
    ValueTask<IReadOnlyList<InboxEvent>> AcceptAsync(IReadOnlyList<InboxEvent> events, bool[] accepted, CancellationToken cancellationToken = default);

    /// <summary>Reads accepted events not yet processed, in position order.</summary>
    /// <param name="partitionKey">Only this partition, or <see langword="null"/> for all.</param>
    /// <param name="afterPosition">Only events after this position.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending events.</returns>
    ValueTask<IReadOnlyList<InboxEvent>> ReadPendingEventsAsync(string? partitionKey, long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Loads a partition's state, or <see langword="null"/> when it was never committed.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state.</returns>
    ValueTask<PartitionState?> LoadPartitionAsync(string partitionKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads the states of several partitions at once — what a worker needs for the keys of a round it does not hold yet —
    /// keyed by partition key; a partition never committed is absent. The default loads them one at a time; a store that
    /// pays a round trip per call (a database server) reads them in one.
    /// </summary>
    /// <param name="partitionKeys">The partition keys (distinct).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The states found.</returns>
    async ValueTask<IReadOnlyDictionary<string, PartitionState>> LoadPartitionsAsync(IReadOnlyCollection<string> partitionKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKeys);
        var found = new Dictionary<string, PartitionState>(partitionKeys.Count, StringComparer.Ordinal);
        foreach (var partitionKey in partitionKeys)
        {
            if (await LoadPartitionAsync(partitionKey, cancellationToken).ConfigureAwait(false) is { } state)
            {
                found[partitionKey] = state;
            }
        }

        return found;
    }

    /// <summary>
    /// Commits steps of one or more partitions in one atomic transaction (group commit).
    /// </summary>
    /// <param name="commits">The steps.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the commit is durable.</returns>
    /// <exception cref="ConcurrencyConflictException">A partition's version was not the expected one; nothing was committed.</exception>
    /// <exception cref="LeaseLostException">A commit's <see cref="StepCommit.Fence"/> did not match the partition's lease in the commit's transaction; nothing was committed.</exception>
    ValueTask CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default);

    /// <summary>Reads a partition's outbox commands that are still pending, in ordinal order.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending commands.</returns>
    ValueTask<IReadOnlyList<OutboxEntry>> ReadPendingCommandsAsync(string partitionKey, CancellationToken cancellationToken = default);

    /// <summary>Lists the partitions that have pending outbox commands (for recovery after a restart).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The partition keys.</returns>
    ValueTask<IReadOnlyList<string>> ReadPartitionsWithPendingCommandsAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads one outbox command by idempotency key, whatever its status.</summary>
    /// <param name="idempotencyKey">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The command, or <see langword="null"/>.</returns>
    ValueTask<OutboxEntry?> ReadCommandAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Reads every outbox command an event caused, whatever its status, in ordinal order (for compensation).</summary>
    /// <param name="causedBy">The event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The commands.</returns>
    ValueTask<IReadOnlyList<OutboxEntry>> ReadCommandsCausedByAsync(EventKey causedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads an accepted event by its key: a pending one, or a processed one whose step planned commands (the store keeps
    /// those envelopes until they are pruned, so the engine can decide such an event again when a target refuses one of
    /// its commands as stale).
    /// </summary>
    /// <param name="key">The event's source and id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The event, or <see langword="null"/> when it is unknown, pruned, or was processed without planning a command.</returns>
    ValueTask<InboxEvent?> ReadEventAsync(EventKey key, CancellationToken cancellationToken = default);

    /// <summary>Reads dead letters.</summary>
    /// <param name="query">Filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters, oldest first.</returns>
    ValueTask<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads timers due at or before <paramref name="dueBy"/>, earliest first.</summary>
    /// <param name="dueBy">The cut-off.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The due timers.</returns>
    ValueTask<IReadOnlyList<DurableTimer>> ReadDueTimersAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The earliest due time of any timer, or <see langword="null"/> when there is none.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The earliest due time.</returns>
    ValueTask<DateTimeOffset?> ReadNextTimerDueAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a partition's audit chain from <paramref name="fromSequence"/>, in sequence order.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="fromSequence">The first sequence to read (1 for all).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAsync(string partitionKey, long fromSequence, CancellationToken cancellationToken = default);

    /// <summary>Lists every partition key that has audit records.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys.</returns>
    ValueTask<IReadOnlyList<string>> ReadAuditPartitionsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a partition's audit records as stored, by sequence: each record with the values the store files it under
    /// for its queries (partition, sequence, action, time, feed position), read as stored rather than from the record,
    /// so that <see cref="AuditVerifier"/> can compare each with the hashed record.
    /// </summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stored records, in the order <see cref="ReadAuditAsync"/> returns them.</returns>
    ValueTask<IReadOnlyList<AuditStoredRecord>> ReadAuditStoredAsync(string partitionKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads audit records of one <see cref="AuditRecord.Action"/> across every partition, oldest first: by
    /// <see cref="AuditRecord.RecordedAt"/>, records recorded at the same moment in the order they were committed.
    /// </summary>
    /// <remarks>
    /// A store-local index over the action and the time, kept by every <see cref="CommitAsync"/> that appends audit
    /// records, so the cost follows the records returned, not the number of partitions. Audit records are never pruned,
    /// so neither is the index.
    /// </remarks>
    /// <param name="action">The action, compared ordinally (e.g. <c>sla-breached</c>).</param>
    /// <param name="from">Only records at or after this time, or <see langword="null"/>.</param>
    /// <param name="to">Only records before this time, or <see langword="null"/>.</param>
    /// <param name="maxCount">The most to return (the oldest ones).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records, oldest first.</returns>
    ValueTask<IReadOnlyList<AuditRecord>> ReadAuditByActionAsync(string action, DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the partitions whose current committed state has at least one workflow instance waiting for
    /// <paramref name="waitingFor"/> (<see cref="WorkflowInstanceState.WaitingFor"/>, such as <c>approval</c>), in
    /// ascending ordinal key order, one page at a time.
    /// </summary>
    /// <remarks>
    /// A store-local index kept exact by every <see cref="CommitAsync"/> that writes a <see cref="StepCommit.NewState"/>:
    /// a key enters when its new state has such an instance and leaves when a later state has none, in the same atomic
    /// commit. The store knows nothing of what the value means. The cost follows the keys returned, not the number of
    /// partitions. To read every key, pass the last key of a page as <paramref name="afterKey"/> of the next call until a
    /// page comes back shorter than <paramref name="maxCount"/>.
    /// </remarks>
    /// <param name="waitingFor">The value of <see cref="WorkflowInstanceState.WaitingFor"/>, compared ordinally.</param>
    /// <param name="afterKey">Only keys after this one (ordinal), or <see langword="null"/> to start at the first.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The partition keys, ascending.</returns>
    ValueTask<IReadOnlyList<string>> ReadPartitionsWaitingForAsync(string waitingFor, string? afterKey, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the audit feed: the audit records of every partition in commit order, after a feed position, each with its
    /// <see cref="AuditFeedEntry.Position"/>. The audit sinks read it from their cursors.
    /// </summary>
    /// <remarks>
    /// <para>Every <see cref="CommitAsync"/> that appends audit records gives each one the next feed position, in the
    /// order of the batch. Positions increase strictly in commit order across every partition (gaps are allowed), so a
    /// partition's records are in sequence order in the feed, and they become readable in position order: once a record is
    /// returned, no record with a lower position appears later. Reading from the last position returned therefore never
    /// misses a record.</para>
    /// <para>Records committed before the feed existed (by an earlier version of a store) are part of it, in the order
    /// that store committed them. Audit records are never pruned, so neither is the feed.</para>
    /// </remarks>
    /// <param name="afterPosition">Only records after this position (0 for all).</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records with their positions, in position order.</returns>
    ValueTask<IReadOnlyList<AuditFeedEntry>> ReadAuditFeedAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Reads an audit sink's delivery cursor: the feed position of the last record the sink holds, or 0 when none.</summary>
    /// <param name="sinkName">The sink's name (<see cref="IAuditSink.Name"/>), compared ordinally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved position, or 0.</returns>
    ValueTask<long> ReadAuditSinkCursorAsync(string sinkName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves an audit sink's delivery cursor forward, compare-and-set: only when the saved position is still
    /// <paramref name="expectedPosition"/> (0 when none is saved), so a cursor shared by several deliverers never moves
    /// back and two of them cannot both move it from the same position.
    /// </summary>
    /// <param name="sinkName">The sink's name (<see cref="IAuditSink.Name"/>), compared ordinally.</param>
    /// <param name="expectedPosition">The position the caller read (with <see cref="ReadAuditSinkCursorAsync"/> or its last successful save).</param>
    /// <param name="position">The new position; greater than <paramref name="expectedPosition"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when saved durably; <see langword="false"/> when the saved position was not <paramref name="expectedPosition"/> (nothing changed).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is not greater than <paramref name="expectedPosition"/>, or <paramref name="expectedPosition"/> is negative.</exception>
    ValueTask<bool> TrySaveAuditSinkCursorAsync(string sinkName, long expectedPosition, long position, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an audit checkpoint, only when it continues the latest stored one: its number is the latest's plus one (1
    /// when none is stored), checked atomically with the append, so two writers cannot both append the same number.
    /// </summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is durable.</returns>
    /// <exception cref="AuditCheckpointConflictException">The checkpoint does not continue the latest stored one; nothing was stored.</exception>
    ValueTask AppendCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest audit checkpoint, or <see langword="null"/>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoint.</returns>
    ValueTask<AuditCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the latest audit checkpoints, newest first, in the order they were appended.</summary>
    /// <param name="maxCount">How many at most; positive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoints (fewer when fewer were appended, or kept: the in-memory store keeps the latest <see cref="InMemoryOrchestrationStore.CheckpointsKept"/>).</returns>
    ValueTask<IReadOnlyList<AuditCheckpoint>> ReadLatestCheckpointsAsync(int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Records an event refused at intake.</summary>
    /// <param name="rejected">The rejection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is durable.</returns>
    ValueTask RecordRejectionAsync(RejectedEvent rejected, CancellationToken cancellationToken = default);

    /// <summary>Reads rejected events received in a time range, oldest first.</summary>
    /// <param name="from">The start (inclusive), or <see langword="null"/>.</param>
    /// <param name="to">The end (exclusive), or <see langword="null"/>.</param>
    /// <param name="maxCount">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejections.</returns>
    ValueTask<IReadOnlyList<RejectedEvent>> ReadRejectionsAsync(DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Tries to take or renew the lease of a partition for an owner until a time.</summary>
    /// <remarks>The same as <see cref="TryAcquireLeaseGrantAsync"/> without the grant.</remarks>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="owner">The owner (node) id.</param>
    /// <param name="until">When the lease expires unless renewed.</param>
    /// <param name="now">The current time, from the caller's clock.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the owner holds the lease afterwards.</returns>
    ValueTask<bool> TryAcquireLeaseAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tries to take or renew the lease of a partition for an owner until a time, and hands out the lease's fencing epoch
    /// for <see cref="StepCommit.Fence"/>.
    /// </summary>
    /// <remarks>
    /// The owner gets the lease when it is free (never taken, or released), already its own (a renewal), or expired at
    /// <paramref name="now"/>. The epoch grows each time the lease passes to an owner that did not hold it — a takeover
    /// after expiry, or any acquisition after a release, even by the last owner — and a renewal by the holder keeps it, so
    /// a commit fenced by an earlier grant is refused once anyone else has held the lease since.
    /// </remarks>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="owner">The owner (node) id.</param>
    /// <param name="until">When the lease expires unless renewed.</param>
    /// <param name="now">The current time, from the caller's clock.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The grant when the owner holds the lease afterwards; <see langword="null"/> when another owner holds it.</returns>
    ValueTask<LeaseGrant?> TryAcquireLeaseGrantAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the leases that have an owner (taken and not released, whether expired or not) whose key starts with
    /// <paramref name="keyPrefix"/>, in ordinal key order: who holds which lease, with which epoch, until when. The
    /// clustered orchestrator reads its nodes' heartbeats and its buckets' owners with it.
    /// </summary>
    /// <param name="keyPrefix">The start of the keys, compared ordinally (empty for all).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The leases, by key.</returns>
    ValueTask<IReadOnlyList<LeaseGrant>> ReadLeasesAsync(string keyPrefix, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease held by an owner.</summary>
    /// <param name="partitionKey">The partition key.</param>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when released.</returns>
    ValueTask ReleaseLeaseAsync(string partitionKey, string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Prunes processed inbox entries and finished outbox commands older than <paramref name="olderThan"/>.
    /// De-duplication stays intact for events accepted after <paramref name="olderThan"/>; the audit trail is never pruned.
    /// </summary>
    /// <param name="olderThan">The cut-off.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many rows were removed.</returns>
    ValueTask<long> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}

/// <summary>Filters for reading dead letters.</summary>
public sealed record DeadLetterQuery
{
    /// <summary>Everything still open.</summary>
    public static DeadLetterQuery Open { get; } = new() { OnlyOpen = true };

    /// <summary>Only open ones (default true).</summary>
    public bool OnlyOpen { get; init; } = true;

    /// <summary>Only this partition.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>Only this site.</summary>
    public string? Site { get; init; }

    /// <summary>Only this dead letter.</summary>
    public string? Id { get; init; }

    /// <summary>Only at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>The most to return.</summary>
    public int MaxCount { get; init; } = 1000;
}
