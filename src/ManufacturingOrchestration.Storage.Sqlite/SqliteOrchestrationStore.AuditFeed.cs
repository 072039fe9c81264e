using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// The audit feed and the audit sinks' cursors. The feed position is the <c>id</c> of the <c>audit</c> table: the one
/// writer assigns it (the largest id + 1) inside the commit's transaction, so ids increase in commit order and a
/// committed id is visible only with every lower one; audit rows are never deleted, so an id is never reused. Files
/// written before the feed existed have the same ids, in the order they were committed.
/// </summary>
public sealed partial class SqliteOrchestrationStore
{
    /// <summary>A page of the audit feed (served by the table's integer primary key).</summary>
    internal const string AuditFeedSql = "SELECT id, record FROM audit WHERE id > $p0 ORDER BY id LIMIT $p1";

    /// <summary>Moves a saved cursor from the expected position (served by the primary key).</summary>
    private const string MoveCursorSql = "UPDATE audit_sink_cursors SET position = $p2 WHERE sink = $p0 AND position = $p1";

    /// <summary>Saves a sink's first cursor unless one is saved already.</summary>
    private const string FirstCursorSql = "INSERT INTO audit_sink_cursors (sink, position) VALUES ($p0, $p1) ON CONFLICT (sink) DO NOTHING";

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditFeedEntry>> ReadAuditFeedAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        return Read<IReadOnlyList<AuditFeedEntry>>(reader =>
        {
            var command = reader.Get(AuditFeedSql, 2).With(afterPosition, (long)maxCount);
            var result = new List<AuditFeedEntry>(Math.Min(maxCount, 1024));
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                var position = rows.GetInt64(0);
                var what = $"the audit record at feed position {position}";
                var record = StoredRecordJson.ReadAuditRecord(StoredBytes(rows.GetValue(1), what), what);
                result.Add(new AuditFeedEntry { Position = position, Record = record });
            }

            return result;
        });
    }

    /// <inheritdoc />
    public ValueTask<long> ReadAuditSinkCursorAsync(string sinkName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        cancellationToken.ThrowIfCancellationRequested();
        return Read(reader => reader.Get("SELECT position FROM audit_sink_cursors WHERE sink = $p0", 1).With(sinkName).ExecuteScalar() is long position ? position : 0L);
    }

    /// <inheritdoc />
    public async ValueTask<bool> TrySaveAuditSinkCursorAsync(string sinkName, long expectedPosition, long position, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedPosition);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(position, expectedPosition);
        cancellationToken.ThrowIfCancellationRequested();
        var saved = false;

        // Saved positions are positive, so "none saved" and "saved at 0" are one state: a first save inserts.
        await WriteAsync(
            () => saved = expectedPosition == 0
                ? _writer.Statement(FirstCursorSql, 2).With(sinkName, position).ExecuteNonQuery() == 1
                : _writer.Statement(MoveCursorSql, 3).With(sinkName, expectedPosition, position).ExecuteNonQuery() == 1,
            cancellationToken).ConfigureAwait(false);
        return saved;
    }
}
