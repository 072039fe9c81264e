using System.Collections.Concurrent;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Hosting;

/// <summary>
/// Runs the <see cref="Orchestrator"/> inside a host. Start: the orchestrator starts (recovering what a previous run
/// left), then every registered <see cref="IEventSource"/> runs. Stop: intake stops first (sources are cancelled and
/// awaited), then in-flight work drains for up to <see cref="OrchestrationHostingOptions.DrainTimeout"/> (or until the
/// host's own shutdown timeout), then the orchestrator stops; whatever was not finished stays durable in the store.
/// </summary>
/// <remarks>
/// <para>A source that fails is logged and reported by the health check; it never stops the host.</para>
/// <para>A stop that comes while the start is under way waits for the start, then stops the orchestrator; no source
/// starts after it. Disposing the service (the container does, when the host is disposed, even without a stop) cancels
/// the sources. A second stop or disposal does nothing more.</para>
/// </remarks>
public sealed partial class OrchestrationHostedService : IHostedService, IDisposable, IAsyncDisposable
{
    /// <summary>How long disposal waits for cancelled sources to return, so none is left publishing into a disposed orchestrator.</summary>
    private static readonly TimeSpan SourceStopLimit = TimeSpan.FromSeconds(5);

    private readonly Orchestrator _orchestrator;
    private readonly IEventSink _sink;
    private readonly IEventSource[] _sources;
    private readonly OrchestrationHostingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _sourceFailures = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private readonly Lock _lifecycle = new();
    private CancellationTokenSource? _stopIntake;
    private bool _stopRequested;
    private bool _disposed;

    /// <summary>Creates the service.</summary>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="sink">Where sources deliver events.</param>
    /// <param name="sources">The event sources to run.</param>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock of the drain timeout.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">Two sources have the same <see cref="IEventSource.Name"/>.</exception>
    public OrchestrationHostedService(
        Orchestrator orchestrator,
        IEventSink sink,
        IEnumerable<IEventSource> sources,
        IOptions<OrchestrationHostingOptions> options,
        TimeProvider time,
        ILogger<OrchestrationHostedService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _orchestrator = orchestrator;
        _sink = sink;
        _sources = [.. sources];
        if (_sources.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            throw new ArgumentException(
                $"More than one registered event source is named '{shared.Key}' (one source registered twice, or two file drops left with the default {nameof(FileDropOptions)}.{nameof(FileDropOptions.Name)}): give each its own name, so that their failures are told apart in the health check and the logs.",
                nameof(sources));
        }

        _options = options.Value;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Sources that stopped with an error, by name, with the error message.</summary>
    public IReadOnlyDictionary<string, string> SourceFailures => _sourceFailures;

    /// <summary>
    /// Whether the shutdown finished all in-flight work before its timeout; <see langword="null"/> before the first stop.
    /// A later stop (such as a host's before it disposes) leaves it as the first stop set it.
    /// </summary>
    public bool? LastShutdownDrained { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _orchestrator.StartAsync(cancellationToken).ConfigureAwait(false);
        lock (_lifecycle)
        {
            if (_stopRequested || _disposed)
            {
                // A stop came while the orchestrator was starting: it stops the orchestrator, and no source may run on
                // after it with nothing left to cancel it.
                return;
            }

            _stopIntake = new CancellationTokenSource();
            var stopping = _stopIntake.Token;
            foreach (var source in _sources)
            {
                _running.Add(Task.Run(() => RunSourceAsync(source, stopping), CancellationToken.None));
            }
        }

        Log.Started(_logger, _sources.Length);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        CancellationTokenSource? intake;
        Task[] running;
        bool first;
        lock (_lifecycle)
        {
            first = !_stopRequested;
            _stopRequested = true;
            intake = _disposed ? null : _stopIntake;
            running = [.. _running];
        }

        if (!first)
        {
            // Another stop came first: this one waits for the orchestrator's stop, and the outcome stays that stop's.
            await _orchestrator.StopAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (intake is not null)
        {
            await intake.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host's shutdown timeout passed while a source was stopping: stop the orchestrator anyway.
            }
        }

        using var drain = new CancellationTokenSource(OrchestrationHostingOptions.TimerDelay(_options.DrainTimeout), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(drain.Token, cancellationToken);
        var backlogBefore = _orchestrator.Backlog;
        await _orchestrator.StopAsync(linked.Token).ConfigureAwait(false);
        // Nothing in flight once intake stopped is a finished drain, however short the timeout (0 included).
        LastShutdownDrained = backlogBefore == 0 || !linked.IsCancellationRequested;
        if (LastShutdownDrained == true)
        {
            Log.Drained(_logger, backlogBefore);
        }
        else
        {
            Log.DrainTimedOut(_logger, _orchestrator.Backlog);
        }
    }

    /// <summary>Cancels the sources still running (a host disposed without a stop) without waiting for them.</summary>
    public void Dispose() => CancelIntakeForDisposal()?.Dispose();

    /// <summary>
    /// Cancels the sources still running (a host disposed without a stop) and waits up to 5 seconds for them to return,
    /// so that none is left publishing into the orchestrator the container disposes next.
    /// </summary>
    /// <returns>A task that completes when the sources returned or the wait ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_lifecycle)
        {
            running = [.. _running];
        }

        var intake = CancelIntakeForDisposal();
        if (intake is null)
        {
            return;
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(SourceStopLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A source that ignores its cancellation is not waited for longer: disposal never hangs the host.
        }

        intake.Dispose();
    }

    /// <summary>Marks the service disposed and cancels the intake; returns it for the caller to dispose, or null when there is none (or disposal ran already).</summary>
    private CancellationTokenSource? CancelIntakeForDisposal()
    {
        CancellationTokenSource? intake;
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            intake = _stopIntake;
        }

        intake?.Cancel();
        return intake;
    }

    private async Task RunSourceAsync(IEventSource source, CancellationToken stopping)
    {
        try
        {
            await source.RunAsync(_sink, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failing source is reported, never allowed to crash the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _sourceFailures[source.Name] = ex.Message;
            Log.SourceFailed(_logger, source.Name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Orchestrator started with {Sources} event sources.")]
        public static partial void Started(ILogger logger, int sources);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Orchestrator stopped after draining {Backlog} in-flight work items.")]
        public static partial void Drained(ILogger logger, long backlog);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Orchestrator stopped before the drain finished; {Backlog} work items stay durable and resume at the next start.")]
        public static partial void DrainTimedOut(ILogger logger, long backlog);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Event source {Source} stopped with an error; intake from it is down until restart.")]
        public static partial void SourceFailed(ILogger logger, string source, Exception exception);
    }
}
