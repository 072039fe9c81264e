using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class HttpConnectorTelemetryTests
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void StateChanged_BreakerOpensHalfOpensAndCloses_CountsEachChangeByConnectorAndState()
    {
        using var circuits = new HttpConnectorCircuits(new FakeTimeProvider(s_start));
        using var recorder = new Recorder(circuits.Meter);

        circuits.Record("erp", HttpCircuitState.Closed, null);
        circuits.Record("wms", HttpCircuitState.Closed, null);
        recorder.Changes().Should().Be(0, "a newly built breaker starts closed; that is no change");

        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));
        circuits.Record("erp", HttpCircuitState.HalfOpen, null);
        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));
        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));

        recorder.Changes().Should().Be(3, "the repeated open is no change");
        recorder.Changes("erp", "open").Should().Be(2);
        recorder.Changes("erp", "half_open").Should().Be(1);
        recorder.Changes("wms").Should().Be(0);

        circuits.Record("erp", HttpCircuitState.HalfOpen, null);
        circuits.Record("erp", HttpCircuitState.Closed, null);

        recorder.Changes("erp", "closed").Should().Be(1);
        recorder.Changes().Should().Be(5);
    }

    [Fact]
    public void OpenGauge_Observed_ReadsOneForOpenOrHalfOpenAndZeroForClosedByConnector()
    {
        using var circuits = new HttpConnectorCircuits(new FakeTimeProvider(s_start));
        using var recorder = new Recorder(circuits.Meter);
        circuits.Record("erp", HttpCircuitState.Closed, null);
        circuits.Record("wms", HttpCircuitState.Closed, null);
        circuits.Record("mes", HttpCircuitState.Closed, null);
        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));
        circuits.Record("mes", HttpCircuitState.HalfOpen, null);

        recorder.ObserveOpen().Should().BeEquivalentTo(new Dictionary<string, int> { ["erp"] = 1, ["mes"] = 1, ["wms"] = 0 });

        circuits.Record("erp", HttpCircuitState.HalfOpen, null);
        circuits.Record("erp", HttpCircuitState.Closed, null);

        recorder.ObserveOpen().Should().BeEquivalentTo(new Dictionary<string, int> { ["erp"] = 0, ["mes"] = 1, ["wms"] = 0 }, "the gauge reads the state when observed, as the health check does");
    }

    [Fact]
    public void Meter_NamedAfterTheProduct_TheSameNameAsTheEngineTelemetry()
    {
        using var circuits = new HttpConnectorCircuits(TimeProvider.System);

        circuits.Meter.Name.Should().Be("ManufacturingOrchestration", "the library speaks through one meter named after the product");
        circuits.Meter.Name.Should().Be(HttpConnectorTelemetry.MeterName);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task StateChanged_RealConnectorTripsItsCircuitInAHost_CountedOnTheHostsMeterFactoryMeter()
    {
        var time = new FakeTimeProvider(s_start);
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503));
        await using var provider = TestConnectors.Services(server, Tripping, services => services.AddSingleton<TimeProvider>(time));
        var factory = provider.GetService<IMeterFactory>();
        factory.Should().NotBeNull("the HTTP client registrations bring the host's meter factory");
        var circuits = provider.GetRequiredService<HttpConnectorCircuits>();
        circuits.Meter.Scope.Should().BeSameAs(factory, "a hosted tracker creates its meter from the host's factory");
        using var recorder = new Recorder(circuits.Meter);
        var erp = TestConnectors.Erp(provider);

        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k1"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);
        time.Advance(TimeSpan.FromSeconds(1));
        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k2"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);

        circuits.GetOpenCircuits().Should().Equal(TestConnectors.ErpName);
        recorder.Changes(TestConnectors.ErpName, "open").Should().Be(1);
        recorder.Changes().Should().Be(1);
        recorder.ObserveOpen().Should().BeEquivalentTo(new Dictionary<string, int> { [TestConnectors.ErpName] = 1 }, "only the ERP connector has made a call and built its breaker");
    }

    [Fact]
    public async Task StateChanged_TwoRecordsOfTheSameChangeInterleave_CountsTheChangeOnce()
    {
        var clock = new PausingClock(s_start);
        using var circuits = new HttpConnectorCircuits(clock);
        using var recorder = new Recorder(circuits.Meter);
        circuits.Record("erp", HttpCircuitState.Closed, null);

        clock.PauseNextRead();
        var paused = Task.Run(() => circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30)), Ct);
        await clock.Paused.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));
        clock.Resume();
        await paused.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        recorder.Changes("erp", "open").Should().Be(1, "both records saw the circuit closed, but only one of them replaced a closed state");
        circuits.GetCircuit("erp")!.State.Should().Be(HttpCircuitState.Open);
    }

    [Fact]
    public void Dispose_MeterFromAFactory_LeavesTheSharedMeterWorkingForItsOtherUsers()
    {
        using var factory = new SharingMeterFactory();
        var circuits = new HttpConnectorCircuits(TimeProvider.System, factory);
        var shared = factory.Create(HttpConnectorTelemetry.MeterName);
        shared.Should().BeSameAs(circuits.Meter, "the factory hands every user of the name the same meter");
        var engineCounter = shared.CreateCounter<long>("mo.events.accepted");
        using var recorder = new Recorder(shared);

        circuits.Dispose();
        engineCounter.Add(1);
        circuits.Record("erp", HttpCircuitState.Closed, null);
        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));

        recorder.Count("mo.events.accepted").Should().Be(1, "the factory owns the meter; the engine's instruments on it must keep reporting");
        recorder.Changes().Should().Be(1);
    }

    [Fact]
    public void Dispose_MeterCreatedByTheTracker_DisposesIt()
    {
        var circuits = new HttpConnectorCircuits(TimeProvider.System);
        using var recorder = new Recorder(circuits.Meter);

        circuits.Dispose();
        circuits.Record("erp", HttpCircuitState.Closed, null);
        circuits.Record("erp", HttpCircuitState.Open, TimeSpan.FromSeconds(30));

        recorder.Changes().Should().Be(0, "a meter the tracker created is its own to dispose");
    }

    private static void Tripping(HttpConnectorOptions options)
    {
        options.Resilience.Retry.MaxRetryAttempts = 0;
        options.Resilience.CircuitBreaker.MinimumThroughput = 2;
        options.Resilience.CircuitBreaker.FailureRatio = 0.5;
        options.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
    }

    /// <summary>Records the circuit instruments of one meter instance (other trackers in parallel tests share the meter name).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, long Value, KeyValuePair<string, object?>[] Tags)> _changes = new();
        private readonly ConcurrentQueue<(string Connector, int Value)> _open = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _changes.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
            {
                if (instrument.Name == HttpConnectorTelemetry.OpenInstrument)
                {
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "connector")
                        {
                            _open.Enqueue(((string)tag.Value!, value));
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Changes(string? connector = null, string? state = null) =>
            _changes
                .Where(m => m.Name == HttpConnectorTelemetry.ChangesInstrument)
                .Where(m => connector is null || m.Tags.Any(t => t.Key == "connector" && Equals(t.Value, connector)))
                .Where(m => state is null || m.Tags.Any(t => t.Key == "state" && Equals(t.Value, state)))
                .Sum(m => m.Value);

        public long Count(string instrument) => _changes.Where(m => m.Name == instrument).Sum(m => m.Value);

        public Dictionary<string, int> ObserveOpen()
        {
            _open.Clear();
            _listener.RecordObservableInstruments();
            return _open.ToDictionary(m => m.Connector, m => m.Value);
        }

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>A meter factory of the kind a host may register: one shared meter per name, disposed with the factory.</summary>
internal sealed class SharingMeterFactory : IMeterFactory
{
    private readonly ConcurrentDictionary<string, Meter> _meters = new(StringComparer.Ordinal);

    public Meter Create(MeterOptions options) => _meters.GetOrAdd(options.Name, _ => new Meter(options.Name, options.Version, options.Tags, this));

    public void Dispose()
    {
        foreach (var meter in _meters.Values)
        {
            meter.Dispose();
        }
    }
}

/// <summary>A fixed clock whose next read can be held, to stop a caller between reading a state and writing the next.</summary>
internal sealed class PausingClock(DateTimeOffset now) : TimeProvider
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _resume = new();
    private int _pauseNext;

    public Task Paused => _paused.Task;

    public void PauseNextRead() => Volatile.Write(ref _pauseNext, 1);

    public void Resume() => _resume.Set();

    public override DateTimeOffset GetUtcNow()
    {
        if (Interlocked.Exchange(ref _pauseNext, 0) == 1)
        {
            _paused.TrySetResult();
            _resume.Wait(TimeSpan.FromSeconds(30));
        }

        return now;
    }
}
