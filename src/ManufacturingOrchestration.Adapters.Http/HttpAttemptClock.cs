namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Marks on a request when its current attempt started. It sits inside the resilience pipeline, so every in-call retry
/// marks it anew: the pipeline's attempt timeout ends when the response headers arrive, and the connector reads the
/// body within what is left of that attempt's time (see <see cref="HttpConnector"/>).
/// </summary>
internal sealed class HttpAttemptClock(TimeProvider timeProvider) : DelegatingHandler
{
    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at which the request's last attempt was sent.</summary>
    public static readonly HttpRequestOptionsKey<long> AttemptStarted = new("ManufacturingOrchestration.Http.AttemptStarted");

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> at which the connector handed the request to its client (the total timeout's start).</summary>
    public static readonly HttpRequestOptionsKey<long> CallStarted = new("ManufacturingOrchestration.Http.CallStarted");

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(AttemptStarted, timeProvider.GetTimestamp());
        return base.Send(request, cancellationToken);
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(AttemptStarted, timeProvider.GetTimestamp());
        return base.SendAsync(request, cancellationToken);
    }
}
