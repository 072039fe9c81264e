using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Thrown by an HTTP connector's query when the target system failed transiently (5xx, 408, 429, a timeout, an open
/// circuit) after the in-call retries. The engine treats it as transient; a permanent failure of a query is an
/// <see cref="AdapterPermanentException"/> instead. Its message never contains the credential.
/// </summary>
public sealed class HttpConnectorException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reasonCode">The reason, such as <see cref="ReasonCodes.AdapterTransient"/> or <see cref="ReasonCodes.CircuitOpen"/>.</param>
    /// <param name="message">A message for a person.</param>
    /// <param name="statusCode">The HTTP status code, when the target system answered.</param>
    /// <param name="retryAfter">How long the target system asked to wait, when it said so.</param>
    public HttpConnectorException(ReasonCode reasonCode, string message, int? statusCode, TimeSpan? retryAfter)
        : base(reasonCode, message)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status code, or <see langword="null"/> when there was no answer (timeout, open circuit, network).</summary>
    public int? StatusCode { get; }

    /// <summary>How long the target system (or the open circuit) asked to wait before retrying, when known.</summary>
    public TimeSpan? RetryAfter { get; }
}
