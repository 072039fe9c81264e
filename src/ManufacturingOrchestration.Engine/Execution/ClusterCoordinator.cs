using System.Globalization;
using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// The clustered side of one orchestrator node (<see cref="ClusterOptions"/>): takes, renews, balances and releases the
/// bucket leases, the node's heartbeat and the singleton lease; finds the events and commands of the buckets it owns in
/// the store; and answers the workers' "do we still own this key, under which fence?".
/// </summary>
/// <remarks>
/// Ownership is read without locks by the workers, the intake and the timer loop (one array of grants, swapped per
/// bucket); only the coordinator's loop changes it, apart from <see cref="Lost"/>, which any worker may call when the
/// store refused a fenced commit.
/// </remarks>
internal sealed partial class ClusterCoordinator
{
    internal const string BucketPrefix = "bucket:";
    internal const string NodePrefix = "node:";
    internal const string SingletonKey = "cluster:singleton";

    private readonly OrchestratorRuntime _runtime;
    private readonly ClusterOptions _options;
    private readonly string _node;
    private readonly string[] _bucketKeys;
    private readonly LeaseGrant?[] _owned;
    private readonly Dictionary<string, long> _routed = new(StringComparer.Ordinal);

    /// <summary>The highest inbox position a poll has read: where the next scan after a notification starts.</summary>
    private long _scannedThrough;
    private readonly SemaphoreSlim _roundGate = new(1, 1);

    /// <summary>
    /// Buckets taken whose recovery has not completed: a round that fails after taking a bucket leaves it here, and the
    /// next round recovers it (a later round renews it as held, and nothing else would). Only touched under the round gate.
    /// </summary>
    private readonly HashSet<int> _unrecovered = [];
    private LeaseGrant? _singleton;
    private CancellationTokenSource? _singletonScope;
    private long _leaseLosses;
    private int _version;

