using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines.Tests.Quality;

public sealed class QuarantineOrderMachineTests
{
    private static readonly StorageLocationId Regular = new("WH-MAIN");
    private static readonly StorageLocationId Quarantine = new("WH-QUAR");
    private static readonly ReasonCode WhyQuarantined = ReasonCode.Parse("qm.supplier-complaint");

    private static QuarantineOrder CreateSut(QuarantineOrderStatus status = QuarantineOrderStatus.Created, decimal quantity = 10, decimal scrapped = 0) =>
        new(new QuarantineOrderId("QO-1"), new LotId("LOT-1"), new MaterialId("CAP-100"), new SiteId("PLANT-1"), Quantity.Each(quantity), Regular, Quarantine)
        {
            Status = status,
            ScrappedQuantity = Quantity.Each(scrapped),
            ReasonCode = WhyQuarantined,
        };

    private static TransitionResult<QuarantineOrderStep> Fire(QuarantineOrder order, QuarantineOrderTrigger trigger) =>
        QuarantineOrderMachine.Fire(order, trigger, QuarantineOrderTriggerArgs.None);

    private static GoodsMovement Expected(MovementKind kind, decimal quantity, StockCategory? from, StorageLocationId? fromLocation, StockCategory? to, StorageLocationId? toLocation) => new()
    {
        Kind = kind,
        Lot = new LotId("LOT-1"),
        Material = new MaterialId("CAP-100"),
        Site = new SiteId("PLANT-1"),
        Quantity = Quantity.Each(quantity),
        FromCategory = from,
        FromLocation = fromLocation,
        ToCategory = to,
        ToLocation = toLocation,
        ReasonCode = WhyQuarantined,
    };

    [Fact]
    public void Fire_FullLifecycle_BlocksTheQuantityInQuarantineAndBringsItBackUnrestricted()
    {
        var created = CreateSut();

        var started = Fire(created, QuarantineOrderTrigger.Start).GetValueOrThrow();
        var finished = Fire(started.Order, QuarantineOrderTrigger.ReportAsFinished).GetValueOrThrow();
        var ended = Fire(finished.Order, QuarantineOrderTrigger.End).GetValueOrThrow();

        started.Order.Status.Should().Be(QuarantineOrderStatus.Started);
        started.Order.Version.Should().Be(1);
        started.Movements.Should().ContainSingle().Which.Should().BeEquivalentTo(
            Expected(MovementKind.CategoryTransfer, 10, StockCategory.Unrestricted, Regular, StockCategory.Blocked, Quarantine));

        finished.Order.Status.Should().Be(QuarantineOrderStatus.ReportedAsFinished);
        finished.Order.Version.Should().Be(2);
        finished.Movements.Should().BeEmpty("report as finished releases in status only; the stock is still in the quarantine warehouse");

        ended.Order.Status.Should().Be(QuarantineOrderStatus.Ended);
        ended.Order.Version.Should().Be(3);
        ended.Movements.Should().ContainSingle().Which.Should().BeEquivalentTo(
            Expected(MovementKind.CategoryTransfer, 10, StockCategory.Blocked, Quarantine, StockCategory.Unrestricted, Regular));
        ended.Order.ScrappedQuantity.Should().Be(Quantity.Each(0));
    }

    [Fact]
    public void Scrap_WhileStartedAndReportedAsFinished_ScrapsFromBlockedInQuarantine_AndEndReturnsOnlyWhatWasNotScrapped()
    {
        var started = Fire(CreateSut(), QuarantineOrderTrigger.Start).GetValueOrThrow().Order;

        var firstScrap = QuarantineOrderMachine.Scrap(started, Quantity.Each(3)).GetValueOrThrow();
        var finished = Fire(firstScrap.Order, QuarantineOrderTrigger.ReportAsFinished).GetValueOrThrow().Order;
        var secondScrap = QuarantineOrderMachine.Scrap(finished, Quantity.Each(2)).GetValueOrThrow();
        var ended = Fire(secondScrap.Order, QuarantineOrderTrigger.End).GetValueOrThrow();

        firstScrap.Order.Status.Should().Be(QuarantineOrderStatus.Started, "a scrap does not change the status");
        firstScrap.Order.ScrappedQuantity.Should().Be(Quantity.Each(3));
        firstScrap.Order.Version.Should().Be(2);
        firstScrap.Movements.Should().ContainSingle().Which.Should().BeEquivalentTo(
            Expected(MovementKind.Scrap, 3, StockCategory.Blocked, Quarantine, null, null));
        secondScrap.Order.Status.Should().Be(QuarantineOrderStatus.ReportedAsFinished);
        secondScrap.Order.ScrappedQuantity.Should().Be(Quantity.Each(5));
        secondScrap.Movements.Should().ContainSingle().Which.Should().BeEquivalentTo(
            Expected(MovementKind.Scrap, 2, StockCategory.Blocked, Quarantine, null, null));
        ended.Movements.Should().ContainSingle().Which.Should().BeEquivalentTo(
            Expected(MovementKind.CategoryTransfer, 5, StockCategory.Blocked, Quarantine, StockCategory.Unrestricted, Regular));
        ended.Order.ScrappedQuantity.Should().Be(Quantity.Each(5));
        ended.Order.Version.Should().Be(5);
    }

