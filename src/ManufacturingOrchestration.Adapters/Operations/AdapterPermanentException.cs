using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// Thrown by an adapter when a call failed in a way that retrying cannot fix (bad credentials, a contract
/// mismatch). The engine treats any other exception thrown by an adapter as transient. Business refusals are
/// not exceptions: return <see cref="AdapterResult.Permanent(ReasonCode, string)"/> instead.
/// </summary>
public sealed class AdapterPermanentException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception with <see cref="ReasonCodes.AdapterPermanent"/>.</summary>
    /// <param name="message">A message for a person.</param>
    public AdapterPermanentException(string message)
        : base(ReasonCodes.AdapterPermanent, message)
    {
    }

    /// <summary>Creates the exception with <see cref="ReasonCodes.AdapterPermanent"/> and a cause.</summary>
    /// <param name="message">A message for a person.</param>
    /// <param name="innerException">The cause.</param>
    public AdapterPermanentException(string message, Exception innerException)
        : base(ReasonCodes.AdapterPermanent, message, innerException)
    {
    }

    /// <summary>Creates the exception with a specific reason code.</summary>
    /// <param name="reasonCode">The catalogued reason code.</param>
    /// <param name="message">A message for a person.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public AdapterPermanentException(ReasonCode reasonCode, string message, Exception? innerException)
        : base(reasonCode, message, innerException)
    {
    }
}
