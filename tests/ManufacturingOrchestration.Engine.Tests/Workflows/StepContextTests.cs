using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Workflows;

public sealed class StepContextTests
{
    [Fact]
    public void Plan_CreateReturnsNull_IsRefusedNamingTheStepAndKindAndPlansNothing()
    {
        var ctx = Context();

        var act = () => ctx.Plan<SendNotificationRequest>(CommandKinds.NotificationSend, _ => null!);

        act.Should().Throw<InvalidOperationException>().WithMessage($"Step 'notify' created no '{CommandKinds.NotificationSend}' command*");
        ctx.Commands.Should().BeEmpty();
    }

    [Fact]
    public void Plan_CompensationReturnsNull_IsRefusedInsteadOfDroppingTheCompensation()
    {
        var ctx = Context();

        var act = () => ctx.Plan(CommandKinds.NotificationSend, Notification, compensation: _ => null!);

        act.Should().Throw<InvalidOperationException>().WithMessage($"Step 'notify' created no compensation for its '{CommandKinds.NotificationSend}' command*");
        ctx.Commands.Should().BeEmpty();
    }

    [Fact]
    public async Task Plan_OnAContextKeptAfterItsWorkflowFinished_IsRefusedInsteadOfLost()
    {
        // A step that keeps its context (a background task, a captured closure) and plans later would plan into lists the
        // engine has already read: the command would never be sent, and nothing would say so.
        StepContext? kept = null;
        await using var host = await new EngineTestHost(workflows: [TestWorkflows.Notify(ctx => kept = ctx)]).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k-1", "e-1"));

        var plan = () => kept!.Plan(CommandKinds.NotificationSend, Notification);
        var schedule = () => kept!.ScheduleTimer("later", kept.Now.AddHours(1), "follow-up");
        var audit = () => kept!.Audit("late", "too late");

        plan.Should().Throw<InvalidOperationException>().WithMessage("*'notify'*finished*Plan*");
        schedule.Should().Throw<InvalidOperationException>();
        audit.Should().Throw<InvalidOperationException>();
        TestWorkflows.Delivered(host.Plant, "k-1").Should().Equal("e-1");
    }

    private static SendNotificationRequest Notification(CommandContext c) =>
        new() { Context = c, Roles = [Role.QualityEngineer], Site = new SiteId("plant-1"), Subject = "s" };

    private static StepContext Context() => StepContexts.For(step: "notify");
}
