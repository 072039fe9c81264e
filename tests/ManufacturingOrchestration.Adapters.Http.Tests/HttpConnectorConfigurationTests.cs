using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

/// <summary>Connectors whose base address, endpoints, headers and resilience come from an appsettings-style JSON file.</summary>
public sealed class HttpConnectorConfigurationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A connector section with the test's fast, non-tripping resilience, around the given extra settings.</summary>
    private static string Settings(Uri baseAddress, string endpoints = "", string retry = "", string extra = "") => $$"""
        {
          "Connectors": {
            "erp-eu": {
              "BaseAddress": "{{baseAddress}}",
              "Endpoints": { {{endpoints}} },
              {{extra}}
              "Resilience": {
                "Retry": { "Delay": "00:00:00", "MaxDelay": "00:00:00.020", "UseJitter": false {{retry}} },
                "AttemptTimeout": { "Timeout": "00:00:02" },
                "TotalRequestTimeout": { "Timeout": "00:00:05" },
                "CircuitBreaker": { "MinimumThroughput": 1000, "SamplingDuration": "00:00:05", "BreakDuration": "00:00:01" }
              }
            }
          }
        }
        """;

    private static ServiceProvider Erp(ConfigurationRoot configuration, Action<HttpConnectorOptions>? configure = null) =>
        new ServiceCollection()
            .AddHttpErpConnector("erp-eu", configuration.GetSection("Connectors:erp-eu"), configure)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private static IEnumerable<string> StartUpFailures(ServiceProvider provider)
    {
        var startUp = () => provider.GetRequiredService<IStartupValidator>().Validate();
        return startUp.Should().Throw<OptionsValidationException>().Which.Failures;
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_FromJsonFile_CallsTheConfiguredEndpointWithTheConfiguredHeaders()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 201, Headers = { ["X-Document-Number"] = "4900000042" } });
        using var configuration = JsonSettings.Load(Settings(
            server.BaseAddress,
            endpoints: """ "erp.change-stock-category": "PUT plants/{site}/batches/{lot}/category" """,
            extra: """ "ExternalReferenceHeader": "X-Document-Number", "IdempotencyKeyHeader": "X-Request-Key", """));
        await using var provider = Erp(configuration);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var result = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().Be("4900000042");
        var request = server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("PUT");
        request.Path.Should().Be("/api/v1/plants/PLANT-1/batches/LOT-1/category");
        request.Header("X-Request-Key").Should().Be("idem-1");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_EndpointNullOrEmptyInJson_IsNotSupportedAndTheOthersKeepTheirDefaults()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        using var configuration = JsonSettings.Load(Settings(
            server.BaseAddress,
            endpoints: """ "erp.get-material": null, "ERP.GET-LOT": "", "erp.get-stock": "GET stock/{lot}" """));
        await using var provider = Erp(configuration);
        var erp = provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu");

        erp.Supports(QueryKinds.ErpGetMaterial).Should().BeFalse();
        erp.Supports(QueryKinds.ErpGetLot).Should().BeFalse("configuration keys are case-insensitive, so the entry names the seeded kind");
        erp.Supports(QueryKinds.ErpGetStock).Should().BeTrue();
        erp.Supports(CommandKinds.ErpChangeStockCategory).Should().BeTrue();
        provider.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get("erp-eu").Endpoints.Should().HaveCount(HttpEndpoints.Erp.Count - 2, "the two emptied entries leave, the rest keep their defaults");
        var act = async () => await erp.GetMaterialAsync(new MaterialId("MAT-1"), Ct);
        (await act.Should().ThrowAsync<AdapterPermanentException>()).Which.Message.Should().Be("HTTP connector 'erp-eu' has no endpoint for 'erp.get-material'.");
        await erp.GetStockAsync(new LotId("LOT-1"), Ct);
        server.Requests.Should().ContainSingle().Which.Path.Should().Be("/api/v1/stock/LOT-1");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_MalformedEndpointsInJson_FailStartUpNamingTheConnectorAndTheKind()
    {
        using var configuration = JsonSettings.Load(Settings(
            new Uri("https://erp-eu.example.com/api/v1/"),
            endpoints: """
                "erp.post-goods-movement": "FETCH goods-movements",
                "erp.get-stock": "lots/{lot}/stock",
                "erp.set-batch-status": { "Method": "PUT", "Path": "batches/{lot}" },
                "erp.get-lot": "GET /lots/{lot}"
                """));
        await using var provider = Erp(configuration);

        StartUpFailures(provider).Should().BeEquivalentTo(
            "HTTP connector 'erp-eu': the endpoint of 'erp.post-goods-movement' ('Connectors:erp-eu:Endpoints:erp.post-goods-movement'): 'FETCH goods-movements' has the method 'FETCH', which is not one of GET, POST, PUT, PATCH or DELETE.",
            "HTTP connector 'erp-eu': the endpoint of 'erp.get-stock' ('Connectors:erp-eu:Endpoints:erp.get-stock'): 'lots/{lot}/stock' is not an endpoint: write the method and the path template separated by a space, such as 'POST lots/{lot}/stock-category'.",
            "HTTP connector 'erp-eu': the endpoint of 'erp.set-batch-status' ('Connectors:erp-eu:Endpoints:erp.set-batch-status') must be one string such as 'POST lots/{lot}/stock-category'.",
            "HTTP connector 'erp-eu': the path template '/lots/{lot}' of 'erp.get-lot' must be relative to the base address (no leading '/').");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_MaxRetryAttemptsFromJson_IsHonoured()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503));
        using var configuration = JsonSettings.Load(Settings(server.BaseAddress, retry: """, "MaxRetryAttempts": 4"""));
        await using var provider = Erp(configuration);

        var result = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        server.Hits.Should().Be(5, "one attempt and the four in-call retries the JSON file asks for");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_NoRetriesInJson_MakesOneAttempt()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503));
        using var configuration = JsonSettings.Load(Settings(server.BaseAddress, retry: """, "MaxRetryAttempts": 0"""));
        await using var provider = Erp(configuration);

        var result = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_MaxRetryAttemptsOutOfRangeInJson_FailsStartUpNamingTheSetting()
    {
        using var configuration = JsonSettings.Load(Settings(new Uri("https://erp-eu.example.com/api/v1/"), retry: """, "MaxRetryAttempts": 9"""));
        await using var provider = Erp(configuration);

        StartUpFailures(provider).Should().Equal(
            "HTTP connector 'erp-eu': Resilience.Retry.MaxRetryAttempts must be between 0 and 5; longer retrying is the engine's job.");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_TotalTimeoutOverTwoMinutesInJson_FailsStartUpNamingTheSetting()
    {
        using var configuration = JsonSettings.Load("""
            { "erp": { "BaseAddress": "https://erp-eu.example.com/api/v1/", "Resilience": { "TotalRequestTimeout": { "Timeout": "00:05:00" } } } }
            """);
        await using var provider = new ServiceCollection().AddHttpErpConnector("erp-eu", configuration.GetSection("erp")).BuildServiceProvider();

        StartUpFailures(provider).Should().Equal(
            "HTTP connector 'erp-eu': Resilience.TotalRequestTimeout.Timeout must be between 10 ms and 00:02:00; longer waits are the engine's job.");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_BodyLimitsInJson_AreHonoured()
    {
        await using var server = LoopbackServer.Start((request, _) => request.Path.Contains("materials", StringComparison.Ordinal)
            ? ScriptedResponse.Of(200, $$"""{"id":"MAT-1","description":"{{new string('x', 4000)}}"}""")
            : new ScriptedResponse { Status = 400, ContentType = "text/plain", Body = new string('y', 100) });
        using var configuration = JsonSettings.Load(Settings(server.BaseAddress, extra: """ "MaxResponseBodyBytes": 1024, "MaxErrorBodyBytes": 16, """));
        await using var provider = Erp(configuration);
        provider.GetRequiredService<IStartupValidator>().Validate();
        var erp = provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu");

        var query = async () => await erp.GetMaterialAsync(new MaterialId("MAT-1"), Ct);
        var command = await erp.ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        (await query.Should().ThrowAsync<AdapterPermanentException>()).Which.Message.Should().Contain("'erp.get-material' is larger than 1024 bytes");
        command.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        command.Message.Should().EndWith(": " + new string('y', 16), "only the first 16 bytes of the error body are read");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_BodyLimitsInJsonOutOfBoundsOrNotNumbers_FailStartUpNamingThem()
    {
        using var configuration = JsonSettings.Load("""
            { "erp": { "BaseAddress": "https://erp-eu.example.com/api/v1/", "MaxResponseBodyBytes": 0, "MaxErrorBodyBytes": "64 KiB" } }
            """);
        await using var provider = new ServiceCollection().AddHttpErpConnector("erp-eu", configuration.GetSection("erp")).BuildServiceProvider();

        StartUpFailures(provider).Should().BeEquivalentTo(
            "HTTP connector 'erp-eu': 'erp:MaxErrorBodyBytes' must be a whole number, not '64 KiB'.",
            "HTTP connector 'erp-eu': MaxResponseBodyBytes must be between 1 and 268435456 (256 MiB).");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_UnknownSettingsAndUnreadableValues_FailStartUpNamingThem()
    {
        using var configuration = JsonSettings.Load("""
            {
              "erp": {
                "BaseAdress": "https://erp-eu.example.com/api/v1/",
                "MaxErrorDetailLength": "long",
                "AlreadyAppliedStatusCodes": [ 208, "conflict" ],
                "Resilience": { "AttemptTimeout": { "Timeout": "3 seconds" } }
              }
            }
            """);
        await using var provider = new ServiceCollection().AddHttpErpConnector("erp-eu", configuration.GetSection("erp")).BuildServiceProvider();

        var failures = StartUpFailures(provider).ToList();

        failures.Should().Contain("HTTP connector 'erp-eu': 'erp:BaseAdress' is not a setting of an HTTP connector.")
            .And.Contain("HTTP connector 'erp-eu': 'erp:MaxErrorDetailLength' must be a whole number, not 'long'.")
            .And.Contain("HTTP connector 'erp-eu': 'erp:AlreadyAppliedStatusCodes' must list HTTP status codes; 'conflict' is not one.")
            .And.Contain("HTTP connector 'erp-eu': BaseAddress is required.");
        failures.Should().ContainSingle(f => f.StartsWith("HTTP connector 'erp-eu': 'erp:Resilience' could not be read: ", StringComparison.Ordinal))
            .Which.Should().Contain("'erp:Resilience:AttemptTimeout:Timeout'");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_UnknownResilienceSetting_FailsStartUpNamingIt()
    {
        using var configuration = JsonSettings.Load("""
            { "erp": { "BaseAddress": "https://erp-eu.example.com/api/v1/", "Resilience": { "Retry": { "MaxRetries": 3 } } } }
            """);
        await using var provider = new ServiceCollection().AddHttpErpConnector("erp-eu", configuration.GetSection("erp")).BuildServiceProvider();

        StartUpFailures(provider).Should().ContainSingle()
            .Which.Should().StartWith("HTTP connector 'erp-eu': 'erp:Resilience' could not be read: ").And.Contain("'MaxRetries'");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_AlreadyAppliedStatusCodesInJson_ReplaceTheDefault()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(409));
        using var configuration = JsonSettings.Load(Settings(server.BaseAddress, extra: """ "AlreadyAppliedStatusCodes": [ 208 ], """));
        await using var provider = Erp(configuration);

        var result = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        provider.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get("erp-eu").AlreadyAppliedStatusCodes.Should().Equal(208);
        result.Status.Should().Be(AdapterResultStatus.PermanentFailure, "409 no longer means 'already applied' for this target system");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_StaleStatus_IsAStaleRefusal_AndJsonReplacesTheDefault()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(412));
        using var byDefault = JsonSettings.Load(Settings(server.BaseAddress));
        await using (var provider = Erp(byDefault))
        {
            var stale = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

            stale.Status.Should().Be(AdapterResultStatus.Stale, "412: the posting assumed a state the ERP no longer has");
            stale.Reason.Should().Be(ReasonCodes.AdapterStale);
        }

        using var configured = JsonSettings.Load(Settings(server.BaseAddress, extra: """ "StaleStatusCodes": [ 422 ], """));
        await using var other = Erp(configured);

        var result = await other.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        other.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get("erp-eu").StaleStatusCodes.Should().Equal(422);
        result.Status.Should().Be(AdapterResultStatus.PermanentFailure, "412 no longer means 'stale' for this target system");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_LongRetryAfterWithJsonResilience_IsHandedToTheOutboxWithoutAnInCallRetry()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 429, Headers = { ["Retry-After"] = "30" } });
        using var configuration = JsonSettings.Load(Settings(server.BaseAddress, retry: """, "MaxRetryAttempts": 5"""));
        await using var provider = Erp(configuration);

        var result = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        server.Hits.Should().Be(1, "30 s is longer than Retry.MaxDelay, so the engine's outbox waits, not the call");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_ConfigureAfterConfiguration_WinsAndSeesTheSection()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        using var configuration = JsonSettings.Load(Settings(server.BaseAddress, endpoints: """ "erp.change-stock-category": "PUT batches/{lot}" """));
        HttpEndpoint? fromSection = null;
        await using var provider = Erp(configuration, o =>
        {
            fromSection = o.Endpoints[CommandKinds.ErpChangeStockCategory];
            o.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Patch("lots/{lot}");
        });

        await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        fromSection!.ToString().Should().Be("PUT batches/{lot}");
        server.Requests.Should().ContainSingle().Which.Method.Should().Be("PATCH");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_RegisteredAgainAfterAnEndpointWasRemoved_DoesNotSeedItBack()
    {
        using var configuration = JsonSettings.Load(Settings(new Uri("https://erp-eu.example.com/api/v1/"), endpoints: """ "erp.get-material": "" """));
        var services = new ServiceCollection()
            .AddHttpErpConnector("erp-eu", configuration.GetSection("Connectors:erp-eu"))
            .AddHttpErpConnector("erp-eu", o => o.MaxErrorDetailLength = 10);
        await using var provider = services.BuildServiceProvider();

        var erp = provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu");

        erp.Supports(QueryKinds.ErpGetMaterial).Should().BeFalse();
        erp.Supports(QueryKinds.ErpGetLot).Should().BeTrue();
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpWmsConnector_FromJsonFile_CallsTheConfiguredEndpoint()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(202));
        using var configuration = JsonSettings.Load($$"""
            { "Connectors": { "wms-plant-1": { "BaseAddress": "{{server.BaseAddress}}", "Endpoints": { "wms.pause-picks": "PUT picking/{lot}/paused", "wms.get-stock": null } } } }
            """);
        await using var provider = new ServiceCollection()
            .AddHttpWmsConnector("wms-plant-1", configuration.GetSection("Connectors:wms-plant-1"))
            .BuildServiceProvider();
        var wms = provider.GetRequiredKeyedService<JsonRestWmsConnector>("wms-plant-1");

        var result = await wms.PausePicksAsync(new PausePicksRequest { Context = TestConnectors.Context(), Lot = new LotId("LOT-2"), Site = new SiteId("PLANT-1") }, Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        server.Requests.Should().ContainSingle().Which.Path.Should().Be("/api/v1/picking/LOT-2/paused");
        wms.Supports(QueryKinds.WmsGetStock).Should().BeFalse();
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpConnector_CustomConnectorFromJsonFile_HasOnlyTheConfiguredEndpoints()
    {
        using var configuration = JsonSettings.Load("""
            { "qms": { "BaseAddress": "https://qms.example.com/api/", "Endpoints": { "qms.open-nonconformance": "POST nonconformances" } } }
            """);
        await using var provider = new ServiceCollection()
            .AddHttpConnector<HttpConnectorContext>("qms", configuration.GetSection("qms"), context => context, o => o.MaxErrorDetailLength = 0)
            .BuildServiceProvider();

        var context = provider.GetRequiredKeyedService<HttpConnectorContext>("qms");

        context.Options.BaseAddress.Should().Be(new Uri("https://qms.example.com/api/"));
        context.Options.Endpoints.Should().ContainSingle().Which.Key.Should().Be("qms.open-nonconformance");
        context.Options.Endpoints["qms.open-nonconformance"].ToString().Should().Be("POST nonconformances");
        context.Options.MaxErrorDetailLength.Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_TheDocumentedExample_IsValidAndReadAsWritten()
    {
        // The erp-eu section of docs/adapters.md, "Connectors from configuration".
        using var configuration = JsonSettings.Load("""
            {
              "Connectors": {
                "erp-eu": {
                  "BaseAddress": "https://erp-eu.example.com/api/v1/",
                  "Endpoints": {
                    "erp.change-stock-category": "POST plants/{site}/batches/{lot}/stock-category",
                    "erp.set-batch-status": "PUT batches/{lot}/status",
                    "erp.get-material": null
                  },
                  "AlreadyAppliedStatusCodes": [ 409, 208 ],
                  "ExternalReferenceJsonProperty": "materialDocument",
                  "Resilience": {
                    "Retry": { "MaxRetryAttempts": 3, "Delay": "00:00:00.250", "MaxDelay": "00:00:01.500" },
                    "AttemptTimeout": { "Timeout": "00:00:03" },
                    "TotalRequestTimeout": { "Timeout": "00:00:15" },
                    "CircuitBreaker": { "FailureRatio": 0.3, "BreakDuration": "00:00:30" },
                    "RateLimiter": { "DefaultRateLimiterOptions": { "PermitLimit": 50, "QueueLimit": 20 } }
                  }
                }
              }
            }
            """);
        await using var provider = Erp(configuration);

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get("erp-eu");

        options.BaseAddress.Should().Be(new Uri("https://erp-eu.example.com/api/v1/"));
        options.Endpoints[CommandKinds.ErpSetBatchStatus].ToString().Should().Be("PUT batches/{lot}/status");
        options.Endpoints.Should().NotContainKey(QueryKinds.ErpGetMaterial);
        options.AlreadyAppliedStatusCodes.Should().BeEquivalentTo([409, 208]);
        options.ExternalReferenceJsonProperty.Should().Be("materialDocument");
        options.Resilience.Retry.MaxRetryAttempts.Should().Be(3);
        options.Resilience.Retry.Delay.Should().Be(TimeSpan.FromMilliseconds(250));
        options.Resilience.Retry.MaxDelay.Should().Be(TimeSpan.FromMilliseconds(1500));
        options.Resilience.Retry.UseJitter.Should().BeTrue("settings the section does not name keep the connector's defaults");
        options.Resilience.TotalRequestTimeout.Timeout.Should().Be(TimeSpan.FromSeconds(15));
        options.Resilience.CircuitBreaker.FailureRatio.Should().Be(0.3);
        options.Resilience.CircuitBreaker.MinimumThroughput.Should().Be(10);
        options.Resilience.CircuitBreaker.BreakDuration.Should().Be(TimeSpan.FromSeconds(30));
        options.Resilience.RateLimiter.DefaultRateLimiterOptions!.PermitLimit.Should().Be(50);
        options.Resilience.RateLimiter.DefaultRateLimiterOptions.QueueLimit.Should().Be(20);
    }

    [Fact]
    public void AddHttpErpConnector_NullConfiguration_Throws()
    {
        var services = new ServiceCollection();

        ((Action)(() => services.AddHttpErpConnector("erp", (IConfiguration)null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => services.AddHttpWmsConnector("wms", (IConfiguration)null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => services.AddHttpConnector<HttpConnectorContext>("qms", (IConfiguration)null!, c => c))).Should().Throw<ArgumentNullException>();
    }
}
