using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using ManufacturingOrchestration.Engine.Tests.Audit;
using ManufacturingOrchestration.Engine.Tests.Execution;

namespace ManufacturingOrchestration.Engine.Tests.DependencyInjection;

public sealed class ManufacturingOrchestrationBuilderTests
{
    [Fact]
    public async Task UseStore_Factory_TheOrchestratorUsesTheStoreFromTheContainer()
    {
        var store = new InMemoryOrchestrationStore();
        await using var provider = Compose(mo => mo.UseStore(_ => store));

        provider.GetRequiredService<Orchestrator>().Store.Should().BeSameAs(store);
    }

    [Fact]
    public async Task UseStore_CalledTwice_TheLastChoiceWins()
    {
        var first = new InMemoryOrchestrationStore();
        var second = new InMemoryOrchestrationStore();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseStore(first).UseStore(second));

        services.Count(d => d.ServiceType == typeof(IOrchestrationStore)).Should().Be(1);
        await using var provider = Compose(mo => mo.UseStore(first).UseStore(second));
        provider.GetRequiredService<Orchestrator>().Store.Should().BeSameAs(second);
    }

    [Fact]
    public async Task AddAdapter_OverAnAdapterSet_ReplacesOnlyThatSystem()
    {
        using var plant = ManufacturingOrchestrationServiceCollectionExtensionsTests.NewPlant(new FakeTimeProvider());
        using var other = ManufacturingOrchestrationServiceCollectionExtensionsTests.NewPlant(new FakeTimeProvider());
        await using var provider = Compose(mo => mo.UseAdapters(plant.AddTo(new AdapterSet())).AddAdapter(CommandKinds.ErpSystem, other.Erp));

        var adapters = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Adapters;

        adapters.Find(CommandKinds.ErpChangeStockCategory, null).Should().BeSameAs(other.Erp);
        adapters.Find(QueryKinds.ErpGetLot, null).Should().BeSameAs(other.Erp);
        adapters.Find(CommandKinds.WmsPlaceHold, null).Should().BeSameAs(plant.Wms);
        adapters.Find(CommandKinds.QmsOpenSupplierCase, null).Should().BeSameAs(plant.Qms);
    }

    [Fact]
    public async Task Compose_HandlersRegisteredInTheContainer_TakeOverTheirOperationOnly()
    {
        using var plant = ManufacturingOrchestrationServiceCollectionExtensionsTests.NewPlant(new FakeTimeProvider());
        var replacement = new Testing.WmsSimulator();
        var services = new ServiceCollection();
        services.AddSingleton<ICommandHandler<PlaceHoldRequest>>(replacement);
        services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .AddAdapter(CommandKinds.WmsSystem, plant.Wms)
            .AddWorkflow(new WorkflowBuilder("probe", 1).TriggeredBy(EventTypes.InspectionFailed).Step("noop", WorkflowStepKind.Decide, _ => { }).Build()));
        await using var provider = services.BuildServiceProvider();

        var adapters = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Adapters;

        adapters.Find(CommandKinds.WmsPlaceHold, null).Should().BeSameAs(replacement);
        adapters.Find(CommandKinds.WmsReleaseHold, null).Should().BeSameAs(plant.Wms);
        adapters.Find(CommandKinds.ErpChangeStockCategory, null).Should().BeNull();
    }

    [Fact]
    public async Task AddSite_Profile_ReachesTheSiteDirectory()
    {
        var site = new SiteProfile { Id = new SiteId("P9"), HoldLocation = new BinId("Q-9"), IsRegulated = true };
        await using var provider = Compose(mo => mo.AddSite(site));

        provider.GetRequiredService<ScenarioServices>().Sites.Get(new SiteId("P9")).Should().BeSameAs(site);
    }

    [Fact]
    public async Task UseRules_Configured_RunsInsteadOfTheStandardRules()
    {
        var configured = 0;
        await using var provider = Compose(mo => mo.UseRules(rules =>
        {
            configured++;
            rules.AddStandardRules();
        }));

        provider.GetRequiredService<DecisionEngine>().Should().NotBeNull();
        provider.GetRequiredService<ScenarioServices>().Rules.Should().BeSameAs(provider.GetRequiredService<DecisionEngine>());
        configured.Should().Be(1);
    }

    [Fact]
    public async Task AddWorkflow_SameInstanceTwice_RegisteredOnce()
    {
        var workflow = Workflow("custom", "a");
        await using var provider = Compose(mo => mo.AddWorkflow(workflow).AddWorkflow(workflow).AddWorkflow(_ => workflow));

        provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Workflows.Where(w => w.Name == "custom").Should().ContainSingle();
    }

    [Fact]
    public async Task AddWorkflow_TwoDifferentDefinitionsWithOneNameAndVersion_ValidationNamesTheWorkflow()
    {
        await using var provider = Compose(mo => mo.AddWorkflow(Workflow("custom", "a")).AddWorkflow(Workflow("custom", "b")));

        provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("custom@1").And.Contain("registered twice");
    }

    [Fact]
    public async Task UseActorDirectory_Instance_OptionsUseIt()
    {
        var directory = new InMemoryActorDirectory();
        await using var provider = Compose(mo => mo.UseActorDirectory(directory));

        provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Actors.Should().BeSameAs(directory);
    }

    [Fact]
    public async Task Configure_Action_RunsAfterTheComposition()
    {
        var store = new InMemoryOrchestrationStore();
        await using var provider = Compose(mo => mo.Configure(o =>
        {
            o.Settings.Parallelism = 3;
            o.Store = store;
        }));

        var options = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value;

        options.Settings.Parallelism.Should().Be(3);
        options.Store.Should().BeSameAs(store);
    }

    [Fact]
    public void UseStore_Null_Throws()
    {
        var builder = new ServiceCollection().AddManufacturingOrchestration();

        builder.Invoking(b => b.UseStore((IOrchestrationStore)null!)).Should().Throw<ArgumentNullException>();
        builder.Invoking(b => b.AddWorkflow((WorkflowDefinition)null!)).Should().Throw<ArgumentNullException>();
        builder.Invoking(b => b.Configure(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task AddAuditSink_AnInstanceTwiceAndAFactory_ReachTheOptionsOnceEach()
    {
        var siem = new RecordingAuditSink("siem");
        await using var provider = Compose(mo => mo.AddAuditSink(siem).AddAuditSink(siem).AddAuditSink(_ => new RecordingAuditSink("grc")));

        var sinks = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value.AuditSinks;

        sinks.Select(s => s.Name).Should().Equal("siem", "grc");
        sinks[0].Should().BeSameAs(siem);
    }

    [Fact]
    public async Task AddAuditSink_TwoSinksWithOneName_FailValidationNamingTheName()
    {
        await using var provider = Compose(mo => mo.AddAuditSink(new RecordingAuditSink("siem")).AddAuditSink(_ => new RecordingAuditSink("siem")));

        provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>()
            .WithMessage("*Two audit sinks are named 'siem'*");
    }

    [Fact]
    public async Task UseInMemoryStore_Configured_PrunesOnTheContainersClockAndTheContainerStopsIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore(o =>
        {
            o.RetentionWindow = TimeSpan.FromHours(1);
            o.PruneInterval = TimeSpan.FromMinutes(10);
        }));
        var provider = services.BuildServiceProvider();
        var store = (InMemoryOrchestrationStore)provider.GetRequiredService<IOrchestrationStore>();

        time.Advance(TimeSpan.FromMinutes(10));
        var pruned = store.LastPruneCutOff;
        await provider.DisposeAsync();
        time.Advance(TimeSpan.FromMinutes(10));

        pruned.Should().Be(time.Start.AddMinutes(10) - TimeSpan.FromHours(1), "the container's clock drives the window");
        store.LastPruneCutOff.Should().Be(pruned, "the container disposed the store, which stopped its timer");
    }

    [Fact]
    public async Task UseInMemoryStore_SettingOutOfRange_FailsValidationNamingTheSetting()
    {
        await using var provider = Compose(mo => mo.UseInMemoryStore(o => o.PruneInterval = TimeSpan.Zero));

        provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>()
            .WithMessage("*PruneInterval: The field InMemoryStoreOptions.PruneInterval must be between 00:00:00 exclusive*");
    }

    private static ServiceProvider Compose(Action<ManufacturingOrchestrationBuilder> configure)
    {
        var plant = ManufacturingOrchestrationServiceCollectionExtensionsTests.NewPlant(new FakeTimeProvider());
        var services = new ServiceCollection();
        services.AddSingleton(plant);
        services.AddManufacturingOrchestration(mo =>
        {
            mo.UseInMemoryStore().UseAdapters(plant.Adapters).AddIncomingInspection().AddSite(EngineTestHost.SiteProfile);
            configure(mo);
        });
        return services.BuildServiceProvider();
    }

    private static WorkflowDefinition Workflow(string name, string step) =>
        new WorkflowBuilder(name, 1).TriggeredBy(EventTypes.SupplierUpdated).Step(step, WorkflowStepKind.Notify, _ => { }).Build();
}
