using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Tests.Telemetry;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorTelemetryTests
{
    [Fact]
    public async Task Run_MeterListenerSeesAcceptedProcessedExecutedAndDeadLetters()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);

        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => TestWorkflows.Delivered(host.Plant, "a").Count == 1, TimeSpan.FromMinutes(1));
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("b", "b1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("c", "c1", sequence: 2));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("c", "c0", sequence: 1));
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("c", "c1", sequence: 2), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Duplicate);
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("c", "bad\u0001"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Rejected);

        recorder.Sum("mo.events.accepted").Should().Be(4);
        recorder.Sum("mo.events.duplicate").Should().Be(1);
        recorder.Sum("mo.events.rejected").Should().Be(1);
        recorder.Sum("mo.events.processed").Should().Be(4, "the out-of-order event is handled too");
        recorder.Sum("mo.events.out_of_order").Should().Be(1);
        recorder.Sum("mo.commands.executed").Should().Be(4, "a1 twice, b1 once, c1 once");
        recorder.Sum("mo.commands.executed", "outcome", "transient_failure").Should().Be(1);
        recorder.Sum("mo.commands.executed", "outcome", "permanent_failure").Should().Be(1);
        recorder.Sum("mo.commands.executed", "outcome", "succeeded").Should().Be(2);
        recorder.Sum("mo.commands.retries").Should().Be(1);
        recorder.Sum("mo.deadletters").Should().Be(1);
        recorder.Sum("mo.deadletters", "site", EngineTestHost.Site.Value).Should().Be(1);
        recorder.Sum("mo.events.accepted", "type", Model.Events.EventTypes.SupplierUpdated).Should().Be(4);
    }

    [Fact]
    public async Task Run_DurationsInSecondsLowerCaseOutcomesAndAWorkflowTag_NeverAPartitionKey()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);

        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-77", "e1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => TestWorkflows.Delivered(host.Plant, "lot-77").Count == 1, TimeSpan.FromMinutes(1));

        recorder.Units["mo.events.latency"].Should().Be("s");
        recorder.Units["mo.commands.duration"].Should().Be("s");
        recorder.Count("mo.commands.duration", "outcome", "transient_failure").Should().Be(1);
        recorder.Count("mo.commands.duration", "outcome", "succeeded").Should().Be(1);
        recorder.Count("mo.events.latency").Should().Be(1);
        recorder.Sum("mo.commands.executed", "workflow", "notify").Should().Be(2);
        recorder.Sum("mo.commands.retries", "workflow", "notify").Should().Be(1);
        var tags = recorder.AllTags.SelectMany(m => m.Tags).ToList();
        tags.Select(t => t.Key).Distinct().Should().OnlyContain(k => k == "site" || k == "type" || k == "workflow" || k == "kind" || k == "outcome");
        tags.Should().NotContain(t => Equals(t.Value, "lot-77"), "lots go on spans, never on metrics");
        tags.Where(t => t.Key == "outcome").Select(t => (string)t.Value!).Should().OnlyContain(v => v == v.ToLowerInvariant());
    }
}
