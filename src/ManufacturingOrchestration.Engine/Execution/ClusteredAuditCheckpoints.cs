using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// The audit checkpoints of a clustered node. Every node commits to the trail, so the heads come from the store: the
/// latest checkpoint (whoever took it) and the audit feed read after what it covers. Taken by the holder of the
/// singleton lease (periodically and at its shutdown), and by any node on request; the store's compare-and-append keeps
/// the chain linear whoever appends.
/// </summary>
/// <remarks>
/// <para>What a node keeps between checkpoints is bounded by what changed, not by every partition ever written: the
/// latest checkpoint packed (~100 bytes a partition) and the packed heads the feed showed beyond it. The latest
/// checkpoint is read from the store only when this node does not know it (its first checkpoint, or after another node
/// appended one: the append then fails and is tried once more from the stored one).</para>
/// <para>How far the feed has been folded into a checkpoint is saved after each one (<see cref="AuditCheckpointFeed"/>): a
/// node that becomes the holder reads the feed from there, not from the start of the trail.</para>
/// </remarks>
internal sealed class ClusteredAuditCheckpoints : IDisposable
{
    private readonly OrchestratorRuntime _runtime;
    private readonly IAuditCheckpointSigner? _signer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Heads the feed showed beyond the latest checkpoint, not in any checkpoint yet. Only touched under the gate.
    private readonly Dictionary<string, PackedAuditHead> _pending = new(StringComparer.Ordinal);

    // The latest checkpoint as this node knows it (its heads packed), or null when it must be read from the store.
    private AuditCheckpoint? _latest;
    private bool _latestKnown;

    // The feed position folded so far, and the one saved in the store (-1 until read).
    private long _cursor = -1;
    private long _savedCursor;

    public ClusteredAuditCheckpoints(OrchestratorRuntime runtime, IAuditCheckpointSigner? signer)
    {
        _runtime = runtime;
        _signer = signer;
    }

    /// <summary>
    /// Takes a checkpoint continuing the latest stored one. With <paramref name="onlyIfAudited"/>, none is taken when the
    /// trail has no record beyond the latest checkpoint (an idle cluster would otherwise write every head again each interval).
    /// </summary>
    /// <returns>The checkpoint appended, or <see langword="null"/> when none was due.</returns>
    /// <exception cref="AuditCheckpointConflictException">Other nodes appended twice while this one tried.</exception>
    public async Task<AuditCheckpoint?> TakeAsync(bool onlyIfAudited, CancellationToken cancellationToken)
    {
        var store = _runtime.Store;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cursor < 0)
            {
                _savedCursor = await store.ReadAuditSinkCursorAsync(AuditCheckpointFeed.CursorName, cancellationToken).ConfigureAwait(false);
                _cursor = _savedCursor;
            }

            for (var attempt = 1; ; attempt++)
            {
                if (!_latestKnown)
                {
                    _latest = await AuditCheckpointFeed.ReadLatestAsync(store, cancellationToken).ConfigureAwait(false);
                    _latestKnown = true;
                }

                var latestHeads = (PackedAuditHeads?)_latest?.Heads;
                Forget(latestHeads);
                _cursor = await AuditCheckpointFeed.FoldAsync(store, _cursor, latestHeads, _pending, cancellationToken).ConfigureAwait(false);
                if (onlyIfAudited && _pending.Count == 0)
                {
                    return null;
                }

                var checkpoint = AuditHashes.ChainCheckpoint(_latest, _runtime.Time.GetUtcNow(), PackedAuditHeads.Merge(latestHeads, _pending), _signer);
                try
                {
                    await store.AppendCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
                }
                catch (AuditCheckpointConflictException) when (attempt == 1)
                {
                    // Another node checkpointed since this one last did (the singleton moved, or a request): continue its chain.
                    _latestKnown = false;
                    continue;
                }

                _latest = checkpoint;
                _pending.Clear();
                _savedCursor = await AuditCheckpointFeed.SaveAsync(_runtime, _savedCursor, _cursor, cancellationToken).ConfigureAwait(false);
                return checkpoint;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// With a checkpoint signer, takes a checkpoint when the latest stored one is not signed (or there is none), so a
    /// keyed verifier finds a signed latest one; the checkpoint read here is the one a checkpoint taken now continues.
    /// </summary>
    public async Task SignIfUnsignedAsync(CancellationToken cancellationToken)
    {
        if (_signer is null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _latest = await AuditCheckpointFeed.ReadLatestAsync(_runtime.Store, cancellationToken).ConfigureAwait(false);
            _latestKnown = true;
            if (_latest is { Mac: not null })
            {
                return;
            }
        }
        finally
        {
            _gate.Release();
        }

        await TakeAsync(onlyIfAudited: false, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Drops the pending heads the latest checkpoint already holds (or holds a later head of).</summary>
    private void Forget(PackedAuditHeads? latestHeads)
    {
        if (latestHeads is null || _pending.Count == 0)
        {
            return;
        }

        foreach (var (key, head) in _pending)
        {
            if (latestHeads.CountOf(key) >= head.Count)
            {
                _pending.Remove(key);
            }
        }
    }
}
