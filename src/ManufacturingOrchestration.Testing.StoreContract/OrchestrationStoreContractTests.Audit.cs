using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>CommitAsync</c> — audit chained with audit hashes: is read back in sequence and verifies.</summary>
    [Fact]
    public async Task CommitAsync_AuditChainedWithAuditHashes_IsReadBackInSequenceAndVerifies()
    {
        var store = await NewStoreAsync();
        var headA = AuditHead.Genesis;
        var written = new List<AuditRecord>();
        for (var step = 0; step < 3; step++)
        {
            var records = NewAudit("lot-A", headA, 2, out headA);
            written.AddRange(records);
            await CommitAsync(store, NewStep("lot-A", step) with { Audit = records, NewState = NewState("lot-A", step + 1) with { AuditHead = headA } });
        }

        await CommitAsync(store, NewStep("lot-B", 0) with { Audit = NewAudit("lot-B", AuditHead.Genesis, 1, out _) });

        var chain = await store.ReadAuditAsync("lot-A", 1, Ct);
        chain.Should().BeEquivalentTo(written, o => o.WithStrictOrdering());
        (await store.ReadAuditAsync("lot-A", 4, Ct)).Select(r => r.Sequence).Should().Equal(4, 5, 6);
        (await store.ReadAuditAsync("lot-A", 7, Ct)).Should().BeEmpty();
        (await store.ReadAuditAsync("lot-unknown", 1, Ct)).Should().BeEmpty();
        (await store.ReadAuditPartitionsAsync(Ct)).Should().BeEquivalentTo(["lot-A", "lot-B"]);
        (await store.LoadPartitionAsync("lot-A", Ct))!.AuditHead.Should().Be(headA);

        var result = await new AuditVerifier(store).VerifyAllAsync(Ct);

        result.IsValid.Should().BeTrue();
        result.ChainsChecked.Should().Be(2);
        result.RecordsChecked.Should().Be(7);
    }

    /// <summary><c>CommitAsync</c> — audit record of another partition: throws and appends nothing.</summary>
    [Fact]
    public async Task CommitAsync_AuditRecordOfAnotherPartition_ThrowsAndAppendsNothing()
    {
        var store = await NewStoreAsync();

        var act = async () => await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-B", AuditHead.Genesis, 1, out _) });

        await act.Should().ThrowAsync<Exception>();
        (await store.ReadAuditAsync("lot-A", 1, Ct)).Should().BeEmpty();
        (await store.ReadAuditAsync("lot-B", 1, Ct)).Should().BeEmpty();
    }

    /// <summary><c>AppendCheckpointAsync</c> — a checkpoint that does not continue the latest stored one: refused, nothing stored.</summary>
    [Fact]
    public async Task AppendCheckpointAsync_NumberDoesNotContinueTheLatest_ThrowsAndStoresNothing()
    {
        var store = await NewStoreAsync();
        var heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal);
        var first = NewCheckpoint(1, AuditHashes.GenesisHash, heads);
        (await FluentActions.Awaiting(async () => await store.AppendCheckpointAsync(NewCheckpoint(2, AuditHashes.GenesisHash, heads), Ct))
            .Should().ThrowAsync<AuditCheckpointConflictException>()).Which.LatestStored.Should().Be(0);
        await store.AppendCheckpointAsync(first, Ct);

        var again = await FluentActions.Awaiting(async () => await store.AppendCheckpointAsync(NewCheckpoint(1, AuditHashes.GenesisHash, heads), Ct))
            .Should().ThrowAsync<AuditCheckpointConflictException>();

        again.Which.Number.Should().Be(1);
        again.Which.LatestStored.Should().Be(1);
        again.Which.ReasonCode.Should().Be(ReasonCodes.AuditCheckpointConflict);
        (await store.ReadLatestCheckpointsAsync(10, Ct)).Select(c => c.Hash).Should().Equal(first.Hash);
    }

    /// <summary><c>AppendCheckpointAsync</c> — several writers append the same next number at once: exactly one is stored.</summary>
    [Fact]
    public async Task AppendCheckpointAsync_SeveralWritersAppendTheSameNumberAtOnce_ExactlyOneIsStored()
    {
        var store = await NewStoreAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 4).Select(writer => Task.Run(
            async () =>
            {
                await start.Task;
                var heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal) { [$"lot-{writer}"] = AuditHead.Genesis };
                try
                {
                    await store.AppendCheckpointAsync(NewCheckpoint(1, AuditHashes.GenesisHash, heads), Ct);
                    return true;
                }
                catch (AuditCheckpointConflictException)
                {
                    return false;
                }
            },
            Ct)).ToArray();

        start.SetResult();
        var outcomes = await Task.WhenAll(attempts);

        outcomes.Count(stored => stored).Should().Be(1);
        (await store.ReadLatestCheckpointsAsync(10, Ct)).Should().ContainSingle().Which.Number.Should().Be(1);
    }

    /// <summary><c>AppendCheckpointAsync</c> — two checkpoints: latest is read back and the trail verifies against it.</summary>
    [Fact]
    public async Task AppendCheckpointAsync_TwoCheckpoints_LatestIsReadBackAndTheTrailVerifiesAgainstIt()
    {
        var store = await NewStoreAsync();
        (await store.ReadLatestCheckpointAsync(Ct)).Should().BeNull();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 2, out var headA) });
        var first = NewCheckpoint(1, AuditHashes.GenesisHash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = headA });
        await store.AppendCheckpointAsync(first, Ct);
        await CommitAsync(store, NewStep("lot-A", 1) with { Audit = NewAudit("lot-A", headA, 1, out headA) });
        await CommitAsync(store, NewStep("lot-B", 0) with { Audit = NewAudit("lot-B", AuditHead.Genesis, 1, out var headB) });
        var second = NewCheckpoint(2, first.Hash, new Dictionary<string, AuditHead>(StringComparer.Ordinal) { ["lot-A"] = headA, ["lot-B"] = headB });

        await store.AppendCheckpointAsync(second, Ct);
        await CommitAsync(store, NewStep("lot-A", 2) with { Audit = NewAudit("lot-A", headA, 1, out _) });

        var latest = await store.ReadLatestCheckpointAsync(Ct);
        latest.Should().NotBeNull();
        latest!.Number.Should().Be(2);
        latest.Hash.Should().Be(second.Hash);
        latest.PreviousHash.Should().Be(first.Hash);
        latest.Heads.Should().BeEquivalentTo(second.Heads);
        AuditHashes.Compute(latest).Should().Be(second.Hash, "the checkpoint is stored exactly as appended");
        (await new AuditVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue("records written after the checkpoint extend the chain");
    }
}
