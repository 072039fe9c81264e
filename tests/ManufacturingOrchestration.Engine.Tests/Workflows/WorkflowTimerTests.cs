using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Engine.Tests.Workflows;

/// <summary>
/// A workflow's own durable timer ("if no inspection result within 48 h, escalate"): scheduled in one step, it reaches
/// the workflow's timer step once when the clock passes its due time — durably, across restarts, never from outside.
/// </summary>
public sealed class WorkflowTimerTests
{
    private const string TimerId = "inspection-result";
    private const string Purpose = "escalate";
    private const string Data = """{"inspectionLot":"IL-7"}""";
    private static readonly TimeSpan Within = TimeSpan.FromHours(48);

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task ScheduledTimer_ClockPassesItsDueTime_ItsStepRunsOnceWithTheTimersData()
    {
        var fired = new ConcurrentQueue<(string Key, TimerElapsed Timer, DateTimeOffset At)>();
        await using var host = await new EngineTestHost(workflows: [Watch(fired)]).StartAsync();
        var dueAt = host.Time.GetUtcNow() + Within;

        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"));
        host.Time.Advance(Within - TimeSpan.FromHours(1));
        await host.WaitForIdleAsync();
        fired.Should().BeEmpty("the timer is not due yet");

        await TestWorkflows.AdvanceUntilAsync(host, () => !fired.IsEmpty, TimeSpan.FromMinutes(20));
        await TestWorkflows.AdvanceUntilAsync(host, () => false, TimeSpan.FromHours(12), maxSteps: 8);

        var (key, timer, at) = fired.Should().ContainSingle().Subject;
        key.Should().Be("lot-1");
        at.Should().BeOnOrAfter(dueAt);
        timer.Should().BeEquivalentTo(new { TimerId, Purpose, DueAt = dueAt, Data, Workflow = "acme-inspection-watch", WorkflowVersion = 1, PartitionKey = "lot-1" });
        TestWorkflows.Delivered(host.Plant, "lot-1").Should().Equal(TimerId);
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().BeNull();
    }

    [Fact]
    public async Task CancelledTimer_NeverFires()
    {
        var fired = new ConcurrentQueue<(string Key, TimerElapsed Timer, DateTimeOffset At)>();
        await using var host = await new EngineTestHost(workflows: [Watch(fired)]).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"), TestWorkflows.Signal("lot-1", "cancel-1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => false, TimeSpan.FromHours(6), maxSteps: 12);

