using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.DependencyInjection;

public sealed class ManufacturingOrchestrationServiceCollectionExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddManufacturingOrchestration_FullyComposed_OrchestratorProcessesAnInspection()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero));
        using var plant = NewPlant(time);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = EngineTestHost.Site, HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection().AddSite(EngineTestHost.SiteProfile)
            .Configure(o => o.Settings.Parallelism = 2));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var orchestrator = provider.GetRequiredService<Orchestrator>();
        await orchestrator.StartAsync(Ct);
        var result = await provider.GetRequiredService<EventIntake>().PublishAsync(EngineTestHost.Failed("LOT-DI-1", "evt-di-1"), Ct);
        await orchestrator.WaitForIdleAsync(Ct);

        result.Status.Should().Be(PublishStatus.Accepted);
        plant.Erp.QuantityIn(new LotId("LOT-DI-1"), StockCategory.Blocked).Should().Be(100);
        (await orchestrator.GetAuditTrailAsync("LOT-DI-1", Ct)).Should().NotBeEmpty();
    }

    [Fact]
    public async Task AddManufacturingOrchestration_NoStore_ResolvingFailsNamingTheStore()
    {
        using var plant = NewPlant(new FakeTimeProvider());
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseAdapters(plant.Adapters).AddIncomingInspection().AddSite(EngineTestHost.SiteProfile));
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<Orchestrator>();

        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("No store is configured").And.Contain("UseInMemoryStore()");
    }

    [Fact]
    public async Task AddManufacturingOrchestration_NothingConfigured_OneErrorNamesEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.Configure(o => o.Settings.Parallelism = 0));
        await using var provider = services.BuildServiceProvider();

        var failures = provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>().Which.Failures.ToArray();

        failures.Should().HaveCount(4);
        failures.Should().Contain(f => f.Contains("No store", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("No adapters", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("No workflow", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("The field OrchestratorSettings.Parallelism must be between 1 and 2147483647.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddManufacturingOrchestration_NothingConfiguredAndSeveralRangesWrong_NamesEveryRange()
    {
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.Configure(o =>
        {
            o.Settings.QueueCapacity = 0;
            o.Settings.CheckpointInterval = TimeSpan.Zero;
        }));
        await using var provider = services.BuildServiceProvider();

        var failures = provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>().Which.Failures.ToArray();

        failures.Should().Contain(f => f.Contains("The field OrchestratorSettings.QueueCapacity must be between 1 and 2147483647.", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("The field OrchestratorSettings.CheckpointInterval must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RangeWrong_ThrowsNamingTheOption()
    {
        var options = new OrchestratorOptions { Settings = { MaxBatchSize = 0 } };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("The orchestrator settings are not valid: MaxBatchSize: The field OrchestratorSettings.MaxBatchSize must be between 1 and 2147483647.");
    }

    [Fact]
    public async Task AddManufacturingOrchestration_InvalidRetryPolicy_FailsWithTheOptionsOwnMessage()
    {
        using var plant = NewPlant(new FakeTimeProvider());
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().UseAdapters(plant.Adapters).AddIncomingInspection().AddSite(EngineTestHost.SiteProfile)
            .Configure(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(1) }));
        await using var provider = services.BuildServiceProvider();

        var failure = provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>().Which;

        failure.Failures.Should().Equal("Retry.MaxDelay (00:00:01) must not be shorter than Retry.InitialDelay (00:00:10).");
    }

    [Fact]
    public async Task AddManufacturingOrchestration_CalledTwice_RegistersOnceAndKeepsOneBuilder()
    {
        using var plant = NewPlant(new FakeTimeProvider());
        var services = new ServiceCollection();

        var first = services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().UseAdapters(plant.Adapters).AddIncomingInspection().AddSite(EngineTestHost.SiteProfile));
        var count = services.Count;
        var second = services.AddManufacturingOrchestration(mo => mo.AddIncomingInspection().AddSite(EngineTestHost.SiteProfile));

        second.Should().BeSameAs(first);
        services.Count.Should().Be(count);
        services.Count(d => d.ServiceType == typeof(Orchestrator)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IConfigureOptions<OrchestratorOptions>)).Should().Be(1);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Workflows.Select(w => w.Name).Should()
            .BeEquivalentTo([IncomingInspectionWorkflow.Name, LotContainmentWorkflow.Name, WorkOrderHoldWorkflow.Name], "incoming inspection comes with the containment it starts, each registered once");
        provider.GetRequiredService<Orchestrator>().Should().BeSameAs(provider.GetRequiredService<Orchestrator>());
    }

    [Fact]
    public void AddManufacturingOrchestration_NullServices_Throws()
    {
        var act = () => ManufacturingOrchestrationServiceCollectionExtensions.AddManufacturingOrchestration(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("services");
    }

    [Fact]
    public async Task AddManufacturingOrchestration_MeterFactoryRegistered_TelemetryMeterComesFromIt()
    {
        using var plant = NewPlant(new FakeTimeProvider());
        using var meters = new RecordingMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory>(meters);
        services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().UseAdapters(plant.Adapters).AddIncomingInspection().AddSite(EngineTestHost.SiteProfile));
        await using var provider = services.BuildServiceProvider();

        var orchestrator = provider.GetRequiredService<Orchestrator>();

        meters.Created.Should().ContainSingle().Which.Should().BeSameAs(orchestrator.Telemetry.Meter);
    }

    [Fact]
    public async Task AddManufacturingOrchestration_NoClockRegistered_UsesTheSystemClock()
    {
        using var plant = NewPlant(new FakeTimeProvider());
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().UseAdapters(plant.Adapters).AddIncomingInspection().AddSite(EngineTestHost.SiteProfile));
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.TimeProvider.Should().BeSameAs(TimeProvider.System);
        provider.GetRequiredService<IEventSink>().Should().BeSameAs(provider.GetRequiredService<EventIntake>());
    }

    internal static PlantSimulator NewPlant(TimeProvider time)
    {
        var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = time, Seed = 3 });
        plant.AddSite(new SiteProfile { Id = EngineTestHost.Site, HoldLocation = new BinId("HOLD-P1") });
        plant.AddMaterial(new MaterialDefinition { Id = EngineTestHost.Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = EngineTestHost.Supplier });
        plant.AddLot(new MaterialLot
        {
            Id = new LotId("LOT-DI-1"),
            Material = EngineTestHost.Capacitor,
            Site = EngineTestHost.Site,
            Supplier = EngineTestHost.Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
        }, new BinId("RCV-P1"));
        return plant;
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
