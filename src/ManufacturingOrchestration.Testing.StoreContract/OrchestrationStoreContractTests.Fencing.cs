using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>TryAcquireLeaseGrantAsync</c> — ownership changes hands: the epoch grows each time and a renewal keeps it.</summary>
    [Fact]
    public async Task TryAcquireLeaseGrantAsync_OwnershipChangesHands_TheEpochGrowsEachTimeAndARenewalKeepsIt()
    {
        var store = await NewStoreAsync();

        var first = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);
        var renewed = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct);
        var refused = await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(70), T0.AddSeconds(40), Ct);
        var takenOver = await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(91), T0.AddSeconds(61), Ct);
        await store.ReleaseLeaseAsync("lot-A", "node-2", Ct);
        var afterRelease = await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(100), T0.AddSeconds(70), Ct);
        var other = await store.TryAcquireLeaseGrantAsync("lot-B", "node-1", T0.AddSeconds(30), T0, Ct);

        first.Should().BeEquivalentTo(new { PartitionKey = "lot-A", Owner = "node-1", Until = T0.AddSeconds(30) });
        first!.Epoch.Should().BePositive();
        renewed.Should().BeEquivalentTo(new { Owner = "node-1", Epoch = first.Epoch, Until = T0.AddSeconds(60) }, "a renewal by the holder keeps the epoch");
        refused.Should().BeNull("node-1's renewed lease runs until T0+60s");
        takenOver.Should().NotBeNull("an expired lease can be taken over");
        takenOver!.Epoch.Should().BeGreaterThan(first.Epoch, "a takeover is a new epoch");
        afterRelease.Should().NotBeNull();
        afterRelease!.Epoch.Should().BeGreaterThan(takenOver.Epoch, "a released lease taken again, even by its last owner, is a new epoch");
        afterRelease.Fence.Should().Be(new LeaseFence { Owner = "node-2", Epoch = afterRelease.Epoch });
        other.Should().NotBeNull("leases of different partitions are independent");
    }

    /// <summary><c>TryAcquireLeaseAsync</c> — then a grant by the same owner: is a renewal and keeps the epoch.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_ThenAGrantBySameOwner_IsARenewalThatKeepsTheEpoch()
    {
        var store = await NewStoreAsync();
        var first = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);

        (await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct)).Should().BeTrue();
        var again = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(90), T0.AddSeconds(50), Ct);

        again!.Epoch.Should().Be(first!.Epoch);
        await CommitAsync(store, NewStep("lot-A", 0) with { Fence = first.Fence });
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
    }

    /// <summary><c>CommitAsync</c> — fenced by the holder: commits, also after the lease expired while nobody took it over.</summary>
    [Fact]
    public async Task CommitAsync_FencedByTheHolder_CommitsAlsoAfterTheLeaseExpiredUntaken()
    {
        var store = await NewStoreAsync();
        var grant = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);

        await CommitAsync(store, NewStep("lot-A", 0) with { Fence = grant!.Fence });

        // The store compares epochs, not clocks: an expired lease nobody took over still fences its holder's commits in.
        await CommitAsync(store, NewStep("lot-A", 1) with { Fence = grant.Fence });
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(2);
    }

    /// <summary><c>CommitAsync</c> — fenced by a lease another owner took over: throws lease lost and writes nothing of the batch.</summary>
    [Fact]
    public async Task CommitAsync_FencedByALeaseAnotherOwnerTookOver_ThrowsLeaseLostAndWritesNothing()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));
        var stale = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);
        var current = await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(61), T0.AddSeconds(31), Ct);
        var batch = FullBatchFor("lot-A", NewStep("lot-B", 0));
        batch[0] = batch[0] with { Fence = stale!.Fence };

        var act = async () => await store.CommitAsync(batch, Ct);

        var thrown = await act.Should().ThrowAsync<LeaseLostException>();
        thrown.Which.ReasonCode.Should().Be(ReasonCodes.LeaseLost);
        thrown.Which.PartitionKey.Should().Be("lot-A");
        thrown.Which.Fence.Should().Be(stale.Fence);
        await AssertNothingOfFullBatchVisibleAsync(store);
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull("the unfenced commit of the batch is refused with it");
        (await store.ReadAuditFeedAsync(0, 100, Ct)).Should().BeEmpty();

        // The new holder's fence lets the same batch in.
        batch[0] = batch[0] with { Fence = current!.Fence };
        await store.CommitAsync(batch, Ct);
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await store.ReadPendingEventsAsync("lot-A", 0, 100, Ct)).Should().BeEmpty();
    }

    /// <summary><c>CommitAsync</c> — fenced by an epoch before a release and a new acquisition by the same owner: is refused.</summary>
    [Fact]
    public async Task CommitAsync_FencedByAnEpochBeforeAReleaseAndReacquisition_IsRefused()
    {
        var store = await NewStoreAsync();
        var old = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);
        await store.ReleaseLeaseAsync("lot-A", "node-1", Ct);

        var whileReleased = async () => await CommitAsync(store, NewStep("lot-A", 0) with { Fence = old!.Fence });
        await whileReleased.Should().ThrowAsync<LeaseLostException>("a released lease fences nothing in");

        var renewed = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(40), T0.AddSeconds(10), Ct);
        var withOldEpoch = async () => await CommitAsync(store, NewStep("lot-A", 0) with { Fence = old!.Fence });
        await withOldEpoch.Should().ThrowAsync<LeaseLostException>("the owner is the same but the epoch is not");
        (await store.LoadPartitionAsync("lot-A", Ct)).Should().BeNull();

        await CommitAsync(store, NewStep("lot-A", 0) with { Fence = renewed!.Fence });
        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
    }

    /// <summary><c>CommitAsync</c> — fenced for a partition never leased, or by another owner's name: is refused.</summary>
    [Fact]
    public async Task CommitAsync_FencedByALeaseThatDoesNotExist_IsRefused()
    {
        var store = await NewStoreAsync();
        var grant = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);

        var neverLeased = async () => await CommitAsync(store, NewStep("lot-B", 0) with { Fence = grant!.Fence });
        var otherOwner = async () => await CommitAsync(store, NewStep("lot-A", 0) with { Fence = grant!.Fence with { Owner = "node-2" } });
        var laterEpoch = async () => await CommitAsync(store, NewStep("lot-A", 0) with { Fence = grant!.Fence with { Epoch = grant.Epoch + 1 } });

        await neverLeased.Should().ThrowAsync<LeaseLostException>();
        await otherOwner.Should().ThrowAsync<LeaseLostException>();
        await laterEpoch.Should().ThrowAsync<LeaseLostException>("only the exact epoch matches");
        (await store.LoadPartitionAsync("lot-A", Ct)).Should().BeNull();
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
    }

    /// <summary><c>CommitAsync</c> — batch with one stale fence in its last commit: writes nothing of the batch.</summary>
    [Fact]
    public async Task CommitAsync_BatchWithOneStaleFenceInItsLastCommit_WritesNothingOfTheBatch()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));
        var holderA = await store.TryAcquireLeaseGrantAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);
        var staleB = await store.TryAcquireLeaseGrantAsync("lot-B", "node-1", T0.AddSeconds(30), T0, Ct);
        (await store.TryAcquireLeaseGrantAsync("lot-B", "node-2", T0.AddSeconds(61), T0.AddSeconds(31), Ct)).Should().NotBeNull();
        var batch = FullBatchFor("lot-A", NewStep("lot-B", 0) with { Fence = staleB!.Fence });
        batch[0] = batch[0] with { Fence = holderA!.Fence };

        var act = async () => await store.CommitAsync(batch, Ct);

        (await act.Should().ThrowAsync<LeaseLostException>()).Which.PartitionKey.Should().Be("lot-B");
        await AssertNothingOfFullBatchVisibleAsync(store);
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
    }

    /// <summary><c>CommitAsync</c> — without a fence while another node holds the lease: commits as before (leases are opt-in).</summary>
    [Fact]
    public async Task CommitAsync_WithoutAFenceWhileAnotherNodeHoldsTheLease_Commits()
    {
        var store = await NewStoreAsync();
        (await store.TryAcquireLeaseGrantAsync("lot-A", "node-2", T0.AddSeconds(30), T0, Ct)).Should().NotBeNull();

        await CommitAsync(store, NewStep("lot-A", 0));

        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
    }

    /// <summary>
    /// <c>CommitAsync</c> — fenced commit races a takeover: the commit either lands before the new epoch begins or is refused;
    /// never does a write with the old epoch appear after the takeover.
    /// </summary>
    [Fact]
    public async Task CommitAsync_FencedCommitRacesATakeover_LandsBeforeTheNewEpochOrIsRefused()
    {
        var store = await NewStoreAsync();
        const int Rounds = 40;
        for (var round = 0; round < Rounds; round++)
        {
            var key = $"lot-{round}";
            var old = await store.TryAcquireLeaseGrantAsync(key, "node-old", T0.AddSeconds(30), T0, Ct);
            var oldCommand = NewCommand(key, 0);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var commit = Task.Run(
                async () =>
                {
                    await start.Task;
                    try
                    {
                        await CommitAsync(store, new StepCommit
                        {
                            PartitionKey = key,
                            ExpectedVersion = 0,
                            NewState = NewState(key, 1, $"\"epoch-{old!.Epoch}\""),
                            NewCommands = [oldCommand],
                            Fence = old.Fence,
                        });
                        return true;
                    }
                    catch (LeaseLostException)
                    {
                        return false;
                    }
                },
                Ct);
            var takeover = Task.Run(
                async () =>
                {
                    await start.Task;
                    var grant = await store.TryAcquireLeaseGrantAsync(key, "node-new", T0.AddSeconds(61), T0.AddSeconds(31), Ct);

                    // What the store holds once the takeover has returned: a commit of the old epoch is in it or never will be.
                    return (grant, seen: await store.LoadPartitionAsync(key, Ct));
                },
                Ct);

            start.SetResult();
            var committed = await commit;
            var (grant, seen) = await takeover;

            grant.Should().NotBeNull();
            grant!.Epoch.Should().BeGreaterThan(old!.Epoch);
            if (committed)
            {
                seen.Should().NotBeNull($"round {round}: the old epoch's commit succeeded, so it must have landed before the takeover returned");
                seen!.Values["marker"].Should().Be($"\"epoch-{old.Epoch}\"", "the write visible at takeover is the old epoch's");
            }
            else
            {
                (await store.ReadCommandAsync(oldCommand.IdempotencyKey, Ct)).Should().BeNull($"round {round}: a refused commit writes nothing");
            }

            // The new holder commits on what it saw: no write of the old epoch may slip in after that read.
            var expected = seen?.Version ?? 0;
            await CommitAsync(store, new StepCommit
            {
                PartitionKey = key,
                ExpectedVersion = expected,
                NewState = NewState(key, expected + 1, $"\"epoch-{grant.Epoch}\""),
                Fence = grant.Fence,
            });
            var final = await store.LoadPartitionAsync(key, Ct);
            final!.Version.Should().Be(committed ? 2 : 1);
            final.Values["marker"].Should().Be($"\"epoch-{grant.Epoch}\"");
            (await store.ReadCommandAsync(oldCommand.IdempotencyKey, Ct)).Should().Match<OutboxEntry?>(c => (c != null) == committed);
        }
    }
    /// <summary>
    /// <c>CommitAsync</c> — fenced by the lease of another key (a bucket of partitions): commits while that lease is held
    /// with the fence's epoch, and is refused with nothing written once the lease changed hands.
    /// </summary>
    [Fact]
    public async Task CommitAsync_FencedByTheLeaseOfAnotherKey_CommitsWhileHeldAndIsRefusedAfterATakeover()
    {
        var store = await NewStoreAsync();
        await AcceptAsync(store, NewEvent("lot-A", "a-1"));
        var bucket = await store.TryAcquireLeaseGrantAsync("bucket:7", "node-1", T0.AddSeconds(30), T0, Ct);
        bucket!.FenceByKey.Should().Be(new LeaseFence { Owner = "node-1", Epoch = bucket.Epoch, LeaseKey = "bucket:7" });

        await CommitAsync(store, NewStep("lot-B", 0) with { Fence = bucket.FenceByKey });
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1, "the bucket's lease fences the commit in; lot-B has no lease of its own");

        var current = await store.TryAcquireLeaseGrantAsync("bucket:7", "node-2", T0.AddSeconds(61), T0.AddSeconds(31), Ct);
        var batch = FullBatchFor("lot-A", NewStep("lot-B", 1) with { Fence = bucket.FenceByKey });
        batch[0] = batch[0] with { Fence = bucket.FenceByKey };

        var act = async () => await store.CommitAsync(batch, Ct);

        var thrown = await act.Should().ThrowAsync<LeaseLostException>();
        thrown.Which.Fence.LeaseKey.Should().Be("bucket:7");
        await AssertNothingOfFullBatchVisibleAsync(store);
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1);

        var unknown = async () => await CommitAsync(store, NewStep("lot-B", 1) with { Fence = current!.FenceByKey with { LeaseKey = "bucket:8" } });
        await unknown.Should().ThrowAsync<LeaseLostException>("a lease key never leased fences nothing in");

        await CommitAsync(store, NewStep("lot-B", 1) with { Fence = current!.FenceByKey });
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(2);
    }

    /// <summary><c>ReadLeasesAsync</c> — by prefix: returns the owned leases whose key starts with it, expired or not, by key; released ones are left out.</summary>
    [Fact]
    public async Task ReadLeasesAsync_ByPrefix_ReturnsTheOwnedLeasesByKeyAndLeavesReleasedOnesOut()
    {
        var store = await NewStoreAsync();
        var b2 = await store.TryAcquireLeaseGrantAsync("bucket:2", "node-2", T0.AddSeconds(30), T0, Ct);
        var b10 = await store.TryAcquireLeaseGrantAsync("bucket:10", "node-1", T0.AddSeconds(5), T0, Ct);
        (await store.TryAcquireLeaseGrantAsync("bucket:3", "node-1", T0.AddSeconds(30), T0, Ct)).Should().NotBeNull();
        await store.ReleaseLeaseAsync("bucket:3", "node-1", Ct);
        (await store.TryAcquireLeaseGrantAsync("node:node-1", "node-1", T0.AddSeconds(30), T0, Ct)).Should().NotBeNull();

        var buckets = await store.ReadLeasesAsync("bucket:", Ct);
        var all = await store.ReadLeasesAsync(string.Empty, Ct);

        buckets.Should().Equal(b10!, b2!);
        all.Select(l => l.PartitionKey).Should().Equal("bucket:10", "bucket:2", "node:node-1");
        (await store.ReadLeasesAsync("nothing:", Ct)).Should().BeEmpty();
    }
}
