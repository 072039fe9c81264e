using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// The prepared commands of one connection, created on first use and reused: SQL text is never built per row, and
/// SQLite compiles each statement once per connection. Not thread-safe: one user at a time.
/// </summary>
internal sealed class SqliteCommandCache : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

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

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
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
