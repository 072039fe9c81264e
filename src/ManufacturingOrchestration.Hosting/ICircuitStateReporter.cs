namespace ManufacturingOrchestration.Hosting;

/// <summary>
/// Reports which circuits to connected systems are open right now (for example a connector's circuit breaker), so
/// the health check can report them. Register implementations in the container; none are required.
/// </summary>
public interface ICircuitStateReporter
{
    /// <summary>The names of the circuits that are open (such as <c>erp-eu</c>); empty when all are closed.</summary>
    /// <returns>The open circuits.</returns>
    IReadOnlyCollection<string> GetOpenCircuits();
}
