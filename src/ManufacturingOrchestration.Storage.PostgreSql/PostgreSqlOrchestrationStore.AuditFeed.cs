using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// The audit feed and the audit sinks' cursors. The feed position is the <c>id</c> of the <c>audit</c> table, drawn from
/// its identity sequence while the commit holds the audit advisory lock, which it keeps until it has committed: ids are
/// therefore assigned in commit order and a committed id becomes visible only after every lower one. Gaps (ids drawn by a
/// transaction that rolled back) are allowed; audit rows are never deleted, so an id is never reused.
/// </summary>
public sealed partial class PostgreSqlOrchestrationStore
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditFeedEntry>> ReadAuditFeedAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return QueryAsync(
            "SELECT id, record FROM §audit WHERE id > $1 ORDER BY id LIMIT $2",
            static rows =>
            {
                var position = rows.GetInt64(0);
                return new AuditFeedEntry
                {
                    Position = position,
                    Record = StoredRecordJson.ReadAuditRecord(rows.GetFieldValue<byte[]>(1), $"the audit record at feed position {position}"),
                };
            },
            cancellationToken,
            Bigint(afterPosition),
            Bigint(maxCount));
    }

    /// <inheritdoc />
    public async ValueTask<long> ReadAuditSinkCursorAsync(string sinkName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        cancellationToken.ThrowIfCancellationRequested();
        var found = await QueryAsync("SELECT position FROM §audit_sink_cursors WHERE sink = $1", static rows => rows.GetInt64(0), cancellationToken, Text(sinkName)).ConfigureAwait(false);
        return found.Count == 0 ? 0L : found[0];
    }

    /// <inheritdoc />
    public async ValueTask<bool> TrySaveAuditSinkCursorAsync(string sinkName, long expectedPosition, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedPosition);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(position, expectedPosition);
        cancellationToken.ThrowIfCancellationRequested();

        // Saved positions are positive, so "none saved" and "saved at 0" are one state: a first save inserts.
        var changed = expectedPosition == 0
            ? await ExecuteAsync("INSERT INTO §audit_sink_cursors (sink, position) VALUES ($1, $2) ON CONFLICT (sink) DO NOTHING", cancellationToken, Text(sinkName), Bigint(position)).ConfigureAwait(false)
            : await ExecuteAsync("UPDATE §audit_sink_cursors SET position = $3 WHERE sink = $1 AND position = $2", cancellationToken, Text(sinkName), Bigint(expectedPosition), Bigint(position)).ConfigureAwait(false);
        return changed == 1;
    }
}
