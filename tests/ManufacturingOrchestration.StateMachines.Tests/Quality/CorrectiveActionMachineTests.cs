using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines.Tests.Quality;

public sealed class CorrectiveActionMachineTests
{
    private static readonly ActorId Engineer = new("qe-anna");

    private static CorrectiveAction CreateSut(CorrectiveActionKind kind, CorrectiveActionStage? stage = null) => new()
    {
        Id = new CorrectiveActionId("CA-1"),
        Kind = kind,
        Stage = stage ?? CorrectiveActionStages.First(kind),
        Supplier = kind == CorrectiveActionKind.Scar ? new SupplierId("SUP-1") : null,
        Nonconformances = [new NonconformanceId("NC-1")],
        Lots = [new LotId("LOT-1")],
    };

    private static CorrectiveAction Add(CorrectiveAction action, string name, bool mandatory) =>
        CorrectiveActionMachine.Fire(action, CorrectiveActionTrigger.AddActivity, new CorrectiveActionTriggerArgs { ActivityName = name, IsMandatory = mandatory }).GetValueOrThrow();

    private static TransitionResult<CorrectiveAction> Close(CorrectiveAction action, string name, ActorId? actor = null) =>
        CorrectiveActionMachine.Fire(action, CorrectiveActionTrigger.CloseActivity, new CorrectiveActionTriggerArgs { ActivityName = name, Actor = actor ?? Engineer });

    private static TransitionResult<CorrectiveAction> Advance(CorrectiveAction action) =>
        CorrectiveActionMachine.Fire(action, CorrectiveActionTrigger.Advance, CorrectiveActionTriggerArgs.None);

    public static TheoryData<CorrectiveActionKind, CorrectiveActionStage[]> ForwardPaths => new()
    {
        { CorrectiveActionKind.Scar, [CorrectiveActionStage.Issued, CorrectiveActionStage.Containment, CorrectiveActionStage.RootCause, CorrectiveActionStage.CorrectiveAction, CorrectiveActionStage.Verification, CorrectiveActionStage.Closed] },
        { CorrectiveActionKind.EightD, [CorrectiveActionStage.D0, CorrectiveActionStage.D1, CorrectiveActionStage.D2, CorrectiveActionStage.D3, CorrectiveActionStage.D4, CorrectiveActionStage.D5, CorrectiveActionStage.D6, CorrectiveActionStage.D7, CorrectiveActionStage.D8, CorrectiveActionStage.Closed] },
        { CorrectiveActionKind.Capa, [CorrectiveActionStage.Identify, CorrectiveActionStage.Investigate, CorrectiveActionStage.Plan, CorrectiveActionStage.Implement, CorrectiveActionStage.Verify, CorrectiveActionStage.Closed] },
    };

