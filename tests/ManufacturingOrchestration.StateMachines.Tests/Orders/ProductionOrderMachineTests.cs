using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines.Tests.Orders;

public sealed class ProductionOrderMachineTests
{
    private static ProductionOrder CreateOrder(ProductionOrderStatus status, decimal confirmed = 0, ProductionOrderStatus? beforeHold = null) => new()
    {
        Id = new OrderId("PO-1"),
        Material = new MaterialId("ASSY-1"),
        Site = new SiteId("PLANT-1"),
        PlannedQuantity = Quantity.Each(100),
        Status = status,
        ConfirmedQuantity = confirmed,
        StatusBeforeHold = beforeHold,
        Version = 3,
    };

    private static readonly ProductionOrderTriggerArgs SomeYield = new() { Yield = Quantity.Each(10), Scrap = Quantity.Each(1) };

    public static TheoryData<ProductionOrderStatus, decimal, ProductionOrderTrigger, ProductionOrderStatus> Permitted => new()
    {
        { ProductionOrderStatus.Created, 0, ProductionOrderTrigger.Release, ProductionOrderStatus.Released },
        { ProductionOrderStatus.Created, 0, ProductionOrderTrigger.Change, ProductionOrderStatus.Created },
        { ProductionOrderStatus.Created, 0, ProductionOrderTrigger.Hold, ProductionOrderStatus.Held },
        { ProductionOrderStatus.Created, 0, ProductionOrderTrigger.Cancel, ProductionOrderStatus.Cancelled },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.Confirm, ProductionOrderStatus.InProgress },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.ConfirmFinal, ProductionOrderStatus.Completed },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.PostGoodsMovement, ProductionOrderStatus.Released },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.Change, ProductionOrderStatus.Released },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.Hold, ProductionOrderStatus.Held },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.Cancel, ProductionOrderStatus.Cancelled },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.TechnicallyComplete, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.Released, 0, ProductionOrderTrigger.Close, ProductionOrderStatus.Closed },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.Confirm, ProductionOrderStatus.InProgress },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.ConfirmFinal, ProductionOrderStatus.Completed },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.PostGoodsMovement, ProductionOrderStatus.InProgress },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.Change, ProductionOrderStatus.InProgress },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.Hold, ProductionOrderStatus.Held },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.TechnicallyComplete, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.InProgress, 20, ProductionOrderTrigger.Close, ProductionOrderStatus.Closed },
        { ProductionOrderStatus.Completed, 100, ProductionOrderTrigger.PostGoodsMovement, ProductionOrderStatus.Completed },
        { ProductionOrderStatus.Completed, 100, ProductionOrderTrigger.Change, ProductionOrderStatus.Completed },
        { ProductionOrderStatus.Completed, 100, ProductionOrderTrigger.TechnicallyComplete, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.Completed, 100, ProductionOrderTrigger.Close, ProductionOrderStatus.Closed },
        { ProductionOrderStatus.TechnicallyCompleted, 100, ProductionOrderTrigger.PostGoodsMovement, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.TechnicallyCompleted, 100, ProductionOrderTrigger.Confirm, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.TechnicallyCompleted, 100, ProductionOrderTrigger.ConfirmFinal, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.TechnicallyCompleted, 0, ProductionOrderTrigger.RevokeTechnicalCompletion, ProductionOrderStatus.Released },
        { ProductionOrderStatus.TechnicallyCompleted, 20, ProductionOrderTrigger.RevokeTechnicalCompletion, ProductionOrderStatus.InProgress },
        { ProductionOrderStatus.TechnicallyCompleted, 100, ProductionOrderTrigger.RevokeTechnicalCompletion, ProductionOrderStatus.Completed },
        { ProductionOrderStatus.TechnicallyCompleted, 100, ProductionOrderTrigger.Close, ProductionOrderStatus.Closed },
        { ProductionOrderStatus.Closed, 100, ProductionOrderTrigger.RevokeClose, ProductionOrderStatus.TechnicallyCompleted },
        { ProductionOrderStatus.Closed, 0, ProductionOrderTrigger.RevokeClose, ProductionOrderStatus.Released },
        { ProductionOrderStatus.Held, 0, ProductionOrderTrigger.ReleaseHold, ProductionOrderStatus.Released },
        { ProductionOrderStatus.Held, 0, ProductionOrderTrigger.Change, ProductionOrderStatus.Held },
        { ProductionOrderStatus.Held, 0, ProductionOrderTrigger.Cancel, ProductionOrderStatus.Cancelled },
    };

    [Theory]
    [MemberData(nameof(Permitted))]
    public void Fire_PermittedTrigger_MovesToExpectedStatusAndBumpsVersion(ProductionOrderStatus from, decimal confirmed, ProductionOrderTrigger trigger, ProductionOrderStatus expected)
    {
        var args = trigger is ProductionOrderTrigger.Confirm or ProductionOrderTrigger.ConfirmFinal ? SomeYield : ProductionOrderTriggerArgs.None;

        var result = ProductionOrderMachine.Fire(CreateOrder(from, confirmed), trigger, args);

        result.Rejection.Should().BeNull();
        result.Value!.Status.Should().Be(expected);
        result.Value.Version.Should().Be(4);
    }

    [Fact]
    public void Permitted_CoversEveryTransitionOfTheTable()
    {
        var info = ProductionOrderMachine.GetInfo();
        var table = info.States.SelectMany(s =>
            s.FixedTransitions.Select(t => ((ProductionOrderStatus)s.UnderlyingState, (ProductionOrderTrigger)t.Trigger.UnderlyingTrigger))
            .Concat(s.DynamicTransitions.Select(t => ((ProductionOrderStatus)s.UnderlyingState, (ProductionOrderTrigger)t.Trigger.UnderlyingTrigger))))
            .ToHashSet();
        var tested = Permitted.Select(row => (row.Data.Item1, row.Data.Item3)).ToHashSet();

        tested.Should().BeEquivalentTo(table);
    }

    public static TheoryData<ProductionOrderStatus, ProductionOrderTrigger, string> Forbidden => new()
    {
        { ProductionOrderStatus.Created, ProductionOrderTrigger.Confirm, ReasonCodes.OrderNotReleased.Code },
        { ProductionOrderStatus.Created, ProductionOrderTrigger.PostGoodsMovement, ReasonCodes.OrderNotReleased.Code },
        { ProductionOrderStatus.Created, ProductionOrderTrigger.Close, ReasonCodes.OrderNotReleased.Code },
        { ProductionOrderStatus.TechnicallyCompleted, ProductionOrderTrigger.Change, ReasonCodes.OrderTechnicallyCompleted.Code },
        { ProductionOrderStatus.Closed, ProductionOrderTrigger.PostGoodsMovement, ReasonCodes.OrderClosed.Code },
        { ProductionOrderStatus.Closed, ProductionOrderTrigger.Confirm, ReasonCodes.OrderClosed.Code },
        { ProductionOrderStatus.Held, ProductionOrderTrigger.Confirm, ReasonCodes.OrderHeld.Code },
        { ProductionOrderStatus.Held, ProductionOrderTrigger.PostGoodsMovement, ReasonCodes.OrderHeld.Code },
        { ProductionOrderStatus.Cancelled, ProductionOrderTrigger.Release, ReasonCodes.OrderCancelled.Code },
        { ProductionOrderStatus.Held, ProductionOrderTrigger.Close, ReasonCodes.TransitionNotPermitted.Code },
        { ProductionOrderStatus.InProgress, ProductionOrderTrigger.Cancel, ReasonCodes.TransitionNotPermitted.Code },
        { ProductionOrderStatus.Released, ProductionOrderTrigger.Cancel, ReasonCodes.OrderHasConfirmations.Code },
        { ProductionOrderStatus.Completed, ProductionOrderTrigger.Confirm, ReasonCodes.TransitionNotPermitted.Code },
        { ProductionOrderStatus.Released, ProductionOrderTrigger.RevokeClose, ReasonCodes.TransitionNotPermitted.Code },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Fire_ForbiddenTrigger_IsRejectedWithReasonAndPermittedTriggers(ProductionOrderStatus from, ProductionOrderTrigger trigger, string reason)
    {
        var result = ProductionOrderMachine.Fire(CreateOrder(from, 10), trigger, SomeYield);

        result.IsAccepted.Should().BeFalse();
        result.Value.Should().BeNull();
        result.Rejection!.ReasonCode.Code.Should().Be(reason);
        result.Rejection.CurrentState.Should().Be(from.ToString());
        result.Rejection.Trigger.Should().Be(trigger.ToString());
        result.Rejection.PermittedTriggers.Should().NotContain(trigger.ToString());
    }

    [Fact]
    public void Fire_CloseWithNonZeroBalance_IsRejected()
    {
        var result = ProductionOrderMachine.Fire(CreateOrder(ProductionOrderStatus.TechnicallyCompleted, 100), ProductionOrderTrigger.Close, new ProductionOrderTriggerArgs { OrderBalance = 12.5m });

        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.OrderBalanceNotZero);
    }

    [Theory]
    [InlineData(ProductionOrderStatus.InProgress, 20)]
    [InlineData(ProductionOrderStatus.Completed, 100)]
    public void Fire_CloseConfirmedOrderWithNonZeroBalance_IsRejected(ProductionOrderStatus status, int confirmed)
    {
        var result = ProductionOrderMachine.Fire(CreateOrder(status, confirmed), ProductionOrderTrigger.Close, new ProductionOrderTriggerArgs { OrderBalance = 3m });

        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.OrderBalanceNotZero);
    }

    [Fact]
    public void Fire_CancelAfterConfirmation_IsRejected()
    {
        var order = CreateOrder(ProductionOrderStatus.Held, 5, ProductionOrderStatus.InProgress);

        ProductionOrderMachine.Fire(order, ProductionOrderTrigger.Cancel, ProductionOrderTriggerArgs.None).Rejection!.ReasonCode.Should().Be(ReasonCodes.OrderHasConfirmations);
    }

    [Fact]
    public void Confirm_PartialThenFinal_AccumulatesQuantitiesAndStatus()
    {
        var order = CreateOrder(ProductionOrderStatus.Released);

        var partial = ProductionOrderMachine.Confirm(order, Quantity.Each(40), Quantity.Each(2), isFinal: false).GetValueOrThrow();
        var second = ProductionOrderMachine.Confirm(partial, Quantity.Each(30), null, isFinal: false).GetValueOrThrow();
        var final = ProductionOrderMachine.Confirm(second, Quantity.Each(28), Quantity.Each(1), isFinal: true).GetValueOrThrow();

        partial.Status.Should().Be(ProductionOrderStatus.InProgress);
        second.ConfirmedQuantity.Should().Be(70);
        final.Status.Should().Be(ProductionOrderStatus.Completed);
        final.ConfirmedQuantity.Should().Be(98);
        final.ScrapQuantity.Should().Be(3);
        final.Version.Should().Be(6);
    }

    [Fact]
    public void Confirm_InDifferentUnit_IsRejected()
    {
        var result = ProductionOrderMachine.Confirm(CreateOrder(ProductionOrderStatus.Released), new Quantity(1, UnitOfMeasure.Kilogram), null, false);

        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.UnitMismatch);
    }

    [Fact]
    public void Confirm_BeyondTheLargestQuantity_IsRejectedNotThrown()
    {
        var order = CreateOrder(ProductionOrderStatus.InProgress, decimal.MaxValue) with { ScrapQuantity = decimal.MaxValue };

        var byYield = ProductionOrderMachine.Confirm(order, Quantity.Each(1), null, false);
        var byScrap = ProductionOrderMachine.Confirm(order, Quantity.Each(0), Quantity.Each(1), true);

        byYield.Rejection!.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        byYield.Rejection.Message.Should().Contain("yield");
        byScrap.Rejection!.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        byScrap.Rejection.Message.Should().Contain("scrap");
    }

    [Fact]
    public void Fire_HoldThenReleaseHold_RestoresPreviousStatus()
    {
        var held = ProductionOrderMachine.Fire(CreateOrder(ProductionOrderStatus.InProgress, 20), ProductionOrderTrigger.Hold, ProductionOrderTriggerArgs.None).GetValueOrThrow();

        var resumed = ProductionOrderMachine.Fire(held, ProductionOrderTrigger.ReleaseHold, ProductionOrderTriggerArgs.None).GetValueOrThrow();

        held.StatusBeforeHold.Should().Be(ProductionOrderStatus.InProgress);
        resumed.Status.Should().Be(ProductionOrderStatus.InProgress);
        resumed.StatusBeforeHold.Should().BeNull();
    }

    [Fact]
    public void Fire_LateConfirmationOnTeco_UpdatesQuantityButKeepsStatus()
    {
        var result = ProductionOrderMachine.Fire(CreateOrder(ProductionOrderStatus.TechnicallyCompleted, 90), ProductionOrderTrigger.Confirm, SomeYield).GetValueOrThrow();

        result.Status.Should().Be(ProductionOrderStatus.TechnicallyCompleted);
        result.ConfirmedQuantity.Should().Be(100);
    }

    [Fact]
    public void GetValueOrThrow_OnRejection_ThrowsWithReasonCode()
    {
        var result = ProductionOrderMachine.Fire(CreateOrder(ProductionOrderStatus.Cancelled), ProductionOrderTrigger.Release, ProductionOrderTriggerArgs.None);

        var act = () => result.GetValueOrThrow();

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.OrderCancelled);
    }

    [Fact]
    public void Fire_NullArguments_ThrowArgumentNullException()
    {
        FluentActions.Invoking(() => ProductionOrderMachine.Fire(null!, ProductionOrderTrigger.Release, ProductionOrderTriggerArgs.None)).Should().Throw<ArgumentNullException>().WithParameterName("order");
        FluentActions.Invoking(() => ProductionOrderMachine.Fire(CreateOrder(ProductionOrderStatus.Created), ProductionOrderTrigger.Release, null!)).Should().Throw<ArgumentNullException>().WithParameterName("args");
    }
}
