using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>Thrown by a simulator query when a transient fault is injected (the engine treats it as transient, like any adapter exception).</summary>
public sealed class SimulatedFaultException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception with <see cref="ReasonCodes.AdapterTransient"/>.</summary>
    /// <param name="message">A message for a person.</param>
    public SimulatedFaultException(string message)
        : base(ReasonCodes.AdapterTransient, message)
    {
    }
}
