using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Builds a connector's in-call resilience pipeline, outermost first: total timeout, retry (exponential backoff with
/// jitter, <c>Retry-After</c> honoured when short), circuit breaker (its state changes reported to
/// <see cref="HttpConnectorCircuits"/> under the connector's name), attempt timeout.
/// </summary>
internal static class HttpConnectorPipeline
{
    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> builder,
        HttpConnectorResilienceOptions options,
        TimeProvider timeProvider,
        HttpConnectorCircuits circuits,
        string connectorName)
    {
        builder.TimeProvider = timeProvider;
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total-timeout", Timeout = options.TotalTimeout });

        if (options.MaxRetryAttempts > 0)
        {
            var maxDelay = options.MaxRetryDelay;
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.RetryBaseDelay,
                MaxDelay = maxDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, maxDelay, timeProvider)),
            });
        }

        var breaker = new HttpCircuitBreakerStrategyOptions
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitFailureRatio,
            MinimumThroughput = options.CircuitMinimumThroughput,
            SamplingDuration = options.CircuitSamplingDuration,
            BreakDuration = options.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
        };
        circuits.Track(breaker, connectorName);
        builder.AddCircuitBreaker(breaker);

        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt-timeout", Timeout = options.AttemptTimeout });
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
