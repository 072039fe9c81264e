using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Hosting.Tests;

public sealed class OrchestrationHostedServiceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-host-" + Guid.NewGuid().ToString("N"));

    public OrchestrationHostedServiceTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_RealHost_StartsTheOrchestratorAndRunsTheFileDrop()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System, "LOT-H1");
        File.WriteAllLines(Path.Combine(_folder, "drop.jsonl"), [EventSerializer.Default.SerializeToString(HostingTestPlant.Failed("LOT-H1", "evt-h1"))]);
        using var host = CreateHost(plant, services => services.AddManufacturingOrchestrationFileDrop(o =>
        {
            o.Directory = _folder;
            o.PollInterval = TimeSpan.FromMilliseconds(50);
        }));

        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        await WaitUntilAsync(() => File.Exists(Path.Combine(_folder, "processed", "drop.jsonl")));
        await orchestrator.WaitForIdleAsync(Ct);
        var running = orchestrator.IsRunning;
        await host.StopAsync(Ct);

        running.Should().BeTrue();
        orchestrator.IsRunning.Should().BeFalse();
        plant.Erp.QuantityIn(new LotId("LOT-H1"), StockCategory.Blocked).Should().Be(50);
        host.Services.GetRequiredService<OrchestrationHostedService>().LastShutdownDrained.Should().BeTrue();
    }

    [Fact]
    public async Task StopAsync_SlowAdapterAndShortDrain_StopsAtTheTimeoutAndLeavesTheWorkDurable()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System, "LOT-H2");
        plant.Faults.Configure("erp.*", new FaultProfile { Latency = TimeSpan.FromSeconds(30) });
        using var host = CreateHost(plant, services => services.AddManufacturingOrchestrationHosting(o => o.DrainTimeout = TimeSpan.FromMilliseconds(200)));
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        (await orchestrator.PublishAsync(HostingTestPlant.Failed("LOT-H2", "evt-h2"), Ct)).Status.Should().Be(PublishStatus.Accepted);

        await host.StopAsync(Ct);

        host.Services.GetRequiredService<OrchestrationHostedService>().LastShutdownDrained.Should().BeFalse();
        orchestrator.IsRunning.Should().BeFalse();
        var pending = await orchestrator.Store.ReadPartitionsWithPendingCommandsAsync(Ct);
        var unprocessed = await orchestrator.Store.ReadPendingEventsAsync(null, 0, 10, Ct);
        (pending.Contains("LOT-H2") || unprocessed.Count == 1).Should().BeTrue("unfinished work stays in the store for the next start");
    }

    [Fact]
    public async Task StopAsync_ZeroDrainTimeoutAndNothingInFlight_ReportsTheDrainFinished()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, services => services.AddManufacturingOrchestrationHosting(o => o.DrainTimeout = TimeSpan.Zero));
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        await orchestrator.WaitForIdleAsync(Ct);

        await host.StopAsync(Ct);

        host.Services.GetRequiredService<OrchestrationHostedService>().LastShutdownDrained.Should().BeTrue("nothing was in flight, so nothing was left undrained");
    }

    [Fact]
    public async Task StopAsync_CalledAgainAfterADrainThatTimedOut_StillReportsTheDrainUnfinished()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System, "LOT-H3");
        plant.Faults.Configure("erp.*", new FaultProfile { Latency = TimeSpan.FromSeconds(30) });
        using var host = CreateHost(plant, services => services.AddManufacturingOrchestrationHosting(o => o.DrainTimeout = TimeSpan.FromMilliseconds(200)));
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        (await orchestrator.PublishAsync(HostingTestPlant.Failed("LOT-H3", "evt-h3"), Ct)).Status.Should().Be(PublishStatus.Accepted);
        var hosted = host.Services.GetRequiredService<OrchestrationHostedService>();
        await hosted.StopAsync(Ct);

        await hosted.StopAsync(Ct);

        hosted.LastShutdownDrained.Should().BeFalse("the second stop found nothing to drain: the shutdown's outcome is the first one's");
    }

    [Fact]
    public async Task StopAsync_IntakeStopsBeforeTheDrain_SourcesAreCancelledFirst()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        var source = new RecordingSource();
        using var host = CreateHost(plant, services => services.AddSingleton<IEventSource>(source));
        source.Probe = () => host.Services.GetRequiredService<Orchestrator>().IsRunning;
        await host.StartAsync(Ct);
        await source.Started.Task.WaitAsync(Ct);

        await host.StopAsync(Ct);

        source.OrchestratorRunningWhenCancelled.Should().BeTrue();
        host.Services.GetRequiredService<Orchestrator>().IsRunning.Should().BeFalse();
    }

    [Fact]
    public async Task StartAsync_FailingSource_HostKeepsRunningAndTheFailureIsReported()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, services => services.AddSingleton<IEventSource>(new FailingSource()));

        await host.StartAsync(Ct);
        var hosted = host.Services.GetRequiredService<OrchestrationHostedService>();
        await WaitUntilAsync(() => hosted.SourceFailures.Count > 0);
        var running = host.Services.GetRequiredService<Orchestrator>().IsRunning;
        await host.StopAsync(Ct);

        running.Should().BeTrue();
        hosted.SourceFailures.Should().ContainKey("broken").WhoseValue.Should().Be("queue unreachable");
    }

    [Fact]
    public async Task StartAsync_TwoFileDropsUnderOneName_HostFailsAtStartNamingIt()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        var second = Path.Combine(_folder, "second");
        Directory.CreateDirectory(second);
        using var host = CreateHost(plant, services => services
            .AddManufacturingOrchestrationFileDrop(o => o.Directory = _folder)
            .AddManufacturingOrchestrationFileDrop(o => o.Directory = second));

        var start = () => host.StartAsync(Ct);

        (await start.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("'file-drop'").And.Contain(nameof(FileDropOptions.Name));
        host.Services.GetRequiredService<Orchestrator>().IsRunning.Should().BeFalse();
    }

    [Fact]
    public async Task StartAsync_MisconfiguredOrchestrator_HostFailsAtStartNamingTheProblem()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().AddIncomingInspection());
        builder.Services.AddManufacturingOrchestrationHosting();
        using var host = builder.Build();

        var start = () => host.StartAsync(Ct);

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("No adapters are configured");
    }

    [Fact]
    public async Task AddManufacturingOrchestrationHosting_InvalidOptions_HostFailsAtStart()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, services => services.AddManufacturingOrchestrationHosting(o => o.BacklogDegradedThreshold = 0));

        var start = () => host.StartAsync(Ct);

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(nameof(OrchestrationHostingOptions.BacklogDegradedThreshold));
    }

    [Fact]
    public void AddManufacturingOrchestrationHosting_CalledTwice_OneHostedService()
    {
        var services = new ServiceCollection();

        services.AddManufacturingOrchestrationHosting().AddManufacturingOrchestrationHosting();

        services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(OrchestrationHostedService)).Should().Be(1);
    }

    [Fact]
    public async Task StopAsync_DrainTimeoutLongerThanATimerCanWait_StopsTheOrchestrator()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, services => services.AddManufacturingOrchestrationHosting(o => o.DrainTimeout = TimeSpan.FromDays(100)));
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();

        await host.StopAsync(Ct);

        orchestrator.IsRunning.Should().BeFalse();
        host.Services.GetRequiredService<OrchestrationHostedService>().LastShutdownDrained.Should().BeTrue();
    }

    [Fact]
    public async Task StopAsync_WhileTheStartIsUnderWay_NoSourceIsLeftRunning()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        var (store, gate) = GatedStoreProxy.Create();
        var source = new RecordingSource();
        using var host = CreateHost(plant, services =>
        {
            services.AddManufacturingOrchestration(mo => mo.UseStore(store));
            services.AddSingleton<IEventSource>(source);
        });
        var hosted = host.Services.GetRequiredService<OrchestrationHostedService>();
        var start = Task.Run(() => hosted.StartAsync(Ct), Ct);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var stop = hosted.StopAsync(Ct);
        gate.Open();
        await start.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stop.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        host.Services.GetRequiredService<Orchestrator>().IsRunning.Should().BeFalse();
        var sourceStarted = await Task.WhenAny(source.Started.Task, Task.Delay(TimeSpan.FromSeconds(2), Ct)) == source.Started.Task;
        if (sourceStarted)
        {
            source.Stopping.IsCancellationRequested.Should().BeTrue("a source started after the stop must not run on with the orchestrator stopped");
        }
    }

    [Fact]
    public async Task Dispose_HostDisposedWithoutAStop_TheSourcesAreCancelled()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        var source = new RecordingSource();
        var host = CreateHost(plant, services => services.AddSingleton<IEventSource>(source));
        await host.StartAsync(Ct);
        await source.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        host.Dispose();

        source.Stopping.IsCancellationRequested.Should().BeTrue("a disposed host must leave no event source polling");
        await source.Ended.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    [Fact]
    public async Task StopAsync_AfterDispose_DoesNotThrow()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, services => services.AddSingleton<IEventSource>(new RecordingSource()));
        var hosted = host.Services.GetRequiredService<OrchestrationHostedService>();
        await hosted.StartAsync(Ct);
        await hosted.StopAsync(Ct);
        hosted.Dispose();

        var again = async () =>
        {
            await hosted.StopAsync(Ct);
            hosted.Dispose();
        };

        await again.Should().NotThrowAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    internal static IHost CreateHost(PlantSimulator plant, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = HostingTestPlant.Site, HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection()
            .Configure(o => o.Settings.Parallelism = 2));
        builder.Services.AddManufacturingOrchestrationHosting();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        condition().Should().BeTrue("the condition should hold within the wait");
    }

    private sealed class RecordingSource : IEventSource
    {
        public string Name => "recording";

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Stopping { get; private set; }

        public bool OrchestratorRunningWhenCancelled { get; private set; }

        public async Task RunAsync(IEventSink sink, CancellationToken stoppingToken)
        {
            Stopping = stoppingToken;
            Started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                OrchestratorRunningWhenCancelled = Probe?.Invoke() ?? false;
                throw;
            }
            finally
            {
                Ended.TrySetResult();
            }
        }

        public Func<bool>? Probe { get; set; }
    }

    private sealed class FailingSource : IEventSource
    {
        public string Name => "broken";

        public Task RunAsync(IEventSink sink, CancellationToken stoppingToken) => Task.FromException(new InvalidOperationException("queue unreachable"));
    }

    /// <summary>An in-memory store whose first read of the keys with pending commands (a start's recovery) waits until opened.</summary>
    public class GatedStoreProxy : DispatchProxy
    {
        private readonly ManualResetEventSlim _open = new();
        private int _calls;

        public IOrchestrationStore Inner { get; set; } = new InMemoryOrchestrationStore();

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static (IOrchestrationStore Store, GatedStoreProxy Gate) Create()
        {
            var store = DispatchProxy.Create<IOrchestrationStore, GatedStoreProxy>();
            return (store, (GatedStoreProxy)(object)store);
        }

        public void Open() => _open.Set();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationStore.ReadPartitionsWithPendingCommandsAsync) && Interlocked.Increment(ref _calls) == 1)
            {
                Entered.TrySetResult();
                _open.Wait(TimeSpan.FromSeconds(30));
            }

            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
