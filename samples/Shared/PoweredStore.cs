using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// One node's store behind its <see cref="NodePowerSwitch"/>: every call goes to the node's own store (its own
/// connections) while the power is on, and throws <see cref="NodePoweredOffException"/> once it is off — also a call
/// that was under way when the power went and returns afterwards. A store with change notifications
/// (<see cref="IStoreChangeNotifications"/>, such as the PostgreSQL store) keeps them, behind the same switch.
/// </summary>
public class PoweredStore : IOrchestrationStore
{
    private readonly IOrchestrationStore _inner;
    private readonly NodePowerSwitch _power;

    private protected NodePowerSwitch Power => _power;

    private protected PoweredStore(IOrchestrationStore inner, NodePowerSwitch power)
    {
        _inner = inner;
        _power = power;
    }

    /// <summary>Puts a node's store behind its power switch.</summary>
    /// <param name="inner">The node's own store.</param>
    /// <param name="power">The node's power switch.</param>
    /// <returns>The store the node is given.</returns>
    public static PoweredStore Wrap(IOrchestrationStore inner, NodePowerSwitch power)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(power);
        return inner is IStoreChangeNotifications notifications ? new Notifying(inner, notifications, power) : new PoweredStore(inner, power);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InboxEvent>> AcceptAsync(IReadOnlyList<InboxEvent> events, bool[] accepted, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.AcceptAsync(events, accepted, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InboxEvent>> ReadPendingEventsAsync(string? partitionKey, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadPendingEventsAsync(partitionKey, afterPosition, maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask<PartitionState?> LoadPartitionAsync(string partitionKey, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.LoadPartitionAsync(partitionKey, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, PartitionState>> LoadPartitionsAsync(IReadOnlyCollection<string> partitionKeys, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.LoadPartitionsAsync(partitionKeys, cancellationToken));

    /// <inheritdoc />
    public ValueTask CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.CommitAsync(commits, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadPendingCommandsAsync(string partitionKey, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadPendingCommandsAsync(partitionKey, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWithPendingCommandsAsync(CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadPartitionsWithPendingCommandsAsync(cancellationToken));

    /// <inheritdoc />
    public ValueTask<OutboxEntry?> ReadCommandAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadCommandAsync(idempotencyKey, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadCommandsCausedByAsync(EventKey causedBy, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadCommandsCausedByAsync(causedBy, cancellationToken));

    /// <inheritdoc />
    public ValueTask<InboxEvent?> ReadEventAsync(EventKey key, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadEventAsync(key, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadDeadLettersAsync(query, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DurableTimer>> ReadDueTimersAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadDueTimersAsync(dueBy, maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> ReadNextTimerDueAsync(CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadNextTimerDueAsync(cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAsync(string partitionKey, long fromSequence, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadAuditAsync(partitionKey, fromSequence, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadAuditPartitionsAsync(CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadAuditPartitionsAsync(cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditStoredRecord>> ReadAuditStoredAsync(string partitionKey, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadAuditStoredAsync(partitionKey, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditByActionAsync(string action, DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadAuditByActionAsync(action, from, to, maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadPartitionsWaitingForAsync(string waitingFor, string? afterKey, int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadPartitionsWaitingForAsync(waitingFor, afterKey, maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditFeedEntry>> ReadAuditFeedAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadAuditFeedAsync(afterPosition, maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask<long> ReadAuditSinkCursorAsync(string sinkName, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadAuditSinkCursorAsync(sinkName, cancellationToken));

    /// <inheritdoc />
    public ValueTask<bool> TrySaveAuditSinkCursorAsync(string sinkName, long expectedPosition, long position, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.TrySaveAuditSinkCursorAsync(sinkName, expectedPosition, position, cancellationToken));

    /// <inheritdoc />
    public ValueTask AppendCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.AppendCheckpointAsync(checkpoint, cancellationToken));

    /// <inheritdoc />
    public ValueTask<AuditCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadLatestCheckpointAsync(cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditCheckpoint>> ReadLatestCheckpointsAsync(int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadLatestCheckpointsAsync(maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask RecordRejectionAsync(RejectedEvent rejected, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.RecordRejectionAsync(rejected, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RejectedEvent>> ReadRejectionsAsync(DateTimeOffset? from, DateTimeOffset? to, int maxCount, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadRejectionsAsync(from, to, maxCount, cancellationToken));

    /// <inheritdoc />
    public ValueTask<bool> TryAcquireLeaseAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.TryAcquireLeaseAsync(partitionKey, owner, until, now, cancellationToken));

    /// <inheritdoc />
    public ValueTask<LeaseGrant?> TryAcquireLeaseGrantAsync(string partitionKey, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.TryAcquireLeaseGrantAsync(partitionKey, owner, until, now, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LeaseGrant>> ReadLeasesAsync(string keyPrefix, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReadLeasesAsync(keyPrefix, cancellationToken));

    /// <inheritdoc />
    public ValueTask ReleaseLeaseAsync(string partitionKey, string owner, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.ReleaseLeaseAsync(partitionKey, owner, cancellationToken));

    /// <inheritdoc />
    public ValueTask<long> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        PoweredAsync(() => _inner.PruneAsync(olderThan, cancellationToken));

    private async ValueTask<T> PoweredAsync<T>(Func<ValueTask<T>> call)
    {
        _power.ThrowIfOff();
        var result = await call();
        _power.ThrowIfOff();
        return result;
    }

    private async ValueTask PoweredAsync(Func<ValueTask> call)
    {
        _power.ThrowIfOff();
        await call();
        _power.ThrowIfOff();
    }

    private sealed class Notifying(IOrchestrationStore inner, IStoreChangeNotifications notifications, NodePowerSwitch power) : PoweredStore(inner, power), IStoreChangeNotifications
    {
        public async Task WaitForAcceptedEventsAsync(CancellationToken cancellationToken = default)
        {
            Power.ThrowIfOff();
            await notifications.WaitForAcceptedEventsAsync(cancellationToken);
            Power.ThrowIfOff();
        }
    }
}
