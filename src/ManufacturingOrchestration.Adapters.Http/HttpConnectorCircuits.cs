using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Adapters.Health;
using Microsoft.Extensions.Http.Resilience;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The circuit breaker state of every HTTP connector, by connector name, kept from the breakers' own state-change
/// callbacks. Registered once as a singleton and as an <see cref="ICircuitStateReporter"/> by the connector
/// registrations, so a health check lists the connectors whose circuit is open. Thread-safe.
/// </summary>
/// <remarks>
/// A half-open circuit (the break elapsed, a trial call is under way) counts as open: it closes only when a call
/// succeeds. A circuit whose break has elapsed stays reported open until the next call through the connector, which
/// the engine's outbox makes when it re-runs the transient command.
/// <para>
/// It also reports on the product's meter (<c>ManufacturingOrchestration</c>): <c>mo.connectors.circuit.changes</c>
/// counts each state change, tagged <c>connector</c> and <c>state</c> (<c>open</c>, <c>half_open</c>, <c>closed</c>), and
/// the gauge <c>mo.connectors.circuit.open</c> reads 1 per connector whose circuit is open or half-open, 0 otherwise.
/// </para>
/// </remarks>
public sealed class HttpConnectorCircuits : ICircuitStateReporter, IDisposable
{
    private readonly ConcurrentDictionary<string, HttpConnectorCircuit> _circuits = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly HttpConnectorTelemetry _telemetry;

    /// <summary>Creates the tracker.</summary>
    /// <param name="timeProvider">The clock that stamps state changes.</param>
    /// <param name="meterFactory">Creates the meter, when hosted with dependency injection; otherwise the tracker owns its meter.</param>
    public HttpConnectorCircuits(TimeProvider timeProvider, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _telemetry = new HttpConnectorTelemetry(meterFactory, () => _circuits.Values);
    }

    /// <summary>The meter the circuit metrics are reported on.</summary>
    internal Meter Meter => _telemetry.Meter;

    /// <summary>The names of the connectors whose circuit is open or half-open, in ordinal order; empty when all are closed.</summary>
    /// <returns>The open circuits.</returns>
    public IReadOnlyCollection<string> GetOpenCircuits() =>
        [.. _circuits.Values.Where(c => c.IsOpen).Select(c => c.Name).Order(StringComparer.Ordinal)];

    /// <summary>The state of every connector whose resilience pipeline has been built, in ordinal order of name.</summary>
    /// <returns>The circuits.</returns>
    public IReadOnlyList<HttpConnectorCircuit> GetCircuits() =>
        [.. _circuits.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>The state of one connector's circuit.</summary>
    /// <param name="connectorName">The connector name.</param>
    /// <returns>The circuit, or <see langword="null"/> when the connector's pipeline has not been built yet (no call made).</returns>
    public HttpConnectorCircuit? GetCircuit(string connectorName)
    {
        ArgumentNullException.ThrowIfNull(connectorName);
        return _circuits.TryGetValue(connectorName, out var circuit) ? circuit : null;
    }

    /// <summary>
    /// Starts tracking the circuit breaker configured by <paramref name="options"/> as <paramref name="connectorName"/>:
    /// wraps its <c>OnOpened</c>, <c>OnClosed</c> and <c>OnHalfOpened</c> callbacks (the ones already set still run,
    /// after the state is recorded) and records the circuit as closed, which is how a newly built breaker starts.
    /// </summary>
    internal void Track(HttpCircuitBreakerStrategyOptions options, string connectorName)
    {
        var opened = options.OnOpened;
        var closed = options.OnClosed;
        var halfOpened = options.OnHalfOpened;
        options.OnOpened = args =>
        {
            Record(connectorName, HttpCircuitState.Open, args.BreakDuration);
            return opened?.Invoke(args) ?? ValueTask.CompletedTask;
        };
        options.OnClosed = args =>
        {
            Record(connectorName, HttpCircuitState.Closed, null);
            return closed?.Invoke(args) ?? ValueTask.CompletedTask;
        };
        options.OnHalfOpened = args =>
        {
            Record(connectorName, HttpCircuitState.HalfOpen, null);
            return halfOpened?.Invoke(args) ?? ValueTask.CompletedTask;
        };

        Record(connectorName, HttpCircuitState.Closed, null);
    }

    /// <summary>
    /// Disposes the meter when the tracker created it; a meter from the <see cref="IMeterFactory"/> is the factory's
    /// (shared with the engine's telemetry) and outlives the tracker.
    /// </summary>
    public void Dispose() => _telemetry.Dispose();

    /// <summary>
    /// Records a state change and counts it when the state differs from the one it replaced; the first record of a
    /// connector (a new breaker, closed) is no change. The replacement is atomic: a record that raced with another for
    /// the same connector (a rebuilt pipeline's first record beside the old breaker's callback) compares with the state
    /// it actually replaced, so a change is counted once.
    /// </summary>
    internal void Record(string connectorName, HttpCircuitState state, TimeSpan? breakDuration)
    {
        while (true)
        {
            var next = new HttpConnectorCircuit
            {
                Name = connectorName,
                State = state,
                Since = _timeProvider.GetUtcNow(),
                BreakDuration = state == HttpCircuitState.Open ? breakDuration : null,
            };
            if (!_circuits.TryGetValue(connectorName, out var previous))
            {
                if (_circuits.TryAdd(connectorName, next))
                {
                    return;
                }
            }
            else if (_circuits.TryUpdate(connectorName, next, previous))
            {
                if (previous.State != state)
                {
                    _telemetry.StateChanged(connectorName, state);
                }

                return;
            }
        }
    }
}
