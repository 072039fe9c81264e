using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// The prepared commands of one connection, created on first use and reused: SQL text is never built per row, and
/// SQLite compiles each statement once per connection. Not thread-safe: one user at a time.
/// </summary>
internal sealed class SqliteCommandCache : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);

    public SqliteCommandCache(SqliteConnection connection)
    {
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>The command for a statement with its parameters (named <c>$p0</c>, <c>$p1</c>, … in order), values cleared.</summary>
    /// <param name="sql">The statement.</param>
    /// <param name="parameterCount">How many parameters it has.</param>
    /// <returns>The command.</returns>
    public SqliteCommand Get(string sql, int parameterCount = 0)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < parameterCount; i++)
            {
                command.Parameters.Add(new SqliteParameter("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
            }

            command.Prepare();
            _commands[sql] = command;
        }

        return command;
    }

    /// <summary>The statement for a write or a lookup on the hot path (parameters named <c>$p0</c>, <c>$p1</c>, … in order), bindings cleared.</summary>
    /// <param name="sql">The statement.</param>
    /// <param name="parameterCount">How many parameters it has.</param>
    /// <returns>The statement.</returns>
    public SqliteStatement Statement(string sql, int parameterCount = 0)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new SqliteStatement(Connection.Handle!, sql, parameterCount);
            _statements[sql] = statement;
        }

        return statement;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _commands.Clear();
        _statements.Clear();
        Connection.Dispose();
    }
}

/// <summary>
/// A statement run through SQLite's own interface: bound, stepped and reset in place. A <see cref="SqliteCommand"/>
/// creates a data reader, a statement enumerator and a binder per parameter for every execution, which was most of the
/// time the store's writer spent in its hot statements (the writer is the store's one serial section) and most of a
/// single-row lookup's. The writer runs every write through it, the readers the lookups made for every event. Not
/// thread-safe: one user of its connection at a time (the write lock, a rented reader). Errors surface as
/// <see cref="SqliteException"/>, as from a command.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _indexes;

    public SqliteStatement(sqlite3 db, string sql, int parameterCount)
    {
        _db = db;
        var rc = raw.sqlite3_prepare_v2(db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        _indexes = new int[parameterCount];
        for (var i = 0; i < parameterCount; i++)
        {
            _indexes[i] = raw.sqlite3_bind_parameter_index(_statement, "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (_indexes[i] == 0)
            {
                throw new ArgumentException($"The statement has no parameter $p{i}: {sql}", nameof(sql));
            }
        }
    }

    public SqliteStatement With(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, _indexes[index], value));
        return this;
    }

    public SqliteStatement With(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, _indexes[index]));
            return this;
        }

        // Bound as UTF-8, encoded here: sqlite3_bind_text16 takes a leading U+FEFF for a byte order mark and drops it, so
        // "\uFEFFkey" would be stored as "key" (two partitions sharing one audit chain, an event id taken for another's
        // duplicate). UTF-8 text is stored byte for byte; SQLite copies it (SQLITE_TRANSIENT) before this returns.
        var length = Encoding.UTF8.GetByteCount(value);
        if (length == 0)
        {
            Check(raw.sqlite3_bind_text(_statement, _indexes[index], string.Empty));
            return this;
        }

        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            Encoding.UTF8.GetBytes(value, buffer);
            Check(raw.sqlite3_bind_text(_statement, _indexes[index], buffer));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return this;
    }

    public SqliteStatement With(int index, byte[]? value)
    {
        Check(value is null ? raw.sqlite3_bind_null(_statement, _indexes[index]) : raw.sqlite3_bind_blob(_statement, _indexes[index], value));
        return this;
    }

    /// <summary>Binds a blob from a span (SQLite copies it before this returns).</summary>
    public SqliteStatement WithBlob(int index, ReadOnlySpan<byte> value)
    {
        Check(raw.sqlite3_bind_blob(_statement, _indexes[index], value));
        return this;
    }

    /// <summary>Binds a blob, or null.</summary>
    public SqliteStatement WithBlob(int index, ReadOnlyMemory<byte>? value) =>
        value is { } bytes ? WithBlob(index, bytes.Span) : BindNull(index);

    public SqliteStatement With(int index, object? value) => value switch
    {
        null or DBNull => BindNull(index),
        long l => With(index, l),
        int i => With(index, (long)i),
        bool b => With(index, b ? 1L : 0L),
        string text => With(index, text),
        byte[] blob => With(index, blob),
        _ => throw new ArgumentException($"A {value.GetType().Name} cannot be bound to a statement parameter.", nameof(value)),
    };

    public SqliteStatement With(object? p0) => With(0, p0);

    public SqliteStatement With(object? p0, object? p1) => With(0, p0).With(1, p1);

    public SqliteStatement With(object? p0, object? p1, object? p2) => With(0, p0).With(1, p1).With(2, p2);

    /// <summary>Runs the statement to its end; returns the rows it changed.</summary>
    public int ExecuteNonQuery()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Clear();
        }
    }

    /// <summary>Runs the statement and returns the first column of its first row (a long, string, double or byte array), or <see langword="null"/>.</summary>
    public object? ExecuteScalar()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_DONE)
            {
                return null;
            }

            if (rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_column_type(_statement, 0) switch
            {
                raw.SQLITE_INTEGER => raw.sqlite3_column_int64(_statement, 0),
                raw.SQLITE_FLOAT => raw.sqlite3_column_double(_statement, 0),
                raw.SQLITE_TEXT => raw.sqlite3_column_text(_statement, 0).utf8_to_string(),
                raw.SQLITE_BLOB => raw.sqlite3_column_blob(_statement, 0).ToArray(),
                _ => null,
            };
        }
        finally
        {
            Clear();
        }
    }

    public void Dispose() => _statement.Dispose();

    private SqliteStatement BindNull(int index)
    {
        Check(raw.sqlite3_bind_null(_statement, _indexes[index]));
        return this;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            // The message first: clearing the statement resets the connection's last error.
            var message = raw.sqlite3_errmsg(_db).utf8_to_string();
            Clear();
            throw new SqliteException($"SQLite Error {rc}: '{message}'.", rc);
        }
    }

    private void Clear()
    {
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
    }
}

/// <summary>Parameter helpers: <see langword="null"/> becomes <see cref="DBNull"/>.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand With(this SqliteCommand command, int index, object? value)
    {
        command.Parameters[index].Value = value ?? DBNull.Value;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, object? p0)
    {
        command.Parameters[0].Value = p0 ?? DBNull.Value;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, object? p0, object? p1)
    {
        command.Parameters[0].Value = p0 ?? DBNull.Value;
        command.Parameters[1].Value = p1 ?? DBNull.Value;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, object? p0, object? p1, object? p2)
    {
        command.Parameters[0].Value = p0 ?? DBNull.Value;
        command.Parameters[1].Value = p1 ?? DBNull.Value;
        command.Parameters[2].Value = p2 ?? DBNull.Value;
        return command;
    }

    public static long Ticks(this DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
