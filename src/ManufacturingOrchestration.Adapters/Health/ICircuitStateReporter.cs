namespace ManufacturingOrchestration.Adapters.Health;

/// <summary>
/// Reports which circuits to connected systems are open right now (for example a connector's circuit breaker), so a
/// health check can report them. Connectors register implementations in the container; none are required.
/// </summary>
/// <remarks>Implementations are called from health checks on any thread and must be thread-safe and cheap.</remarks>
public interface ICircuitStateReporter
{
    /// <summary>The names of the circuits that are open (such as <c>erp-eu</c>); empty when all are closed.</summary>
    /// <returns>The open circuits.</returns>
    IReadOnlyCollection<string> GetOpenCircuits();
}
