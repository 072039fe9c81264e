using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// Thrown when another store holds the database file open for writing — another process, or another store in this one.
/// One SQLite file has one writer: nodes that share their work need the PostgreSQL store
/// (<c>ManufacturingOrchestration.Storage.PostgreSql</c>). The lock is the operating system's, released when its holder
/// ends, also by kill -9, so a stale lock never blocks a restart.
/// </summary>
public sealed class SqliteStoreInUseException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="lockPath">The lock file held by the other writer.</param>
    /// <param name="innerException">The operating system's refusal.</param>
    public SqliteStoreInUseException(string path, string lockPath, Exception? innerException)
        : base(
            ReasonCodes.StoreInUse,
            $"The store '{path}' is open for writing in another process or store (it holds the lock on '{lockPath}'). One SQLite file has one writer; to run several orchestrator nodes on shared state use ManufacturingOrchestration.Storage.PostgreSql.",
            innerException)
    {
        Path = path;
        LockPath = lockPath;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The lock file held by the other writer.</summary>
    public string LockPath { get; }
}
