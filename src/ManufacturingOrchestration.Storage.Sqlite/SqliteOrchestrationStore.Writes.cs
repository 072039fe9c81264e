using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite;

// The store's one writer: every write runs in a transaction on it, and writes that queue up share one.
public sealed partial class SqliteOrchestrationStore
{
    /// <summary>How many queued writes one transaction takes at most, so that no transaction holds the writer for long.</summary>
    private const int MaxWritesPerTransaction = 16;

    /// <summary>
    /// Runs <paramref name="work"/> in an immediate transaction on the writer connection, all of it or nothing: when it
    /// throws, what it wrote is rolled back and the exception is rethrown here.
    /// </summary>
    /// <remarks>
    /// Writes that queue up while another holds the writer are grouped: the caller that takes the writer next runs every
    /// queued write, each in a savepoint of its own, in one transaction. A commit writes each page it changed, whole, to
    /// the log, and the indexes keyed by partition and event change pages at random, so two batches in one transaction
    /// write their shared pages once. Each write still succeeds or fails on its own: one that throws is rolled back to
    /// its savepoint and only its caller sees the exception. A write taken into a group is no longer cancellable; its
    /// caller waits for its outcome.
    /// </remarks>
    private async ValueTask WriteAsync(Action work, CancellationToken cancellationToken)
    {
        var request = new WriteRequest(work);
        _writes.Enqueue(request);
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (request.TryAbandon())
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another caller took it into its transaction already: its outcome is this call's.
            await request.Outcome.ConfigureAwait(false);
            return;
        }

        try
        {
            // Closed meanwhile: nothing runs any more, this write included.
            ObjectDisposedException.ThrowIf(request.IsQueued && _disposed, this);

            // The queue is in call order and this write is in it: each transaction takes from its front, so this one is
            // reached even when more writes than one transaction takes came before it.
            while (request.IsQueued)
            {
                RunQueuedWrites();
            }
        }
        finally
        {
            _writeLock.Release();
        }

        await request.Outcome.ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the queued writes (at most <see cref="MaxWritesPerTransaction"/>) in one transaction and gives each its
    /// outcome, whatever fails: a write that threw its own exception, every other one success — or, when the
    /// transaction itself could not be committed, every one the exception that ended it.
    /// </summary>
    private void RunQueuedWrites()
    {
        var group = new List<WriteRequest>();
        while (group.Count < MaxWritesPerTransaction && _writes.TryDequeue(out var queued))
        {
            if (queued.TryClaim())
            {
                group.Add(queued);
            }
        }

        if (group.Count == 0)
        {
            return;
        }

        var position = _lastPosition;
        Exception? aborted;
        try
        {
            aborted = RunInOneTransaction(group);
        }
        catch (Exception ex)
        {
            // SQLite refused the transaction's own statements (BEGIN, a savepoint, COMMIT).
            aborted = ex;
        }

        if (aborted is not null)
        {
            _lastPosition = position;
            RollBackIfOpen();
        }

        foreach (var request in group)
        {
            if (request.Failed is { } failed)
            {
                request.Fail(failed);
            }
            else if (aborted is not null)
            {
                request.Fail(aborted);
            }
            else
            {
                request.Succeed();
            }
        }
    }

    /// <summary>
    /// Runs each write of the group in a savepoint of the transaction and commits; returns the exception that ended the
    /// transaction before its commit, if one did.
    /// </summary>
    private Exception? RunInOneTransaction(List<WriteRequest> group)
    {
        _writer.Statement("BEGIN IMMEDIATE").ExecuteNonQuery();
        foreach (var request in group)
        {
            var before = _lastPosition;
            _writer.Statement("SAVEPOINT mo_write").ExecuteNonQuery();
            try
            {
                request.Work();
            }
            catch (Exception ex)
            {
                _lastPosition = before;
                request.Failed = ex;
                if (SQLitePCL.raw.sqlite3_get_autocommit(_writer.Connection.Handle) != 0)
                {
                    // SQLite ended the transaction itself: nothing of the group is written.
                    return ex;
                }

                _writer.Statement("ROLLBACK TO mo_write").ExecuteNonQuery();
            }

            _writer.Statement("RELEASE mo_write").ExecuteNonQuery();
        }

        _writer.Statement("COMMIT").ExecuteNonQuery();
        _checkpointer.Committed();
        return null;
    }

    /// <summary>Rolls back the writer's open transaction, if SQLite has not already; a failure here shows in the next write's BEGIN.</summary>
    private void RollBackIfOpen()
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(_writer.Connection.Handle) != 0)
        {
            return;
        }

        try
        {
            _writer.Statement("ROLLBACK").ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // The callers already have the exception that ended the transaction.
        }
    }

    /// <summary>A write waiting for the writer connection: queued, then taken into a transaction (or abandoned by its caller), then done.</summary>
    private sealed class WriteRequest(Action work)
    {
        private const int Queued = 0;
        private const int Claimed = 1;
        private const int Abandoned = 2;

        private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public Action Work { get; } = work;

        /// <summary>The exception the write threw, rolled back to its savepoint (set while its transaction runs).</summary>
        public Exception? Failed { get; set; }

        public bool IsQueued => Volatile.Read(ref _state) == Queued;

        public Task Outcome => _outcome.Task;

        /// <summary>Takes the write into the running transaction, unless its caller gave up on it.</summary>
        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        /// <summary>Gives up on the write, unless a transaction already took it.</summary>
        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;

        public void Succeed() => _outcome.TrySetResult();

        public void Fail(Exception exception) => _outcome.TrySetException(exception);
    }
}
