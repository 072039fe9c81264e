namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// An external destination of the audit trail (a SIEM, a GRC tool, a file): the orchestrator streams every committed
/// <see cref="AuditRecord"/> to each registered sink, at least once, in commit order, and keeps one delivery cursor per
/// sink <see cref="Name"/> in the store, so delivery resumes where it stopped after a restart.
/// </summary>
/// <remarks>
/// <para><b>At least once.</b> The cursor is saved after <see cref="WriteAsync"/> returns; a crash, a failed cursor
/// save or a stop in between delivers the same records again. A sink removes duplicates by
/// (<see cref="AuditRecord.PartitionKey"/>, <see cref="AuditRecord.Sequence"/>): the pair names one record for ever,
/// and a record whose sequence is at or below the last one the sink holds for its key was already delivered.</para>
/// <para><b>In order per key.</b> A batch is in commit order; the records of one partition key are in sequence order
/// within a batch and from one batch to the next, and a key's records never arrive after a later record of the same
/// key. Records of different keys interleave.</para>
/// <para><b>Failures.</b> A sink that throws is logged and called again with the same records (and possibly more)
/// after a backoff (<see cref="AuditSinkOptions"/>); nothing is skipped, no other sink waits for it, and the
/// orchestrator keeps running. A sink is called by one delivery loop at a time.</para>
/// </remarks>
public interface IAuditSink
{
    /// <summary>
    /// The sink's name, unique among the orchestrator's sinks: it keys the delivery cursor in the store. Names starting
    /// with <c>$</c> are reserved for the orchestrator's own cursors. A sink with a new name starts from the first audit record the store holds; renaming a sink therefore delivers everything again.
    /// </summary>
    string Name { get; }

    /// <summary>
    /// Delivers a batch of committed audit records; returns only when the destination holds them durably (the cursor
    /// moves past them afterwards). Throw to have the same records delivered again after a backoff.
    /// </summary>
    /// <param name="batch">The records, in commit order (at least one).</param>
    /// <param name="cancellationToken">Cancelled when the orchestrator stops, which waits for the call to end: honour it. The records are delivered again at the next start.</param>
    /// <returns>A task that completes when the records are durable at the destination.</returns>
    ValueTask WriteAsync(IReadOnlyList<AuditRecord> batch, CancellationToken cancellationToken = default);
}
