using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database file off the write path. SQLite's automatic checkpoint runs inside the
/// COMMIT that crosses its threshold, copying the log and syncing the files while the store's one writer waits. The
/// writer turns it off (<c>wal_autocheckpoint = 0</c>) and marks every commit; a timer on the store's clock runs a
/// PASSIVE checkpoint on a connection of its own, which blocks neither the writer nor the readers, at most once per
/// interval and only after commits. Under a steady stream of commits the log is then copied but never restarted (a
/// restart needs a moment with every frame copied and no commit since), so once it holds more than
/// <see cref="LimitBytes"/> the next tick takes the write lock and checkpoints again: with no commit in between, this
/// second PASSIVE checkpoint copies the last frames, and the next commit starts the log over from its beginning (SQLite
/// does so once every frame is copied and no reader still reads one) and cuts the file back to
/// <c>journal_size_limit</c>. The writer pauses only for what the background checkpoint has not copied yet, and the log
/// stays bounded. A TRUNCATE checkpoint there held the writer 50–120 ms at each crossing: it waits for every reader with
/// SQLite's busy handler (which sleeps in steps of milliseconds), and the emptied file has to be allocated again.
/// </summary>
/// <remarks>A failed checkpoint changes nothing that was committed and is tried again at the next tick.</remarks>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>How often the log is checkpointed at most: at 10,000 events/s about the 1,000 pages SQLite's own threshold holds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>The log's limit in bytes (64 MB, also the store's <c>journal_size_limit</c>).</summary>
    public const long LimitBytes = 64L * 1024 * 1024;

    private const int Passive = 0;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _writeLock;
    private readonly ITimer _timer;
    private readonly TimeSpan _busyTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private long _limitPages;
    private int _committed;
    private int _disposing;
    private int _disposed;
    private bool _closed;

    public SqliteCheckpointer(string connectionString, SemaphoreSlim writeLock, TimeProvider time, TimeSpan busyTimeout)
    {
        _writeLock = writeLock;
        _busyTimeout = busyTimeout;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();

        // A connection checkpoints only once it has read the database and so found it in WAL mode.
        SqliteOrchestrationStore.Scalar(_connection, "PRAGMA journal_mode");
        _limitPages = LimitBytes / Convert.ToInt64(SqliteOrchestrationStore.Scalar(_connection, "PRAGMA page_size"), System.Globalization.CultureInfo.InvariantCulture);

        // A checkpoint waits this long for a lock another connection holds.
        SqliteOrchestrationStore.SetBusyTimeout(_connection, busyTimeout);

        _timer = time.CreateTimer(static state => ((SqliteCheckpointer)state!).Tick(), this, Interval, Interval);
    }

    /// <summary>The log's limit in pages (tests lower it to make a tick take the write lock).</summary>
    internal long LimitPages
    {
        get => Volatile.Read(ref _limitPages);
        set => Volatile.Write(ref _limitPages, value);
    }

    /// <summary>Runs when a tick is about to wait for the write lock (tests dispose the store there).</summary>
    internal Action? WaitingForWriteLock { get; set; }

    /// <summary>Marks a commit: the next tick checkpoints.</summary>
    public void Committed() => Volatile.Write(ref _committed, 1);

    /// <summary>Stops the timer and closes the connection without waiting for a tick in flight.</summary>
    public void Dispose() => Dispose(TimeSpan.Zero);

    /// <summary>
    /// Stops the timer and closes the connection. A tick waiting for the write lock (which a write may hold for up to the
    /// busy timeout, waiting for another process's lock) stops waiting; a tick still checkpointing past
    /// <paramref name="wait"/> closes the connection itself when it ends. A checkpoint is never cut short: SQLite copies
    /// the log's frames whole, or the log keeps them.
    /// </summary>
    /// <param name="wait">How long to wait for a tick in flight (the store's <c>DisposeWait</c>).</param>
    public void Dispose(TimeSpan wait)
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        _timer.Dispose();

        // Cancelled before a tick can see the checkpointer disposed (and close it, disposing the source).
        _stopping.Cancel();
        Interlocked.Exchange(ref _disposed, 1);
        if (_gate.TryEnter(SqliteOrchestrationStore.BoundedWait(wait)))
        {
            try
            {
                Close();
            }
            finally
            {
                _gate.Exit();
            }
        }
    }

    /// <summary>Closes the connection; once, by whoever holds the gate after disposal.</summary>
    private void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _connection.Dispose();
        _stopping.Dispose();
    }

    private void Tick()
    {
        if (!_gate.TryEnter())
        {
            // The previous tick is still checkpointing.
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _committed, 0) == 0)
            {
                return;
            }

            var pages = Checkpoint(Passive);
            if (pages < 0)
            {
                Volatile.Write(ref _committed, 1);
            }
            else if (pages > LimitPages && WaitForWriteLock())
            {
                try
                {
                    Checkpoint(Passive);
                }
                finally
                {
                    _writeLock.Release();
                }
            }
        }
#pragma warning disable CA1031 // A timer callback must never take the host down: nothing committed depends on a checkpoint.
        catch (Exception)
        {
            // The next tick tries again (none does once disposal cancelled the wait for the write lock).
            Volatile.Write(ref _committed, 1);
        }
#pragma warning restore CA1031
        finally
        {
            _gate.Exit();

            // A Dispose that stopped waiting for this tick left the connection to it.
            if (Volatile.Read(ref _disposed) != 0 && _gate.TryEnter())
            {
                try
                {
                    Close();
                }
                finally
                {
                    _gate.Exit();
                }
            }
        }
    }

    private bool WaitForWriteLock()
    {
        WaitingForWriteLock?.Invoke();
        return _writeLock.Wait(_busyTimeout, _stopping.Token);
    }

    /// <summary>Runs a checkpoint and returns the pages in the log, or -1 when SQLite was busy.</summary>
    private int Checkpoint(int mode)
    {
        var rc = SQLitePCL.raw.sqlite3_wal_checkpoint_v2(_connection.Handle, "main", mode, out var logPages, out _);
        return rc == SQLitePCL.raw.SQLITE_OK ? logPages : -1;
    }
}
