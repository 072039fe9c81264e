namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// One audit record as a store holds it: the hashed record, and the values the store keeps beside it for its queries
/// (in SQLite the <c>partition_key</c>, <c>sequence</c>, <c>action</c>, <c>recorded_at</c> and <c>id</c> columns of
/// <c>audit</c>). <see cref="AuditVerifier"/> compares each of those values with the hashed record, so a value edited
/// to hide a record from a query (an e-signature filed under another action) is reported as
/// <see cref="AuditViolationKind.ColumnMismatch"/>.
/// </summary>
public sealed record AuditStoredRecord
{
    /// <summary>The record as hashed (the stored record content).</summary>
    public required AuditRecord Record { get; init; }

    /// <summary>The partition the store files the record under (what reads by partition select on).</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The sequence the store files the record under (what reads by partition order and select on).</summary>
    public required long Sequence { get; init; }

    /// <summary>The action the store files the record under (what reads by action select on).</summary>
    public required string Action { get; init; }

    /// <summary>The time the store files the record under (what reads by action filter and order on).</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>
    /// The record's position in the audit feed (<see cref="AuditFeedEntry.Position"/>). Positions are not part of the
    /// hash; the verifier checks that they increase with the sequence within a chain.
    /// </summary>
    public required long Position { get; init; }
}
