using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// How far the stored audit checkpoints cover the audit feed, and reading the feed beyond it. The position is saved as
/// the cursor named <see cref="CursorName"/> (the audit sinks' cursor table; sink names starting with <c>$</c> are
/// refused), only after the checkpoint that covers it is stored, and only ever forward: the latest checkpoint holds the
/// head of every record up to it (or a later head of the record's partition). A crash in between leaves it behind, and
/// whoever checkpoints next reads a little more of the feed again.
/// </summary>
internal static partial class AuditCheckpointFeed
{
    /// <summary>The cursor's name in the audit sinks' cursor table.</summary>
    internal const string CursorName = "$audit-checkpoints";

    private const int Page = 10_000;

    /// <summary>
    /// The latest stored checkpoint, its heads packed (as the stores read them; a store of your own may give a plain
    /// dictionary, packed here), or <see langword="null"/> when there is none.
    /// </summary>
    public static async Task<AuditCheckpoint?> ReadLatestAsync(IOrchestrationStore store, CancellationToken cancellationToken) =>
        await store.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false) is { } latest
            ? latest with { Heads = PackedAuditHeads.Merge(latest.Heads, []) }
            : null;

    /// <summary>
    /// Folds the feed after <paramref name="after"/> into <paramref name="heads"/>: a record counts when it is beyond the
    /// head <paramref name="latestHeads"/> holds for its partition. A partition's records are in sequence order in the feed,
    /// so each one read is its newest.
    /// </summary>
    /// <returns>The position of the last record read, or <paramref name="after"/> when there was none.</returns>
    public static async Task<long> FoldAsync(IOrchestrationStore store, long after, PackedAuditHeads? latestHeads, IDictionary<string, PackedAuditHead> heads, CancellationToken cancellationToken)
    {
        while (true)
        {
            var feed = await store.ReadAuditFeedAsync(after, Page, cancellationToken).ConfigureAwait(false);
            foreach (var entry in feed)
            {
                var record = entry.Record;
                if (record.Sequence > (latestHeads?.CountOf(record.PartitionKey) ?? 0))
                {
                    heads[record.PartitionKey] = PackedAuditHead.Pack(new AuditHead { Count = record.Sequence, Hash = record.Hash });
                }

                after = entry.Position;
            }

            if (feed.Count < Page)
            {
                return after;
            }
        }
    }

    /// <summary>
    /// The position of the feed's last record (<paramref name="from"/> when there is none after it), found without reading
    /// the records between: one-record reads whose step doubles from <paramref name="from"/> until one finds nothing,
    /// then halves (about twice the logarithm of the distance in reads).
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="from">A position the feed has reached (0 for its start).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<long> FindEndAsync(IOrchestrationStore store, long from, CancellationToken cancellationToken)
    {
        // The end is at `low` or after it, and at `high` or before it. A read after p - 1 finds the first record at p or later.
        var low = from;
        var high = long.MaxValue;
        for (long step = 1; ; step = step > long.MaxValue / 2 ? long.MaxValue : step * 2)
        {
            var probe = low > long.MaxValue - step ? long.MaxValue : low + step;
            var found = await FirstAtOrAfterAsync(store, probe, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                high = probe - 1;
                break;
            }

            low = found.Value;
            if (low == long.MaxValue)
            {
                return low; // nothing can follow it
            }
        }

        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            var found = await FirstAtOrAfterAsync(store, middle, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                high = middle - 1;
            }
            else
            {
                low = found.Value;
            }
        }

        return low;
    }

    /// <summary>
    /// Saves <paramref name="position"/> as covered, compare-and-set from <paramref name="saved"/>. A writer that moved the
    /// cursor meanwhile wins, and its position is read back. A failure is logged and left for the next checkpoint: the
    /// checkpoint stands.
    /// </summary>
    /// <returns>The position saved in the store now, as far as known.</returns>
    public static async Task<long> SaveAsync(OrchestratorRuntime runtime, long saved, long position, CancellationToken cancellationToken)
    {
        if (position <= saved)
        {
            return saved;
        }

        var store = runtime.Store;
        try
        {
            return await store.TrySaveAuditSinkCursorAsync(CursorName, saved, position, cancellationToken).ConfigureAwait(false)
                ? position
                : await store.ReadAuditSinkCursorAsync(CursorName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CursorNotSaved(runtime.Logger, ex, position);
            return saved;
        }
    }

    private static async Task<long?> FirstAtOrAfterAsync(IOrchestrationStore store, long position, CancellationToken cancellationToken)
    {
        var feed = await store.ReadAuditFeedAsync(position - 1, 1, cancellationToken).ConfigureAwait(false);
        return feed.Count == 0 ? null : feed[0].Position;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The audit checkpoint was stored but its feed position {Position} was not; the next checkpoint reads the feed again from the position saved before.")]
        public static partial void CursorNotSaved(ILogger logger, Exception exception, long position);
    }
}
