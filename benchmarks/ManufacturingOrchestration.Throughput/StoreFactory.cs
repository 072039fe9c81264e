using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Storage.Sqlite;

namespace ManufacturingOrchestration.Throughput;

/// <summary>Creates the store a run uses, and cleans it up afterwards.</summary>
internal sealed class StoreFactory : IAsyncDisposable
{
    private readonly string? _directory;

    private StoreFactory(IOrchestrationStore store, string? directory)
    {
        Store = store;
        _directory = directory;
    }

    /// <summary>Whether this build can run on SQLite.</summary>
    public static bool SqliteAvailable => true;

    public IOrchestrationStore Store { get; }

    public static StoreFactory Create(ThroughputOptions options) => options.Store switch
    {
        ThroughputStore.Memory => new StoreFactory(new InMemoryOrchestrationStore(), null),
        ThroughputStore.Sqlite => CreateSqlite(options),
        _ => throw new NotSupportedException($"The {options.Store} store is not available in this build."),
    };

    private static StoreFactory CreateSqlite(ThroughputOptions options)
    {
        if (options.DatabasePath is { } path)
        {
            return new StoreFactory(SqliteOrchestrationStore.Open(path, new SqliteStoreOptions()), null);
        }

        // A fresh database per run, on disk (durable commits, WAL, synchronous NORMAL: the store's defaults).
        var directory = Path.Combine(Path.GetTempPath(), "mo-throughput-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new StoreFactory(SqliteOrchestrationStore.Open(Path.Combine(directory, "orchestration.db"), new SqliteStoreOptions()), directory);
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (Store is IDisposable disposable)
        {
            disposable.Dispose();
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