    [Theory]
    [MemberData(nameof(ForwardPaths))]
    public void Advance_FromTheFirstStage_WalksEveryStageOfTheKindInOrderThenRefusesPastClosed(CorrectiveActionKind kind, CorrectiveActionStage[] expected)
    {
        var action = CreateSut(kind);
        var visited = new List<CorrectiveActionStage> { action.Stage };
        while (action.Stage != CorrectiveActionStage.Closed)
        {
            // A mandatory activity in every stage, closed before advancing.
            action = Add(action, $"work in {action.Stage}", mandatory: true);
            action = Close(action, $"work in {action.Stage}").GetValueOrThrow();
            action = Advance(action).GetValueOrThrow();
            visited.Add(action.Stage);
        }

        visited.Should().Equal(expected);
        action.Version.Should().Be(3 * (expected.Length - 1));
        action.Activities.Should().HaveCount(expected.Length - 1).And.OnlyContain(a => a.IsClosed && a.ClosedBy == Engineer);

        var past = Advance(action);
        past.IsAccepted.Should().BeFalse();
        past.Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionClosed);
        past.Rejection.PermittedTriggers.Should().Equal(nameof(CorrectiveActionTrigger.Reopen));
    }

    [Theory]
    [InlineData(CorrectiveActionKind.Scar, CorrectiveActionStage.RootCause, CorrectiveActionStage.Containment)]
    [InlineData(CorrectiveActionKind.Scar, CorrectiveActionStage.Closed, CorrectiveActionStage.Issued)]
    [InlineData(CorrectiveActionKind.EightD, CorrectiveActionStage.D5, CorrectiveActionStage.D3)]
    [InlineData(CorrectiveActionKind.Capa, CorrectiveActionStage.Verify, CorrectiveActionStage.Identify)]
    public void MoveTo_AnEarlierStage_IsRefusedAsBackward(CorrectiveActionKind kind, CorrectiveActionStage from, CorrectiveActionStage to)
    {
        var action = CreateSut(kind, from);

        var result = CorrectiveActionMachine.MoveTo(action, to);

        result.IsAccepted.Should().BeFalse();
        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionStageBackward);
        result.Rejection.CurrentState.Should().Be(from.ToString());
    }

    [Fact]
    public void MoveTo_TheNextStage_Advances_AndASkippedStageIsRefused()
    {
        var action = CreateSut(CorrectiveActionKind.Scar);

        CorrectiveActionMachine.MoveTo(action, CorrectiveActionStage.RootCause).Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionStageSkipped);
        CorrectiveActionMachine.MoveTo(action, CorrectiveActionStage.D1).Rejection!.ReasonCode.Should().Be(ReasonCodes.TransitionNotPermitted);
        CorrectiveActionMachine.MoveTo(action, CorrectiveActionStage.Containment).GetValueOrThrow().Stage.Should().Be(CorrectiveActionStage.Containment);
    }

    [Fact]
    public void Advance_WithAnOpenMandatoryActivity_IsRefusedNamingIt_AndAllowedOnceItIsClosed()
    {
        var action = CreateSut(CorrectiveActionKind.Scar, CorrectiveActionStage.Containment);
        action = Add(action, "Sort suspect stock at customer", mandatory: true);
        action = Add(action, "Notify the buyer", mandatory: false);

        var refused = Advance(action);

        refused.IsAccepted.Should().BeFalse();
        refused.Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionMandatoryActivityOpen);
        refused.Rejection.Message.Should().Contain("Sort suspect stock at customer");
        refused.Rejection.PermittedTriggers.Should().NotContain(nameof(CorrectiveActionTrigger.Advance));

        var closed = Close(action, "Sort suspect stock at customer").GetValueOrThrow();
        var advanced = Advance(closed).GetValueOrThrow();

        advanced.Stage.Should().Be(CorrectiveActionStage.RootCause);
        advanced.Activities.Single(a => a.Name == "Notify the buyer").IsClosed.Should().BeFalse("an optional activity does not hold the stage");
    }

    [Fact]
    public void Advance_MandatoryActivityOfAnEarlierStageReached_DoesNotHoldTheCurrentStage()
    {
        // Mandatory activities hold only their own stage: one left open in a stage the case has already left (added
        // by a migration, say) does not block the next advance.
        var action = CreateSut(CorrectiveActionKind.EightD, CorrectiveActionStage.D4) with
        {
            Activities = [new CorrectiveActionActivity { Name = "Team charter", Stage = CorrectiveActionStage.D1, IsMandatory = true }],
        };

        Advance(action).GetValueOrThrow().Stage.Should().Be(CorrectiveActionStage.D5);
    }

    [Fact]
    public void CloseActivity_UnknownOrAlreadyClosedOrWithoutActor_IsRefused()
    {
        var action = Add(CreateSut(CorrectiveActionKind.Capa), "Describe the problem", mandatory: true);

        Close(action, "Nothing of that name").Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionActivityUnknown);
        CorrectiveActionMachine.Fire(action, CorrectiveActionTrigger.CloseActivity, new CorrectiveActionTriggerArgs { ActivityName = "Describe the problem" })
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.Required);

        var closed = Close(action, "Describe the problem").GetValueOrThrow();
        Close(closed, "Describe the problem").Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionActivityUnknown);
    }

    [Fact]
    public void AddActivity_NameTakenInTheStageOrMissing_IsRefused_AndAClosedCaseTakesNone()
    {
        var action = Add(CreateSut(CorrectiveActionKind.Scar), "Acknowledge", mandatory: true);

        CorrectiveActionMachine.Fire(action, CorrectiveActionTrigger.AddActivity, new CorrectiveActionTriggerArgs { ActivityName = "Acknowledge" })
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionActivityExists);
        CorrectiveActionMachine.Fire(action, CorrectiveActionTrigger.AddActivity, new CorrectiveActionTriggerArgs { ActivityName = " " })
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.Required);
        CorrectiveActionMachine.Fire(CreateSut(CorrectiveActionKind.Scar, CorrectiveActionStage.Closed), CorrectiveActionTrigger.AddActivity, new CorrectiveActionTriggerArgs { ActivityName = "Late" })
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.CorrectiveActionClosed);
    }

    [Theory]
    [InlineData(CorrectiveActionKind.Scar, CorrectiveActionStage.Verification)]
    [InlineData(CorrectiveActionKind.EightD, CorrectiveActionStage.D8)]
    [InlineData(CorrectiveActionKind.Capa, CorrectiveActionStage.Verify)]
    public void Reopen_AClosedCase_GoesBackToItsLastWorkingStageOnly(CorrectiveActionKind kind, CorrectiveActionStage lastWorking)
    {
        var reopened = CorrectiveActionMachine.Fire(CreateSut(kind, CorrectiveActionStage.Closed), CorrectiveActionTrigger.Reopen, CorrectiveActionTriggerArgs.None);

        reopened.GetValueOrThrow().Stage.Should().Be(lastWorking);
        reopened.Value!.Version.Should().Be(1);
        CorrectiveActionMachine.Fire(CreateSut(kind, lastWorking), CorrectiveActionTrigger.Reopen, CorrectiveActionTriggerArgs.None)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.TransitionNotPermitted);
    }

    [Fact]
    public void Fire_AStageOfAnotherKind_IsRefusedNotThrown()
    {
        var action = CreateSut(CorrectiveActionKind.Scar, CorrectiveActionStage.D3);

        Advance(action).Rejection!.ReasonCode.Should().Be(ReasonCodes.TransitionNotPermitted);
    }
}
