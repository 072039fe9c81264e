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

    protected override async ValueTask<IOrchestrationStore> ReopenStoreAsync(IOrchestrationStore store)
    {
        var sqlite = (SqliteOrchestrationStore)store;
        var path = sqlite.Path;
        await sqlite.DisposeAsync();
        return SqliteOrchestrationStore.Open(path);
    }
}
