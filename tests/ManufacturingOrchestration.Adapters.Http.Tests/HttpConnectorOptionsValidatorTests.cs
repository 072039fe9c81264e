namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class HttpConnectorOptionsValidatorTests
{
    private static HttpConnectorOptions Valid()
    {
        var options = new HttpConnectorOptions { BaseAddress = new Uri("https://erp-eu.example.com/api/v1/") };
        foreach (var (kind, endpoint) in HttpEndpoints.Erp)
        {
            options.Endpoints[kind] = endpoint;
        }

        return options;
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(HttpConnectorOptions options) =>
        new HttpConnectorOptionsValidator().Validate("erp-eu", options);

    [Fact]
    public void Validate_DefaultsWithBaseAddress_Succeed()
    {
        Validate(Valid()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_DefaultBudget_IsShortAndBounded()
    {
        var r = new HttpConnectorOptions().Resilience;

        r.Retry.MaxRetryAttempts.Should().Be(2);
        r.Retry.Delay.Should().Be(TimeSpan.FromMilliseconds(200));
        r.Retry.MaxDelay.Should().Be(TimeSpan.FromSeconds(1));
        r.Retry.BackoffType.Should().Be(Polly.DelayBackoffType.Exponential);
        r.Retry.UseJitter.Should().BeTrue();
        r.AttemptTimeout.Timeout.Should().Be(TimeSpan.FromSeconds(3));
        r.TotalRequestTimeout.Timeout.Should().Be(TimeSpan.FromSeconds(10));
        r.CircuitBreaker.FailureRatio.Should().Be(0.5);
        r.CircuitBreaker.MinimumThroughput.Should().Be(10);
        r.CircuitBreaker.SamplingDuration.Should().Be(TimeSpan.FromSeconds(30));
        r.CircuitBreaker.BreakDuration.Should().Be(TimeSpan.FromSeconds(15));
        r.RateLimiter.DefaultRateLimiterOptions!.PermitLimit.Should().Be(1000, "the standard handler's bulkhead");
        Validate(Valid()).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(null, "BaseAddress is required")]
    [InlineData("ftp://erp.example.com/", "absolute http or https")]
    [InlineData("https://erp.example.com/api?x=1", "query or fragment")]
    [InlineData("https://user:pw@erp.example.com/", "must not carry credentials")]
    public void Validate_BadBaseAddress_Fails(string? address, string expected)
    {
        var options = Valid();
        options.BaseAddress = address is null ? null : new Uri(address);

        var result = Validate(options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("erp-eu").And.Contain(expected);
    }

    [Fact]
    public void Validate_RelativeBaseAddress_Fails()
    {
        var options = Valid();
        options.BaseAddress = new Uri("api/v1/", UriKind.Relative);

        Validate(options).FailureMessage.Should().Contain("absolute http or https");
    }

    [Fact]
    public void Validate_AttemptTimeoutNotShorterThanTotal_Fails()
    {
        var options = Valid();
        options.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);

        Validate(options).FailureMessage.Should().Contain("HTTP connector 'erp-eu': Resilience.AttemptTimeout.Timeout must be shorter than Resilience.TotalRequestTimeout.Timeout.");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Validate_RetryCountOutOfBounds_Fails(int retries)
    {
        var options = Valid();
        options.Resilience.Retry.MaxRetryAttempts = retries;

        Validate(options).FailureMessage.Should().Contain("HTTP connector 'erp-eu': Resilience.Retry.MaxRetryAttempts must be between 0 and 5; longer retrying is the engine's job.");
    }

    [Fact]
    public void Validate_DefaultBodyLimits_Are16MiBAnd64KiB()
    {
        var options = new HttpConnectorOptions();

        options.MaxResponseBodyBytes.Should().Be(16 * 1024 * 1024);
        options.MaxErrorBodyBytes.Should().Be(64 * 1024);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(HttpConnectorOptionsValidator.MaxAllowedBodyBytes + 1)]
    public void Validate_MaxResponseBodyBytesOutOfBounds_FailsNamingIt(int limit)
    {
        var options = Valid();
        options.MaxResponseBodyBytes = limit;

        Validate(options).FailureMessage.Should().Contain("HTTP connector 'erp-eu': MaxResponseBodyBytes must be between 1 and 268435456 (256 MiB).");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(HttpConnectorOptionsValidator.MaxAllowedBodyBytes + 1)]
    public void Validate_MaxErrorBodyBytesOutOfBounds_FailsNamingIt(int limit)
    {
        var options = Valid();
        options.MaxErrorBodyBytes = limit;

        Validate(options).FailureMessage.Should().Contain("HTTP connector 'erp-eu': MaxErrorBodyBytes must be between 1 and 268435456 (256 MiB).");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(HttpConnectorOptionsValidator.MaxAllowedBodyBytes)]
    public void Validate_BodyLimitsAtTheirBounds_Succeed(int limit)
    {
        var options = Valid();
        options.MaxResponseBodyBytes = limit;
        options.MaxErrorBodyBytes = limit;

        Validate(options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_NonPositiveTimeouts_Fail()
    {
        var options = Valid();
        options.Resilience.AttemptTimeout.Timeout = TimeSpan.Zero;
        options.Resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(-1);

        var message = Validate(options).FailureMessage;

        message.Should().Contain("Resilience.AttemptTimeout.Timeout must be at least 10 ms.")
            .And.Contain("Resilience.TotalRequestTimeout.Timeout must be between 10 ms and 00:02:00; longer waits are the engine's job.");
    }

    [Fact]
    public void Validate_TotalTimeoutOverTwoMinutes_Fails()
    {
        var options = Valid();
        options.Resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);

        Validate(options).FailureMessage.Should().Contain("Resilience.TotalRequestTimeout.Timeout must be between 10 ms and 00:02:00");
    }

    [Fact]
    public void Validate_RetryWaitsExceedTotal_Fails()
    {
        var options = Valid();
        options.Resilience.Retry.MaxDelay = TimeSpan.FromSeconds(5);

        Validate(options).FailureMessage.Should().Contain("the retry waits (Resilience.Retry.MaxRetryAttempts x Resilience.Retry.MaxDelay) must fit within Resilience.TotalRequestTimeout.Timeout.");
    }

    [Fact]
    public void Validate_BadCircuitSettings_Fail()
    {
        var options = Valid();
        options.Resilience.CircuitBreaker.FailureRatio = 0;
        options.Resilience.CircuitBreaker.MinimumThroughput = 1;
        options.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(100);
        options.Resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(4);

        var message = Validate(options).FailureMessage;

        message.Should().Contain("Resilience.CircuitBreaker.FailureRatio must be greater than 0 and at most 1.")
            .And.Contain("Resilience.CircuitBreaker.MinimumThroughput must be at least 2.")
            .And.Contain("Resilience.CircuitBreaker.BreakDuration must be between 500 ms and 1.00:00:00.")
            .And.Contain("Resilience.CircuitBreaker.SamplingDuration must be at least twice Resilience.AttemptTimeout.Timeout.");
    }

    [Fact]
    public void Validate_RetryWithoutMaxDelay_Fails()
    {
        var options = Valid();
        options.Resilience.Retry.MaxDelay = null;

        Validate(options).FailureMessage.Should().Contain("Resilience.Retry.MaxDelay is required");
    }

    [Fact]
    public void Validate_NoRetriesWithoutMaxDelay_Succeeds()
    {
        var options = Valid();
        options.Resilience.Retry.MaxRetryAttempts = 0;
        options.Resilience.Retry.MaxDelay = null;

        Validate(options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_RateLimiterWithoutPermits_Fails()
    {
        var options = Valid();
        options.Resilience.RateLimiter.DefaultRateLimiterOptions!.PermitLimit = 0;

        Validate(options).FailureMessage.Should().Contain("Resilience.RateLimiter.DefaultRateLimiterOptions needs a PermitLimit of at least 1");
    }

    [Theory]
    [InlineData("/lots/{lot}", "no leading '/'")]
    [InlineData("https://other.example.com/lots", "absolute URI")]
    [InlineData("lots/{lot", "unclosed")]
    [InlineData("lots/lot}", "unmatched")]
    [InlineData("lots/{}", "empty placeholder")]
    [InlineData("lots/{lot id}", "invalid placeholder")]
    [InlineData("../admin/lots/{lot}", "the path segment '..'")]
    [InlineData("lots/{lot}/../../admin", "the path segment '..'")]
    [InlineData("lots/./{lot}", "the path segment '.'")]
    [InlineData("lots/%2e%2E/admin", "the path segment '%2e%2E'")]
    [InlineData("lots\\..\\admin", "the path segment '..'")]
    public void Validate_BadPathTemplate_Fails(string template, string expected)
    {
        var options = Valid();
        options.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Post(template);

        Validate(options).FailureMessage.Should().Contain(CommandKinds.ErpChangeStockCategory).And.Contain(expected).And.Contain($"'{template}'");
    }

    [Theory]
    [InlineData("lots/{lot}/stock?from=..")]
    [InlineData("lots/v1.2/{lot}..{order}")]
    [InlineData("lots/.well-known/{lot}")]
    public void Validate_DotsThatAreNotAPathSegment_Passes(string template)
    {
        var options = Valid();
        options.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Post(template);

        Validate(options).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(404)]
    [InlineData(429)]
    [InlineData(503)]
    public void Validate_TransientOrNotFoundAsAlreadyApplied_Fails(int status)
    {
        var options = Valid();
        options.AlreadyAppliedStatusCodes.Add(status);

        Validate(options).FailureMessage.Should().Contain($"{status} cannot mean 'already applied'");
    }

    [Theory]
    [InlineData(200)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(429)]
    [InlineData(503)]
    public void Validate_SuccessTransientNotFoundOrAlreadyAppliedAsStale_Fails(int status)
    {
        var options = Valid();
        options.StaleStatusCodes.Add(status);

        Validate(options).FailureMessage.Should().Contain($"{status} cannot mean 'stale'");
    }

    [Fact]
    public void Validate_InvalidHeaderName_Fails()
    {
        var options = Valid();
        options.IdempotencyKeyHeader = "Idempotency Key";

        Validate(options).FailureMessage.Should().Contain("IdempotencyKeyHeader");
    }

    [Fact]
    public void Validate_DurationsTooLongToMultiply_FailNamingTheSettingInsteadOfThrowing()
    {
        var options = Valid();
        options.Resilience.Retry.MaxDelay = TimeSpan.MaxValue;
        options.Resilience.AttemptTimeout.Timeout = TimeSpan.MaxValue;

        var result = Validate(options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("Resilience.Retry.MaxDelay").And.Contain("Resilience.AttemptTimeout.Timeout");
    }

    [Theory]
    [InlineData("Content-Language")]
    [InlineData("content-type")]
    [InlineData("Expires")]
    public void Validate_HeaderNameOnlyAContentMayCarry_Fails(string header)
    {
        var options = Valid();
        options.IdempotencyKeyHeader = header;

        Validate(options).FailureMessage.Should().Contain($"IdempotencyKeyHeader '{header}'").And.Contain("request header");
    }

    [Fact]
    public void Validate_TwoHeadersOfTheSameName_Fails()
    {
        var options = Valid();
        options.CorrelationIdHeader = "idempotency-key";

        Validate(options).FailureMessage.Should().Contain("CorrelationIdHeader").And.Contain("IdempotencyKeyHeader");
    }
}
