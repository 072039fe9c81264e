using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Testing.StoreContract;

public abstract partial class OrchestrationStoreContractTests
{
    /// <summary><c>ReadAuditFeedAsync</c> — commits of several keys: returns every record in commit order with increasing positions.</summary>
    [Fact]
    public async Task ReadAuditFeedAsync_CommitsOfSeveralKeys_ReturnsEveryRecordInCommitOrderWithIncreasingPositions()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 2, out var headA) });
        await CommitAsync(store, NewStep("lot-B", 0) with { Audit = NewAudit("lot-B", AuditHead.Genesis, 1, out var headB) });
        await store.CommitAsync(
            [
                NewStep("lot-A", 1) with { Audit = NewAudit("lot-A", headA, 1, out _) },
                NewStep("lot-C", 0) with { Audit = NewAudit("lot-C", AuditHead.Genesis, 2, out _) },
            ],
            Ct);
        await CommitAsync(store, NewStep("lot-B", 1));
        await CommitAsync(store, NewStep("lot-B", 2) with { Audit = NewAudit("lot-B", headB, 1, out _) });

        var feed = await store.ReadAuditFeedAsync(0, 100, Ct);

        feed.Select(e => $"{e.Record.PartitionKey}#{e.Record.Sequence}").Should().Equal("lot-A#1", "lot-A#2", "lot-B#1", "lot-A#3", "lot-C#1", "lot-C#2", "lot-B#2");
        feed.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        feed[0].Position.Should().BeGreaterThan(0);
        var chainA = await store.ReadAuditAsync("lot-A", 1, Ct);
        feed.Where(e => e.Record.PartitionKey == "lot-A").Select(e => e.Record).Should().BeEquivalentTo(chainA, o => o.WithStrictOrdering());
    }

    /// <summary><c>ReadAuditFeedAsync</c> — paged from the last position read: reads every record once also after reopening.</summary>
    [Fact]
    public async Task ReadAuditFeedAsync_PagedFromTheLastPositionRead_ReadsEveryRecordOnceAlsoAfterReopening()
    {
        var store = await NewStoreAsync();
        var head = AuditHead.Genesis;
        for (var step = 0; step < 4; step++)
        {
            await CommitAsync(store, NewStep("lot-A", step) with { Audit = NewAudit("lot-A", head, 2, out head) });
        }

        var first = await store.ReadAuditFeedAsync(0, 3, Ct);
        var second = await store.ReadAuditFeedAsync(first[^1].Position, 3, Ct);
        store = await ReopenAsync(store);
        var third = await store.ReadAuditFeedAsync(second[^1].Position, 3, Ct);
        var all = await store.ReadAuditFeedAsync(0, 100, Ct);

        first.Select(e => e.Record.Sequence).Should().Equal(1, 2, 3);
        second.Select(e => e.Record.Sequence).Should().Equal(4, 5, 6);
        third.Select(e => e.Record.Sequence).Should().Equal(7, 8);
        all.Select(e => e.Position).Should().Equal(first.Concat(second).Concat(third).Select(e => e.Position), "positions never change");
        (await store.ReadAuditFeedAsync(all[^1].Position, 3, Ct)).Should().BeEmpty();
        (await store.ReadAuditFeedAsync(0, 0, Ct)).Should().BeEmpty();
    }

    /// <summary><c>ReadAuditFeedAsync</c> — commit that fails: appends nothing to the feed.</summary>
    [Fact]
    public async Task ReadAuditFeedAsync_CommitThatFails_AppendsNothingToTheFeed()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 1, out var head) });

        var conflict = async () => await store.CommitAsync(
            [
                NewStep("lot-B", 0) with { Audit = NewAudit("lot-B", AuditHead.Genesis, 1, out _) },
                NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", head, 1, out _) },
            ],
            Ct);
        await conflict.Should().ThrowAsync<ConcurrencyConflictException>();
        await CommitAsync(store, NewStep("lot-A", 1) with { Audit = NewAudit("lot-A", head, 1, out _) });

        (await store.ReadAuditFeedAsync(0, 100, Ct)).Select(e => $"{e.Record.PartitionKey}#{e.Record.Sequence}").Should().Equal("lot-A#1", "lot-A#2");
    }

    /// <summary><c>ReadAuditFeedAsync</c> — negative arguments: throw.</summary>
    [Fact]
    public async Task ReadAuditFeedAsync_NegativeArguments_Throw()
    {
        var store = await NewStoreAsync();

        var negativePosition = async () => await store.ReadAuditFeedAsync(-1, 10, Ct);
        var negativeCount = async () => await store.ReadAuditFeedAsync(0, -1, Ct);

        await negativePosition.Should().ThrowAsync<ArgumentOutOfRangeException>();
        await negativeCount.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    /// <summary><c>TrySaveAuditSinkCursorAsync</c> — from the position read: moves forward per sink and survives reopening.</summary>
    [Fact]
    public async Task TrySaveAuditSinkCursorAsync_FromThePositionRead_MovesForwardPerSinkAndSurvivesReopening()
    {
        var store = await NewStoreAsync();
        (await store.ReadAuditSinkCursorAsync("siem", Ct)).Should().Be(0);

        (await store.TrySaveAuditSinkCursorAsync("siem", 0, 5, Ct)).Should().BeTrue();
        (await store.TrySaveAuditSinkCursorAsync("siem", 5, 9, Ct)).Should().BeTrue();
        (await store.TrySaveAuditSinkCursorAsync("file", 0, 2, Ct)).Should().BeTrue();
        store = await ReopenAsync(store);

        (await store.ReadAuditSinkCursorAsync("siem", Ct)).Should().Be(9);
        (await store.ReadAuditSinkCursorAsync("file", Ct)).Should().Be(2);
        (await store.ReadAuditSinkCursorAsync("grc", Ct)).Should().Be(0);
    }

    /// <summary><c>TrySaveAuditSinkCursorAsync</c> — from a position no longer saved: changes nothing.</summary>
    [Fact]
    public async Task TrySaveAuditSinkCursorAsync_FromAPositionNoLongerSaved_ChangesNothing()
    {
        var store = await NewStoreAsync();
        (await store.TrySaveAuditSinkCursorAsync("siem", 0, 5, Ct)).Should().BeTrue();

        var secondFirstSave = await store.TrySaveAuditSinkCursorAsync("siem", 0, 7, Ct);
        var staleMove = await store.TrySaveAuditSinkCursorAsync("siem", 3, 8, Ct);
        var moveOfAnUnsavedCursor = await store.TrySaveAuditSinkCursorAsync("grc", 4, 6, Ct);

        secondFirstSave.Should().BeFalse("another deliverer saved the cursor first");
        staleMove.Should().BeFalse();
        moveOfAnUnsavedCursor.Should().BeFalse();
        (await store.ReadAuditSinkCursorAsync("siem", Ct)).Should().Be(5);
        (await store.ReadAuditSinkCursorAsync("grc", Ct)).Should().Be(0);
    }

    /// <summary><c>TrySaveAuditSinkCursorAsync</c> — position not after the expected one: throws and changes nothing.</summary>
    [Fact]
    public async Task TrySaveAuditSinkCursorAsync_PositionNotAfterTheExpectedOne_ThrowsAndChangesNothing()
    {
        var store = await NewStoreAsync();
        (await store.TrySaveAuditSinkCursorAsync("siem", 0, 5, Ct)).Should().BeTrue();

        foreach (var (expected, position) in new (long, long)[] { (5, 5), (5, 3), (-1, 4) })
        {
            var save = async () => await store.TrySaveAuditSinkCursorAsync("siem", expected, position, Ct);

            await save.Should().ThrowAsync<ArgumentOutOfRangeException>($"from {expected} to {position}");
        }

        (await store.ReadAuditSinkCursorAsync("siem", Ct)).Should().Be(5);
    }
}
