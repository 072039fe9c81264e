using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Extensions.Logging;

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
/// <para>How far the feed has been folded into a checkpoint is saved as the cursor named <see cref="FeedCursorName"/>
/// (the audit sinks' cursor table; sink names starting with <c>$</c> are refused), after the checkpoint is appended. A
/// node that becomes the holder reads the feed from there, not from the start of the trail: the latest checkpoint always
/// covers at least the saved position, since a cursor moves only after the checkpoint that covers it is stored. A crash
/// in between leaves it behind, and the next holder reads a little more of the feed again.</para>
/// </remarks>
internal sealed partial class ClusteredAuditCheckpoints : IDisposable
{
    /// <summary>The feed cursor of the clustered checkpoints, in the audit sinks' cursor table.</summary>
    internal const string FeedCursorName = "$audit-checkpoints";

    private const int FeedPage = 10_000;

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
                _savedCursor = await store.ReadAuditSinkCursorAsync(FeedCursorName, cancellationToken).ConfigureAwait(false);
                _cursor = _savedCursor;
            }

            for (var attempt = 1; ; attempt++)
            {
                if (!_latestKnown)
                {
                    var stored = await store.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
                    _latest = stored is null ? null : stored with { Heads = PackedAuditHeads.Merge(stored.Heads, []) };
                    _latestKnown = true;
                }

                var latestHeads = (PackedAuditHeads?)_latest?.Heads;
                Forget(latestHeads);
                await ReadFeedAsync(latestHeads, cancellationToken).ConfigureAwait(false);
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
                await SaveCursorAsync(cancellationToken).ConfigureAwait(false);
                return checkpoint;
            }
        }
        finally
        {
            _gate.Release();
        }
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

    /// <summary>
    /// Folds the feed after the cursor into the pending heads: a record counts when it is beyond the latest checkpoint's
    /// head of its partition. A partition's records are in sequence order in the feed, so each one read is its newest.
    /// </summary>
    private async Task ReadFeedAsync(PackedAuditHeads? latestHeads, CancellationToken cancellationToken)
    {
        while (true)
        {
            var feed = await _runtime.Store.ReadAuditFeedAsync(_cursor, FeedPage, cancellationToken).ConfigureAwait(false);
            foreach (var entry in feed)
            {
                var record = entry.Record;
                if (record.Sequence > (latestHeads?.CountOf(record.PartitionKey) ?? 0))
                {
                    _pending[record.PartitionKey] = PackedAuditHead.Pack(new AuditHead { Count = record.Sequence, Hash = record.Hash });
                }

                _cursor = entry.Position;
            }

            if (feed.Count < FeedPage)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Saves how far the stored checkpoints cover the feed. Only ever forward (compare-and-set): a node that lost the
    /// race re-reads the saved position. A failure is logged and left for the next checkpoint; the checkpoint stands.
    /// </summary>
    private async Task SaveCursorAsync(CancellationToken cancellationToken)
    {
        if (_cursor <= _savedCursor)
        {
            return;
        }

        var store = _runtime.Store;
        try
        {
            _savedCursor = await store.TrySaveAuditSinkCursorAsync(FeedCursorName, _savedCursor, _cursor, cancellationToken).ConfigureAwait(false)
                ? _cursor
                : await store.ReadAuditSinkCursorAsync(FeedCursorName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CursorNotSaved(_runtime.Logger, ex, _cursor);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The audit checkpoint was stored but its feed position {Position} was not; the next holder of the singleton reads the feed again from the position saved before.")]
        public static partial void CursorNotSaved(ILogger logger, Exception exception, long position);
    }
}
