namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>TryAcquireLeaseAsync</c> — workers claim the same key concurrently: exactly one wins.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_WorkersClaimTheSameKeyConcurrently_ExactlyOneWins()
    {
        var store = await NewStoreAsync();
        const int Workers = 6;
        for (var round = 0; round < 20; round++)
        {
            var key = $"lot-{round}";
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claims = Enumerable.Range(0, Workers).Select(worker => Task.Run(
                async () =>
                {
                    await start.Task;
                    return await store.TryAcquireLeaseAsync(key, $"node-{worker}", T0.AddSeconds(30), T0, Ct);
                },
                Ct)).ToArray();

            start.SetResult();
            var won = await Task.WhenAll(claims);

            won.Count(w => w).Should().Be(1, $"exactly one worker may hold the lease of {key}");
        }
    }

    /// <summary><c>TryAcquireLeaseAsync</c> — held by another owner: fails until it expires.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_HeldByAnotherOwner_FailsUntilItExpires()
    {
        var store = await NewStoreAsync();
        (await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct)).Should().BeTrue();

        var whileHeld = await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(40), T0.AddSeconds(10), Ct);
        var afterExpiry = await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(61), T0.AddSeconds(31), Ct);
        var formerOwner = await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(62), T0.AddSeconds(32), Ct);

        whileHeld.Should().BeFalse();
        afterExpiry.Should().BeTrue("an expired lease can be taken over");
        formerOwner.Should().BeFalse("the lease now belongs to node-2");
    }

    /// <summary><c>TryAcquireLeaseAsync</c> — owner renews: extends the lease.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_OwnerRenews_ExtendsTheLease()
    {
        var store = await NewStoreAsync();
        await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);

        var renewed = await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(60), T0.AddSeconds(20), Ct);

        renewed.Should().BeTrue();
        (await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(90), T0.AddSeconds(45), Ct)).Should().BeFalse("the renewed lease runs until T0+60s");
        (await store.TryAcquireLeaseAsync("lot-A", "node-2", T0.AddSeconds(91), T0.AddSeconds(61), Ct)).Should().BeTrue();
    }

    /// <summary><c>ReleaseLeaseAsync</c> — by owner: lets another take over and by others does nothing.</summary>
    [Fact]
    public async Task ReleaseLeaseAsync_ByOwner_LetsAnotherTakeOverAndByOthersDoesNothing()
    {
        var store = await NewStoreAsync();
        await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);

        await store.ReleaseLeaseAsync("lot-A", "node-2", Ct);
        var afterForeignRelease = await store.TryAcquireLeaseAsync("lot-A", "node-3", T0.AddSeconds(30), T0.AddSeconds(1), Ct);
        await store.ReleaseLeaseAsync("lot-A", "node-1", Ct);
        var afterOwnerRelease = await store.TryAcquireLeaseAsync("lot-A", "node-3", T0.AddSeconds(30), T0.AddSeconds(2), Ct);

        afterForeignRelease.Should().BeFalse("only the owner can release its lease");
        afterOwnerRelease.Should().BeTrue("a released lease is free before it would have expired");
    }

    /// <summary><c>TryAcquireLeaseAsync</c> — different keys: are independent.</summary>
    [Fact]
    public async Task TryAcquireLeaseAsync_DifferentKeys_AreIndependent()
    {
        var store = await NewStoreAsync();

        var first = await store.TryAcquireLeaseAsync("lot-A", "node-1", T0.AddSeconds(30), T0, Ct);
        var second = await store.TryAcquireLeaseAsync("lot-B", "node-2", T0.AddSeconds(30), T0, Ct);

        first.Should().BeTrue();
        second.Should().BeTrue();
    }
}
