using Microsoft.Extensions.Logging;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// Change notifications: every transaction that accepts events into the inbox (a publication, or a commit with follow-up
/// events) calls <c>pg_notify</c> on the schema's channel, delivered when it commits; the store listens on one dedicated
/// connection, opened at the first wait and kept (reopened after a failure) until the store is disposed. A connection the
/// store builds from a connection string sends a keepalive after <see cref="ListenKeepAliveSeconds"/> seconds without
/// traffic (unless the connection string sets <c>Keepalive</c> itself), so a connection that died without a reset — a
/// firewall or a failover dropping it silently — is noticed and opened again instead of leaving the node on polling.
/// </summary>
public sealed partial class PostgreSqlOrchestrationStore
{
    private readonly Lock _listenGate = new();
    private TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _listening;
    private Task? _listener;
    private volatile Exception? _listenFailure;

    /// <summary>The seconds without traffic after which the listening connection sends a keepalive, unless its connection string sets one.</summary>
    internal const int ListenKeepAliveSeconds = 30;

    /// <summary>How long disposal waits for the listening loop to end after cancelling it, and again after waking it.</summary>
    private static readonly TimeSpan ListenerStopWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Why the connection that listens for change notifications is not listening, while it is not: the latest failure
    /// to open it or to go on listening (its message names no password). <see langword="null"/> while it listens, and
    /// before the first <see cref="WaitForAcceptedEventsAsync"/>. While it is set, waits end at the latest at each failed
    /// attempt (every second) and the orchestrator finds new events by polling only.
    /// </summary>
    public Exception? ListenFailure => _listenFailure;

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
        // Whether the latest attempt failed: a failure is logged when listening stops, not at each attempt after it.
        var failing = false;
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

                if (failing)
                {
                    failing = false;
                    Log.ListeningAgain(_logger, Target);
                }

                // Whatever was accepted while no connection listened is looked for now.
                _listenFailure = null;
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
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!failing)
                {
                    failing = true;
                    Log.NotListening(_logger, Target, ex.Message, ex);
                }

                _listenFailure = ex;
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

    /// <summary>The connection to listen on, not yet open (see <see cref="PostgreSqlStoreOptions.ListenConnectionString"/>).</summary>
    internal NpgsqlConnection CreateListenConnection()
    {
        if (_options.ListenConnectionString is { } listen)
        {
            return new NpgsqlConnection(WithKeepAlive(new NpgsqlConnectionStringBuilder(listen)).ConnectionString);
        }

        if (_options.DataSource is null && _options.ConnectionString is { } connectionString)
        {
            // Its own physical connection, not one of the pool's: it stays open and holds session state (LISTEN).
            return new NpgsqlConnection(WithKeepAlive(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }).ConnectionString);
        }

        // A connection of the application's data source keeps the data source's settings (set Keepalive there, or give a
        // ListenConnectionString).
        return _dataSource.CreateConnection();
    }

    /// <summary>
    /// The listening connection's settings with a keepalive: waiting for notifications, it sends nothing for as long as none
    /// comes, and without a keepalive a connection that died without a reset would wait forever.
    /// </summary>
    private static NpgsqlConnectionStringBuilder WithKeepAlive(NpgsqlConnectionStringBuilder builder)
    {
        if (builder.KeepAlive == 0)
        {
            builder.KeepAlive = ListenKeepAliveSeconds;
        }

        return builder;
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
            if (listener is null || await EndsWithinAsync(listener, ListenerStopWait).ConfigureAwait(false)
                || (await WakeListenerAsync().ConfigureAwait(false) && await EndsWithinAsync(listener, ListenerStopWait).ConfigureAwait(false)))
            {
                listening.Dispose();
            }

            // Otherwise the loop still runs and may read its token: it ends at the next notification or connection failure.
        }

        _accepted.TrySetResult();
    }

    /// <summary>
    /// Wakes the listening connection with a notification on the store's channel. The driver can miss the cancellation of
    /// a wait for notifications that raced the wait's start, and would then wait until the next notification: this is it.
    /// </summary>
    /// <returns>Whether the notification was sent.</returns>
    private async Task<bool> WakeListenerAsync()
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var notify = new NpgsqlCommand("SELECT pg_notify($1, '')", connection);
            notify.Parameters.Add(new NpgsqlParameter { Value = _sql.InboxChannel });
            await notify.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // Best effort while disposing: a server out of reach also ends the listening connection.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Whether the listening loop ended within <paramref name="wait"/> (a bound on disposal, on the wall clock).</summary>
    private static async Task<bool> EndsWithinAsync(Task listener, TimeSpan wait)
    {
        try
        {
            await listener.WaitAsync(wait).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The PostgreSQL store {Target} is not listening for change notifications: {Reason} It tries again every second, and finds new events by polling meanwhile; this is logged again once it has listened again.")]
        public static partial void NotListening(ILogger logger, string target, string reason, Exception exception);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "The PostgreSQL store {Target} listens for change notifications again.")]
        public static partial void ListeningAgain(ILogger logger, string target);
    }
}