    public ClusterCoordinator(OrchestratorRuntime runtime)
    {
        _runtime = runtime;
        _options = runtime.Options.Settings.Cluster;
        _node = runtime.Options.Settings.NodeId;
        _bucketKeys = new string[_options.BucketCount];
        _owned = new LeaseGrant?[_options.BucketCount];
        for (var i = 0; i < _bucketKeys.Length; i++)
        {
            _bucketKeys[i] = BucketPrefix + i.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Called with the singleton lease's token when this node takes it; the token is cancelled when it loses it.</summary>
    public Func<CancellationToken, Task>? SingletonAcquired { get; set; }

    /// <summary>Grows whenever the set of owned buckets or their epochs change (workers drop keys they no longer own).</summary>
    public int Version => Volatile.Read(ref _version);

    public string NodeId => _node;

    public long LeaseLosses => Interlocked.Read(ref _leaseLosses);

    public bool HoldsSingleton => Volatile.Read(ref _singleton) is not null;

    public IReadOnlyList<int> OwnedBuckets
    {
        get
        {
            var owned = new List<int>();
            for (var i = 0; i < _owned.Length; i++)
            {
                if (Volatile.Read(ref _owned[i]) is not null)
                {
                    owned.Add(i);
                }
            }

            return owned;
        }
    }

    public int BucketOf(string partitionKey) => ClusterOptions.BucketOf(partitionKey, _owned.Length);

    /// <summary>The fence of the bucket lease that covers <paramref name="partitionKey"/>, or <see langword="null"/> when this node does not own it.</summary>
    public LeaseFence? FenceOf(string partitionKey) => Volatile.Read(ref _owned[BucketOf(partitionKey)]) is { } grant ? grant.FenceByKey : null;

    public bool Owns(string partitionKey) => Volatile.Read(ref _owned[BucketOf(partitionKey)]) is not null;

    /// <summary>Whether the fence is the one this node holds now for its bucket (same epoch).</summary>
    public bool IsCurrent(LeaseFence? fence) => HeldFor(fence, out _) is not null;

    /// <summary>The grant this node holds now for the fence's bucket when it is the fence's (same epoch), and the bucket's index.</summary>
    private LeaseGrant? HeldFor(LeaseFence? fence, out int index)
    {
        index = fence?.LeaseKey is { } key ? BucketIndex(key) : -1;
        return index >= 0 && Volatile.Read(ref _owned[index]) is { } grant && grant.Epoch == fence!.Epoch ? grant : null;
    }

    /// <summary>
    /// The store refused a commit fenced by <paramref name="fence"/>: the bucket is someone else's now (or was released).
    /// Stops working on it at once, logged once per loss; the next balancing round may take it again under a new epoch.
    /// </summary>
    public void Lost(LeaseFence fence)
    {
        if (HeldFor(fence, out var index) is { } current && Interlocked.CompareExchange(ref _owned[index], null, current) == current)
        {
            Interlocked.Increment(ref _leaseLosses);
            Interlocked.Increment(ref _version);
            Log.BucketLost(_runtime.Logger, _node, current.PartitionKey, fence.Epoch);
        }
    }

    /// <summary>
    /// Confirms, before commands of a bucket are sent, that this node still holds its lease with the same epoch. A lease
    /// renewed less than a third of its duration ago (by the balancing round, which renews every third, or by an earlier
    /// confirmation) is confirmed as it is: no other node can take it before it expires, two thirds of a lease later by
    /// this node's clock, which leaves that much room for the nodes' clocks to differ. An older one is renewed in the
    /// store (which also pushes the expiry out), and a bucket found lost, or given back by a balancing round meanwhile, is
    /// not confirmed.
    /// </summary>
    public async ValueTask<bool> ConfirmAsync(LeaseFence fence, CancellationToken ct)
    {
        if (HeldFor(fence, out var index) is not { } held)
        {
            return false;
        }

        var now = _runtime.Time.GetUtcNow();
        if (now < held.Until - (_options.LeaseDuration * 2 / 3))
        {
            return true;
        }

        var grant = await _runtime.Store.TryAcquireLeaseGrantAsync(held.PartitionKey, _node, now + _options.LeaseDuration, now, ct).ConfigureAwait(false);
        if (grant is not null && grant.Epoch == fence.Epoch)
        {
            // A balancing round may have renewed the bucket meanwhile (still held) or given it back (not this node's to
            // send for any more, whatever the store said before the round released it).
            return Interlocked.CompareExchange(ref _owned[index], grant, held) == held || IsCurrent(fence);
        }

        Lost(fence);
        if (grant is not null)
        {
            // Taken again under a new epoch, after a round gave the bucket back (or after another node held it): unless a
            // round has taken it since, nothing here works under that lease, and holding it would keep the other nodes
            // off the bucket until it expires. Checked under the round gate, as only a round makes a bucket owned.
            await _roundGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (Volatile.Read(ref _owned[index]) is null)
                {
                    await _runtime.Store.ReleaseLeaseAsync(_bucketKeys[index], _node, ct).ConfigureAwait(false);
                }
            }
            finally
            {
                _roundGate.Release();
            }
        }

        return false;
    }

    /// <summary>Runs balancing rounds about every third of the lease until <paramref name="stopping"/> fires.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var period = _options.LeaseDuration / 3;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _runtime.Time, stopping).ConfigureAwait(false);
                await RoundAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The balancing loop must survive a failing store: the next round tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RoundFailed(_runtime.Logger, ex, _node);
            }
        }
    }

    /// <summary>Looks for events of owned buckets accepted elsewhere: at each change notification, at the latest every poll interval.</summary>
    public async Task PollAsync(CancellationToken stopping)
    {
        var notifications = _runtime.Store as IStoreChangeNotifications;
        long? lastFullScan = null;
        var notified = false;
        Task? woken = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // A wait no notification has ended yet is kept for the next poll: it began before this scan, so it still
                // ends at whatever is accepted after it. A new wait per poll would leave the unended ones registered on
                // the stop token until shutdown, one more every poll interval on a quiet store.
                if (notifications is not null && woken is not { IsCompleted: false })
                {
                    woken = notifications.WaitForAcceptedEventsAsync(stopping);
                }

                // Woken by a notification, only what was accepted since the last scan is read (inbox positions become
                // visible in order, so nothing is skipped); the whole pending inbox again at least every poll interval.
                var now = _runtime.Time.GetTimestamp();
                var full = !notified || lastFullScan is not { } last || _runtime.Time.GetElapsedTime(last, now) >= _options.PollInterval;
                await RoutePendingAsync(null, incremental: !full, stopping).ConfigureAwait(false);
                if (full)
                {
                    lastFullScan = now;
                }

                if (woken is null)
                {
                    // A store without notifications: only the poll interval wakes the next scan.
                    await Task.Delay(_options.PollInterval, _runtime.Time, stopping).ConfigureAwait(false);
                    continue;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                notified = await Task.WhenAny(woken, Task.Delay(_options.PollInterval, _runtime.Time, wait.Token)).ConfigureAwait(false) == woken;
                await wait.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Polling must survive a failing store: the next poll tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RoundFailed(_runtime.Logger, ex, _node);
                try
                {
                    await Task.Delay(_options.PollInterval, _runtime.Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One balancing round: heartbeat; renew the owned buckets (a bucket whose renewal is refused or comes back with
    /// another epoch is lost); count the live nodes; release the buckets beyond the fair share; take free or expired
    /// ones up to it; keep or take the singleton lease; then route what the newly taken buckets have waiting.
    /// </summary>
    public async Task RoundAsync(CancellationToken ct)
    {
        await _roundGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RoundCoreAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _roundGate.Release();
        }
    }

    /// <summary>
    /// Releases every lease this node holds, so the others take its buckets at once instead of after expiry. Best effort:
    /// a release the store fails is logged once for all, and that lease is taken by another node when it expires.
    /// </summary>
    public async Task ReleaseAllAsync(CancellationToken ct)
    {
        Exception? failure = null;
        var failed = 0;
        for (var i = 0; i < _owned.Length; i++)
        {
            if (Interlocked.Exchange(ref _owned[i], null) is not null)
            {
                await ReleaseAsync(_bucketKeys[i]).ConfigureAwait(false);
            }
        }

        Interlocked.Increment(ref _version);
        await DropSingletonAsync().ConfigureAwait(false);
        await ReleaseAsync(SingletonKey).ConfigureAwait(false);
        await ReleaseAsync(NodePrefix + _node).ConfigureAwait(false);
        if (failure is not null)
        {
            Log.LeasesNotReleased(_runtime.Logger, failure, _node, failed, _options.LeaseDuration);
        }

        async Task ReleaseAsync(string key)
        {
            try
            {
                await _runtime.Store.ReleaseLeaseAsync(key, _node, ct).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A lease not given back expires; the stop goes on.
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
            {
                failure ??= ex;
                failed++;
            }
        }
    }

    private async Task RoundCoreAsync(CancellationToken ct)
    {
        var store = _runtime.Store;
        var now = _runtime.Time.GetUtcNow();
        var until = now + _options.LeaseDuration;
        await store.TryAcquireLeaseGrantAsync(NodePrefix + _node, _node, until, now, ct).ConfigureAwait(false);

        var changed = false;
        var owned = 0;
        var acquired = new List<int>();
        for (var i = 0; i < _owned.Length; i++)
        {
            if (Volatile.Read(ref _owned[i]) is not { } held)
            {
                continue;
            }

            var renewed = await store.TryAcquireLeaseGrantAsync(_bucketKeys[i], _node, until, now, ct).ConfigureAwait(false);
            if (renewed is not null && renewed.Epoch == held.Epoch)
            {
                Interlocked.CompareExchange(ref _owned[i], renewed, held);
                owned++;
                continue;
            }

            // Someone else held it since: whatever this node cached of the bucket is stale. Taken again under a new
            // epoch, it is recovered like any bucket taken.
            Lost(held.FenceByKey);
            if (renewed is not null)
            {
                Volatile.Write(ref _owned[i], renewed);
                acquired.Add(i);
                _unrecovered.Add(i);
                owned++;
                changed = true;
            }
        }

        var nodes = await store.ReadLeasesAsync(NodePrefix, ct).ConfigureAwait(false);
        var live = Math.Max(1, nodes.Count(n => n.Until > now));
        var share = (_owned.Length + live - 1) / live;

        // Beyond the fair share: give back the highest buckets, so that nodes converge on stable ranges.
        for (var i = _owned.Length - 1; i >= 0 && owned > share; i--)
        {
            if (Interlocked.Exchange(ref _owned[i], null) is not null)
            {
                changed = true;
                owned--;
                await store.ReleaseLeaseAsync(_bucketKeys[i], _node, ct).ConfigureAwait(false);
            }
        }

        if (owned < share)
        {
            var held = await store.ReadLeasesAsync(BucketPrefix, ct).ConfigureAwait(false);
            // A lease of this node's own id that this run does not hold (left by an earlier run) is taken back at once.
            var taken = new HashSet<string>(held.Where(l => l.Until > now && !string.Equals(l.Owner, _node, StringComparison.Ordinal)).Select(l => l.PartitionKey), StringComparer.Ordinal);

            // Start where this node's id hashes to, so nodes starting together do not all race for the same buckets.
            var start = ClusterOptions.BucketOf(_node, _owned.Length);
            for (var n = 0; n < _owned.Length && owned < share; n++)
            {
                var i = (start + n) % _owned.Length;
                if (Volatile.Read(ref _owned[i]) is not null || taken.Contains(_bucketKeys[i]))
                {
                    continue;
                }

                if (await store.TryAcquireLeaseGrantAsync(_bucketKeys[i], _node, until, now, ct).ConfigureAwait(false) is { } grant)
                {
                    Volatile.Write(ref _owned[i], grant);
                    acquired.Add(i);
                    _unrecovered.Add(i);
                    owned++;
                    changed = true;
                }
            }
        }

        if (changed)
        {
            Interlocked.Increment(ref _version);
        }

        await KeepSingletonAsync(now, until, ct).ConfigureAwait(false);

        if (acquired.Count > 0)
        {
            Log.BucketsAcquired(_runtime.Logger, _node, acquired.Count, owned, live);
        }

        // The buckets taken in this round, and those taken in an earlier one that failed before they were recovered.
        _unrecovered.RemoveWhere(i => Volatile.Read(ref _owned[i]) is null);
        if (_unrecovered.Count > 0)
        {
            await RecoverAsync(_unrecovered, ct).ConfigureAwait(false);
            _unrecovered.Clear();
        }
    }

    private async Task KeepSingletonAsync(DateTimeOffset now, DateTimeOffset until, CancellationToken ct)
    {
        var held = Volatile.Read(ref _singleton);
        var grant = await _runtime.Store.TryAcquireLeaseGrantAsync(SingletonKey, _node, until, now, ct).ConfigureAwait(false);
        if (held is not null && (grant is null || grant.Epoch != held.Epoch))
        {
            await DropSingletonAsync().ConfigureAwait(false);
            held = null;
        }

        if (grant is null)
        {
            return;
        }

        Volatile.Write(ref _singleton, grant);
        if (held is null)
        {
            var scope = new CancellationTokenSource();
            _singletonScope = scope;
            if (SingletonAcquired is { } acquired)
            {
                try
                {
                    await acquired(scope.Token).ConfigureAwait(false);
                }
                catch
                {
                    // What the holder runs did not start: the lease is held as not taken, so the next round (which
                    // renews it in the store meanwhile) starts it again instead of keeping a singleton that runs nothing.
                    await DropSingletonAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }
    }

    private async Task DropSingletonAsync()
    {
        Volatile.Write(ref _singleton, null);
        if (Interlocked.Exchange(ref _singletonScope, null) is { } scope)
        {
            await scope.CancelAsync().ConfigureAwait(false);
            scope.Dispose();
        }
    }

    /// <summary>
    /// Routes what newly taken buckets have waiting, as a start does for the whole store: commands still pending (sent
    /// again with their idempotency keys), then the pending events of each key in inbox order, and due timers.
    /// </summary>
    private async Task RecoverAsync(HashSet<int> buckets, CancellationToken ct)
    {
        foreach (var key in await _runtime.Store.ReadPartitionsWithPendingCommandsAsync(ct).ConfigureAwait(false))
        {
            if (buckets.Contains(BucketOf(key)))
            {
                _runtime.Route(new ResumeWork(key));
            }
        }

        await RoutePendingAsync(buckets, incremental: false, ct).ConfigureAwait(false);
        _runtime.TimerScheduled();
    }

    /// <summary>
    /// This node's intake routed a scan of <paramref name="partitionKey"/> for the event it accepted at
    /// <paramref name="position"/>: the next scan of the inbox need not route one again for it (its worker reads every
    /// pending event of the key up to there, those other nodes accepted before included, as positions become visible in
    /// order).
    /// </summary>
    public void Routed(string partitionKey, long position)
    {
        lock (_routed)
        {
            if (!_routed.TryGetValue(partitionKey, out var routed) || routed < position)
            {
                _routed[partitionKey] = position;
            }
        }
    }

    /// <summary>
    /// Routes a scan to every owned key (of <paramref name="only"/> when given) that has pending events not routed yet:
    /// the key's worker reads them from the store in inbox order. <paramref name="incremental"/> reads only the events
    /// accepted after the last scan's highest position; otherwise the whole pending inbox.
    /// </summary>
    private async Task RoutePendingAsync(HashSet<int>? only, bool incremental, CancellationToken ct)
    {
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        var after = incremental ? Volatile.Read(ref _scannedThrough) : 0;
        while (true)
        {
            var pending = await _runtime.Store.ReadPendingEventsAsync(null, after, 10_000, ct).ConfigureAwait(false);
            foreach (var inboxEvent in pending)
            {
                latest[inboxEvent.PartitionKey] = inboxEvent.Position;
            }

            if (pending.Count > 0)
            {
                after = pending[^1].Position;
            }

            if (pending.Count < 10_000)
            {
                break;
            }
        }

        if (only is null && after > Volatile.Read(ref _scannedThrough))
        {
            Volatile.Write(ref _scannedThrough, after);
        }

        lock (_routed)
        {
            foreach (var (key, position) in latest)
            {
                var bucket = BucketOf(key);
                if (only is not null ? !only.Contains(bucket) : (Volatile.Read(ref _owned[bucket]) is null || (_routed.TryGetValue(key, out var routed) && routed >= position)))
                {
                    continue;
                }

                _routed[key] = position;
                _runtime.Route(new ScanWork(key));
            }

            if (only is null && !incremental)
            {
                // Only keys still pending are remembered: the rest were processed.
                foreach (var key in _routed.Keys.Where(k => !latest.ContainsKey(k)).ToList())
                {
                    _routed.Remove(key);
                }
            }
        }
    }

    private int BucketIndex(string leaseKey)
    {
        if (!leaseKey.StartsWith(BucketPrefix, StringComparison.Ordinal)
            || !int.TryParse(leaseKey.AsSpan(BucketPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || index >= _owned.Length)
        {
            return -1;
        }

        return index;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Node {NodeId} lost the lease of {Bucket} (epoch {Epoch}): it stops working on the bucket's partitions and drops what it held of them; their owner now processes them.")]
        public static partial void BucketLost(ILogger logger, string nodeId, string bucket, long epoch);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Node {NodeId} took {Count} bucket(s); it owns {Owned} with {Live} live node(s).")]
        public static partial void BucketsAcquired(ILogger logger, string nodeId, int count, int owned, int live);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Node {NodeId} could not renew or balance its leases; it tries again at the next round.")]
        public static partial void RoundFailed(ILogger logger, Exception exception, string nodeId);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Node {NodeId} could not give {Count} lease(s) back as it stopped; the other nodes take them when they expire (within {LeaseDuration}).")]
        public static partial void LeasesNotReleased(ILogger logger, Exception exception, string nodeId, int count, TimeSpan leaseDuration);
    }
}
