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
        var r = new HttpConnectorResilienceOptions();

        (r.MaxRetryAttempts * r.MaxRetryDelay).Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
        r.TotalTimeout.Should().Be(TimeSpan.FromSeconds(10));
        r.AttemptTimeout.Should().BeLessThan(r.TotalTimeout);
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
        options.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);

        Validate(options).FailureMessage.Should().Contain("AttemptTimeout must be shorter than TotalTimeout");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Validate_RetryCountOutOfBounds_Fails(int retries)
    {
        var options = Valid();
        options.Resilience.MaxRetryAttempts = retries;

        Validate(options).FailureMessage.Should().Contain("MaxRetryAttempts must be between 0 and 5");
    }

    [Fact]
    public void Validate_NonPositiveTimeouts_Fail()
    {
        var options = Valid();
        options.Resilience.AttemptTimeout = TimeSpan.Zero;
        options.Resilience.TotalTimeout = TimeSpan.FromSeconds(-1);

        var message = Validate(options).FailureMessage;

        message.Should().Contain("AttemptTimeout must be at least").And.Contain("TotalTimeout must be between");
    }

    [Fact]
    public void Validate_TotalTimeoutOverTwoMinutes_Fails()
    {
        var options = Valid();
        options.Resilience.TotalTimeout = TimeSpan.FromMinutes(5);

        Validate(options).FailureMessage.Should().Contain("engine's job");
    }

    [Fact]
    public void Validate_RetryWaitsExceedTotal_Fails()
    {
        var options = Valid();
        options.Resilience.MaxRetryDelay = TimeSpan.FromSeconds(5);

        Validate(options).FailureMessage.Should().Contain("must fit within TotalTimeout");
    }

    [Fact]
    public void Validate_BadCircuitSettings_Fail()
    {
        var options = Valid();
        options.Resilience.CircuitFailureRatio = 0;
        options.Resilience.CircuitMinimumThroughput = 1;
        options.Resilience.CircuitBreakDuration = TimeSpan.FromMilliseconds(100);
        options.Resilience.CircuitSamplingDuration = TimeSpan.FromSeconds(4);

        var message = Validate(options).FailureMessage;

        message.Should().Contain("CircuitFailureRatio").And.Contain("CircuitMinimumThroughput")
            .And.Contain("CircuitBreakDuration").And.Contain("twice AttemptTimeout");
    }

    [Theory]
    [InlineData("/lots/{lot}", "no leading '/'")]
    [InlineData("https://other.example.com/lots", "absolute URI")]
    [InlineData("lots/{lot", "unclosed")]
    [InlineData("lots/lot}", "unmatched")]
    [InlineData("lots/{}", "empty placeholder")]
    [InlineData("lots/{lot id}", "invalid placeholder")]
    public void Validate_BadPathTemplate_Fails(string template, string expected)
    {
        var options = Valid();
        options.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Post(template);

        Validate(options).FailureMessage.Should().Contain(CommandKinds.ErpChangeStockCategory).And.Contain(expected);
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

    [Fact]
    public void Validate_InvalidHeaderName_Fails()
    {
        var options = Valid();
        options.IdempotencyKeyHeader = "Idempotency Key";

        Validate(options).FailureMessage.Should().Contain("IdempotencyKeyHeader");
    }
}
