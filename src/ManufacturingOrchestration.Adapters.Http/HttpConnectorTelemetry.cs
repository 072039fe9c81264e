using System.Diagnostics.Metrics;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// The HTTP connectors' circuit metrics, on the product's one meter: the engine's <c>OrchestrationTelemetry</c> uses the
/// same meter name, so a listener subscribed to it sees both (with a meter factory they are the same meter instance).
/// </summary>
internal sealed class HttpConnectorTelemetry : IDisposable
{
    /// <summary>The meter name, the same as <c>OrchestrationTelemetry.Name</c>.</summary>
    public const string MeterName = "ManufacturingOrchestration";

    /// <summary>The name of the gauge of open circuits.</summary>
    public const string OpenInstrument = "mo.connectors.circuit.open";

    /// <summary>The name of the counter of circuit state changes.</summary>
    public const string ChangesInstrument = "mo.connectors.circuit.changes";

    private readonly Counter<long> _changes;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">Creates the meter, when hosted with dependency injection.</param>
    /// <param name="circuits">The circuits the gauge reads when observed.</param>
    public HttpConnectorTelemetry(IMeterFactory? meterFactory, Func<IEnumerable<HttpConnectorCircuit>> circuits)
    {
        // A factory owns the meters it creates and shares one per name (the engine's telemetry uses the same one):
        // only a meter created here is this component's to dispose.
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _changes = Meter.CreateCounter<long>(ChangesInstrument, description: "Circuit breaker state changes of the HTTP connectors, by connector and new state.");
        Meter.CreateObservableGauge(
            OpenInstrument,
            () => circuits().Select(c => new Measurement<int>(c.IsOpen ? 1 : 0, new KeyValuePair<string, object?>("connector", c.Name))),
            description: "Whether each HTTP connector's circuit is open or half-open (1) or closed (0), by connector, as the health check reports it.");
    }

    /// <summary>The meter.</summary>
    public Meter Meter { get; }

    /// <summary>The tag value of a state.</summary>
    /// <param name="state">The state.</param>
    /// <returns><c>closed</c>, <c>open</c> or <c>half_open</c>.</returns>
    public static string TagOf(HttpCircuitState state) => state switch
    {
        HttpCircuitState.Open => "open",
        HttpCircuitState.HalfOpen => "half_open",
        _ => "closed",
    };

    /// <summary>Counts a change of a connector's circuit to <paramref name="state"/>.</summary>
    /// <param name="connectorName">The connector.</param>
    /// <param name="state">The new state.</param>
    public void StateChanged(string connectorName, HttpCircuitState state) =>
        _changes.Add(1, new KeyValuePair<string, object?>("connector", connectorName), new KeyValuePair<string, object?>("state", TagOf(state)));

    /// <summary>Disposes the meter when it was created here; a meter from a factory is the factory's, shared with others.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
