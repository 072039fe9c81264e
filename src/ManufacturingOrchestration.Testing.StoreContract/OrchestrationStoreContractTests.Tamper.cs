using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Testing.StoreContract;

/// <summary>
/// Tampering as someone with write access to the store's data: each case edits, deletes, reorders or truncates what the
/// store holds through the store's tamper hooks (a raw connection for a database) and asserts the violation reported.
/// A store that does not implement a hook skips the cases that need it.
/// </summary>
public abstract partial class OrchestrationStoreContractTests
{
    /// <summary>The checkpoint key of the keyed cases: 32 fixed bytes, as a host would read from its secret store.</summary>
    protected static readonly HmacAuditCheckpointSigner TestSigner = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>The values a stored audit record is filed under, named as the <see cref="AuditStoredRecord"/> properties.</summary>
    protected enum AuditColumn
    {
        /// <summary><see cref="AuditStoredRecord.PartitionKey"/>.</summary>
        PartitionKey,

        /// <summary><see cref="AuditStoredRecord.Sequence"/>.</summary>
        Sequence,

        /// <summary><see cref="AuditStoredRecord.Action"/>.</summary>
        Action,

        /// <summary><see cref="AuditStoredRecord.RecordedAt"/> (the value is UTC ticks).</summary>
        RecordedAt,

        /// <summary><see cref="AuditStoredRecord.Position"/>.</summary>
        Position,
    }

