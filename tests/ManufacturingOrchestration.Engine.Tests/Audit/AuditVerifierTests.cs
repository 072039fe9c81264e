using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

public sealed class AuditVerifierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task VerifyAllAsync_CleanChainsAndCheckpoint_IsValid()
    {
        var store = await CreateSutAsync(checkpoint: true);

        var result = await new AuditVerifier(store).VerifyAllAsync(Ct);

        result.IsValid.Should().BeTrue();
        result.Violations.Should().BeEmpty();
        result.ChainsChecked.Should().Be(2);
        result.RecordsChecked.Should().Be(7);
    }

    [Fact]
    public async Task VerifyAllAsync_EmptyStore_IsValid()
    {
        var result = await new AuditVerifier(new InMemoryOrchestrationStore()).VerifyAllAsync(Ct);

        result.IsValid.Should().BeTrue();
        result.ChainsChecked.Should().Be(0);
    }

    [Fact]
    public async Task VerifyAllAsync_RecordModified_ReportsHashMismatchAtThatRecord()
    {
        var store = await CreateSutAsync(checkpoint: false);

        store.TamperWithAudit("lot-A", chain => chain[2] = chain[2] with { After = "Unrestricted" });

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.HashMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(3);
    }

    [Fact]
    public async Task VerifyAllAsync_RecordModifiedAndRehashed_ReportsBrokenLinkAtTheNextRecord()
    {
        var store = await CreateSutAsync(checkpoint: false);

        store.TamperWithAudit("lot-A", chain =>
        {
            var forged = chain[2] with { Actor = "someone-else" };
            chain[2] = forged with { Hash = AuditHashes.Compute(forged) };
        });

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.BrokenLink);
        violation.Sequence.Should().Be(4);
    }

    [Fact]
    public async Task VerifyAllAsync_MiddleRecordDeleted_ReportsSequenceGap()
    {
        var store = await CreateSutAsync(checkpoint: false);

        store.TamperWithAudit("lot-A", chain => chain.RemoveAt(1));

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.SequenceGap);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(3);
    }

    [Fact]
    public async Task VerifyAllAsync_RecordsReordered_ReportsSequenceGap()
    {
        var store = await CreateSutAsync(checkpoint: false);

        store.TamperWithAudit("lot-A", chain => (chain[1], chain[2]) = (chain[2], chain[1]));

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.SequenceGap);
        violation.Sequence.Should().Be(3);
    }

    [Fact]
    public async Task VerifyAllAsync_RecordsReorderedAndRenumbered_ReportsBrokenLink()
    {
        var store = await CreateSutAsync(checkpoint: false);

        store.TamperWithAudit("lot-A", chain => (chain[1], chain[2]) = (chain[2] with { Sequence = 2 }, chain[1] with { Sequence = 3 }));

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.BrokenLink);
        violation.Sequence.Should().Be(2);
    }

    [Fact]
    public async Task VerifyAllAsync_TailTruncatedBehindACheckpoint_ReportsCheckpointMismatch()
    {
        var store = await CreateSutAsync(checkpoint: true);

        store.TamperWithAudit("lot-A", chain => chain.RemoveRange(3, 2));

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.CheckpointMismatch);
        violation.PartitionKey.Should().Be("lot-A");
        violation.Sequence.Should().Be(4);
    }

    [Fact]
    public async Task VerifyAllAsync_WholeChainDeletedBehindACheckpoint_ReportsCheckpointMismatch()
    {
        var store = await CreateSutAsync(checkpoint: true);

        store.TamperWithAudit("lot-B", chain => chain.Clear());

        var result = await new AuditVerifier(store).VerifyAllAsync(Ct);
        var violation = result.Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.CheckpointMismatch);
        violation.PartitionKey.Should().Be("lot-B");
        result.ChainsChecked.Should().Be(2, "the checkpoint names the deleted chain");
    }

    [Fact]
    public async Task VerifyAllAsync_ChainRewrittenConsistentlyBehindACheckpoint_ReportsCheckpointMismatch()
    {
        var store = await CreateSutAsync(checkpoint: true);

        store.TamperWithAudit("lot-A", chain =>
        {
            var head = AuditHead.Genesis;
            for (var i = 0; i < chain.Count; i++)
            {
                chain[i] = AuditHashes.Chain(head, chain[i] with { Reason = "rewritten" }, out head);
            }
        });

        var violation = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations.Should().ContainSingle().Subject;
        violation.Kind.Should().Be(AuditViolationKind.CheckpointMismatch);
        violation.Sequence.Should().Be(5, "the checkpoint recorded lot-A's head at record 5");
    }

    [Fact]
    public async Task VerifyAllAsync_CheckpointTampered_ReportsCheckpointTampered()
    {
        var store = await CreateSutAsync(checkpoint: true);
        var latest = await store.ReadLatestCheckpointAsync(Ct);
        var forgedHeads = new Dictionary<string, AuditHead>(latest!.Heads, StringComparer.Ordinal) { ["lot-A"] = new AuditHead { Count = 3, Hash = latest.Heads["lot-A"].Hash } };

        await store.AppendCheckpointAsync(latest with { Number = 2, PreviousHash = latest.Hash, Heads = forgedHeads }, Ct);

        var violations = (await new AuditVerifier(store).VerifyAllAsync(Ct)).Violations;
        violations.Should().Contain(v => v.Kind == AuditViolationKind.CheckpointTampered);
    }

    [Fact]
    public async Task VerifyPartitionAsync_OtherPartitionTampered_ChecksOnlyThePartition()
    {
        var store = await CreateSutAsync(checkpoint: true);
        store.TamperWithAudit("lot-B", chain => chain[0] = chain[0] with { Reason = "edited" });

        var ofA = await new AuditVerifier(store).VerifyPartitionAsync("lot-A", Ct);
        var ofB = await new AuditVerifier(store).VerifyPartitionAsync("lot-B", Ct);

        ofA.IsValid.Should().BeTrue();
        ofA.RecordsChecked.Should().Be(5);
        ofB.Violations.Should().ContainSingle().Which.Kind.Should().Be(AuditViolationKind.HashMismatch);
    }

    [Fact]
    public void VerifyChain_ExportedTrail_DetectsTruncationAgainstTheCheckpoint()
    {
        var chain = Chain("lot-A", 3, out var head);
        var checkpoint = Checkpoint(new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = head });

        var complete = AuditVerifier.VerifyChain("lot-A", chain, checkpoint);
        var truncated = AuditVerifier.VerifyChain("lot-A", chain.Take(2).ToArray(), checkpoint);

        complete.Should().BeEmpty();
        truncated.Should().ContainSingle().Which.Kind.Should().Be(AuditViolationKind.CheckpointMismatch);
    }

    [Fact]
    public void Constructor_NullStore_Throws()
    {
        var act = () => new AuditVerifier(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    /// <summary>A store with a five-record chain for lot-A and a two-record chain for lot-B, optionally checkpointed.</summary>
    private static async Task<InMemoryOrchestrationStore> CreateSutAsync(bool checkpoint)
    {
        var store = new InMemoryOrchestrationStore();
        var a = Chain("lot-A", 5, out var headA);
        var b = Chain("lot-B", 2, out var headB);
        await store.CommitAsync(
            [
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, Audit = a[..3] },
                new StepCommit { PartitionKey = "lot-A", ExpectedVersion = 0, Audit = a[3..] },
                new StepCommit { PartitionKey = "lot-B", ExpectedVersion = 0, Audit = b },
            ],
            Ct);
        if (checkpoint)
        {
            await store.AppendCheckpointAsync(Checkpoint(new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = headA, ["lot-B"] = headB }), Ct);
        }

        return store;
    }

    private static AuditRecord[] Chain(string partitionKey, int count, out AuditHead head)
    {
        head = AuditHead.Genesis;
        var records = new AuditRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = AuditHashes.Chain(
                head,
                new AuditRecord
                {
                    PartitionKey = partitionKey,
                    Sequence = 0,
                    RecordedAt = T0.AddMinutes(i),
                    Actor = "system:inspection-failed",
                    Action = "transition",
                    Reason = $"step {i + 1}",
                    Before = "QualityInspection",
                    After = "Blocked",
                    PreviousHash = string.Empty,
                    Hash = string.Empty,
                },
                out head);
        }

        return records;
    }

    private static AuditCheckpoint Checkpoint(IReadOnlyDictionary<string, AuditHead> heads)
    {
        var checkpoint = new AuditCheckpoint { Number = 1, TakenAt = T0.AddHours(1), Heads = heads, PreviousHash = AuditHashes.GenesisHash, Hash = string.Empty };
        return checkpoint with { Hash = AuditHashes.Compute(checkpoint) };
    }
}
