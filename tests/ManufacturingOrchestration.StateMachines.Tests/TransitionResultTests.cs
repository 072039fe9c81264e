using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines.Tests;

public sealed class TransitionResultTests
{
    private static TransitionRejection Rejection() =>
        new(ReasonCodes.OrderHeld, "Confirm is not permitted in state Held", "Held", "Confirm", ["ReleaseHold", "Change"]);

    [Fact]
    public void TransitionRejection_KeepsWhatItWasGiven()
    {
        var rejection = Rejection();

        rejection.ReasonCode.Should().Be(ReasonCodes.OrderHeld);
        rejection.Message.Should().Be("Confirm is not permitted in state Held");
        rejection.CurrentState.Should().Be("Held");
        rejection.Trigger.Should().Be("Confirm");
        rejection.PermittedTriggers.Should().Equal("ReleaseHold", "Change");
        rejection.ToString().Should().Be("order.held: Confirm is not permitted in state Held");
    }

    [Theory]
    [InlineData(null, "Held", "Confirm", "message")]
    [InlineData(" ", "Held", "Confirm", "message")]
    [InlineData("Not now", null, "Confirm", "currentState")]
    [InlineData("Not now", "", "Confirm", "currentState")]
    [InlineData("Not now", "Held", null, "trigger")]
    [InlineData("Not now", "Held", "\t", "trigger")]
    public void TransitionRejection_BlankText_IsRefused(string? message, string? state, string? trigger, string parameter)
    {
        var create = () => new TransitionRejection(ReasonCodes.OrderHeld, message!, state!, trigger!, []);

        create.Should().Throw<ArgumentException>().WithParameterName(parameter);
    }

    [Fact]
    public void TransitionRejection_WithoutPermittedTriggers_IsRefused()
    {
        var create = () => new TransitionRejection(ReasonCodes.OrderHeld, "Not now", "Held", "Confirm", null!);

        create.Should().Throw<ArgumentNullException>().WithParameterName("permittedTriggers");
    }

    [Fact]
    public void Accepted_CarriesTheValueAndDescribesIt()
    {
        var result = TransitionResult<string>.Accepted("PO-1 released");

        result.IsAccepted.Should().BeTrue();
        result.Value.Should().Be("PO-1 released");
        result.Rejection.Should().BeNull();
        result.GetValueOrThrow().Should().Be("PO-1 released");
        result.ToString().Should().Be("Accepted: PO-1 released");
    }

    [Fact]
    public void Rejected_CarriesTheRejectionAndDescribesIt()
    {
        var result = TransitionResult<string>.Rejected(Rejection());

        result.IsAccepted.Should().BeFalse();
        result.Value.Should().BeNull();
        result.ToString().Should().Be("Rejected: order.held: Confirm is not permitted in state Held");
    }

    [Fact]
    public void AcceptedOrRejected_WithNull_IsRefused()
    {
        FluentActions.Invoking(() => TransitionResult<string>.Accepted(null!)).Should().Throw<ArgumentNullException>().WithParameterName("value");
        FluentActions.Invoking(() => TransitionResult<string>.Rejected(null!)).Should().Throw<ArgumentNullException>().WithParameterName("rejection");
    }
}
