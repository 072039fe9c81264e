using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Validates <see cref="HttpConnectorOptions"/> at start-up (registered with <c>ValidateOnStart</c>), so a misconfigured
/// plant fails at boot, not mid-shift: what configuration binding could not read (a malformed endpoint, a value of the
/// wrong type, an unknown setting), an absolute http/https base address, bounded retries, positive timeouts with the
/// attempt timeout shorter than the total, a retry budget that fits in the total timeout, sane circuit-breaker and
/// rate-limiter settings, response body limits from 1 byte to <see cref="MaxAllowedBodyBytes"/>, well-formed endpoint
/// templates and header names. Each failure names the connector and the setting, such as
/// <c>Resilience.Retry.MaxRetryAttempts</c> (the path under the connector's configuration section).
/// </summary>
public sealed class HttpConnectorOptionsValidator : IValidateOptions<HttpConnectorOptions>
{
    /// <summary>The most in-call retries (<c>Resilience.Retry.MaxRetryAttempts</c>) a connector may be configured with.</summary>
    public const int MaxAllowedRetryAttempts = 5;

    /// <summary>
    /// The largest <see cref="HttpConnectorOptions.MaxResponseBodyBytes"/> or <see cref="HttpConnectorOptions.MaxErrorBodyBytes"/>
    /// a connector may be configured with (256 MiB): a body is held in memory while it is read, once per call in flight.
    /// </summary>
    public const int MaxAllowedBodyBytes = 256 * 1024 * 1024;

    /// <summary>
    /// The longest total timeout (<c>Resilience.TotalRequestTimeout.Timeout</c>) a connector may be configured with:
    /// longer waits belong to the engine's outbox.
    /// </summary>
    public static readonly TimeSpan MaxAllowedTotalRequestTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The shortest attempt or total timeout the pipeline accepts.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>The shortest circuit sampling or break duration the pipeline accepts.</summary>
    public static readonly TimeSpan MinCircuitDuration = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest circuit sampling or break duration the pipeline accepts.</summary>
    public static readonly TimeSpan MaxCircuitDuration = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HttpConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var who = $"HTTP connector '{name}'";
        var failures = new List<string>();

        foreach (var problem in options.ConfigurationProblems)
        {
            failures.Add($"{who}: {problem}");
        }

        ValidateAddress(options.BaseAddress, who, failures);
        ValidateResilience(options.Resilience, who, failures);

        ValidateHeader(options.IdempotencyKeyHeader, nameof(options.IdempotencyKeyHeader), who, failures);
        ValidateHeader(options.CorrelationIdHeader, nameof(options.CorrelationIdHeader), who, failures);
        ValidateHeader(options.CausationIdHeader, nameof(options.CausationIdHeader), who, failures);
        ValidateHeader(options.CredentialHeader, nameof(options.CredentialHeader), who, failures);
        ValidateDistinct(
            [
                (nameof(options.IdempotencyKeyHeader), options.IdempotencyKeyHeader),
                (nameof(options.CorrelationIdHeader), options.CorrelationIdHeader),
                (nameof(options.CausationIdHeader), options.CausationIdHeader),
                (nameof(options.CredentialHeader), options.CredentialHeader),
            ],
            who,
            failures);
        if (options.ExternalReferenceHeader is not null)
        {
            ValidateHeader(options.ExternalReferenceHeader, nameof(options.ExternalReferenceHeader), who, failures);
        }

        if (options.ExternalReferenceJsonProperty is { Length: 0 })
        {
            failures.Add($"{who}: {nameof(options.ExternalReferenceJsonProperty)} must be null or non-empty.");
        }

        if (options.MaxErrorDetailLength < 0)
        {
            failures.Add($"{who}: {nameof(options.MaxErrorDetailLength)} must not be negative.");
        }

        ValidateBodyLimit(options.MaxResponseBodyBytes, nameof(options.MaxResponseBodyBytes), who, failures);
        ValidateBodyLimit(options.MaxErrorBodyBytes, nameof(options.MaxErrorBodyBytes), who, failures);

