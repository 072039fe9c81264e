using ManufacturingOrchestration.Engine.Audit;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// The audit checkpoints of a node that has its store to itself. Its workers note the head of each partition they audit
/// as they commit (<see cref="OrchestratorRuntime.Heads"/>), so a checkpoint merges those into the latest one without
/// reading the trail back.
/// </summary>
/// <remarks>
/// What a run commits after its last checkpoint (it was killed, or its store failed that checkpoint) is in no checkpoint
/// and no longer in any node's memory: the next start reads it from the audit feed, after the position the stored
/// checkpoints cover (<see cref="AuditCheckpointFeed"/>), and the next checkpoint holds it. Each checkpoint saves that
/// position as the feed's end read before it, once every commit that began before the read has noted its heads
/// (<see cref="CommitEpochs"/>): so every record up to the saved position is in a stored checkpoint.
/// </remarks>
internal sealed class NodeAuditCheckpoints : IDisposable
{
    // How long a checkpoint waits for the commits in flight; past it the checkpoint is taken and the saved position stays.
    private static readonly TimeSpan CommitWait = TimeSpan.FromSeconds(10);

    private readonly OrchestratorRuntime _runtime;
    private readonly IAuditCheckpointSigner? _signer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // The position saved in the store, and the furthest position of the feed this node has seen.
    private long _savedCursor;
    private long _reached;

    public NodeAuditCheckpoints(OrchestratorRuntime runtime, IAuditCheckpointSigner? signer)
    {
        _runtime = runtime;
        _signer = signer;
    }

    /// <summary>The latest checkpoint (its heads packed), or <see langword="null"/> when the store holds none.</summary>
    public AuditCheckpoint? Latest { get; private set; }

    /// <summary>
    /// Reads the latest checkpoint and folds the records the stored checkpoints do not cover into
    /// <see cref="OrchestratorRuntime.Heads"/>. Before any work is routed: the workers commit nothing meanwhile.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var store = _runtime.Store;
        Latest = await AuditCheckpointFeed.ReadLatestAsync(store, cancellationToken).ConfigureAwait(false);
        _savedCursor = await store.ReadAuditSinkCursorAsync(AuditCheckpointFeed.CursorName, cancellationToken).ConfigureAwait(false);
        _reached = await AuditCheckpointFeed.FoldAsync(store, _savedCursor, (PackedAuditHeads?)Latest?.Heads, _runtime.Heads, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes a checkpoint: the latest one with the heads noted since. With <paramref name="onlyIfAudited"/>, none is taken
    /// when no head was noted since (an idle node would otherwise write every head again each interval).
    /// </summary>
    /// <returns>The checkpoint appended, or <see langword="null"/> when none was due.</returns>
    public async Task<AuditCheckpoint?> TakeAsync(bool onlyIfAudited, CancellationToken cancellationToken)
    {
        var store = _runtime.Store;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (onlyIfAudited && _runtime.Heads.IsEmpty)
            {
                return null;
            }

            // Every record up to the end read here is committed; the wait makes sure its head is noted too.
            var end = await AuditCheckpointFeed.FindEndAsync(store, _reached, cancellationToken).ConfigureAwait(false);
            var covered = await _runtime.Commits.WaitForEarlierAsync(CommitWait, _runtime.Time, cancellationToken).ConfigureAwait(false);
            var heads = PackedAuditHeads.Merge(Latest?.Heads, _runtime.Heads);
            var checkpoint = AuditHashes.ChainCheckpoint(Latest, _runtime.Time.GetUtcNow(), heads, _signer);
            await store.AppendCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
            Latest = checkpoint;
            _reached = end;

            // The checkpoint holds these heads now (and the next starts from it): forget them, unless a newer head of the
            // partition was committed meanwhile.
            foreach (var head in _runtime.Heads)
            {
                if (heads.Holds(head.Key, head.Value))
                {
                    _runtime.Heads.TryRemove(head);
                }
            }

            if (covered)
            {
                _savedCursor = await AuditCheckpointFeed.SaveAsync(_runtime, _savedCursor, end, cancellationToken).ConfigureAwait(false);
            }

            return checkpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// With a checkpoint signer, takes a checkpoint when the latest one is not signed (or there is none), so a keyed
    /// verifier finds a signed latest one without waiting for the first partition this run writes to.
    /// </summary>
    public async Task SignIfUnsignedAsync(CancellationToken cancellationToken)
    {
        if (_signer is not null && Latest is not { Mac: not null })
        {
            await TakeAsync(onlyIfAudited: false, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _gate.Dispose();
}
