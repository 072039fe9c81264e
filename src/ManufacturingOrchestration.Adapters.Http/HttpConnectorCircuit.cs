namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>The circuit breaker state of one HTTP connector, as <see cref="HttpConnectorCircuits"/> last saw it change.</summary>
public sealed class HttpConnectorCircuit
{
    /// <summary>The connector (target system) name, such as <c>erp-eu</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The circuit's state.</summary>
    public required HttpCircuitState State { get; init; }

    /// <summary>When the circuit entered <see cref="State"/> (or when the connector's pipeline was built, if it never changed), from the registered <see cref="TimeProvider"/>.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>How long the circuit stays open before a trial call, when <see cref="State"/> is <see cref="HttpCircuitState.Open"/>; otherwise <see langword="null"/>.</summary>
    public TimeSpan? BreakDuration { get; init; }

    /// <summary>Whether the circuit is not closed (open or half-open), that is whether calls are being refused.</summary>
    public bool IsOpen => State != HttpCircuitState.Closed;
}