        foreach (var code in options.AlreadyAppliedStatusCodes)
        {
            if (code is < 200 or > 499 or 404 or 408 or 429)
            {
                failures.Add($"{who}: {code} cannot mean 'already applied' (allowed: 200-499 except 404, 408 and 429).");
            }
        }

        foreach (var code in options.StaleStatusCodes)
        {
            if (code is < 400 or > 499 or 404 or 408 or 429 || options.AlreadyAppliedStatusCodes.Contains(code))
            {
                failures.Add($"{who}: {code} cannot mean 'stale' (allowed: 400-499 except 404, 408, 429 and the already-applied codes).");
            }
        }

        foreach (var (kind, endpoint) in options.Endpoints)
        {
            if (string.IsNullOrWhiteSpace(kind))
            {
                failures.Add($"{who}: an endpoint has an empty kind.");
            }
            else if (endpoint is null)
            {
                failures.Add($"{who}: the endpoint of '{kind}' is null.");
            }
            else if (!RouteTemplate.IsValid(endpoint.PathTemplate, out var problem))
            {
                failures.Add($"{who}: the path template '{endpoint.PathTemplate}' of '{kind}' {problem}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateAddress(Uri? address, string who, List<string> failures)
    {
        if (address is null)
        {
            failures.Add($"{who}: {nameof(HttpConnectorOptions.BaseAddress)} is required.");
        }
        else if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{who}: {nameof(HttpConnectorOptions.BaseAddress)} must be an absolute http or https URI.");
        }
        else if (address.Query.Length > 0 || address.Fragment.Length > 0)
        {
            failures.Add($"{who}: {nameof(HttpConnectorOptions.BaseAddress)} must not have a query or fragment.");
        }
        else if (address.UserInfo.Length > 0)
        {
            failures.Add($"{who}: {nameof(HttpConnectorOptions.BaseAddress)} must not carry credentials; use an {nameof(ICredentialProvider)}.");
        }
    }

    private static void ValidateResilience(HttpStandardResilienceOptions r, string who, List<string> failures)
    {
        const string Retry = "Resilience.Retry";
        const string Attempt = "Resilience.AttemptTimeout.Timeout";
        const string Total = "Resilience.TotalRequestTimeout.Timeout";
        const string Breaker = "Resilience.CircuitBreaker";
        const string Limiter = "Resilience.RateLimiter";
        if (r.Retry is null || r.AttemptTimeout is null || r.TotalRequestTimeout is null || r.CircuitBreaker is null || r.RateLimiter is null)
        {
            failures.Add($"{who}: Resilience.Retry, .AttemptTimeout, .TotalRequestTimeout, .CircuitBreaker and .RateLimiter are required.");
            return;
        }

        var retry = r.Retry;
        var attempt = r.AttemptTimeout.Timeout;
        var total = r.TotalRequestTimeout.Timeout;
        if (retry.MaxRetryAttempts is < 0 or > MaxAllowedRetryAttempts)
        {
            failures.Add($"{who}: {Retry}.MaxRetryAttempts must be between 0 and {MaxAllowedRetryAttempts}; longer retrying is the engine's job.");
        }

        if (retry.Delay < TimeSpan.Zero)
        {
            failures.Add($"{who}: {Retry}.Delay must not be negative.");
        }

        if (retry.MaxRetryAttempts > 0)
        {
            if (retry.MaxDelay is not { } maxDelay)
            {
                failures.Add($"{who}: {Retry}.MaxDelay is required: it bounds each in-call wait, and a longer Retry-After is left to the engine.");
            }
            else if (maxDelay < retry.Delay)
            {
                failures.Add($"{who}: {Retry}.MaxDelay must be at least {Retry}.Delay.");
            }
            else if (maxDelay.TotalMilliseconds * retry.MaxRetryAttempts >= total.TotalMilliseconds)
            {
                failures.Add($"{who}: the retry waits ({Retry}.MaxRetryAttempts x {Retry}.MaxDelay) must fit within {Total}.");
            }
        }

        if (attempt < MinTimeout)
        {
            failures.Add($"{who}: {Attempt} must be at least {MinTimeout.TotalMilliseconds} ms.");
        }

        if (total < MinTimeout || total > MaxAllowedTotalRequestTimeout)
        {
            failures.Add($"{who}: {Total} must be between {MinTimeout.TotalMilliseconds} ms and {MaxAllowedTotalRequestTimeout}; longer waits are the engine's job.");
        }

        if (attempt >= total)
        {
            failures.Add($"{who}: {Attempt} must be shorter than {Total}.");
        }

        var breaker = r.CircuitBreaker;
        if (double.IsNaN(breaker.FailureRatio) || breaker.FailureRatio is <= 0 or > 1)
        {
            failures.Add($"{who}: {Breaker}.FailureRatio must be greater than 0 and at most 1.");
        }

        if (breaker.MinimumThroughput < 2)
        {
            failures.Add($"{who}: {Breaker}.MinimumThroughput must be at least 2.");
        }

        if (breaker.SamplingDuration < MinCircuitDuration || breaker.SamplingDuration > MaxCircuitDuration)
        {
            failures.Add($"{who}: {Breaker}.SamplingDuration must be between {MinCircuitDuration.TotalMilliseconds} ms and {MaxCircuitDuration}.");
        }
        else if (breaker.SamplingDuration.TotalMilliseconds < attempt.TotalMilliseconds * 2)
        {
            failures.Add($"{who}: {Breaker}.SamplingDuration must be at least twice {Attempt}.");
        }

        if (breaker.BreakDuration < MinCircuitDuration || breaker.BreakDuration > MaxCircuitDuration)
        {
            failures.Add($"{who}: {Breaker}.BreakDuration must be between {MinCircuitDuration.TotalMilliseconds} ms and {MaxCircuitDuration}.");
        }

        if (r.RateLimiter.RateLimiter is null)
        {
            if (r.RateLimiter.DefaultRateLimiterOptions is not { } limits)
            {
                failures.Add($"{who}: {Limiter}.DefaultRateLimiterOptions is required unless a rate limiter is set.");
            }
            else if (limits.PermitLimit < 1 || limits.QueueLimit < 0)
            {
                failures.Add($"{who}: {Limiter}.DefaultRateLimiterOptions needs a PermitLimit of at least 1 and a QueueLimit that is not negative.");
            }
        }
    }

    private static void ValidateBodyLimit(int limit, string property, string who, List<string> failures)
    {
        if (limit is < 1 or > MaxAllowedBodyBytes)
        {
            failures.Add($"{who}: {property} must be between 1 and {MaxAllowedBodyBytes} ({MaxAllowedBodyBytes / (1024 * 1024)} MiB).");
        }
    }

    private static void ValidateHeader(string? header, string property, string who, List<string> failures)
    {
        if (string.IsNullOrEmpty(header))
        {
            failures.Add($"{who}: {property} must not be empty.");
            return;
        }

        foreach (var c in header)
        {
            // RFC 9110 token characters.
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
            {
                failures.Add($"{who}: {property} '{header}' is not a valid header name.");
                return;
            }
        }

        // A content header (Content-Type, Expires…) cannot be set on a request's headers: the value would silently not be sent.
        using var probe = new HttpRequestMessage();
        if (property != nameof(HttpConnectorOptions.ExternalReferenceHeader) && !probe.Headers.TryAddWithoutValidation(header, "probe"))
        {
            failures.Add($"{who}: {property} '{header}' is not a request header (only a request's content may carry it).");
        }
    }

    /// <summary>Each header the connector sends needs a name of its own: two settings of one name would send one header with both values.</summary>
    private static void ValidateDistinct(ReadOnlySpan<(string Property, string? Header)> headers, string who, List<string> failures)
    {
        for (var i = 1; i < headers.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (!string.IsNullOrEmpty(headers[i].Header) && string.Equals(headers[i].Header, headers[j].Header, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{who}: {headers[i].Property} '{headers[i].Header}' is also the {headers[j].Property}; each header needs its own name.");
                    break;
                }
            }
        }
    }
}
