using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Validates <see cref="HttpConnectorOptions"/> at start-up (registered with <c>ValidateOnStart</c>), so a misconfigured
/// plant fails at boot, not mid-shift: an absolute http/https base address, bounded retries, positive timeouts with the
/// attempt timeout shorter than the total, a retry budget that fits in the total timeout, sane circuit-breaker settings,
/// well-formed endpoint templates and header names.
/// </summary>
public sealed class HttpConnectorOptionsValidator : IValidateOptions<HttpConnectorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HttpConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var who = $"HTTP connector '{name}'";
        var failures = new List<string>();

        ValidateAddress(options.BaseAddress, who, failures);
        ValidateResilience(options.Resilience, who, failures);

        ValidateHeader(options.IdempotencyKeyHeader, nameof(options.IdempotencyKeyHeader), who, failures);
        ValidateHeader(options.CorrelationIdHeader, nameof(options.CorrelationIdHeader), who, failures);
        ValidateHeader(options.CausationIdHeader, nameof(options.CausationIdHeader), who, failures);
        ValidateHeader(options.CredentialHeader, nameof(options.CredentialHeader), who, failures);
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

        foreach (var code in options.AlreadyAppliedStatusCodes)
        {
            if (code is < 200 or > 499 or 404 or 408 or 429)
            {
                failures.Add($"{who}: {code} cannot mean 'already applied' (allowed: 200-499 except 404, 408 and 429).");
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

    private static void ValidateResilience(HttpConnectorResilienceOptions r, string who, List<string> failures)
    {
        if (r.MaxRetryAttempts is < 0 or > HttpConnectorResilienceOptions.MaxAllowedRetryAttempts)
        {
            failures.Add($"{who}: {nameof(r.MaxRetryAttempts)} must be between 0 and {HttpConnectorResilienceOptions.MaxAllowedRetryAttempts}; longer retrying is the engine's job.");
        }

        if (r.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add($"{who}: {nameof(r.RetryBaseDelay)} must not be negative.");
        }

        if (r.MaxRetryDelay < r.RetryBaseDelay)
        {
            failures.Add($"{who}: {nameof(r.MaxRetryDelay)} must be at least {nameof(r.RetryBaseDelay)}.");
        }

        if (r.AttemptTimeout < HttpConnectorResilienceOptions.MinTimeout)
        {
            failures.Add($"{who}: {nameof(r.AttemptTimeout)} must be at least {HttpConnectorResilienceOptions.MinTimeout.TotalMilliseconds} ms.");
        }

        if (r.TotalTimeout < HttpConnectorResilienceOptions.MinTimeout || r.TotalTimeout > HttpConnectorResilienceOptions.MaxAllowedTotalTimeout)
        {
            failures.Add($"{who}: {nameof(r.TotalTimeout)} must be between {HttpConnectorResilienceOptions.MinTimeout.TotalMilliseconds} ms and {HttpConnectorResilienceOptions.MaxAllowedTotalTimeout}; longer waits are the engine's job.");
        }

        if (r.AttemptTimeout >= r.TotalTimeout)
        {
            failures.Add($"{who}: {nameof(r.AttemptTimeout)} must be shorter than {nameof(r.TotalTimeout)}.");
        }

        if (r.MaxRetryAttempts > 0 && r.MaxRetryDelay * r.MaxRetryAttempts >= r.TotalTimeout)
        {
            failures.Add($"{who}: the retry waits ({nameof(r.MaxRetryAttempts)} x {nameof(r.MaxRetryDelay)}) must fit within {nameof(r.TotalTimeout)}.");
        }

        if (double.IsNaN(r.CircuitFailureRatio) || r.CircuitFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{who}: {nameof(r.CircuitFailureRatio)} must be greater than 0 and at most 1.");
        }

        if (r.CircuitMinimumThroughput < 2)
        {
            failures.Add($"{who}: {nameof(r.CircuitMinimumThroughput)} must be at least 2.");
        }

        if (r.CircuitSamplingDuration < HttpConnectorResilienceOptions.MinCircuitDuration)
        {
            failures.Add($"{who}: {nameof(r.CircuitSamplingDuration)} must be at least {HttpConnectorResilienceOptions.MinCircuitDuration.TotalMilliseconds} ms.");
        }
        else if (r.CircuitSamplingDuration < r.AttemptTimeout * 2)
        {
            failures.Add($"{who}: {nameof(r.CircuitSamplingDuration)} must be at least twice {nameof(r.AttemptTimeout)}.");
        }

        if (r.CircuitBreakDuration < HttpConnectorResilienceOptions.MinCircuitDuration)
        {
            failures.Add($"{who}: {nameof(r.CircuitBreakDuration)} must be at least {HttpConnectorResilienceOptions.MinCircuitDuration.TotalMilliseconds} ms.");
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
    }
}
