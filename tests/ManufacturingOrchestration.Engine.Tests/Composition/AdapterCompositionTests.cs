using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Composition;

/// <summary>How the orchestrator composes adapters: checked at start-up against what workflows need, routed by site, replaceable per operation.</summary>
public class AdapterCompositionTests
{
    private static readonly SiteId Us = new("US01");

    /// <summary>A workflow that places a shipment hold on every lot that passes, at the event's site.</summary>
    private static WorkflowDefinition HoldOnPass() => new WorkflowBuilder("hold-on-pass", 1)
        .TriggeredBy(EventTypes.InspectionPassed)
        .Requires(CommandKinds.ErpPlaceShipmentHold)
        .Step("hold", WorkflowStepKind.Plan, ctx =>
        {
            var passed = (InspectionPassed)ctx.Event.Data;
            ctx.Plan(CommandKinds.ErpPlaceShipmentHold, c => new PlaceShipmentHoldRequest { Context = c, Lot = passed.Lot });
        })
        .Build();

    [Fact]
    public void Start_WorkflowNeedsOperationsNoAdapterSupports_RefusedNamingEachOne()
    {
        using var plant = new PlantSimulator();
        var adapters = new AdapterSet().Add(CommandKinds.WmsSystem, plant.Wms).Add(CommandKinds.ErpSystem, plant.Wms, [Us]);
        var workflow = new WorkflowBuilder("needs-much", 2)
            .TriggeredBy(EventTypes.InspectionPassed)
            .Requires(CommandKinds.WmsPlaceHold, CommandKinds.ErpPlaceShipmentHold, "lims.record-sample")
            .UsesIfAvailable(QueryKinds.MesGetConsumers, "lims.get-sample")
            .Step("noop", WorkflowStepKind.Plan, _ => { })
            .Build();
        var options = new OrchestratorOptions { Store = new Engine.Storage.InMemoryOrchestrationStore(), Adapters = adapters };
        options.Workflows.Add(workflow);

        var start = () => new Orchestrator(options);

        var refusal = start.Should().Throw<ManufacturingOrchestrationException>().Which;
        refusal.ReasonCode.Should().Be(ReasonCodes.RequiredOperationsMissing);
        refusal.Message.Should().Be(
            "The composed adapters do not support what the registered workflows need:" + Environment.NewLine
            + "  - needs-much@2 needs 'erp.place-shipment-hold': the erp adapter of site US01 (WmsSimulator) does not support 'erp.place-shipment-hold'" + Environment.NewLine
            + "  - needs-much@2 needs 'lims.record-sample': 'lims.record-sample' is not a registered operation (register its type with OperationRegistry.AddCommand or AddQuery)" + Environment.NewLine
            + "  - needs-much@2 may use 'lims.get-sample', which is not a registered operation");
    }

    [Fact]
    public async Task Compose_WorkflowNeedsAnOperationNoAdapterSupports_HostValidationNamesIt()
    {
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().AddAdapter(CommandKinds.WmsSystem, plant.Wms).AddWorkflow(HoldOnPass()));
        await using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*hold-on-pass@1 needs 'erp.place-shipment-hold': no erp adapter is composed for 'erp.place-shipment-hold'*");
    }

    [Fact]
    public async Task TwoSitesOnTwoErpInstances_EachReceivesOnlyItsOwnSitesCommands()
    {
        using var usPlant = new PlantSimulator();
        await using var host = await new EngineTestHost(
            o => o.Settings.BootstrapFromErp = false,
            workflows: [HoldOnPass()],
            adapters: plant => plant.AddTo(new AdapterSet()).Add(CommandKinds.ErpSystem, usPlant.Erp, [Us])).StartAsync();

        await host.PublishAndWaitAsync(
            EngineTestHost.Passed("L-1", "p1"),
            EngineTestHost.Passed("L-2", "p2") with { Site = Us, Data = ((InspectionPassed)EngineTestHost.Passed("L-2", "p2").Data) with { Site = Us } },
            EngineTestHost.Passed("L-3", "p3"));

        Holds(host.Plant.Erp).Should().BeEquivalentTo(["L-1", "L-3"]);
        Holds(usPlant.Erp).Should().Equal("L-2");
    }

    [Fact]
    public async Task BuiltInCommandHandlerRegisteredInTheContainer_IsTheOneUsed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero));
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = time });
        var replacement = new RecordingNotifications();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ICommandHandler<SendNotificationRequest>>(replacement);
        services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(plant.AddTo(new AdapterSet()))
            .AddWorkflow(new WorkflowBuilder("notify-on-pass", 1)
                .TriggeredBy(EventTypes.InspectionPassed)
                .Requires(CommandKinds.NotificationSend)
                .Step("notify", WorkflowStepKind.Plan, ctx => ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest { Context = c, Roles = [Role.Planner], Site = EngineTestHost.Site, Subject = "passed" }))
                .Build())
            .Configure(o => o.Settings.BootstrapFromErp = false));
        await using var provider = services.BuildServiceProvider();
        var orchestrator = provider.GetRequiredService<Orchestrator>();
        await orchestrator.StartAsync(EngineTestHost.Ct);

        await orchestrator.PublishAsync(EngineTestHost.Passed("L-1", "p1"), EngineTestHost.Ct);
        await orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        await orchestrator.StopAsync(EngineTestHost.Ct);

        replacement.Subjects.Should().Equal("passed");
        plant.Notification.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task WorkflowThatDeclaresItsOperations_PlansAnUndeclaredOne_TheStepFailsNamingIt()
    {
        var sloppy = new WorkflowBuilder("sloppy", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .Requires(CommandKinds.ErpPlaceShipmentHold)
            .Step("notify", WorkflowStepKind.Plan, ctx => ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest { Context = c, Roles = [Role.Planner], Site = EngineTestHost.Site, Subject = "x" }))
            .Build();
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [sloppy]).StartAsync();

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(Engine.Storage.DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.StepFailed);
        deadLetter.Message.Should().Contain("Step 'notify' of sloppy@1 uses 'notification.send', which the workflow does not declare");
        host.Plant.Notification.Sent.Should().BeEmpty();
    }

    private static List<string> Holds(ErpSimulator erp) =>
        erp.Calls.Where(c => c.Operation == CommandKinds.ErpPlaceShipmentHold).Select(c => ((PlaceShipmentHoldRequest)c.Command!).Lot.Value).ToList();

    private sealed class RecordingNotifications : ICommandHandler<SendNotificationRequest>
    {
        public List<string> Subjects { get; } = [];

        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest command, CancellationToken cancellationToken = default)
        {
            Subjects.Add(command.Subject);
            return ValueTask.FromResult(AdapterResult.Success());
        }
    }
}
