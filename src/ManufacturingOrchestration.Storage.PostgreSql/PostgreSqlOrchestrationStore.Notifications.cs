using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// Change notifications: every transaction that accepts events into the inbox (a publication, or a commit with follow-up
/// events) calls <c>pg_notify</c> on the schema's channel, delivered when it commits; the store listens on one dedicated
/// connection, opened at the first wait and kept (reopened after a failure) until the store is disposed.
/// </summary>
public sealed partial class PostgreSqlOrchestrationStore
{
    private readonly Lock _listenGate = new();
    private TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _listening;
    private Task? _listener;

    /// <inheritdoc />
    /// <remarks>
    /// The first call starts the listening connection (<see cref="PostgreSqlStoreOptions.ListenConnectionString"/>). A
    /// connection that fails completes every wait — a notification may have been missed — and is opened again after a
    /// second. Notifications are hints: the orchestrator polls as well.
    /// </remarks>
    public Task WaitForAcceptedEventsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Task next;
        lock (_listenGate)
        {
            if (_listener is null)
            {
                _listening = new CancellationTokenSource();
                var stopping = _listening.Token;
                _listener = Task.Run(() => ListenAsync(stopping), CancellationToken.None);
            }

            next = _accepted.Task;
        }

        return next.WaitAsync(cancellationToken);
    }

    private void Notified() => Interlocked.Exchange(ref _accepted, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task ListenAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = CreateListenConnection();
                connection.Notification += (_, _) => Notified();
                await connection.OpenAsync(stopping).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand($"LISTEN \"{_sql.InboxChannel}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                }

                // Whatever was accepted while no connection listened is looked for now.
                Notified();
                while (!stopping.IsCancellationRequested)
                {
                    await connection.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A lost listening connection is opened again; the waiters poll meanwhile.
            catch (Exception)
#pragma warning restore CA1031
            {
                Notified();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private NpgsqlConnection CreateListenConnection()
    {
        if (_options.ListenConnectionString is { } listen)
        {
            return new NpgsqlConnection(listen);
        }

        if (_options.DataSource is null && _options.ConnectionString is { } connectionString)
        {
            // Its own physical connection, not one of the pool's: it stays open and holds session state (LISTEN).
            return new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        }

        return _dataSource.CreateConnection();
    }

    private void StopListening()
    {
        CancellationTokenSource? listening;
        lock (_listenGate)
        {
            listening = _listening;
            _listening = null;
        }

        // Not disposed here: the listening loop may still read its token while it ends.
        listening?.Cancel();

        _accepted.TrySetResult();
    }

    private async ValueTask StopListeningAsync()
    {
        CancellationTokenSource? listening;
        Task? listener;
        lock (_listenGate)
        {
            listening = _listening;
            listener = _listener;
            _listening = null;
        }

        if (listening is not null)
        {
            await listening.CancelAsync().ConfigureAwait(false);
            if (listener is not null)
            {
                await listener.ConfigureAwait(false);
            }

            listening.Dispose();
        }

        _accepted.TrySetResult();
    }
}
