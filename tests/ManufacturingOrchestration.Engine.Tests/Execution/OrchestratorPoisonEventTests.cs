using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorPoisonEventTests
{
    [Fact]
    public async Task StepThrows_EventDeadLetteredKeyParkedHostKeepsRunning()
    {
        var poison = new PoisonSwitch();
        await using var host = await StartAsync(poison);

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"), TestWorkflows.Signal("a", "a2"), TestWorkflows.Signal("b", "b1"));

        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        deadLetter.Event.Should().Be(new EventKey(TestWorkflows.Source, "a1"));
        deadLetter.Command.Should().BeNull();
        deadLetter.ReasonCode.Should().Be(ReasonCodes.StepFailed);
        deadLetter.Message.Should().Contain("InvalidOperationException").And.Contain("bad data in a1");
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("a1", "a2");
        (await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct)).Should().ContainSingle().Which.Action.Should().Be("step-failed");
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");

        host.Orchestrator.IsRunning.Should().BeTrue();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("b", "b2"), TestWorkflows.Signal("a", "a3"));
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1", "b2");
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty("the parked key's new events wait too");
    }

    [Fact]
    public async Task Replay_AfterTheStepIsFixed_EventRunsAgainThenWaitingEventsInOrder()
    {
        var poison = new PoisonSwitch();
        await using var host = await StartAsync(poison);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"), TestWorkflows.Signal("a", "a2"));
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);

        poison.Failing = false;
        var result = await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Replay, "mapping fixed"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue(result.ToString());
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2");
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct);
        audit.Select(r => r.Action).Should().Equal("step-failed", "operator-replay", "processed", "processed");
        audit[1].Actor.Should().Be(EngineTestHost.OperatorId.Value);
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.IsParked.Should().BeFalse();
    }

    [Fact]
    public async Task Replay_StepStillThrows_DeadLettersAgain()
    {
        var poison = new PoisonSwitch();
        await using var host = await StartAsync(poison);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);

        (await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Replay, "try"))).Succeeded.Should().BeTrue();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        (await OrchestratorDeadLetterTests.SingleOpenAsync(host)).Event.Should().Be(deadLetter.Event);
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.IsParked.Should().BeTrue();
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
    }

    [Fact]
    public async Task Skip_PoisonEventDroppedWithReasonWaitingEventsRun()
    {
        var poison = new PoisonSwitch();
        await using var host = await StartAsync(poison);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"), TestWorkflows.Signal("a", "a2"));
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);

        var result = await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Skip, "test event from a sandbox"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue();
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a2");
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
        var skip = (await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct)).Should().ContainSingle(r => r.Action == "operator-skip").Subject;
        skip.Reason.Should().StartWith("test event from a sandbox");
        skip.Event.Should().Be(deadLetter.Event);
    }

    private static Task<EngineTestHost> StartAsync(PoisonSwitch poison) =>
        TestWorkflows.NotifyHost(before: ctx =>
        {
            if (poison.Failing && ctx.EventKey.Id == "a1")
            {
                throw new InvalidOperationException("bad data in a1");
            }
        }).StartAsync();

    private sealed class PoisonSwitch
    {
        public bool Failing { get; set; } = true;
    }
}
