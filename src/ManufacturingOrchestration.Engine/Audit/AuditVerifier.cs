using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>
    /// A checkpoint's own hash does not verify, or (with an <see cref="IAuditCheckpointSigner"/>) its MAC is missing or
    /// does not verify: it was forged or rewritten.
    /// </summary>
    CheckpointTampered = 4,

    /// <summary>
    /// A value the store files a record under for its queries (<see cref="AuditViolation.Column"/>: partition, sequence,
    /// action, time, feed position) differs from the hashed record: edited to hide the record from a query or misplace it.
    /// </summary>
    ColumnMismatch = 5,

    /// <summary>
    /// A checkpoint that must exist does not: the latest checkpoint's predecessor is gone, or (with an
    /// <see cref="IAuditCheckpointSigner"/>) no checkpoint exists although records are older than
    /// <see cref="AuditVerifierOptions.CheckpointGrace"/> (the checkpoints were deleted).
    /// </summary>
    CheckpointMissing = 6,
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

    /// <summary>
    /// For <see cref="AuditViolationKind.ColumnMismatch"/>: the stored value that differs, named as the
    /// <see cref="AuditStoredRecord"/> property (<c>PartitionKey</c>, <c>Sequence</c>, <c>Action</c>, <c>RecordedAt</c>,
    /// <c>Position</c>); otherwise <see langword="null"/>.
    /// </summary>
    public string? Column { get; init; }

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

/// <summary>How an <see cref="AuditVerifier"/> verifies checkpoints.</summary>
public sealed record AuditVerifierOptions
{
    /// <summary>
    /// The host's checkpoint signer (the same key the orchestrator signs with), or <see langword="null"/> to verify
    /// checkpoints by their hash only. With a signer the latest checkpoint must carry a MAC that verifies, and records
    /// older than <see cref="CheckpointGrace"/> require a checkpoint to exist.
    /// </summary>
    public IAuditCheckpointSigner? CheckpointSigner { get; init; }