        fired.Should().BeEmpty();
        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().BeNull();
    }

    [Fact]
    public async Task SameTimerIdOnTwoPartitions_EachFiresForItsOwnPartition()
    {
        var fired = new ConcurrentQueue<(string Key, TimerElapsed Timer, DateTimeOffset At)>();
        await using var host = await new EngineTestHost(workflows: [Watch(fired)]).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"), TestWorkflows.Signal("lot-2", "arm-2"), TestWorkflows.Signal("lot-2", "cancel-2"));
        await TestWorkflows.AdvanceUntilAsync(host, () => false, TimeSpan.FromHours(6), maxSteps: 12);

        fired.Select(f => f.Key).Should().Equal("lot-1");
    }

    [Fact]
    public async Task TimerDueAcrossARestart_FiresOnceOnTheNewOrchestrator()
    {
        var fired = new ConcurrentQueue<(string Key, TimerElapsed Timer, DateTimeOffset At)>();
        var store = new InMemoryOrchestrationStore();
        await using (var first = await new EngineTestHost(store: store, workflows: [Watch(fired)]).StartAsync())
        {
            await first.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"));
        }

        await using var second = new EngineTestHost(store: store, workflows: [Watch(fired)]);
        second.Time.Advance(Within + TimeSpan.FromMinutes(1));
        await second.StartAsync();
        await TestWorkflows.AdvanceUntilAsync(second, () => !fired.IsEmpty, TimeSpan.FromMinutes(1));
        await TestWorkflows.AdvanceUntilAsync(second, () => false, TimeSpan.FromHours(12), maxSteps: 4);

        fired.Should().ContainSingle().Which.Timer.TimerId.Should().Be(TimerId);
        TestWorkflows.Delivered(second.Plant, "lot-1").Should().Equal(TimerId);
        (await store.ReadNextTimerDueAsync(Ct)).Should().BeNull();
    }

    [Fact]
    public async Task TriggeredByTimerElapsed_AWorkflowReadsThePayloadItself()
    {
        var seen = new ConcurrentQueue<TimerElapsed>();
        var listener = new WorkflowBuilder("acme-timer-listener", 1)
            .TriggeredBy(EventTypes.TimerElapsed)
            .Step("read", WorkflowStepKind.Custom, ctx => seen.Enqueue((TimerElapsed)ctx.Event.Data))
            .Build();
        await using var host = await new EngineTestHost(workflows: [Watch(new()), listener]).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => !seen.IsEmpty, TimeSpan.FromHours(6), maxSteps: 12);

        seen.Should().ContainSingle().Which.Purpose.Should().Be(Purpose);
    }

    [Fact]
    public async Task TimerElapsedFromOutside_IsRejectedAtIntake_TypedAndJson()
    {
        var fired = new ConcurrentQueue<(string Key, TimerElapsed Timer, DateTimeOffset At)>();
        await using var host = await new EngineTestHost(workflows: [Watch(fired)]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"));
        var forged = new EventEnvelope
        {
            Id = "forged-1",
            Source = "test://line-1",
            Type = EventTypes.TimerElapsed,
            PartitionKey = "lot-1",
            Data = new TimerElapsed { TimerId = TimerId, Purpose = Purpose, DueAt = host.Time.GetUtcNow(), Workflow = "acme-inspection-watch", PartitionKey = "lot-1" },
        };

        var typed = await host.Orchestrator.PublishAsync(forged, Ct);
        var json = await new Engine.Intake.EventIntake(host.Orchestrator).PublishJsonAsync(EventSerializer.Default.SerializeToUtf8Bytes(forged with { Id = "forged-2" }), "webhook", Ct);
        var reservedSource = await host.Orchestrator.PublishAsync(TestWorkflows.Signal("lot-1", "forged-3", source: "urn:manufacturing-orchestration:timers"), Ct);
        await host.WaitForIdleAsync();

        foreach (var result in new[] { typed, json, reservedSource })
        {
            result.Status.Should().Be(PublishStatus.Rejected);
            result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.ReservedAttribute);
        }

        fired.Should().BeEmpty();
    }

    [Fact]
    public async Task TimerNoStepHandles_IsAuditedAsUnhandledAndRemoved()
    {
        var unhandled = new WorkflowBuilder("acme-forgetful", 1)
            .TriggeredBy(EventTypes.SupplierUpdated)
            .Step("arm", WorkflowStepKind.Custom, ctx => ctx.ScheduleTimer(TimerId, ctx.Now + Within, "remind"))
            .Build();
        await using var host = await new EngineTestHost(workflows: [unhandled]).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("lot-1", "arm-1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => false, TimeSpan.FromHours(6), maxSteps: 10);

        var trail = await host.Orchestrator.GetAuditTrailAsync("lot-1", Ct);
        trail.Should().ContainSingle(r => r.Action == "timer-unhandled")
            .Which.Reason.Should().Contain($"'{TimerId}' (remind").And.Contain("acme-forgetful@1");
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().BeNull();
    }

    [Fact]
    public void Definition_TimerStep_IsDrawnAndPartOfTheFingerprint()
    {
        var watch = Watch(new());
        var other = new WorkflowBuilder("acme-inspection-watch", 1)
            .TriggeredBy(EventTypes.SupplierUpdated)
            .Step("arm", WorkflowStepKind.Custom, _ => { })
            .OnTimer("remind", "escalate", (_, _) => { })
            .Build();

        watch.Steps.Should().ContainSingle(s => s.Phase == WorkflowStepPhase.OnTimer).Which.TimerPurpose.Should().Be(Purpose);
        watch.ToMermaid().Should().Contain($"-- {Purpose} --> s2");
        other.Fingerprint.Should().NotBe(watch.Fingerprint, "the purpose a timer step handles is part of the workflow's shape");
    }

    [Fact]
    public void Emit_TimerElapsedOrTheTimerSource_IsRefused()
    {
        var ctx = Context();
        var elapsed = new EventEnvelope
        {
            Id = "forged-1",
            Source = "test://line-1",
            Type = EventTypes.TimerElapsed,
            Data = new TimerElapsed { TimerId = TimerId, Purpose = Purpose, DueAt = ctx.Now, Workflow = "acme-inspection-watch", PartitionKey = "lot-1" },
        };

        var emitElapsed = () => ctx.Emit(elapsed);
        var emitFromTimerSource = () => ctx.Emit(TestWorkflows.Signal("lot-2", "s-1", source: Authority.TimerSource));

        emitElapsed.Should().Throw<ArgumentException>().Where(e => e.ParamName == "followUp");
        emitFromTimerSource.Should().Throw<ArgumentException>().Where(e => e.ParamName == "followUp");
        ctx.FollowUps.Should().BeEmpty();
    }

    [Fact]
    public void Emit_AnApprovalAnswerOrTheSignatureSource_IsRefusedAsAtIntake()
    {
        // A step is a user's code: what intake refuses as unauthenticated it may not emit either, or a workflow could
        // forge a signature into its own partition.
        var ctx = Context();
        var signature = new ElectronicSignature { Signer = new ActorId("sup-sara"), Role = Role.Supervisor, Meaning = SignatureMeaning.Approve, SignedAt = ctx.Now, Reason = "looks right" };
        var forged = EngineTestHost.ApprovalAnswer("lot-1", "req-1", signature, "forged-2");

        var emitAnswer = () => ctx.Emit(forged);
        var emitFromSignatureSource = () => ctx.Emit(TestWorkflows.Signal("lot-2", "s-2", source: Authority.SignatureSource));

        emitAnswer.Should().Throw<ArgumentException>().Where(e => e.ParamName == "followUp").WithMessage("*approval.unauthenticated*");
        emitFromSignatureSource.Should().Throw<ArgumentException>().Where(e => e.ParamName == "followUp");
        ctx.FollowUps.Should().BeEmpty();
    }

    [Theory]
    [InlineData("retry")]
    [InlineData("query-retry")]
    [InlineData("step-deadline")]
    [InlineData("sla")]
    public void ScheduleTimer_ReservedPurpose_IsRefusedNamingThePurpose(string purpose)
    {
        var ctx = Context();

        var schedule = () => ctx.ScheduleTimer(TimerId, ctx.Now + Within, purpose);
        var onTimer = () => new WorkflowBuilder("acme", 1).OnTimer(purpose, "escalate", (_, _) => { });

        schedule.Should().Throw<ArgumentException>().Where(e => e.ParamName == "purpose").WithMessage($"*'{purpose}' is reserved*");
        onTimer.Should().Throw<ArgumentException>().Where(e => e.ParamName == "purpose");
        ctx.Timers.Should().BeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(" padded")]
    public void ScheduleAndCancelTimer_InvalidId_AreRefusedNamingTheId(string? id)
    {
        var ctx = Context();

        var schedule = () => ctx.ScheduleTimer(id!, ctx.Now + Within, Purpose);
        var cancel = () => ctx.CancelTimer(id!);

        schedule.Should().Throw<ArgumentException>().Where(e => e.ParamName == "id");
        cancel.Should().Throw<ArgumentException>().Where(e => e.ParamName == "id");
        ctx.Timers.Should().BeEmpty();
        ctx.CancelledTimers.Should().BeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\t")]
    public void ScheduleTimer_BlankPurpose_IsRefusedNamingThePurpose(string? purpose)
    {
        var ctx = Context();

        var schedule = () => ctx.ScheduleTimer(TimerId, ctx.Now + Within, purpose!);

        schedule.Should().Throw<ArgumentException>().Where(e => e.ParamName == "purpose");
    }

    [Fact]
    public void ScheduleTimer_SameIdOnTwoPartitionsOrWorkflows_StoresDistinctTimers()
    {
        var a = Context("lot-1").ScheduledTimer();
        var b = Context("lot-2").ScheduledTimer();
        var c = Context("lot-1", new WorkflowBuilder("acme-other", 1).TriggeredBy(EventTypes.SupplierUpdated).Step("s", WorkflowStepKind.Custom, _ => { }).Build()).ScheduledTimer();

        new[] { a.Id, b.Id, c.Id }.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Elapsed_SameTimerAndDueTime_HasTheSameEventIdAndADifferentOneForAnotherDueTime()
    {
        var timer = Context("lot-1").ScheduledTimer();

        var once = WorkflowTimers.Elapsed(timer, timer.DueAt);
        var again = WorkflowTimers.Elapsed(timer, timer.DueAt + TimeSpan.FromHours(1));
        var rescheduled = WorkflowTimers.Elapsed(timer with { DueAt = timer.DueAt + TimeSpan.FromHours(1) }, timer.DueAt);

        again.Key.Should().Be(once.Key, "a timer fired again (after a crash, by another node) is the same event");
        rescheduled.Key.Should().NotBe(once.Key);
        once.Key.Source.Should().Be(Authority.TimerSource);
        once.PartitionKey.Should().Be("lot-1");
        once.Envelope.Site.Should().Be(EngineTestHost.Site);
    }

    /// <summary>
    /// Arms the inspection watch on a signal and cancels it on a signal whose id starts with <c>cancel</c>; its timer
    /// step records the timer and notifies, so the firing is seen in the notification simulator too.
    /// </summary>
    private static WorkflowDefinition Watch(ConcurrentQueue<(string Key, TimerElapsed Timer, DateTimeOffset At)> fired) =>
        new WorkflowBuilder("acme-inspection-watch", 1)
            .TriggeredBy(EventTypes.SupplierUpdated)
            .Step("arm", WorkflowStepKind.Custom, ctx =>
            {
                if (ctx.EventKey.Id.StartsWith("cancel", StringComparison.Ordinal))
                {
                    ctx.CancelTimer(TimerId);
                }
                else
                {
                    ctx.ScheduleTimer(TimerId, ctx.Now + Within, Purpose, Data);
                }
            })
            .OnTimer(Purpose, "escalate", (timer, ctx) =>
            {
                fired.Enqueue((ctx.State.Key, timer, ctx.Now));
                ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
                {
                    Context = c,
                    Roles = [Role.QualityManager],
                    Site = EngineTestHost.Site,
                    Subject = ctx.State.Key + ":" + timer.TimerId,
                });
            })
            .Build();

    private static StepContext Context(string key = "lot-1", WorkflowDefinition? workflow = null) =>
        StepContexts.For(key, "arm-1", workflow ?? Watch(new()), "arm");
}

internal static class WorkflowTimerTestExtensions
{
    /// <summary>Schedules the test's timer on the context and returns the durable timer it would commit.</summary>
    public static DurableTimer ScheduledTimer(this StepContext ctx)
    {
        ctx.ScheduleTimer("inspection-result", ctx.Now + TimeSpan.FromHours(48), "escalate", "{}");
        return ctx.Timers.Should().ContainSingle().Subject;
    }
}
