using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

/// <summary>The connector's resilience set on <c>HttpStandardResilienceOptions</c>: what the standard handler's settings do, and what the connector keeps its own.</summary>
public sealed class HttpConnectorResilienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task Retry_OnRetrySetByTheApplication_RunsForEveryInCallRetry()
    {
        var retries = 0;
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503));
        await using var provider = TestConnectors.Services(server, o => o.Resilience.Retry.OnRetry = _ =>
        {
            Interlocked.Increment(ref retries);
            return default;
        });

        await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        server.Hits.Should().Be(3);
        Volatile.Read(ref retries).Should().Be(2);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task Retry_ShouldHandleSetByTheApplication_DoesNotChangeTheConnectorsClassification()
    {
        await using var server = LoopbackServer.Sequence(ScriptedResponse.Of(400), ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, o =>
        {
            o.Resilience.Retry.ShouldHandle = _ => PredicateResult.True();
            o.Resilience.CircuitBreaker.ShouldHandle = _ => PredicateResult.True();
        });

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure, "a 400 is permanent: the connector decides what is retried");
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CircuitBreaker_OnOpenedSetByTheApplication_RunsAndTheConfiguredOptionsAreNotChanged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));
        var opened = 0;
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503));
        Func<Polly.CircuitBreaker.OnCircuitOpenedArguments<HttpResponseMessage>, ValueTask> onOpened = _ =>
        {
            Interlocked.Increment(ref opened);
            return default;
        };
        await using var provider = TestConnectors.Services(
            server,
            o =>
            {
                o.Resilience.Retry.MaxRetryAttempts = 0;
                o.Resilience.CircuitBreaker.MinimumThroughput = 2;
                o.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
                o.Resilience.CircuitBreaker.OnOpened = onOpened;
            },
            services => services.AddSingleton<TimeProvider>(time));
        var erp = TestConnectors.Erp(provider);

        await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k1"), Ct);
        await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k2"), Ct);

        Volatile.Read(ref opened).Should().Be(1);
        provider.GetRequiredService<HttpConnectorCircuits>().GetOpenCircuits().Should().Equal(TestConnectors.ErpName);
        var options = provider.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get(TestConnectors.ErpName);
        options.Resilience.CircuitBreaker.OnOpened.Should().BeSameAs(onOpened, "the connector tracks the circuit on its own copy of the settings");
        options.Resilience.CircuitBreaker.OnClosed.Should().BeNull();
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task RateLimiter_PermitLimitReached_RefusesTheCallAsTransientWithoutSendingIt()
    {
        using var gate = new ManualResetEventSlim();
        await using var server = LoopbackServer.Start((_, index) =>
        {
            if (index == 0)
            {
                gate.Wait(TimeSpan.FromSeconds(10));
            }

            return ScriptedResponse.Of(200);
        });
        await using var provider = TestConnectors.Services(server, o => o.Resilience.RateLimiter.DefaultRateLimiterOptions!.PermitLimit = 1);
        var erp = TestConnectors.Erp(provider);

        AdapterResult refused;
        Task<AdapterResult> first;
        try
        {
            first = erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k1"), Ct).AsTask();
            SpinWait.SpinUntil(() => server.Hits == 1, TimeSpan.FromSeconds(10)).Should().BeTrue("the first call is at the server, holding the only permit");
            refused = await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k2"), Ct);
        }
        finally
        {
            gate.Set();
        }

        (await first).Status.Should().Be(AdapterResultStatus.Succeeded);
        refused.Status.Should().Be(AdapterResultStatus.TransientFailure);
        refused.Reason.Should().Be(ReasonCodes.AdapterTransient);
        refused.Message.Should().Be("HTTP connector 'erp-test': the rate limiter refused 'erp.change-stock-category' (too many calls in flight); it was not sent.");
        server.Hits.Should().Be(1);
    }
}