    [Fact]
    public void End_AfterEverythingWasScrapped_EndsWithoutMovingStock()
    {
        var started = Fire(CreateSut(), QuarantineOrderTrigger.Start).GetValueOrThrow().Order;
        var scrapped = QuarantineOrderMachine.Scrap(started, Quantity.Each(10)).GetValueOrThrow().Order;
        var finished = Fire(scrapped, QuarantineOrderTrigger.ReportAsFinished).GetValueOrThrow().Order;

        var ended = Fire(finished, QuarantineOrderTrigger.End).GetValueOrThrow();

        ended.Order.Status.Should().Be(QuarantineOrderStatus.Ended);
        ended.Movements.Should().BeEmpty("nothing is left in quarantine to move back");
    }

    [Theory]
    [InlineData(QuarantineOrderStatus.Started, 0, 10.5)]
    [InlineData(QuarantineOrderStatus.Started, 4, 6.001)]
    [InlineData(QuarantineOrderStatus.ReportedAsFinished, 10, 1)]
    public void Scrap_MoreThanRemainsInQuarantine_IsRefusedAsInsufficientQuantity(QuarantineOrderStatus status, decimal scrapped, decimal scrap)
    {
        var order = CreateSut(status, scrapped: scrapped);

        var result = QuarantineOrderMachine.Scrap(order, Quantity.Each(scrap));

        result.IsAccepted.Should().BeFalse();
        result.Rejection!.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        result.Rejection.CurrentState.Should().Be(status.ToString());
        result.Rejection.PermittedTriggers.Should().NotContain(nameof(QuarantineOrderTrigger.Scrap));
    }

    [Fact]
    public void Scrap_ExactlyWhatRemains_IsAccepted()
    {
        var order = CreateSut(QuarantineOrderStatus.Started, scrapped: 4);

        var result = QuarantineOrderMachine.Scrap(order, Quantity.Each(6)).GetValueOrThrow();

        result.Order.ScrappedQuantity.Should().Be(Quantity.Each(10));
        result.Order.RemainingQuantity.IsZero.Should().BeTrue();
    }

