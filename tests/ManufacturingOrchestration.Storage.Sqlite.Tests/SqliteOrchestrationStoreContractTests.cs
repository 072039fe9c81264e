using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.StoreContract;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>The SQLite store runs the store contract unchanged: a fresh file per test, reopened from the same file.</summary>
public sealed class SqliteOrchestrationStoreContractTests : OrchestrationStoreContractTests
{
    private readonly TempFolder _folder;

    public SqliteOrchestrationStoreContractTests(TempFolder folder)
    {
        _folder = folder;
    }

    protected override ValueTask<IOrchestrationStore> CreateStoreAsync() =>
        ValueTask.FromResult<IOrchestrationStore>(SqliteOrchestrationStore.Open(_folder.NewDatabasePath("contract")));

    [Fact]
    public async Task CommitAsync_AuditRecordsThatDoNotContinueTheStoredChain_ThrowAndCommitNothingOfTheBatch()
    {
        var store = await NewStoreAsync();
        await CommitAsync(store, NewStep("lot-A", 0) with { Audit = NewAudit("lot-A", AuditHead.Genesis, 2, out var head) });
        var gap = NewAudit("lot-A", head with { Count = head.Count + 1 }, 1, out _);
        var repeat = NewAudit("lot-A", AuditHead.Genesis, 1, out _);

        foreach (var records in new[] { gap, repeat })
        {
            var act = async () => await store.CommitAsync([NewStep("lot-B", 0), NewStep("lot-A", 1) with { Audit = records }], Ct);

            await act.Should().ThrowAsync<ArgumentException>().WithMessage("*does not continue the chain at 3*");
            (await store.LoadPartitionAsync("lot-B", Ct)).Should().BeNull();
            (await store.ReadAuditAsync("lot-A", 1, Ct)).Select(r => r.Sequence).Should().Equal(1, 2);
        }
    }

    [Fact]
    public async Task CommitAsync_OneKeysStepsInOneBatch_EachContinuesTheChainTheStepBeforeWrote()
    {
        var store = await NewStoreAsync();
        var first = NewAudit("lot-A", AuditHead.Genesis, 2, out var head);
        var second = NewAudit("lot-A", head, 1, out head);

        await store.CommitAsync([NewStep("lot-A", 0) with { Audit = first }, NewStep("lot-A", 1) with { Audit = second }], Ct);

        (await store.ReadAuditAsync("lot-A", 1, Ct)).Select(r => r.Hash).Should().Equal(first.Concat(second).Select(r => r.Hash));
        (await new AuditVerifier(store).VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
    }

    protected override async ValueTask<IOrchestrationStore> ReopenStoreAsync(IOrchestrationStore store)
    {
        var sqlite = (SqliteOrchestrationStore)store;
        var path = sqlite.Path;
        await sqlite.DisposeAsync();
        return SqliteOrchestrationStore.Open(path);
    }
}
