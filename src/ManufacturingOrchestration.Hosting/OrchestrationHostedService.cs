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
/// <remarks>A source that fails is logged and reported by the health check; it never stops the host.</remarks>
public sealed partial class OrchestrationHostedService : IHostedService, IDisposable
{
    private readonly Orchestrator _orchestrator;
    private readonly IEventSink _sink;
    private readonly IEventSource[] _sources;
    private readonly OrchestrationHostingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _sourceFailures = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private CancellationTokenSource? _stopIntake;

    /// <summary>Creates the service.</summary>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="sink">Where sources deliver events.</param>
    /// <param name="sources">The event sources to run.</param>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock of the drain timeout.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
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
        _options = options.Value;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Sources that stopped with an error, by name, with the error message.</summary>
    public IReadOnlyDictionary<string, string> SourceFailures => _sourceFailures;

    /// <summary>Whether the last shutdown finished all in-flight work before its timeout.</summary>
    public bool? LastShutdownDrained { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _orchestrator.StartAsync(cancellationToken).ConfigureAwait(false);
        _stopIntake = new CancellationTokenSource();
        foreach (var source in _sources)
        {
            _running.Add(Task.Run(() => RunSourceAsync(source, _stopIntake.Token), CancellationToken.None));
        }

        Log.Started(_logger, _sources.Length);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopIntake is not null)
        {
            await _stopIntake.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_running).WaitAsync(cancellationToken).ConfigureAwait(false);
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
        LastShutdownDrained = !linked.IsCancellationRequested;
        if (LastShutdownDrained == true)
        {
            Log.Drained(_logger, backlogBefore);
        }
        else
        {
            Log.DrainTimedOut(_logger, _orchestrator.Backlog);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopIntake?.Dispose();

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