    [Fact]
    public void Scrap_MissingZeroOrForeignUnitQuantity_IsRefusedNamingWhatIsWrong()
    {
        var order = CreateSut(QuarantineOrderStatus.Started);

        QuarantineOrderMachine.Fire(order, QuarantineOrderTrigger.Scrap, QuarantineOrderTriggerArgs.None)
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.Required);
        QuarantineOrderMachine.Scrap(order, Quantity.Each(0))
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.NonPositiveQuantity);
        QuarantineOrderMachine.Scrap(order, new Quantity(1, UnitOfMeasure.Kilogram))
            .Rejection!.ReasonCode.Should().Be(ReasonCodes.UnitMismatch);
    }

    public static TheoryData<QuarantineOrderStatus, QuarantineOrderTrigger, string> Refused => new()
    {
        // Skipped statuses.
        { QuarantineOrderStatus.Created, QuarantineOrderTrigger.ReportAsFinished, "quarantine-order.status-skipped" },
        { QuarantineOrderStatus.Created, QuarantineOrderTrigger.End, "quarantine-order.status-skipped" },
        { QuarantineOrderStatus.Started, QuarantineOrderTrigger.End, "quarantine-order.status-skipped" },

        // Backward, or to the status it is in.
        { QuarantineOrderStatus.ReportedAsFinished, QuarantineOrderTrigger.Start, "quarantine-order.status-backward" },
        { QuarantineOrderStatus.Started, QuarantineOrderTrigger.Start, "state.transition-not-permitted" },
        { QuarantineOrderStatus.ReportedAsFinished, QuarantineOrderTrigger.ReportAsFinished, "state.transition-not-permitted" },

        // Scrap before anything is in quarantine; cancel after the stock moved.
        { QuarantineOrderStatus.Created, QuarantineOrderTrigger.Scrap, "quarantine-order.not-started" },
        { QuarantineOrderStatus.Started, QuarantineOrderTrigger.Cancel, "quarantine-order.started" },
        { QuarantineOrderStatus.ReportedAsFinished, QuarantineOrderTrigger.Cancel, "quarantine-order.started" },

        // Nothing after Ended or Cancelled.
        { QuarantineOrderStatus.Ended, QuarantineOrderTrigger.Start, "quarantine-order.closed" },
        { QuarantineOrderStatus.Ended, QuarantineOrderTrigger.ReportAsFinished, "quarantine-order.closed" },
        { QuarantineOrderStatus.Ended, QuarantineOrderTrigger.End, "quarantine-order.closed" },
        { QuarantineOrderStatus.Ended, QuarantineOrderTrigger.Scrap, "quarantine-order.closed" },
        { QuarantineOrderStatus.Ended, QuarantineOrderTrigger.Cancel, "quarantine-order.closed" },
        { QuarantineOrderStatus.Cancelled, QuarantineOrderTrigger.Start, "quarantine-order.closed" },
        { QuarantineOrderStatus.Cancelled, QuarantineOrderTrigger.ReportAsFinished, "quarantine-order.closed" },
        { QuarantineOrderStatus.Cancelled, QuarantineOrderTrigger.End, "quarantine-order.closed" },
        { QuarantineOrderStatus.Cancelled, QuarantineOrderTrigger.Scrap, "quarantine-order.closed" },
        { QuarantineOrderStatus.Cancelled, QuarantineOrderTrigger.Cancel, "quarantine-order.closed" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Fire_BackwardSkippedOrClosedStep_IsRefusedWithItsReasonAndChangesNothing(QuarantineOrderStatus status, QuarantineOrderTrigger trigger, string code)
    {
        var order = CreateSut(status);

        var result = QuarantineOrderMachine.Fire(order, trigger, new QuarantineOrderTriggerArgs { ScrapQuantity = Quantity.Each(1) });

        result.IsAccepted.Should().BeFalse();
        result.Value.Should().BeNull();
        result.Rejection!.ReasonCode.Code.Should().Be(code);
        result.Rejection.CurrentState.Should().Be(status.ToString());
        result.Rejection.Trigger.Should().Be(trigger.ToString());
        result.Rejection.PermittedTriggers.Should().NotContain(trigger.ToString());
        order.Status.Should().Be(status);
        order.Version.Should().Be(0);
    }

    [Fact]
    public void Fire_AnEndedOrCancelledOrder_PermitsNothing()
    {
        Fire(CreateSut(QuarantineOrderStatus.Ended), QuarantineOrderTrigger.Start).Rejection!.PermittedTriggers.Should().BeEmpty();
        Fire(CreateSut(QuarantineOrderStatus.Cancelled), QuarantineOrderTrigger.Start).Rejection!.PermittedTriggers.Should().BeEmpty();
    }

    [Fact]
    public void Cancel_ACreatedOrder_CancelsItWithoutMovingStock()
    {
        var cancelled = Fire(CreateSut(), QuarantineOrderTrigger.Cancel).GetValueOrThrow();

        cancelled.Order.Status.Should().Be(QuarantineOrderStatus.Cancelled);
        cancelled.Order.Version.Should().Be(1);
        cancelled.Movements.Should().BeEmpty();
    }

    [Fact]
    public void Fire_RejectionFromCreated_ListsStartAndCancelAsPermitted()
    {
        Fire(CreateSut(), QuarantineOrderTrigger.End).Rejection!.PermittedTriggers.Should().Equal(
            nameof(QuarantineOrderTrigger.Start), nameof(QuarantineOrderTrigger.Cancel));
    }

    [Fact]
    public void Movements_AppliedToTheLot_BlockTheStockInQuarantine_ScrapFromThere_AndReturnTheRestUnrestricted()
    {
        // The steps' movements are postings the lot machine accepts, and they leave the lot where the order says.
        var today = new DateOnly(2026, 3, 1);
        var lot = new MaterialLot
        {
            Id = new LotId("LOT-1"),
            Material = new MaterialId("CAP-100"),
            Site = new SiteId("PLANT-1"),
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Location = Regular, Quantity = Quantity.Each(25) }],
        };
        var order = CreateSut();
        var steps = new List<QuarantineOrderStep>();
        foreach (var (trigger, scrap) in new (QuarantineOrderTrigger, decimal?)[]
        {
            (QuarantineOrderTrigger.Start, null), (QuarantineOrderTrigger.Scrap, 4), (QuarantineOrderTrigger.ReportAsFinished, null), (QuarantineOrderTrigger.End, null),
        })
        {
            var step = QuarantineOrderMachine.Fire(order, trigger, new QuarantineOrderTriggerArgs { ScrapQuantity = scrap is { } s ? Quantity.Each(s) : null }).GetValueOrThrow();
            foreach (var movement in step.Movements)
            {
                lot = LotStockMachine.Apply(lot, movement, LotPolicy.Default, today).GetValueOrThrow();
            }

            steps.Add(step);
            order = step.Order;
            if (trigger == QuarantineOrderTrigger.Scrap)
            {
                lot.Buckets.Should().BeEquivalentTo(
                    [
                        new StockBucket { Category = StockCategory.Unrestricted, Location = Regular, Quantity = Quantity.Each(15) },
                        new StockBucket { Category = StockCategory.Blocked, Location = Quarantine, Quantity = Quantity.Each(6) },
                    ]);
            }
        }

        steps.Select(s => s.Movements.Count).Should().Equal(1, 1, 0, 1);
        lot.Buckets.Should().BeEquivalentTo([new StockBucket { Category = StockCategory.Unrestricted, Location = Regular, Quantity = Quantity.Each(21) }]);
        lot.ScrappedQuantity.Should().Be(4);
    }
}
