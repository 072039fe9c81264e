using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Data.Sqlite;
using static ManufacturingOrchestration.Storage.Sqlite.Tests.StoreTestData;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>
/// Writes that queue up behind the one writer are committed in one transaction: each must still succeed or fail on its
/// own, in the order the calls were made. A commit is held inside the writer (a list it enumerates there waits) while
/// the others queue, so the grouping happens on every run, not by chance.
/// </summary>
public sealed class SqliteGroupedWriteTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder;

    public SqliteGroupedWriteTests(TempFolder folder)
    {
        _folder = folder;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueuedWrites_CommitInCallOrder_AndAFailingOneLeavesNothingAndFailsAlone()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        await store.CommitAsync([NewState("lot-X", 0)], Ct);
        var held = new HeldInsideTheWriter();
        var holder = Task.Run(async () => await store.CommitAsync([NewState("lot-A", 0) with { CancelledTimers = held }], Ct), Ct);
        await held.Entered.Task.WaitAsync(Limit, Ct);

        // Queued while the writer is held: a batch whose second commit conflicts, then two commits of one new key in order,
        // then an intake.
        var conflicting = store.CommitAsync([NewState("lot-B", 0), NewState("lot-X", 5)], Ct).AsTask();
        var first = store.CommitAsync([NewState("lot-C", 0)], Ct).AsTask();
        var second = store.CommitAsync([NewState("lot-C", 1)], Ct).AsTask();
        var accepted = new bool[1];
        var intake = store.AcceptAsync([NewEvent("lot-D", "e-1")], accepted, Ct).AsTask();
        new[] { conflicting, first, second, intake }.Should().OnlyContain(t => !t.IsCompleted, "the writer is held");

        held.Release();

        await holder.WaitAsync(Limit, Ct);
        var refused = await FluentActions.Awaiting(() => conflicting.WaitAsync(Limit, Ct)).Should().ThrowAsync<ConcurrencyConflictException>();
        refused.Which.PartitionKey.Should().Be("lot-X");
        await first.WaitAsync(Limit, Ct);
        await second.WaitAsync(Limit, Ct);
        (await intake.WaitAsync(Limit, Ct)).Should().ContainSingle().Which.Position.Should().BePositive();
        accepted.Should().Equal(true);

        (await store.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull("the refused batch's first commit is rolled back with it");
        (await store.LoadPartitionAsync("lot-X", Ct))!.Version.Should().Be(1);
        (await store.LoadPartitionAsync("lot-C", Ct))!.Version.Should().Be(2, "the second commit of the key ran after the first");
        (await store.ReadPendingEventsAsync("lot-D", 0, 10, Ct)).Should().ContainSingle().Which.Key.Id.Should().Be("e-1");
    }

    [Fact]
    public async Task QueuedWrites_MoreThanOneTransactionTakes_AllCommit()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        var held = new HeldInsideTheWriter();
        var holder = Task.Run(async () => await store.CommitAsync([NewState("lot-A", 0) with { CancelledTimers = held }], Ct), Ct);
        await held.Entered.Task.WaitAsync(Limit, Ct);
        var keys = Enumerable.Range(0, 40).Select(i => "lot-" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var queued = keys.Select(key => store.CommitAsync([NewState(key, 0)], Ct).AsTask()).ToArray();

        held.Release();

        await holder.WaitAsync(Limit, Ct);
        await Task.WhenAll(queued).WaitAsync(Limit, Ct);
        var states = await store.LoadPartitionsAsync(keys, Ct);
        states.Values.Select(state => state.Version).Should().HaveCount(40).And.OnlyContain(version => version == 1);
    }

    [Fact]
    public async Task QueuedWrite_CancelledBeforeItsTurn_ThrowsAndWritesNothing_AndTheNextWriteGoesThrough()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        var held = new HeldInsideTheWriter();
        var holder = Task.Run(async () => await store.CommitAsync([NewState("lot-A", 0) with { CancelledTimers = held }], Ct), Ct);
        await held.Entered.Task.WaitAsync(Limit, Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelled = store.CommitAsync([NewState("lot-B", 0)], cancel.Token).AsTask();
        var kept = store.CommitAsync([NewState("lot-C", 0)], Ct).AsTask();

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => cancelled.WaitAsync(Limit, Ct)).Should().ThrowAsync<OperationCanceledException>();
        held.Release();
        await holder.WaitAsync(Limit, Ct);
        await kept.WaitAsync(Limit, Ct);
        (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
        (await store.LoadPartitionAsync("lot-C", Ct))!.Version.Should().Be(1);
        await store.CommitAsync([NewState("lot-B", 0)], Ct);
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1);
    }

    [Fact]
    public async Task QueuedWrite_CancelledAfterATransactionTookIt_GetsItsOutcomeNotACancellation()
    {
        await using var store = SqliteOrchestrationStore.Open(_folder.NewDatabasePath());
        await store.CommitAsync([NewState("lot-X", 0)], Ct);
        var first = new HeldInsideTheWriter();
        var holder = Task.Run(async () => await store.CommitAsync([NewState("lot-A", 0) with { CancelledTimers = first }], Ct), Ct);
        await first.Entered.Task.WaitAsync(Limit, Ct);

        // Queued in this order: the next transaction takes both and holds inside the first, with the second taken.
        var second = new HeldInsideTheWriter();
        var leader = store.CommitAsync([NewState("lot-C", 0) with { CancelledTimers = second }], Ct).AsTask();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var taken = store.CommitAsync([NewState("lot-X", 5)], cancel.Token).AsTask();
        first.Release();
        await holder.WaitAsync(Limit, Ct);
        await second.Entered.Task.WaitAsync(Limit, Ct);

        await cancel.CancelAsync();
        second.Release();

        await leader.WaitAsync(Limit, Ct);
        var refused = await FluentActions.Awaiting(() => taken.WaitAsync(Limit, Ct)).Should().ThrowAsync<ConcurrencyConflictException>("its transaction ran it");
        refused.Which.PartitionKey.Should().Be("lot-X");
        (await store.LoadPartitionAsync("lot-C", Ct))!.Version.Should().Be(1);
    }

    [Fact]
    public async Task QueuedWrite_StoreDisposedMeanwhile_EitherCommitsOrIsRefusedAsClosed_NeverHangs()
    {
        var path = _folder.NewDatabasePath();
        var store = SqliteOrchestrationStore.Open(path);
        var held = new HeldInsideTheWriter();
        var holder = Task.Run(async () => await store.CommitAsync([NewState("lot-A", 0) with { CancelledTimers = held }], Ct), Ct);
        await held.Entered.Task.WaitAsync(Limit, Ct);
        var queued = store.CommitAsync([NewState("lot-B", 0)], Ct).AsTask();
        var disposing = Task.Run(store.Dispose, Ct);

        held.Release();

        await holder.WaitAsync(Limit, Ct);
        await disposing.WaitAsync(Limit, Ct);
        Exception? failure = null;
        try
        {
            await queued.WaitAsync(Limit, Ct);
        }
        catch (ObjectDisposedException ex)
        {
            failure = ex;
        }

        // Either it was written before the store closed, or it was refused as closed: never half of it, never a hang.
        await using var reopened = SqliteOrchestrationStore.Open(path);
        (await reopened.LoadPartitionAsync("lot-A", Ct))!.Version.Should().Be(1);
        if (failure is not null)
        {
            (await reopened.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
        }
        else
        {
            (await reopened.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1);
        }
    }

    [Fact]
    public async Task Write_TheDatabaseLockedByAnotherConnection_FailsWithSqlitesError_AndTheWriterWorksAfterwards()
    {
        var path = _folder.NewDatabasePath();
        await using var store = SqliteOrchestrationStore.Open(path, new SqliteStoreOptions { BusyTimeout = TimeSpan.Zero });
        using (var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            other.Open();
            using var begin = other.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();

            var refused = await FluentActions.Awaiting(async () => await store.CommitAsync([NewState("lot-A", 0)], Ct)).Should().ThrowAsync<SqliteException>();
            refused.Which.SqliteErrorCode.Should().Be(5, "SQLITE_BUSY: the other connection holds the write lock");
        }

        await store.CommitAsync([NewState("lot-B", 0)], Ct);
        (await store.LoadPartitionAsync("lot-A", Ct)).Should().BeNull();
        (await store.LoadPartitionAsync("lot-B", Ct))!.Version.Should().Be(1);
    }


    /// <summary>An empty list of timers to cancel whose enumeration, which the store does inside its write transaction, waits until released.</summary>
    private sealed class HeldInsideTheWriter : IReadOnlyList<string>
    {
        private readonly ManualResetEventSlim _released = new();

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => 0;

        public string this[int index] => throw new ArgumentOutOfRangeException(nameof(index));

        public void Release() => _released.Set();

        public IEnumerator<string> GetEnumerator()
        {
            Entered.TrySetResult();
            _released.Wait(Limit);
            yield break;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
