namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>The state of an HTTP connector's circuit breaker.</summary>
public enum HttpCircuitState
{
    /// <summary>Calls go through; failures are being sampled.</summary>
    Closed = 0,

    /// <summary>Calls fail at once without reaching the target system until the break duration has elapsed.</summary>
    Open = 1,

    /// <summary>The break elapsed and one trial call is under way; its success closes the circuit, its failure (or its cancellation by the caller) opens it again.</summary>
    HalfOpen = 2,
}
