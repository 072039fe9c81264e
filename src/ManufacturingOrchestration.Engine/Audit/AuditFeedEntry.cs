namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// One audit record as the store's audit feed returns it: the record and its feed position, which orders the records
/// of every partition by commit.
/// </summary>
public sealed record AuditFeedEntry
{
    /// <summary>
    /// The feed position the store assigned when the record was committed: positive, strictly increasing in commit order
    /// across every partition, never changed. Positions are local to one store: they are what a sink's delivery cursor
    /// holds, not an identity of the record (that is the partition key and sequence).
    /// </summary>
    public required long Position { get; init; }

    /// <summary>The record.</summary>
    public required AuditRecord Record { get; init; }
}
