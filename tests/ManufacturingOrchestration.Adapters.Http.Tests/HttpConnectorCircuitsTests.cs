using ManufacturingOrchestration.Adapters.Health;
using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class HttpConnectorCircuitsTests
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetOpenCircuits_ServerFailsUntilTheBreakerOpens_ListsTheConnectorUntilTheBreakElapsesAndACallSucceeds()
    {
        var time = new FakeTimeProvider(s_start);
        var healthy = 0;
        await using var server = LoopbackServer.Start((_, _) => Volatile.Read(ref healthy) == 1 ? ScriptedResponse.Of(200) : ScriptedResponse.Of(503));
        await using var provider = TestConnectors.Services(server, Tripping, services => services.AddSingleton<TimeProvider>(time));
        var reporter = provider.GetServices<ICircuitStateReporter>().Should().ContainSingle().Subject;
        var circuits = provider.GetRequiredService<HttpConnectorCircuits>();
        var erp = TestConnectors.Erp(provider);

        reporter.GetOpenCircuits().Should().BeEmpty("no call has been made");
        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k1"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);
        reporter.GetOpenCircuits().Should().BeEmpty("one failure is below the minimum throughput");
        circuits.GetCircuit(TestConnectors.ErpName)!.State.Should().Be(HttpCircuitState.Closed);

        time.Advance(TimeSpan.FromSeconds(1));
        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k2"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);

        reporter.GetOpenCircuits().Should().Equal(TestConnectors.ErpName);
        var open = circuits.GetCircuit(TestConnectors.ErpName)!;
        open.State.Should().Be(HttpCircuitState.Open);
        open.IsOpen.Should().BeTrue();
        open.Since.Should().Be(s_start.AddSeconds(1), "the opening is stamped by the registered clock");
        open.BreakDuration.Should().Be(TimeSpan.FromSeconds(30));
        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k3"), Ct)).Reason.Should().Be(ReasonCodes.CircuitOpen);

        Volatile.Write(ref healthy, 1);
        time.Advance(TimeSpan.FromSeconds(31));
        reporter.GetOpenCircuits().Should().Equal([TestConnectors.ErpName], "the break elapsed but no call has proven the target healthy yet");

        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k4"), Ct)).Status.Should().Be(AdapterResultStatus.Succeeded);

        reporter.GetOpenCircuits().Should().BeEmpty();
        var closed = circuits.GetCircuit(TestConnectors.ErpName)!;
        closed.State.Should().Be(HttpCircuitState.Closed);
        closed.Since.Should().Be(s_start.AddSeconds(32));
        closed.BreakDuration.Should().BeNull();
        server.Hits.Should().Be(3, "the open circuit kept one call from the server");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetCircuit_TrialCallCancelledByTheCaller_OpensTheCircuitAgainInsteadOfClosingIt()
    {
        var time = new FakeTimeProvider(s_start);
        var trialArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var breakOver = 0;
        await using var server = LoopbackServer.Start((_, _) =>
        {
            if (Volatile.Read(ref breakOver) == 1)
            {
                trialArrived.TrySetResult();
                return new ScriptedResponse { Status = 503, Delay = TimeSpan.FromMilliseconds(300) };
            }

            return ScriptedResponse.Of(503);
        });
        await using var provider = TestConnectors.Services(server, Tripping, services => services.AddSingleton<TimeProvider>(time));
        var circuits = provider.GetRequiredService<HttpConnectorCircuits>();
        var erp = TestConnectors.Erp(provider);
        await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k1"), Ct);
        await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k2"), Ct);
        circuits.GetCircuit(TestConnectors.ErpName)!.State.Should().Be(HttpCircuitState.Open);

        time.Advance(TimeSpan.FromSeconds(31));
        Volatile.Write(ref breakOver, 1);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var trial = erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k3"), caller.Token).AsTask();
        await trialArrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await caller.CancelAsync();
        await FluentActions.Awaiting(() => trial).Should().ThrowAsync<OperationCanceledException>();

        circuits.GetCircuit(TestConnectors.ErpName)!.State.Should().Be(HttpCircuitState.Open, "a cancelled trial call proved nothing about the target system");
        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k4"), Ct)).Reason.Should().Be(ReasonCodes.CircuitOpen);
        server.Hits.Should().Be(3, "no call reaches the target system until the next break is over");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetOpenCircuits_OneTargetSystemFails_OnlyItsConnectorIsListed()
    {
        var time = new FakeTimeProvider(s_start);
        await using var server = LoopbackServer.Start((request, _) =>
            request.Path.Contains("stock-category", StringComparison.Ordinal) ? ScriptedResponse.Of(503) : ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, Tripping, services => services.AddSingleton<TimeProvider>(time));
        var erp = TestConnectors.Erp(provider);
        var wms = TestConnectors.Wms(provider);

        for (var i = 0; i < 3; i++)
        {
            await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "e" + i), Ct);
            (await wms.PausePicksAsync(new PausePicksRequest { Context = TestConnectors.Context("w" + i), Lot = new LotId("LOT-2"), Site = new SiteId("PLANT-1") }, Ct))
                .Status.Should().Be(AdapterResultStatus.Succeeded);
        }

        var circuits = provider.GetRequiredService<HttpConnectorCircuits>();
        circuits.GetOpenCircuits().Should().Equal(TestConnectors.ErpName);
        circuits.GetCircuits().Select(c => (c.Name, c.State)).Should().Equal(
            (TestConnectors.ErpName, HttpCircuitState.Open),
            (TestConnectors.WmsName, HttpCircuitState.Closed));
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpConnector_SeveralConnectorsAndRepeatedRegistration_RegisterOneReporterSharedWithTheTracker()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        var services = new ServiceCollection();
        services.AddHttpErpConnector("erp-eu", o => TestConnectors.Fast(o, server.BaseAddress));
        services.AddHttpErpConnector("erp-us", o => TestConnectors.Fast(o, server.BaseAddress));
        services.AddHttpWmsConnector("wms-plant-1", o => TestConnectors.Fast(o, server.BaseAddress));
        services.AddHttpErpConnector("erp-eu", o => o.MaxErrorDetailLength = 10);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var reporters = provider.GetServices<ICircuitStateReporter>().ToArray();

        reporters.Should().ContainSingle().Which.Should().BeSameAs(provider.GetRequiredService<HttpConnectorCircuits>());
        services.Count(d => d.ServiceType == typeof(ICircuitStateReporter)).Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetCircuit_BeforeAndAfterTheFirstCall_UnknownThenClosedSinceThePipelineWasBuilt()
    {
        var time = new FakeTimeProvider(s_start);
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<TimeProvider>(time));
        var circuits = provider.GetRequiredService<HttpConnectorCircuits>();

        circuits.GetCircuit(TestConnectors.ErpName).Should().BeNull();
        time.Advance(TimeSpan.FromMinutes(5));
        await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        var circuit = circuits.GetCircuit(TestConnectors.ErpName)!;
        circuit.State.Should().Be(HttpCircuitState.Closed);
        circuit.IsOpen.Should().BeFalse();
        circuit.Since.Should().Be(s_start.AddMinutes(5));
        circuits.GetCircuit(TestConnectors.WmsName).Should().BeNull("the WMS connector has made no call");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task Track_CallbacksAlreadySet_StillRunAfterTheStateIsRecordedAndHalfOpenCountsAsOpen()
    {
        var time = new FakeTimeProvider(s_start);
        var circuits = new HttpConnectorCircuits(time);
        var seen = new List<string>();
        var options = new HttpCircuitBreakerStrategyOptions
        {
            MinimumThroughput = 2,
            FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = TimeSpan.FromSeconds(5),
            OnOpened = _ => Saw("opened"),
            OnHalfOpened = _ => Saw("half-opened"),
            OnClosed = _ => Saw("closed"),
        };
        circuits.Track(options, "qms");
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }.AddCircuitBreaker(options).Build();

        using (await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable)), Ct))
        using (await pipeline.ExecuteAsync(_ => ValueTask.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable)), Ct))
        {
        }

        time.Advance(TimeSpan.FromSeconds(6));
        IReadOnlyCollection<string>? openDuringTrial = null;
        using (await pipeline.ExecuteAsync(
            _ =>
            {
                openDuringTrial = circuits.GetOpenCircuits();
                return ValueTask.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
            },
            Ct))
        {
        }

        seen.Should().Equal("opened:Open", "half-opened:HalfOpen", "closed:Closed");
        openDuringTrial.Should().Equal(["qms"], "a half-open circuit refuses all but the trial call");
        circuits.GetOpenCircuits().Should().BeEmpty();

        ValueTask Saw(string callback)
        {
            seen.Add($"{callback}:{circuits.GetCircuit("qms")!.State}");
            return ValueTask.CompletedTask;
        }
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task Record_ConcurrentChangesOnManyConnectors_EveryConnectorEndsInItsLastState()
    {
        var circuits = new HttpConnectorCircuits(new FakeTimeProvider(s_start));
        var names = Enumerable.Range(0, 64).Select(i => $"erp-{i:D2}").ToArray();

        await Task.WhenAll(names.Select((name, i) => Task.Run(
            () =>
            {
                for (var round = 0; round < 200; round++)
                {
                    circuits.Record(name, HttpCircuitState.Open, TimeSpan.FromSeconds(1));
                    circuits.Record(name, HttpCircuitState.HalfOpen, null);
                    circuits.Record(name, HttpCircuitState.Closed, null);
                    _ = circuits.GetOpenCircuits();
                }

                if (i % 2 == 1)
                {
                    circuits.Record(name, HttpCircuitState.Open, TimeSpan.FromSeconds(1));
                }
            },
            Ct)));

        circuits.GetOpenCircuits().Should().Equal(names.Where((_, i) => i % 2 == 1));
        circuits.GetCircuits().Should().HaveCount(64);
    }

    [Fact]
    public void Constructor_NullClock_Throws()
    {
        ((Action)(() => _ = new HttpConnectorCircuits(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => new HttpConnectorCircuits(TimeProvider.System).GetCircuit(null!))).Should().Throw<ArgumentNullException>();
    }

    /// <summary>No in-call retries, a circuit that opens at half of at least two calls, for 30 s.</summary>
    private static void Tripping(HttpConnectorOptions options)
    {
        options.Resilience.Retry.MaxRetryAttempts = 0;
        options.Resilience.CircuitBreaker.MinimumThroughput = 2;
        options.Resilience.CircuitBreaker.FailureRatio = 0.5;
        options.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
    }
}