    /// <summary>Sets one value a stored audit record is filed under, leaving the record itself as it is.</summary>
    /// <param name="store">The store.</param>
    /// <param name="partitionKey">The record's partition.</param>
    /// <param name="sequence">The record's sequence.</param>
    /// <param name="column">Which value.</param>
    /// <param name="value">The new value (a string or a long).</param>
    /// <returns>Whether the store can be edited this way.</returns>
    protected virtual ValueTask<bool> TamperAuditColumnAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditColumn column, object value) => ValueTask.FromResult(false);

    /// <summary>Replaces the stored content of one audit record, leaving the values it is filed under as they are.</summary>
    /// <param name="store">The store.</param>
    /// <param name="partitionKey">The record's partition.</param>
    /// <param name="sequence">The record's sequence.</param>
    /// <param name="record">The new content.</param>
    /// <returns>Whether the store can be edited this way.</returns>
    protected virtual ValueTask<bool> ReplaceAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditRecord record) => ValueTask.FromResult(false);

    /// <summary>Deletes one stored audit record.</summary>
    /// <param name="store">The store.</param>
    /// <param name="partitionKey">The record's partition.</param>
    /// <param name="sequence">The record's sequence.</param>
    /// <returns>Whether the store can be edited this way.</returns>
    protected virtual ValueTask<bool> DeleteAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence) => ValueTask.FromResult(false);

    /// <summary>Deletes stored checkpoints.</summary>
    /// <param name="store">The store.</param>
    /// <param name="numbers">The numbers of the checkpoints to delete.</param>
    /// <returns>Whether the store can be edited this way.</returns>
    protected virtual ValueTask<bool> DeleteCheckpointsAsync(IOrchestrationStore store, IReadOnlyCollection<long> numbers) => ValueTask.FromResult(false);

    /// <summary>Replaces the stored content of one checkpoint in place.</summary>
    /// <param name="store">The store.</param>
    /// <param name="number">The number of the checkpoint to replace.</param>
    /// <param name="checkpoint">The new content.</param>
    /// <returns>Whether the store can be edited this way.</returns>
    protected virtual ValueTask<bool> ReplaceCheckpointAsync(IOrchestrationStore store, long number, AuditCheckpoint checkpoint) => ValueTask.FromResult(false);

    /// <summary><c>VerifyAllAsync</c> — action column edited: reports column mismatch and the query by action missed the record.</summary>
    [Fact]
    public async Task VerifyAllAsync_ActionColumnEdited_ReportsColumnMismatchAndTheQueryByActionMissedTheRecord()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await TamperAuditColumnAsync(store, "lot-A", 2, AuditColumn.Action, "transition-hidden"), "The store cannot be edited this way.");

        var result = await new AuditVerifier(store).VerifyAllAsync(Ct);

        (await store.ReadAuditByActionAsync("transition", null, null, 100, Ct)).Should().HaveCount(4, "the edited column hides the record from its action");
        var violation = result.Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.ColumnMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(2);
        violation.Column.Should().Be("Action");
    }

    /// <summary><c>VerifyAllAsync</c> — recorded at column edited: reports column mismatch.</summary>
    [Fact]
    public async Task VerifyAllAsync_RecordedAtColumnEdited_ReportsColumnMismatch()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await TamperAuditColumnAsync(store, "lot-A", 1, AuditColumn.RecordedAt, T0.AddDays(-30).UtcTicks), "The store cannot be edited this way.");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.ColumnMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(1);
        violation.Column.Should().Be("RecordedAt");
    }

    /// <summary><c>VerifyAllAsync</c> — sequence column of the last record edited: reports column mismatch.</summary>
    [Fact]
    public async Task VerifyAllAsync_SequenceColumnOfTheLastRecordEdited_ReportsColumnMismatch()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await TamperAuditColumnAsync(store, "lot-A", 3, AuditColumn.Sequence, 99L), "The store cannot be edited this way.");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.ColumnMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(3);
        violation.Column.Should().Be("Sequence");
    }

    /// <summary><c>VerifyAllAsync</c> — position of the last record moved before its predecessor: reports column mismatch.</summary>
    [Fact]
    public async Task VerifyAllAsync_PositionOfTheLastRecordMovedBeforeItsPredecessor_ReportsColumnMismatch()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await TamperAuditColumnAsync(store, "lot-A", 3, AuditColumn.Position, -5L), "The store cannot be edited this way.");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.ColumnMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(3);
        violation.Column.Should().Be("Position");
    }

    /// <summary><c>VerifyAllAsync</c> — partition column edited: reports the gap it left and column mismatch where it went.</summary>
    [Fact]
    public async Task VerifyAllAsync_PartitionColumnEdited_ReportsTheGapItLeftAndColumnMismatchWhereItWent()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await TamperAuditColumnAsync(store, "lot-B", 1, AuditColumn.PartitionKey, "lot-C"), "The store cannot be edited this way.");

        var violations = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations;

        violations.Select(v => (v.Kind, v.PartitionKey, v.Sequence, v.Column)).Should().Equal(
            (AuditViolationKind.SequenceGap, "lot-B", 2L, (string?)null),
            (AuditViolationKind.ColumnMismatch, "lot-C", 1L, "PartitionKey"));
    }

    /// <summary><c>VerifyAllAsync</c> — record content edited: reports hash mismatch.</summary>
    [Fact]
    public async Task VerifyAllAsync_RecordContentEdited_ReportsHashMismatch()
    {
        var store = await NewTamperSutAsync(signed: false);
        var original = (await store.ReadAuditAsync("lot-A", 2, Ct))[0];
        Assert.SkipUnless(await ReplaceAuditRecordAsync(store, "lot-A", 2, original with { Actor = "someone-else" }), "The store cannot be edited this way.");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.HashMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(2);
    }

    /// <summary><c>VerifyAllAsync</c> — record contents swapped: reports sequence gap.</summary>
    [Fact]
    public async Task VerifyAllAsync_RecordContentsSwapped_ReportsSequenceGap()
    {
        var store = await NewTamperSutAsync(signed: false);
        var chain = await store.ReadAuditAsync("lot-A", 1, Ct);
        Assert.SkipUnless(await ReplaceAuditRecordAsync(store, "lot-A", 2, chain[2]), "The store cannot be edited this way.");
        await ReplaceAuditRecordAsync(store, "lot-A", 3, chain[1]);

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.SequenceGap);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(3);
    }

    /// <summary><c>VerifyAllAsync</c> — middle record deleted: reports sequence gap.</summary>
    [Fact]
    public async Task VerifyAllAsync_MiddleRecordDeleted_ReportsSequenceGap()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await DeleteAuditRecordAsync(store, "lot-A", 2), "The store cannot be edited this way.");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.SequenceGap);
        violation.Sequence.Should().Be(3);
    }

    /// <summary><c>VerifyAllAsync</c> — last record deleted behind a checkpoint: reports checkpoint mismatch.</summary>
    [Fact]
    public async Task VerifyAllAsync_LastRecordDeletedBehindACheckpoint_ReportsCheckpointMismatch()
    {
        var store = await NewTamperSutAsync(signed: false);
        Assert.SkipUnless(await DeleteAuditRecordAsync(store, "lot-A", 3), "The store cannot be edited this way.");

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.CheckpointMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(3);
    }

    /// <summary><c>VerifyAllAsync</c> — signed checkpoints intact: is valid.</summary>
    [Fact]
    public async Task VerifyAllAsync_SignedCheckpointsIntact_IsValid()
    {
        var store = await NewTamperSutAsync(signed: true);

        var result = await KeyedVerifier(store).VerifyAllAsync(Ct);

        result.Violations.Should().BeEmpty();
        result.RecordsChecked.Should().Be(5);
    }

    /// <summary><c>VerifyAllAsync</c> — with key all checkpoints and the last record deleted: reports checkpoint missing.</summary>
    [Fact]
    public async Task VerifyAllAsync_WithKeyAllCheckpointsAndTheLastRecordDeleted_ReportsCheckpointMissing()
    {
        var store = await NewTamperSutAsync(signed: true);
        Assert.SkipUnless(await DeleteCheckpointsAsync(store, [1, 2]), "The store cannot be edited this way.");
        await DeleteAuditRecordAsync(store, "lot-A", 3);

        var violations = (await KeyedVerifier(store).VerifyAllAsync(Ct)).Violations;

        violations.Select(v => (v.Kind, v.PartitionKey, v.Sequence)).Should().Equal(
            (AuditViolationKind.CheckpointMissing, "lot-A", 1L),
            (AuditViolationKind.CheckpointMissing, "lot-B", 1L));
    }

    /// <summary><c>VerifyAllAsync</c> — without key all checkpoints and the last record deleted: is not detected.</summary>
    [Fact]
    public async Task VerifyAllAsync_WithoutKeyAllCheckpointsAndTheLastRecordDeleted_IsNotDetected()
    {
        var store = await NewTamperSutAsync(signed: true);
        Assert.SkipUnless(await DeleteCheckpointsAsync(store, [1, 2]), "The store cannot be edited this way.");
        await DeleteAuditRecordAsync(store, "lot-A", 3);

        var result = await new AuditVerifier(store).VerifyAllAsync(Ct);

        result.IsValid.Should().BeTrue("without a key nothing proves that a checkpoint or the deleted record existed");
    }

    /// <summary><c>VerifyAllAsync</c> — with key checkpoint rewritten with a recomputed hash over a truncated chain: reports checkpoint tampered.</summary>
    [Fact]
    public async Task VerifyAllAsync_WithKeyCheckpointRewrittenWithARecomputedHashOverATruncatedChain_ReportsCheckpointTampered()
    {
        var store = await NewTamperSutAsync(signed: true);
        var latest = (await store.ReadLatestCheckpointAsync(Ct))!;
        var truncatedHeads = new Dictionary<string, AuditHead>(latest.Heads, StringComparer.Ordinal) { ["lot-A"] = HeadAfter(await store.ReadAuditAsync("lot-A", 1, Ct), 2) };
        var forged = latest with { Heads = truncatedHeads };
        forged = forged with { Hash = AuditHashes.Compute(forged) };
        Assert.SkipUnless(await ReplaceCheckpointAsync(store, 2, forged), "The store cannot be edited this way.");
        await DeleteAuditRecordAsync(store, "lot-A", 3);

        var keyed = await KeyedVerifier(store).VerifyAllAsync(Ct);
        var unkeyed = await new AuditVerifier(store).VerifyAllAsync(Ct);

        keyed.Violations.Should().ContainSingle().Which.Kind.Should().Be(AuditViolationKind.CheckpointTampered);
        unkeyed.IsValid.Should().BeTrue("without a key a checkpoint with a recomputed hash cannot be told from a real one");
    }

    /// <summary><c>VerifyAllAsync</c> — with key unsigned checkpoint appended after the signed ones: reports checkpoint tampered.</summary>
    [Fact]
    public async Task VerifyAllAsync_WithKeyUnsignedCheckpointAppendedAfterTheSignedOnes_ReportsCheckpointTampered()
    {
        var store = await NewTamperSutAsync(signed: true);
        var latest = (await store.ReadLatestCheckpointAsync(Ct))!;
        var forged = NewCheckpoint(3, latest.Hash, new Dictionary<string, AuditHead>(latest.Heads, StringComparer.Ordinal)) with { PreviousMac = latest.Mac };
        await store.AppendCheckpointAsync(forged, Ct);

        var violation = (await KeyedVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.CheckpointTampered);
        violation.Message.Should().Be("Checkpoint 3 is not signed although a checkpoint key is configured: it was forged, or no checkpoint was taken since the key was configured.");
    }

    /// <summary><c>VerifyAllAsync</c> — checkpoint before the latest deleted: reports checkpoint missing.</summary>
    [Fact]
    public async Task VerifyAllAsync_CheckpointBeforeTheLatestDeleted_ReportsCheckpointMissing()
    {
        var store = await NewTamperSutAsync(signed: true);
        Assert.SkipUnless(await DeleteCheckpointsAsync(store, [1]), "The store cannot be edited this way.");

        var violation = (await KeyedVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;

        violation.Kind.Should().Be(AuditViolationKind.CheckpointMissing);
        violation.PartitionKey.Should().Be("*");
    }

    /// <summary>A verifier with <see cref="TestSigner"/> whose clock reads an hour after the records were written.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The verifier.</returns>
    protected static AuditVerifier KeyedVerifier(IOrchestrationStore store) =>
        new(store, new AuditVerifierOptions { CheckpointSigner = TestSigner, TimeProvider = new FixedClock(T0.AddHours(1)), CheckpointGrace = TimeSpan.FromMinutes(2) });

    /// <summary>Signs a checkpoint with <see cref="TestSigner"/>, chained to the previous checkpoint's MAC.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="previous">The previous checkpoint, if any.</param>
    /// <returns>The signed checkpoint.</returns>
    protected static AuditCheckpoint Sign(AuditCheckpoint checkpoint, AuditCheckpoint? previous)
    {
        var chained = checkpoint with { PreviousMac = previous?.Mac };
        return chained with { Mac = TestSigner.Sign(AuditHashes.CheckpointMacPayload(chained)) };
    }

    /// <summary>
    /// A store holding lot-A's chain of three records (actions "transition") and lot-B's of two, with two checkpoints:
    /// the first after lot-A's first record, the second over both heads; signed with <see cref="TestSigner"/> when asked.
    /// </summary>
    private async Task<IOrchestrationStore> NewTamperSutAsync(bool signed)
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 1, out var headA) });
        var first = NewCheckpoint(1, AuditHashes.GenesisHash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = headA });
        first = signed ? Sign(first, null) : first;
        await store.AppendCheckpointAsync(first, Ct);
        await CommitAsync(store, NewStep("lot-A", 1) with { Audit = NewAudit("lot-A", headA, 2, out headA) });
        await CommitAsync(store, NewStep("lot-B", 0) with { Audit = NewAudit("lot-B", AuditHead.Genesis, 2, out var headB) });
        var second = NewCheckpoint(2, first.Hash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = headA, ["lot-B"] = headB });
        await store.AppendCheckpointAsync(signed ? Sign(second, first) : second, Ct);
        return store;
    }

    private static AuditHead HeadAfter(IReadOnlyList<AuditRecord> chain, int count) => new() { Count = count, Hash = chain[count - 1].Hash };

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
