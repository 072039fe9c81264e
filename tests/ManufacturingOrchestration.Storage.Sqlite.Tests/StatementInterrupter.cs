using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>
/// Fails the first statement on a connection whose text starts with one of the given ones, the way SQLite fails a statement
/// that was interrupted: its progress handler cancels it with <c>SQLITE_INTERRUPT</c> before it completes. An
/// interrupted write statement inside a transaction makes SQLite roll the whole transaction back itself (as a disk I/O
/// error or a full disk can); an interrupted ROLLBACK fails and leaves the transaction open.
/// </summary>
internal sealed class StatementInterrupter : IDisposable
{
    private readonly sqlite3 _db;
    private readonly string[] _statements;
    private readonly int _skip;
    private int _matched;
    private int _armed;
    private int _interrupted;

    public StatementInterrupter(SqliteConnection connection, params string[] statements)
        : this(connection, 0, statements)
    {
    }

    /// <summary>Lets the first <paramref name="skip"/> matching statements run and interrupts the next one.</summary>
    public StatementInterrupter(SqliteConnection connection, int skip, params string[] statements)
    {
        _db = connection.Handle!;
        _statements = statements;
        _skip = skip;
        raw.sqlite3_trace(_db, (_, statement) => Arm(statement.utf8_to_string()), null);
        raw.sqlite3_progress_handler(_db, 1, _ => Interlocked.Exchange(ref _armed, 0), null);
    }

    /// <summary>How many statements matching the given ones started, interrupted or not.</summary>
    public int Matched => Volatile.Read(ref _matched);

    /// <summary>How many statements were interrupted (at most one).</summary>
    public int Interrupted => Volatile.Read(ref _interrupted);

    public void Dispose()
    {
        if (_db.IsClosed)
        {
            // The connection was closed (a store closes a connection a failure left in a bad state): nothing to remove.
            return;
        }

        raw.sqlite3_progress_handler(_db, 0, null, null);
        raw.sqlite3_trace(_db, (delegate_trace?)null, null);
    }

    private void Arm(string statement)
    {
        if (Array.Exists(_statements, start => statement.StartsWith(start, StringComparison.Ordinal))
            && Interlocked.Increment(ref _matched) > _skip
            && Interlocked.CompareExchange(ref _interrupted, 1, 0) == 0)
        {
            Volatile.Write(ref _armed, 1);
        }
    }
}
