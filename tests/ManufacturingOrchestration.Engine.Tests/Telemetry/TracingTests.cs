using System.Diagnostics;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ManufacturingOrchestration.Engine.Tests.Telemetry;

/// <summary>
/// Spans exported through the OpenTelemetry SDK to an in-memory exporter: an event is processed under its envelope's
/// traceparent, each step is a child of the processing span, and every attempt of a command — after a retry, after a
/// restart on the same store — is a child of the step that planned it.
/// </summary>
/// <remarks>A tracer provider listens process-wide, so these tests run alone, not beside tests that trace nothing.</remarks>
[Collection(nameof(TracingCollection))]
public sealed class TracingTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    private static WorkflowDefinition NotifyOnPass() => new WorkflowBuilder("notify-on-pass", 1)
        .TriggeredBy(EventTypes.InspectionPassed)
        .Requires(CommandKinds.NotificationSend)
        .Step("decide", WorkflowStepKind.Decide, _ => { })
        .Step("notify", WorkflowStepKind.Plan, ctx => ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Planner],
            Site = EngineTestHost.Site,
            Subject = "passed " + ((InspectionPassed)ctx.Event.Data).Lot,
        }))
        .Build();

    [Fact]
    public async Task CommandRetriedDurably_EveryAttemptIsAChildOfTheStepThatPlannedIt_UnderTheEnvelopesTraceparent()
    {
        var exported = new List<Activity>();
        using var tracing = Tracing(exported);
        var trace = ActivityTraceId.CreateRandom();
        var upstream = ActivitySpanId.CreateRandom();
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [NotifyOnPass()]).StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1") with { TraceParent = $"00-{trace}-{upstream}-01" });
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Notification.Sent.Count == 1, Step);
        tracing.ForceFlush();

        var spans = exported.Where(a => a.TraceId == trace).ToList();
        var publish = spans.Should().ContainSingle(a => a.DisplayName == "publish " + EventTypes.InspectionPassed).Subject;
        var process = spans.Should().ContainSingle(a => a.DisplayName == "process " + EventTypes.InspectionPassed).Subject;
        var decide = spans.Should().ContainSingle(a => a.DisplayName == "notify-on-pass decide").Subject;
        var notify = spans.Should().ContainSingle(a => a.DisplayName == "notify-on-pass notify").Subject;
        var attempts = spans.Where(a => a.DisplayName == CommandKinds.NotificationSend).OrderBy(a => a.StartTimeUtc).ToList();

        publish.ParentSpanId.Should().Be(upstream);
        publish.Kind.Should().Be(ActivityKind.Producer);
        process.ParentSpanId.Should().Be(upstream);
        process.Kind.Should().Be(ActivityKind.Consumer);
        process.GetTagItem("messaging.system").Should().Be(OrchestrationTelemetry.MessagingSystem);
        process.GetTagItem("messaging.message.id").Should().Be("p1");
        process.GetTagItem("mo.partition.key").Should().Be("L-1");
        process.GetTagItem("mo.site").Should().Be("P1");
        process.GetTagItem("mo.outcome").Should().Be("processed");
        decide.ParentSpanId.Should().Be(process.SpanId);
        notify.ParentSpanId.Should().Be(process.SpanId);
        attempts.Should().HaveCount(2);
        attempts.Should().AllSatisfy(a =>
        {
            a.ParentSpanId.Should().Be(notify.SpanId);
            a.Kind.Should().Be(ActivityKind.Client);
            a.GetTagItem("mo.workflow").Should().Be("notify-on-pass");
            a.GetTagItem("mo.target.system").Should().Be("notification");
        });
        attempts.Select(a => a.GetTagItem("mo.attempt")).Should().Equal(1, 2);
        attempts.Select(a => a.GetTagItem("mo.outcome")).Should().Equal("transient_failure", "succeeded");
        attempts[0].Status.Should().Be(ActivityStatusCode.Error);
        attempts[1].Status.Should().Be(ActivityStatusCode.Unset);
    }

    [Fact]
    public async Task CommandRetriedAfterARestartOnTheSameStore_StaysInTheTraceOfTheStepThatPlannedIt()
    {
        var exported = new List<Activity>();
        using var tracing = Tracing(exported);
        var trace = ActivityTraceId.CreateRandom();
        var store = new InMemoryOrchestrationStore();
        await using (var first = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, store: store, workflows: [NotifyOnPass()]).StartAsync())
        {
            first.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
            await first.PublishAndWaitAsync(EngineTestHost.Passed("L-2", "p2") with { TraceParent = $"00-{trace}-{ActivitySpanId.CreateRandom()}-01" });
            first.Plant.Notification.Sent.Should().BeEmpty();
        }

        await using var second = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, store: store, workflows: [NotifyOnPass()]).StartAsync();
        await TestWorkflows.AdvanceUntilAsync(second, () => second.Plant.Notification.Sent.Count == 1, Step);
        tracing.ForceFlush();

        var spans = exported.Where(a => a.TraceId == trace).ToList();
        var notify = spans.Should().ContainSingle(a => a.DisplayName == "notify-on-pass notify").Subject;
        var attempts = spans.Where(a => a.DisplayName == CommandKinds.NotificationSend).OrderBy(a => a.StartTimeUtc).ToList();
        attempts.Select(a => a.ParentSpanId).Should().Equal(notify.SpanId, notify.SpanId);
        attempts.Select(a => a.GetTagItem("mo.outcome")).Should().Equal("transient_failure", "succeeded");
        (await store.ReadCommandsCausedByAsync(new EventKey(EngineTestHost.Passed("L-2", "p2").Source, "p2"), EngineTestHost.Ct))
            .Should().ContainSingle().Which.TraceParent.Should().Be(notify.Id);
    }

    [Fact]
    public async Task EventWithoutTraceparent_ProcessedInTheTraceOfItsPublication()
    {
        var exported = new List<Activity>();
        using var tracing = Tracing(exported);
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [NotifyOnPass()]).StartAsync();

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-3", "p3"));
        tracing.ForceFlush();

        var publish = exported.Should().ContainSingle(a => a.DisplayName == "publish " + EventTypes.InspectionPassed && Equals(a.GetTagItem("messaging.message.id"), "p3")).Subject;
        var process = exported.Should().ContainSingle(a => a.DisplayName == "process " + EventTypes.InspectionPassed && Equals(a.GetTagItem("messaging.message.id"), "p3")).Subject;
        process.TraceId.Should().Be(publish.TraceId);
        process.ParentSpanId.Should().Be(publish.SpanId);
    }

    private static TracerProvider Tracing(List<Activity> exported) =>
        Sdk.CreateTracerProviderBuilder().AddSource(OrchestrationTelemetry.Name).AddInMemoryExporter(exported).Build()!;
}

/// <summary>The tests that listen to the orchestrator's spans: run after the others, one at a time.</summary>
[CollectionDefinition(nameof(TracingCollection), DisableParallelization = true)]
public sealed class TracingCollection;
