namespace ManufacturingOrchestration.Model;

/// <summary>
/// The root of every exception that ManufacturingOrchestration throws on purpose. Expected outcomes
/// (a rejected transition, an invalid payload) are returned as results instead; this type is for
/// programming errors and violated invariants.
/// </summary>
public class ManufacturingOrchestrationException : Exception
{
    /// <summary>Creates an exception with a reason code from <see cref="ReasonCodes"/>.</summary>
    /// <param name="reasonCode">The catalogued reason code.</param>
    /// <param name="message">A message for a person.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ManufacturingOrchestrationException(ReasonCode reasonCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ReasonCode = reasonCode;
    }

    /// <summary>The catalogued reason code.</summary>
    public ReasonCode ReasonCode { get; }
}
