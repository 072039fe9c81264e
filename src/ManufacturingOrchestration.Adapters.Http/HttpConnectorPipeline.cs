using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Builds a connector's in-call resilience pipeline from its <see cref="HttpStandardResilienceOptions"/>, in the standard
/// handler's order, outermost first: rate limiter, total timeout, retry (exponential backoff with jitter,
/// <c>Retry-After</c> honoured when short), circuit breaker (its state changes reported to
/// <see cref="HttpConnectorCircuits"/> under the connector's name), attempt timeout.
/// </summary>
/// <remarks>
/// Each strategy gets a copy of the configured settings and callbacks, never the configured instance: the connector sets
/// its own outcome classification on the copies and wraps the breaker's callbacks, which must not leak into the options
/// the application reads (or pile up when a pipeline is built again).
/// </remarks>
internal static class HttpConnectorPipeline
{
    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> builder,
        HttpStandardResilienceOptions options,
        TimeProvider timeProvider,
        HttpConnectorCircuits circuits,
        string connectorName)
    {
        builder.TimeProvider = timeProvider;
        builder.AddRateLimiter(new HttpRateLimiterStrategyOptions
        {
            Name = "rate-limiter",
            DefaultRateLimiterOptions = options.RateLimiter.DefaultRateLimiterOptions,
            RateLimiter = options.RateLimiter.RateLimiter,
            OnRejected = options.RateLimiter.OnRejected,
        });
        builder.AddTimeout(Timeout("total-timeout", options.TotalRequestTimeout));

        var retry = options.Retry;
        if (retry.MaxRetryAttempts > 0)
        {
            // MaxDelay is required by the validator: it bounds each in-call wait, and a longer Retry-After goes to the outbox.
            var maxDelay = retry.MaxDelay ?? TimeSpan.Zero;
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = retry.MaxRetryAttempts,
                BackoffType = retry.BackoffType,
                UseJitter = retry.UseJitter,
                Delay = retry.Delay,
                MaxDelay = retry.MaxDelay,
                Randomizer = retry.Randomizer,
                OnRetry = retry.OnRetry,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, maxDelay, timeProvider)),

                // The standard generator reads a Retry-After date with the system clock; the connector's reads it with its own.
                DelayGenerator = retry.ShouldRetryAfterHeader
                    ? args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfterOf(response, timeProvider) : null)
                    : retry.DelayGenerator,
            });
        }

        var configured = options.CircuitBreaker;
        var state = configured.StateProvider ?? new CircuitBreakerStateProvider();
        var breaker = new HttpCircuitBreakerStrategyOptions
        {
            Name = "circuit-breaker",
            FailureRatio = configured.FailureRatio,
            MinimumThroughput = configured.MinimumThroughput,
            SamplingDuration = configured.SamplingDuration,
            BreakDuration = configured.BreakDuration,
            BreakDurationGenerator = configured.BreakDurationGenerator,
            ManualControl = configured.ManualControl,
            StateProvider = state,
            OnOpened = configured.OnOpened,
            OnClosed = configured.OnClosed,
            OnHalfOpened = configured.OnHalfOpened,
            // A trial call the caller cancelled proved nothing: counted as a success it would close the circuit on a target
            // system that may still be down, so it counts as a failure and the circuit opens for another break.
            ShouldHandle = args => ValueTask.FromResult(
                IsTransient(args.Outcome) || (args.Outcome.Exception is OperationCanceledException && state.CircuitState == CircuitState.HalfOpen)),
        };
        circuits.Track(breaker, connectorName);
        builder.AddCircuitBreaker(breaker);

        builder.AddTimeout(Timeout("attempt-timeout", options.AttemptTimeout));
    }

    /// <summary>Whether an HTTP status is transient: 408, 429 and every 5xx.</summary>
    public static bool IsTransientStatus(int statusCode) => statusCode is 408 or 429 or >= 500;

    /// <summary>How long a response asks the caller to wait (<c>Retry-After</c> as seconds or as a date), never negative.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider timeProvider) => response.Headers.RetryAfter switch
    {
        RetryConditionHeaderValue { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        RetryConditionHeaderValue { Date: { } date } => date - timeProvider.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static HttpTimeoutStrategyOptions Timeout(string name, HttpTimeoutStrategyOptions configured) => new()
    {
        Name = name,
        Timeout = configured.Timeout,
        TimeoutGenerator = configured.TimeoutGenerator,
        OnTimeout = configured.OnTimeout,
    };

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransientStatus((int)response.StatusCode),
        _ => false,
    };

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan maxDelay, TimeProvider timeProvider)
    {
        if (!IsTransient(outcome))
        {
            return false;
        }

        // A target system that asks for a longer pause than the in-call budget gets it from the engine's outbox instead.
        return outcome.Result is not { } response || RetryAfterOf(response, timeProvider) is not { } wait || wait <= maxDelay;
    }
}