    /// <summary>The clock that <see cref="CheckpointGrace"/> is measured on. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// With a <see cref="CheckpointSigner"/>: how old a record may be without any checkpoint in the store before the
    /// verifier reports <see cref="AuditViolationKind.CheckpointMissing"/>. The orchestrator uses twice its checkpoint
    /// interval. Default 2 minutes; must be positive.
    /// </summary>
    public TimeSpan CheckpointGrace { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Verifies the hash-chained audit trail: every record's hash, every link, the sequence, each value the store files a
/// record under for its queries against the record, and each chain against the latest checkpoint, so modification,
/// deletion, reordering and truncation are detected.
/// </summary>
/// <remarks>
/// <para>Without a checkpoint signer, checkpoints are only hashed: someone who can write the database can delete them
/// or rewrite them with a recomputed hash, and truncation of records written after the latest checkpoint cannot be
/// told from "not yet written".</para>
/// <para>With a signer (<see cref="AuditVerifierOptions.CheckpointSigner"/>), the latest checkpoint must carry a MAC
/// that verifies and link to its predecessor's number, hash and MAC; and a store with records older than
/// <see cref="AuditVerifierOptions.CheckpointGrace"/> must hold a checkpoint, so deleting every checkpoint (and then
/// truncating a chain) is reported. Rolling the whole store back to an earlier checkpoint (deleting the newest
/// checkpoints and every record written after the one that remains) still looks like a host that stopped then: keep
/// the checkpoints' MACs outside the database (an audit sink) to detect that.</para>
/// </remarks>
public sealed class AuditVerifier
{
    private readonly IOrchestrationStore _store;
    private readonly AuditVerifierOptions _options;

    /// <summary>Creates a verifier over a store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">How checkpoints are verified; by hash only when <see langword="null"/>.</param>
    public AuditVerifier(IOrchestrationStore store, AuditVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new AuditVerifierOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CheckpointGrace, TimeSpan.Zero, nameof(options));
        _store = store;
        _options = options;
    }

    /// <summary>Verifies every chain.</summary>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The result.</returns>
    public async ValueTask<AuditVerificationResult> VerifyAllAsync(CancellationToken cancellationToken = default)
    {
        var violations = new List<AuditViolation>();
        var checkpoint = await ReadCheckpointAsync(violations, cancellationToken).ConfigureAwait(false);
        var keys = new HashSet<string>(await _store.ReadAuditPartitionsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        if (checkpoint is not null)
        {
            keys.UnionWith(checkpoint.Heads.Keys);
        }

        long records = 0;
        var sorted = keys.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        foreach (var key in sorted)
        {
            records += await VerifyStoredChainAsync(key, checkpoint, violations, cancellationToken).ConfigureAwait(false);
        }

        return new AuditVerificationResult { ChainsChecked = keys.Count, RecordsChecked = records, Violations = violations };
    }

    /// <summary>Verifies one partition's chain.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The result.</returns>
    public async ValueTask<AuditVerificationResult> VerifyPartitionAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        var violations = new List<AuditViolation>();
        var checkpoint = await ReadCheckpointAsync(violations, cancellationToken).ConfigureAwait(false);
        var records = await VerifyStoredChainAsync(partitionKey, checkpoint, violations, cancellationToken).ConfigureAwait(false);
        return new AuditVerificationResult { ChainsChecked = 1, RecordsChecked = records, Violations = violations };
    }

    /// <summary>Verifies a chain given as records (for exported trails).</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="chain">The records in stored order.</param>
    /// <param name="checkpoint">The checkpoint to compare with, if any.</param>
    /// <returns>The problems found.</returns>
    public static IReadOnlyList<AuditViolation> VerifyChain(string partitionKey, IReadOnlyList<AuditRecord> chain, AuditCheckpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var violations = new List<AuditViolation>();
        VerifyChain(partitionKey, chain, null, checkpoint, violations);
        return violations;
    }

    /// <summary>
    /// Reads the latest checkpoint and its predecessor and reports what is wrong with them: a hash that does not verify,
    /// a predecessor that is missing or does not link, and with a signer a MAC that is missing or does not verify.
    /// </summary>
    private async ValueTask<AuditCheckpoint?> ReadCheckpointAsync(List<AuditViolation> violations, CancellationToken cancellationToken)
    {
        var latest = await _store.ReadLatestCheckpointsAsync(2, cancellationToken).ConfigureAwait(false);
        if (latest.Count == 0)
        {
            return null;
        }

        var checkpoint = latest[0];
        if (!string.Equals(AuditHashes.Compute(checkpoint), checkpoint.Hash, StringComparison.Ordinal))
        {
            violations.Add(new AuditViolation { Kind = AuditViolationKind.CheckpointTampered, PartitionKey = "*", Message = $"Checkpoint {checkpoint.Number} does not match its hash." });
        }

        var signer = _options.CheckpointSigner;
        if (signer is not null && !MacVerifies(signer, checkpoint))
        {
            violations.Add(new AuditViolation
            {
                Kind = AuditViolationKind.CheckpointTampered,
                PartitionKey = "*",
                Message = checkpoint.Mac is null
                    ? $"Checkpoint {checkpoint.Number} is not signed although a checkpoint key is configured: it was forged, or no checkpoint was taken since the key was configured."
                    : $"Checkpoint {checkpoint.Number} does not match its MAC: it was forged or rewritten.",
            });
        }

        // The latest must be stored right after its predecessor: a gap, or an older checkpoint read as the latest
        // (stored rows reordered), means checkpoints were deleted or moved.
        var previous = latest.Count > 1 ? latest[1] : null;
        if (checkpoint.Number > 1 || previous is not null)
        {
            if (previous is null || previous.Number != checkpoint.Number - 1)
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.CheckpointMissing, PartitionKey = "*", Message = $"Checkpoint {checkpoint.Number} is not stored right after checkpoint {checkpoint.Number - 1}: checkpoints were deleted or reordered." });
            }
            else if (!string.Equals(previous.Hash, checkpoint.PreviousHash, StringComparison.Ordinal)
                || !string.Equals(previous.Mac, checkpoint.PreviousMac, StringComparison.Ordinal))
            {
                violations.Add(new AuditViolation { Kind = AuditViolationKind.CheckpointTampered, PartitionKey = "*", Message = $"Checkpoint {checkpoint.Number} does not link to checkpoint {previous.Number}: one of them was rewritten." });
            }
        }

        return checkpoint;
    }

    private static bool MacVerifies(IAuditCheckpointSigner signer, AuditCheckpoint checkpoint)
    {
        if (checkpoint.Mac is null)
        {
            return false;
        }

        var expected = signer.Sign(AuditHashes.CheckpointMacPayload(checkpoint));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(checkpoint.Mac));
    }

    private async ValueTask<long> VerifyStoredChainAsync(string key, AuditCheckpoint? checkpoint, List<AuditViolation> violations, CancellationToken cancellationToken)
    {
        var stored = await _store.ReadAuditStoredAsync(key, cancellationToken).ConfigureAwait(false);
        var chain = new AuditRecord[stored.Count];
        for (var i = 0; i < chain.Length; i++)
        {
            chain[i] = stored[i].Record;
        }

        VerifyChain(key, chain, stored, checkpoint, violations);
        if (checkpoint is null && _options.CheckpointSigner is not null && chain.Length > 0)
        {
            // Records are written in time order, so the first is the oldest: a checkpoint was due by now.
            var due = _options.TimeProvider.GetUtcNow() - _options.CheckpointGrace;
            if (chain[0].RecordedAt < due)
            {
                violations.Add(new AuditViolation
                {
                    Kind = AuditViolationKind.CheckpointMissing,
                    PartitionKey = key,
                    Sequence = chain[0].Sequence,
                    Message = $"Record {chain[0].Sequence} was recorded at {chain[0].RecordedAt:O}, more than {_options.CheckpointGrace} ago, but the store holds no checkpoint: the checkpoints were deleted.",
                });
            }
        }

        return chain.Length;
    }

    private static void VerifyChain(string key, IReadOnlyList<AuditRecord> chain, IReadOnlyList<AuditStoredRecord>? stored, AuditCheckpoint? checkpoint, List<AuditViolation> violations)
    {
        var previous = AuditHashes.GenesisHash;
        var previousPosition = long.MinValue;
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

            if (stored is not null)
            {
                var row = stored[i];
                if (MismatchedColumn(row, key, previousPosition) is { } column)
                {
                    violations.Add(new AuditViolation
                    {
                        Kind = AuditViolationKind.ColumnMismatch,
                        PartitionKey = key,
                        Sequence = record.Sequence,
                        Column = column.Name,
                        Message = $"Record {record.Sequence} is stored under {column.Name} {column.Stored}, but the hashed record says {column.Hashed}: queries by that value miss or misplace it.",
                    });
                }

                previousPosition = row.Position;
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

    /// <summary>The first value a stored record is filed under that differs from the hashed record, if any.</summary>
    private static (string Name, string Stored, string Hashed)? MismatchedColumn(AuditStoredRecord row, string key, long previousPosition)
    {
        var record = row.Record;
        if (!string.Equals(row.PartitionKey, key, StringComparison.Ordinal) || !string.Equals(record.PartitionKey, key, StringComparison.Ordinal))
        {
            return (nameof(AuditStoredRecord.PartitionKey), $"'{row.PartitionKey}'", $"'{record.PartitionKey}'");
        }

        if (row.Sequence != record.Sequence)
        {
            return (nameof(AuditStoredRecord.Sequence), row.Sequence.ToString(CultureInfo.InvariantCulture), record.Sequence.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.Equals(row.Action, record.Action, StringComparison.Ordinal))
        {
            return (nameof(AuditStoredRecord.Action), $"'{row.Action}'", $"'{record.Action}'");
        }

        if (row.RecordedAt.UtcTicks != record.RecordedAt.UtcTicks)
        {
            return (nameof(AuditStoredRecord.RecordedAt), row.RecordedAt.ToString("O", CultureInfo.InvariantCulture), record.RecordedAt.ToString("O", CultureInfo.InvariantCulture));
        }

        if (row.Position <= previousPosition || row.Position <= 0)
        {
            return (nameof(AuditStoredRecord.Position), row.Position.ToString(CultureInfo.InvariantCulture), $"a position after the previous record's ({previousPosition.ToString(CultureInfo.InvariantCulture)})");
        }

        return null;
    }
}
