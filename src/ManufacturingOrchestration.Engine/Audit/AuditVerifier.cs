using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>What a verification found wrong.</summary>
public enum AuditViolationKind
{
    /// <summary>A record's content no longer matches its hash (modified).</summary>
    HashMismatch = 0,

    /// <summary>A record does not link to its predecessor (deleted, inserted or reordered).</summary>
    BrokenLink = 1,

    /// <summary>Sequence numbers are not 1, 2, 3… (deleted or reordered).</summary>
    SequenceGap = 2,

    /// <summary>The chain is shorter than, or its head differs from, what the latest checkpoint recorded (truncated or rewritten).</summary>
    CheckpointMismatch = 3,

    /// <summary>A checkpoint's own hash does not verify.</summary>
    CheckpointTampered = 4,
}

/// <summary>One problem found by <see cref="AuditVerifier"/>.</summary>
public sealed record AuditViolation
{
    /// <summary>What is wrong.</summary>
    public required AuditViolationKind Kind { get; init; }

    /// <summary>The partition whose chain is affected.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The sequence of the first affected record, when there is one.</summary>
    public long? Sequence { get; init; }

    /// <summary>A message for people.</summary>
    public required string Message { get; init; }
}

/// <summary>The outcome of verifying the audit trail.</summary>
public sealed record AuditVerificationResult
{
    /// <summary>Whether every chain verified.</summary>
    public bool IsValid => Violations.Count == 0;

    /// <summary>How many chains were checked.</summary>
    public required int ChainsChecked { get; init; }

    /// <summary>How many records were checked.</summary>
    public required long RecordsChecked { get; init; }

    /// <summary>Every problem found.</summary>
    public required IReadOnlyList<AuditViolation> Violations { get; init; }
}

/// <summary>
/// Verifies the hash-chained audit trail: every record's hash, every link, the sequence, and each chain against the
/// latest checkpoint, so modification, deletion, reordering and truncation are detected. Truncation of records
/// written after the latest checkpoint cannot be told from "not yet written": take checkpoints often (the engine
/// takes one periodically and at shutdown).
/// </summary>
public sealed class AuditVerifier
{
    private readonly IOrchestrationStore _store;

    /// <summary>Creates a verifier over a store.</summary>
    /// <param name="store">The store.</param>
    public AuditVerifier(IOrchestrationStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Verifies every chain.</summary>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The result.</returns>
    public async ValueTask<AuditVerificationResult> VerifyAllAsync(CancellationToken cancellationToken = default)
    {
        var violations = new List<AuditViolation>();
        var checkpoint = await _store.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (checkpoint is not null && AuditHashes.Compute(checkpoint) != checkpoint.Hash)
        {
            violations.Add(new AuditViolation { Kind = AuditViolationKind.CheckpointTampered, PartitionKey = "*", Message = $"Checkpoint {checkpoint.Number} does not match its hash." });
        }

        var keys = new HashSet<string>(await _store.ReadAuditPartitionsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        if (checkpoint is not null)
        {
            keys.UnionWith(checkpoint.Heads.Keys);
        }

        long records = 0;
        foreach (var key in keys)
        {
            var chain = await _store.ReadAuditAsync(key, 1, cancellationToken).ConfigureAwait(false);
            records += chain.Count;
            VerifyChain(key, chain, checkpoint, violations);
        }

        return new AuditVerificationResult { ChainsChecked = keys.Count, RecordsChecked = records, Violations = violations };
    }

    /// <summary>Verifies one partition's chain.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The result.</returns>
    public async ValueTask<AuditVerificationResult> VerifyPartitionAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        var violations = new List<AuditViolation>();
        var checkpoint = await _store.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var chain = await _store.ReadAuditAsync(partitionKey, 1, cancellationToken).ConfigureAwait(false);
        VerifyChain(partitionKey, chain, checkpoint, violations);
        return new AuditVerificationResult { ChainsChecked = 1, RecordsChecked = chain.Count, Violations = violations };
    }

    /// <summary>Verifies a chain given as records (for exported trails).</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="chain">The records in stored order.</param>
    /// <param name="checkpoint">The checkpoint to compare with, if any.</param>
    /// <returns>The problems found.</returns>
    public static IReadOnlyList<AuditViolation> VerifyChain(string partitionKey, IReadOnlyList<AuditRecord> chain, AuditCheckpoint? checkpoint)
    {
        var violations = new List<AuditViolation>();
        VerifyChain(partitionKey, chain, checkpoint, violations);
        return violations;
    }

    private static void VerifyChain(string key, IReadOnlyList<AuditRecord> chain, AuditCheckpoint? checkpoint, List<AuditViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var previous = AuditHashes.GenesisHash;
        for (var i = 0; i < chain.Count; i++)
        {
            var record = chain[i];
            if (record.Sequence != i + 1)
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.SequenceGap, PartitionKey = key, Sequence = record.Sequence, Message = $"Record at position {i + 1} has sequence {record.Sequence}." });
                return;
            }

            if (!string.Equals(record.PreviousHash, previous, StringComparison.Ordinal))
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.BrokenLink, PartitionKey = key, Sequence = record.Sequence, Message = $"Record {record.Sequence} does not link to its predecessor." });
                return;
            }

            if (!string.Equals(AuditHashes.Compute(record), record.Hash, StringComparison.Ordinal))
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.HashMismatch, PartitionKey = key, Sequence = record.Sequence, Message = $"Record {record.Sequence} does not match its hash: it was modified." });
                return;
            }

            previous = record.Hash;
        }

        if (checkpoint is not null && checkpoint.Heads.TryGetValue(key, out var head))
        {
            if (chain.Count < head.Count)
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.CheckpointMismatch, PartitionKey = key, Sequence = chain.Count + 1, Message = $"The chain has {chain.Count} records but checkpoint {checkpoint.Number} recorded {head.Count}: it was truncated." });
            }
            else if (head.Count > 0 && !string.Equals(chain[(int)head.Count - 1].Hash, head.Hash, StringComparison.Ordinal))
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.CheckpointMismatch, PartitionKey = key, Sequence = head.Count, Message = $"Record {head.Count} differs from the head recorded by checkpoint {checkpoint.Number}: the chain was rewritten." });
            }
        }
    }
}
