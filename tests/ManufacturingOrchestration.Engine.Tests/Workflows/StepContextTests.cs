using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Storage;
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

    private static SendNotificationRequest Notification(CommandContext c) =>
        new() { Context = c, Roles = [Role.QualityEngineer], Site = new SiteId("plant-1"), Subject = "s" };

    private static StepContext Context()
    {
        var envelope = TestWorkflows.Signal("k-1", "e-1");
        return new StepContext(
            envelope,
            new EventKey(envelope.Source, envelope.Id),
            new PartitionState { Key = "k-1" },
            TestWorkflows.Notify(),
            new AdapterSet(),
            TimeProvider.System,
            new ApprovalOptions())
        {
            CurrentStep = "notify",
        };
    }
}
