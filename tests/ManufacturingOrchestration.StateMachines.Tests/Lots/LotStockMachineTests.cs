using System.Globalization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.StateMachines.Tests.Lots;

public sealed class LotStockMachineTests
{
    private static readonly DateOnly Today = new(2026, 3, 1);
    private static readonly LotId LotId = new("LOT-1");
    private static readonly MaterialId Material = new("CAP-100");
    private static readonly SiteId Site = new("PLANT-1");

    private static MaterialLot CreateLot(params (StockCategory Category, decimal Quantity)[] buckets) => CreateLot(StockOwnership.Own, buckets);

    private static MaterialLot CreateLot(StockOwnership ownership, params (StockCategory Category, decimal Quantity)[] buckets) => new()
    {
        Id = LotId,
        Material = Material,
        Site = Site,
        Unit = UnitOfMeasure.Each,
        Buckets = [.. buckets.Select(b => new StockBucket { Category = b.Category, Ownership = ownership, Quantity = Quantity.Each(b.Quantity) })],
        Version = 7,
    };

    private static GoodsMovement Movement(MovementKind kind, decimal quantity, StockCategory? from = null, StockCategory? to = null) => new()
    {
        Kind = kind,
        Lot = LotId,
        Material = Material,
        Site = Site,
        Quantity = Quantity.Each(quantity),
        FromCategory = from,
        ToCategory = to,
    };

    private static MaterialLot Accept(TransitionResult<MaterialLot> result)
    {
        result.Rejection.Should().BeNull();
        return result.Value!;
    }

    private static TransitionRejection RejectionOf(TransitionResult<MaterialLot> result)
    {
        result.IsAccepted.Should().BeFalse();
        return result.Rejection!;
    }

    public static TheoryData<StockCategory, StockCategory> PermittedTransfers => new()
    {
        { StockCategory.QualityInspection, StockCategory.Unrestricted },
        { StockCategory.QualityInspection, StockCategory.Blocked },
        { StockCategory.QualityInspection, StockCategory.RestrictedUse },
        { StockCategory.Blocked, StockCategory.QualityInspection },
        { StockCategory.Blocked, StockCategory.Unrestricted },
        { StockCategory.Unrestricted, StockCategory.Blocked },
        { StockCategory.Unrestricted, StockCategory.QualityInspection },
        { StockCategory.Unrestricted, StockCategory.RestrictedUse },
        { StockCategory.RestrictedUse, StockCategory.Unrestricted },
    };

    [Theory]
    [MemberData(nameof(PermittedTransfers))]
    public void Apply_PermittedCategoryTransfer_MovesPartialQuantityAndBumpsVersion(StockCategory from, StockCategory to)
    {
        var lot = CreateLot((from, 100));

        var next = Accept(LotStockMachine.Apply(lot, Movement(MovementKind.CategoryTransfer, 30, from, to), LotPolicy.Default, Today));

        next.QuantityIn(from).Value.Should().Be(70);
        next.QuantityIn(to).Value.Should().Be(30);
        next.TotalQuantity.Value.Should().Be(100);
        next.Version.Should().Be(8);
        lot.QuantityIn(from).Value.Should().Be(100, "the input lot is immutable");
    }

    public static TheoryData<StockCategory, StockCategory, string, string> ForbiddenTransfers => new()
    {
        { StockCategory.RestrictedUse, StockCategory.Blocked, "lot.transfer-not-permitted", "RestrictedUse" },
        { StockCategory.RestrictedUse, StockCategory.QualityInspection, "lot.transfer-not-permitted", "RestrictedUse" },
        { StockCategory.Blocked, StockCategory.RestrictedUse, "lot.transfer-not-permitted", "Blocked" },
        { StockCategory.InTransit, StockCategory.Unrestricted, "lot.in-transit-not-usable", "InTransit" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenTransfers))]
    public void Apply_ForbiddenCategoryTransfer_IsRejectedWithReason(StockCategory from, StockCategory to, string reason, string state)
    {
        var lot = CreateLot((from, 100));

        var rejection = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.CategoryTransfer, 10, from, to), LotPolicy.Default, Today));

        rejection.ReasonCode.Code.Should().Be(reason);
        rejection.CurrentState.Should().Be(state);
    }

    [Fact]
    public void Apply_TransferIntoTransitByCategoryTransfer_IsRejected()
    {
        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement(MovementKind.CategoryTransfer, 5, StockCategory.Unrestricted, StockCategory.InTransit), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
    }

    [Theory]
    [InlineData(MovementKind.Consumption)]
    [InlineData(MovementKind.GoodsIssue)]
    [InlineData(MovementKind.PlantTransferOut)]
    public void Apply_WithdrawalFromUnrestrictedOwn_IsAccepted(MovementKind kind)
    {
        var lot = CreateLot((StockCategory.Unrestricted, 100));

        var next = Accept(LotStockMachine.Apply(lot, Movement(kind, 30, StockCategory.Unrestricted), LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(70);
        if (kind == MovementKind.PlantTransferOut)
        {
            next.QuantityIn(StockCategory.InTransit).Value.Should().Be(30);
            next.ConsumedQuantity.Should().Be(0);
        }
        else
        {
            next.ConsumedQuantity.Should().Be(30);
        }
    }

    [Theory]
    [InlineData(MovementKind.Consumption, StockCategory.QualityInspection)]
    [InlineData(MovementKind.Consumption, StockCategory.Blocked)]
    [InlineData(MovementKind.Consumption, StockCategory.RestrictedUse)]
    [InlineData(MovementKind.GoodsIssue, StockCategory.Blocked)]
    [InlineData(MovementKind.PlantTransferOut, StockCategory.QualityInspection)]
    public void Apply_WithdrawalNotFromUnrestricted_IsRejected(MovementKind kind, StockCategory from)
    {
        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot((from, 100)), Movement(kind, 10, from), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.WithdrawalNotUnrestricted);
        rejection.PermittedTriggers.Should().NotBeEmpty().And.NotContain(nameof(LotStockTrigger.Consume));
    }

    [Theory]
    [InlineData(StockCategory.QualityInspection)]
    [InlineData(StockCategory.Blocked)]
    [InlineData(StockCategory.RestrictedUse)]
    public void Apply_ReturnToSupplierFromQiBlockedOrRestrictedUse_LeavesThatCategoryDirectly(StockCategory from)
    {
        var next = Accept(LotStockMachine.Apply(CreateLot((from, 100), (StockCategory.Unrestricted, 5)), Movement(MovementKind.ReturnToSupplier, 10, from), LotPolicy.Default, Today));

        next.QuantityIn(from).Value.Should().Be(90);
        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(5);
    }

    [Fact]
    public void Apply_ReturnToSupplierOfExpiredReworkedBlockedLot_IsAccepted()
    {
        var lot = CreateLot((StockCategory.Blocked, 100)) with { ExpiryDate = Today.AddDays(-30), RequiresReinspection = true };

        var next = Accept(LotStockMachine.Apply(lot, Movement(MovementKind.ReturnToSupplier, 100, StockCategory.Blocked), LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked).Value.Should().Be(0);
    }

    [Fact]
    public void Apply_ReturnToSupplierFromInTransit_IsRejectedAsInTransitNotUsable()
    {
        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.InTransit, 100)), Movement(MovementKind.ReturnToSupplier, 10, StockCategory.InTransit), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.InTransitNotUsable);
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted)]
    [InlineData(StockCategory.Blocked)]
    public void Apply_ReturnToSupplierOfCustomerOwnedStock_IsRejectedAsConsignmentNotOwned(StockCategory from)
    {
        var movement = Movement(MovementKind.ReturnToSupplier, 10, from) with { FromOwnership = StockOwnership.CustomerConsignment };

        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot(StockOwnership.CustomerConsignment, (from, 100)), movement, LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.ConsignmentNotOwned);
    }

    [Theory]
    [InlineData(MovementKind.Sample, StockCategory.QualityInspection)]
    [InlineData(MovementKind.Sample, StockCategory.Blocked)]
    [InlineData(MovementKind.Sample, StockCategory.Unrestricted)]
    [InlineData(MovementKind.Sample, StockCategory.RestrictedUse)]
    [InlineData(MovementKind.CountDifference, StockCategory.QualityInspection)]
    [InlineData(MovementKind.CountDifference, StockCategory.Blocked)]
    [InlineData(MovementKind.CountDifference, StockCategory.Unrestricted)]
    [InlineData(MovementKind.CountDifference, StockCategory.RestrictedUse)]
    [InlineData(MovementKind.ReturnToSupplier, StockCategory.Unrestricted)]
    public void Apply_OutflowThatMayLeaveCategory_ReducesStockWithoutConsumption(MovementKind kind, StockCategory from)
    {
        var next = Accept(LotStockMachine.Apply(CreateLot((from, 100)), Movement(kind, 4, from), LotPolicy.Default, Today));

        next.QuantityIn(from).Value.Should().Be(96);
        next.ConsumedQuantity.Should().Be(0);
        next.ScrappedQuantity.Should().Be(0);
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted, 13)]
    [InlineData(StockCategory.QualityInspection, 3)]
    [InlineData(StockCategory.Blocked, 3)]
    [InlineData(StockCategory.RestrictedUse, 3)]
    public void Apply_CountSurplus_AddsToCategory(StockCategory category, decimal expected)
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10));
        var movement = Movement(MovementKind.CountDifference, 3, to: category) with { IsIncrease = true };

        var next = Accept(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        next.TotalQuantity.Value.Should().Be(13);
        next.QuantityIn(category).Value.Should().Be(expected);
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted)]
    [InlineData(StockCategory.QualityInspection)]
    [InlineData(StockCategory.Blocked)]
    [InlineData(StockCategory.RestrictedUse)]
    public void Apply_Scrap_MovesQuantityToScrappedTotal(StockCategory from)
    {
        var next = Accept(LotStockMachine.Scrap(CreateLot((from, 100)), from, Quantity.Each(30), LotPolicy.Default, Today));

        next.QuantityIn(from).Value.Should().Be(70);
        next.ScrappedQuantity.Should().Be(30);
        next.TotalQuantity.Value.Should().Be(70);
    }

    [Fact]
    public void Apply_ReversalOfScrap_ReturnsQuantityToSourceCategory()
    {
        var scrapped = Accept(LotStockMachine.Scrap(CreateLot((StockCategory.Blocked, 100)), StockCategory.Blocked, Quantity.Each(30), LotPolicy.Default, Today));
        var reversal = Movement(MovementKind.Scrap, 30, StockCategory.Blocked) with { ReversalOf = "doc-555" };

        var next = Accept(LotStockMachine.Apply(scrapped, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked).Value.Should().Be(100);
        next.ScrappedQuantity.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfMoreThanScrapped_IsRejected()
    {
        var scrapped = Accept(LotStockMachine.Scrap(CreateLot((StockCategory.Blocked, 100)), StockCategory.Blocked, Quantity.Each(30), LotPolicy.Default, Today));
        var reversal = Movement(MovementKind.Scrap, 31, StockCategory.Blocked) with { ReversalOf = "doc-555" };

        RejectionOf(LotStockMachine.Apply(scrapped, reversal, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.ReversalInvalid);
    }

    [Fact]
    public void Scrap_AwaitsDestruction_IsNeverUsable_AndIsClosedByTheDestructionConfirmation()
    {
        var scrapped = Accept(LotStockMachine.Scrap(CreateLot((StockCategory.Blocked, 100), (StockCategory.Unrestricted, 10)), StockCategory.Blocked, Quantity.Each(30), LotPolicy.Default, Today));

        scrapped.AwaitingDestruction.Should().Be(30);
        scrapped.DestroyedQuantity.Should().Be(0);
        RejectionOf(LotStockMachine.Consume(scrapped, new OrderId("PO-1"), Quantity.Each(11), LotPolicy.Default, Today)).ReasonCode
            .Should().Be(ReasonCodes.InsufficientQuantity, "scrap awaiting destruction is not stock anyone may use");

        var partly = Accept(LotStockMachine.ConfirmDestruction(scrapped, Quantity.Each(20)));
        var destroyed = Accept(LotStockMachine.ConfirmDestruction(partly, Quantity.Each(10)));

        partly.AwaitingDestruction.Should().Be(10);
        destroyed.AwaitingDestruction.Should().Be(0);
        destroyed.ScrappedQuantity.Should().Be(30, "destroyed scrap stays counted as scrapped");
        destroyed.QuantityIn(StockCategory.Blocked).Value.Should().Be(70);
        destroyed.Version.Should().Be(scrapped.Version + 2);
    }

    [Fact]
    public void ConfirmDestruction_MoreThanAwaits_OtherUnitOrZero_IsRejected()
    {
        var scrapped = Accept(LotStockMachine.Scrap(CreateLot((StockCategory.Blocked, 100)), StockCategory.Blocked, Quantity.Each(30), LotPolicy.Default, Today));

        var tooMuch = RejectionOf(LotStockMachine.ConfirmDestruction(scrapped, Quantity.Each(31)));

        tooMuch.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        tooMuch.Message.Should().Be("Destruction of 31 EA on lot LOT-1 rejected: Only 30 of lot LOT-1 is scrapped and awaiting destruction; cannot confirm 31 EA.");
        RejectionOf(LotStockMachine.ConfirmDestruction(scrapped, new Quantity(1, UnitOfMeasure.Kilogram))).ReasonCode.Should().Be(ReasonCodes.UnitMismatch);
        RejectionOf(LotStockMachine.ConfirmDestruction(scrapped, Quantity.Each(0))).ReasonCode.Should().Be(ReasonCodes.NonPositiveQuantity);
        RejectionOf(LotStockMachine.ConfirmDestruction(CreateLot((StockCategory.Blocked, 100)), Quantity.Each(1))).ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public void Apply_ReversalOfDestroyedScrap_IsRejected_OnlyWhatAwaitsDestructionComesBack()
    {
        var scrapped = Accept(LotStockMachine.Scrap(CreateLot((StockCategory.Blocked, 100)), StockCategory.Blocked, Quantity.Each(30), LotPolicy.Default, Today));
        var destroyed = Accept(LotStockMachine.ConfirmDestruction(scrapped, Quantity.Each(25)));

        var tooMuch = RejectionOf(LotStockMachine.Apply(destroyed, Movement(MovementKind.Scrap, 6, StockCategory.Blocked) with { ReversalOf = "doc-555" }, LotPolicy.Default, Today));
        var back = Accept(LotStockMachine.Apply(destroyed, Movement(MovementKind.Scrap, 5, StockCategory.Blocked) with { ReversalOf = "doc-555" }, LotPolicy.Default, Today));

        tooMuch.ReasonCode.Should().Be(ReasonCodes.ReversalInvalid);
        tooMuch.Message.Should().Contain("25 is destroyed");
        back.QuantityIn(StockCategory.Blocked).Value.Should().Be(75);
        back.AwaitingDestruction.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfConsumption_RestoresUnrestrictedAndConsumedTotal()
    {
        var consumed = Accept(LotStockMachine.Consume(CreateLot((StockCategory.Unrestricted, 100)), new OrderId("PO-1"), Quantity.Each(40), LotPolicy.Default, Today));
        var reversal = Movement(MovementKind.Consumption, 40, StockCategory.Unrestricted) with { ReversalOf = "doc-261" };

        var next = Accept(LotStockMachine.Apply(consumed, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(100);
        next.ConsumedQuantity.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfCategoryTransfer_MovesBack()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 60), (StockCategory.QualityInspection, 0.5m));
        var reversal = Movement(MovementKind.CategoryTransfer, 60, StockCategory.QualityInspection, StockCategory.Unrestricted) with { ReversalOf = "doc-321" };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(60.5m);
        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfForbiddenMove_IsRejected()
    {
        // A consumption from blocked stock never happened legitimately, so it cannot be reversed.
        var reversal = Movement(MovementKind.Consumption, 5, StockCategory.Blocked) with { ReversalOf = "doc-x" };

        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Blocked, 10)), reversal, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.ReversalInvalid);
    }

    [Fact]
    public void Apply_ScrappedQuantity_IsNeverUsableWithoutReversal()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10)) with { ScrappedQuantity = 5 };

        var rejection = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 20, StockCategory.Unrestricted), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        LotStockMachine.ForwardTransitions.Should().NotContain(e => e.From == LotStockState.Scrapped);
    }

    [Fact]
    public void Apply_MoreThanTheBucketHolds_IsRejectedWithInsufficientQuantity()
    {
        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.QualityInspection, 10)), Movement(MovementKind.CategoryTransfer, 11, StockCategory.QualityInspection, StockCategory.Blocked), LotPolicy.Default, Today))
            .ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public void Apply_RestrictedBatchReleasedFromInspection_LandsInRestrictedUse()
    {
        var lot = CreateLot((StockCategory.QualityInspection, 100)) with { IsRestrictedBatch = true };

        var next = Accept(LotStockMachine.ReleaseFromInspection(lot, null, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.RestrictedUse).Value.Should().Be(100);
        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(0);
        next.QualityDecision.Should().Be(QualityDecision.AcceptedRestricted);
    }

    [Fact]
    public void Apply_RestrictedBatchReleaseWhenPolicyForbidsRedirect_IsRejected()
    {
        var lot = CreateLot((StockCategory.QualityInspection, 100)) with { IsRestrictedBatch = true };
        var policy = new LotPolicy { RestrictedBatchReleaseLandsInRestrictedUse = false };

        RejectionOf(LotStockMachine.ReleaseFromInspection(lot, null, policy, Today)).ReasonCode.Should().Be(ReasonCodes.RestrictedBatch);
    }

    [Fact]
    public void ReleaseFromInspection_Partial_SplitsBucketAndRecordsAcceptance()
    {
        var lot = CreateLot((StockCategory.QualityInspection, 100));

        var next = Accept(LotStockMachine.ReleaseFromInspection(lot, Quantity.Each(30), LotPolicy.Default, Today));

        next.Buckets.Should().HaveCount(2);
        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(30);
        next.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(70);
        next.QualityDecision.Should().Be(QualityDecision.Accepted);
        next.Disposition.Should().Be(LotDisposition.Unrestricted);
    }

    [Fact]
    public void BlockFromInspection_All_RecordsRejectionAndRestrictedDisposition()
    {
        var next = Accept(LotStockMachine.BlockFromInspection(CreateLot((StockCategory.QualityInspection, 100)), null, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked).Value.Should().Be(100);
        next.QualityDecision.Should().Be(QualityDecision.Rejected);
        next.Disposition.Should().Be(LotDisposition.Restricted);
    }

    [Fact]
    public void Block_ThenReleaseFromBlocked_ReturnsToUnrestricted()
    {
        var blocked = Accept(LotStockMachine.Block(CreateLot((StockCategory.Unrestricted, 50)), Quantity.Each(20), LotPolicy.Default, Today));

        var released = Accept(LotStockMachine.ReleaseFromBlocked(blocked, null, LotPolicy.Default, Today));

        blocked.QuantityIn(StockCategory.Blocked).Value.Should().Be(20);
        released.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(50);
        released.Buckets.Should().ContainSingle("equal slots merge");
    }

    [Fact]
    public void ReleaseFromBlocked_WhenNothingBlocked_IsRejected()
    {
        RejectionOf(LotStockMachine.ReleaseFromBlocked(CreateLot((StockCategory.Unrestricted, 5)), null, LotPolicy.Default, Today))
            .ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public void ReleaseFromBlocked_AfterRework_RequiresNewPassingInspection()
    {
        var reworked = LotStockMachine.MarkReworked(CreateLot((StockCategory.Blocked, 10)));

        var direct = LotStockMachine.ReleaseFromBlocked(reworked, null, LotPolicy.Default, Today);
        var toQi = Accept(LotStockMachine.Apply(reworked, Movement(MovementKind.CategoryTransfer, 10, StockCategory.Blocked, StockCategory.QualityInspection), LotPolicy.Default, Today));
        var released = Accept(LotStockMachine.ReleaseFromInspection(toQi, null, LotPolicy.Default, Today));

        reworked.Version.Should().Be(8);
        RejectionOf(direct).ReasonCode.Should().Be(ReasonCodes.ReinspectionRequired);
        released.RequiresReinspection.Should().BeFalse();
        released.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(10);
    }

    [Fact]
    public void Consume_VendorConsignment_IsRejectedUntilOwnershipChanges()
    {
        var lot = CreateLot(StockOwnership.VendorConsignment, (StockCategory.Unrestricted, 10));
        var consumeConsignment = Movement(MovementKind.Consumption, 5, StockCategory.Unrestricted) with { FromOwnership = StockOwnership.VendorConsignment };
        var toOwn = Movement(MovementKind.ConsignmentToOwn, 5, StockCategory.Unrestricted) with { FromOwnership = StockOwnership.VendorConsignment, ToOwnership = StockOwnership.Own };

        var implicitOwn = LotStockMachine.Consume(lot, new OrderId("PO-1"), Quantity.Each(5), LotPolicy.Default, Today);
        var explicitConsignment = LotStockMachine.Apply(lot, consumeConsignment, LotPolicy.Default, Today);
        var owned = Accept(LotStockMachine.Apply(lot, toOwn, LotPolicy.Default, Today));
        var consumed = Accept(LotStockMachine.Consume(owned, new OrderId("PO-1"), Quantity.Each(5), LotPolicy.Default, Today));

        RejectionOf(implicitOwn).ReasonCode.Should().Be(ReasonCodes.ConsignmentNotOwned);
        RejectionOf(explicitConsignment).ReasonCode.Should().Be(ReasonCodes.ConsignmentNotOwned);
        owned.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own).Value.Should().Be(5);
        owned.QuantityIn(StockCategory.Unrestricted, StockOwnership.VendorConsignment).Value.Should().Be(5);
        consumed.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(5);
    }

    [Fact]
    public void ConsignmentToOwn_OnOwnStock_IsRejected()
    {
        var movement = Movement(MovementKind.ConsignmentToOwn, 5, StockCategory.Unrestricted);

        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), movement, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.TransitionNotPermitted);
    }

    [Fact]
    public void Apply_InTransitStock_IsUnusableUntilReceipt()
    {
        var lot = Accept(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement(MovementKind.PlantTransferOut, 10, StockCategory.Unrestricted), LotPolicy.Default, Today));

        var consume = LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 1, StockCategory.InTransit), LotPolicy.Default, Today);
        var received = Accept(LotStockMachine.Apply(lot, Movement(MovementKind.PlantTransferIn, 10, StockCategory.InTransit, StockCategory.QualityInspection), LotPolicy.Default, Today));

        RejectionOf(consume).ReasonCode.Should().Be(ReasonCodes.InTransitNotUsable);
        received.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(10);
        received.QuantityIn(StockCategory.InTransit).Value.Should().Be(0);
    }

    [Fact]
    public void Apply_ExpiredLot_IsBlockedFromUseButCanBeScrapped()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10), (StockCategory.QualityInspection, 10)) with { ExpiryDate = Today.AddDays(-1) };

        RejectionOf(LotStockMachine.Consume(lot, new OrderId("PO-1"), Quantity.Each(1), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.LotExpired);
        RejectionOf(LotStockMachine.ReleaseFromInspection(lot, null, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.LotExpired);
        Accept(LotStockMachine.Scrap(lot, StockCategory.Unrestricted, Quantity.Each(10), LotPolicy.Default, Today)).ScrappedQuantity.Should().Be(10);
        Accept(LotStockMachine.Consume(lot, new OrderId("PO-1"), Quantity.Each(1), new LotPolicy { BlockExpiredLots = false }, Today));
        Accept(LotStockMachine.Consume(lot, new OrderId("PO-1"), Quantity.Each(1), new LotPolicy { ExpiryGraceDays = 1 }, Today));
    }

    [Fact]
    public void Apply_LotOnHold_RejectsConsumption()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10)) with { Holds = ["customer-hold"] };

        RejectionOf(LotStockMachine.Consume(lot, new OrderId("PO-1"), Quantity.Each(1), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.LotOnHold);
    }

    [Fact]
    public void Apply_LocationTransfer_KeepsCategoryAndMovesLocation()
    {
        var lot = CreateLot((StockCategory.Blocked, 10));
        var movement = Movement(MovementKind.LocationTransfer, 4, StockCategory.Blocked) with { ToLocation = new StorageLocationId("HOLD") };

        var next = Accept(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked).Value.Should().Be(10);
        next.Buckets.Should().ContainSingle(b => b.Location == new StorageLocationId("HOLD") && b.Quantity.Value == 4);
    }

    [Fact]
    public void Apply_LocationTransferChangingCategory_IsRejected()
    {
        var movement = Movement(MovementKind.LocationTransfer, 4, StockCategory.Blocked, StockCategory.Unrestricted);

        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Blocked, 10)), movement, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
    }

    [Fact]
    public void Apply_FullConsumption_ClosesDisposition()
    {
        var next = Accept(LotStockMachine.Consume(CreateLot((StockCategory.Unrestricted, 10)), new OrderId("PO-1"), Quantity.Each(10), LotPolicy.Default, Today));

        next.Buckets.Should().BeEmpty();
        next.Disposition.Should().Be(LotDisposition.Closed);
    }

    [Fact]
    public void Apply_WrongLotUnitOrZeroQuantity_IsRejected()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10));

        RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 1) with { Lot = new LotId("OTHER") }, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.LotUnknown);
        RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 1) with { Quantity = new Quantity(1, UnitOfMeasure.Kilogram) }, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.UnitMismatch);
        RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 0), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.NonPositiveQuantity);
    }

    [Fact]
    public void Receive_IntoQualityInspection_CreatesLotVersionOne()
    {
        var receipt = new GoodsReceived { Lot = LotId, Material = Material, Site = Site, Quantity = Quantity.Each(100), ExpiryDate = Today.AddDays(90) };

        var lot = Accept(LotStockMachine.Receive(receipt, LotPolicy.Default, Today));

        lot.Version.Should().Be(1);
        lot.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(100);
        lot.ExpiryDate.Should().Be(Today.AddDays(90));
        lot.Disposition.Should().Be(LotDisposition.Restricted);
    }

    [Fact]
    public void Receive_IntoInTransit_IsRejected()
    {
        var receipt = new GoodsReceived { Lot = LotId, Material = Material, Site = Site, Quantity = Quantity.Each(100), Category = StockCategory.InTransit };

        RejectionOf(LotStockMachine.Receive(receipt, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
    }

    [Fact]
    public void Receive_VendorConsignment_KeepsOwnership()
    {
        var receipt = new GoodsReceived { Lot = LotId, Material = Material, Site = Site, Quantity = Quantity.Each(100), Category = StockCategory.Unrestricted, Ownership = StockOwnership.VendorConsignment };

        var lot = Accept(LotStockMachine.Receive(receipt, LotPolicy.Default, Today));

        lot.QuantityIn(StockCategory.Unrestricted, StockOwnership.VendorConsignment).Value.Should().Be(100);
    }

    [Fact]
    public void ForwardTransitions_MatchTheDomainTable()
    {
        var transfers = LotStockMachine.ForwardTransitions
            .Where(e => e.Trigger is LotStockTrigger.ToUnrestricted or LotStockTrigger.ToQualityInspection or LotStockTrigger.ToBlocked or LotStockTrigger.ToRestrictedUse)
            .Select(e => (e.From, e.To))
            .ToHashSet();

        transfers.Should().BeEquivalentTo(new[]
        {
            (LotStockState.QualityInspection, LotStockState.Unrestricted),
            (LotStockState.QualityInspection, LotStockState.RestrictedUse),
            (LotStockState.QualityInspection, LotStockState.Blocked),
            (LotStockState.Blocked, LotStockState.QualityInspection),
            (LotStockState.Blocked, LotStockState.Unrestricted),
            (LotStockState.Blocked, LotStockState.RestrictedUse),
            (LotStockState.Unrestricted, LotStockState.Blocked),
            (LotStockState.Unrestricted, LotStockState.QualityInspection),
            (LotStockState.Unrestricted, LotStockState.RestrictedUse),
            (LotStockState.RestrictedUse, LotStockState.Unrestricted),
        });
        LotStockMachine.ForwardTransitions.Where(e => e.Trigger is LotStockTrigger.Consume or LotStockTrigger.Issue or LotStockTrigger.TransferOut)
            .Should().OnlyContain(e => e.From == LotStockState.Unrestricted);
        LotStockMachine.ForwardTransitions.Where(e => e.From is LotStockState.QualityInspection or LotStockState.Blocked && e.To is LotStockState.External or LotStockState.Scrapped)
            .Select(e => e.Trigger).Should().BeSubsetOf([LotStockTrigger.Sample, LotStockTrigger.Scrap, LotStockTrigger.CountShortage, LotStockTrigger.ReturnToSupplier]);
    }

    private static readonly StorageLocationId Rack = new("RACK-A");
    private static readonly StorageLocationId Hold = new("HOLD-B");

    private static StockBucket Bucket(StockCategory category, decimal quantity, StorageLocationId? location = null, StockOwnership ownership = StockOwnership.Own) =>
        new() { Category = category, Ownership = ownership, Location = location, Quantity = Quantity.Each(quantity) };

    [Fact]
    public void Apply_NullArguments_ThrowArgumentNullException()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10));
        var receipt = Movement(MovementKind.GoodsReceipt, 1, to: StockCategory.QualityInspection);

        FluentActions.Invoking(() => LotStockMachine.Apply(null!, receipt, LotPolicy.Default, Today)).Should().Throw<ArgumentNullException>().WithParameterName("lot");
        FluentActions.Invoking(() => LotStockMachine.Apply(lot, null!, LotPolicy.Default, Today)).Should().Throw<ArgumentNullException>().WithParameterName("movement");
        FluentActions.Invoking(() => LotStockMachine.Apply(lot, receipt, null!, Today)).Should().Throw<ArgumentNullException>().WithParameterName("policy");
    }

    [Fact]
    public void Operations_NullLotOrReceipt_ThrowArgumentNullException()
    {
        FluentActions.Invoking(() => LotStockMachine.Receive(null!, LotPolicy.Default, Today)).Should().Throw<ArgumentNullException>().WithParameterName("receipt");
        FluentActions.Invoking(() => LotStockMachine.Consume(null!, new OrderId("PO-1"), Quantity.Each(1), LotPolicy.Default, Today)).Should().Throw<ArgumentNullException>().WithParameterName("lot");
        FluentActions.Invoking(() => LotStockMachine.Scrap(null!, StockCategory.Blocked, Quantity.Each(1), LotPolicy.Default, Today)).Should().Throw<ArgumentNullException>().WithParameterName("lot");
        FluentActions.Invoking(() => LotStockMachine.MarkReworked(null!)).Should().Throw<ArgumentNullException>().WithParameterName("lot");
        FluentActions.Invoking(() => LotStockMachine.Block(null!, Quantity.Each(1), LotPolicy.Default, Today)).Should().Throw<ArgumentNullException>().WithParameterName("lot");
    }

    [Fact]
    public void Apply_WrongLotUnitOrZeroQuantity_ExplainsTheRejection()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10));

        var otherLot = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 1, StockCategory.Unrestricted) with { Lot = new LotId("OTHER") }, LotPolicy.Default, Today));
        var kilograms = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 1) with { Quantity = new Quantity(1, UnitOfMeasure.Kilogram) }, LotPolicy.Default, Today));
        var zero = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 0), LotPolicy.Default, Today));

        otherLot.Message.Should().Be("Consumption of 1 EA on lot LOT-1 rejected: The movement is for lot OTHER, not LOT-1.");
        otherLot.CurrentState.Should().Be("Unrestricted");
        otherLot.Trigger.Should().Be("Consumption");
        kilograms.Message.Should().Be("Consumption of 1 KGM on lot LOT-1 rejected: The movement is in KGM; the lot is kept in EA.");
        kilograms.CurrentState.Should().Be("External");
        zero.Message.Should().Be("Consumption of 0 EA on lot LOT-1 rejected: A goods movement moves a positive quantity.");
    }

    [Fact]
    public void ReleaseFromBlocked_WhenNothingBlocked_NamesTheCategory()
    {
        RejectionOf(LotStockMachine.ReleaseFromBlocked(CreateLot((StockCategory.Unrestricted, 5)), null, LotPolicy.Default, Today))
            .Message.Should().Be("CategoryTransfer of 0 EA on lot LOT-1 rejected: The lot holds no own Blocked stock.");
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted, null)]
    [InlineData(null, StockCategory.Unrestricted)]
    [InlineData(null, null)]
    [InlineData(StockCategory.Blocked, StockCategory.Blocked)]
    public void Apply_CategoryTransferWithoutTwoDifferentCategories_IsRejected(StockCategory? from, StockCategory? to)
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10), (StockCategory.Blocked, 10));

        var rejection = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.CategoryTransfer, 5, from, to), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
        rejection.Message.Should().EndWith("rejected: A category transfer needs two different categories.");
    }

    [Fact]
    public void Apply_TransferIntoTransitByCategoryTransfer_SaysHowStockEntersTransit()
    {
        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement(MovementKind.CategoryTransfer, 5, StockCategory.Unrestricted, StockCategory.InTransit), LotPolicy.Default, Today))
            .Message.Should().EndWith("rejected: Stock enters transit or transfer only by a plant transfer out.");
    }

    [Fact]
    public void Apply_PlantTransferInFromAnotherCategory_IsRejected()
    {
        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement(MovementKind.PlantTransferIn, 5, StockCategory.Unrestricted, StockCategory.Unrestricted), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
        rejection.Message.Should().EndWith("rejected: A plant transfer in receives stock in transit or places stock in transfer.");
    }

    [Fact]
    public void Apply_UnknownMovementKind_IsRejected()
    {
        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement((MovementKind)99, 5, StockCategory.Unrestricted), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
        rejection.Message.Should().EndWith("rejected: Movement kind 99 is not known.");
    }

    [Theory]
    [InlineData(MovementKind.CategoryTransfer, StockCategory.Unrestricted, (StockCategory)42, "to category 42")]
    [InlineData(MovementKind.Consumption, (StockCategory)42, null, "from category 42")]
    [InlineData(MovementKind.GoodsReceipt, null, (StockCategory)42, "to category 42")]
    public void Apply_UnknownStockCategory_IsRejectedNotThrown(MovementKind kind, StockCategory? from, StockCategory? to, string named)
    {
        var rejection = RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement(kind, 5, from, to), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        rejection.Message.Should().Contain(named).And.Contain("is not a known stock category");
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted)]
    [InlineData(StockCategory.QualityInspection)]
    public void Apply_ReceiptBeyondTheLargestQuantity_IsRejectedNotThrown(StockCategory into)
    {
        var lot = CreateLot((StockCategory.Unrestricted, decimal.MaxValue));

        var receipt = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.GoodsReceipt, 1, to: into), LotPolicy.Default, Today));
        var surplus = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.CountDifference, 1, to: into) with { IsIncrease = true }, LotPolicy.Default, Today));

        receipt.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        receipt.Message.Should().Contain("would hold more than");
        surplus.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }

    [Fact]
    public void Apply_ScrapOrConsumptionBeyondTheLargestTotal_IsRejectedNotThrown()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10)) with { ScrappedQuantity = decimal.MaxValue, ConsumedQuantity = decimal.MaxValue };

        RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Scrap, 1, StockCategory.Unrestricted), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        RejectionOf(LotStockMachine.Consume(lot, new OrderId("WO-1"), Quantity.Each(1), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }

    [Fact]
    public void Rejections_WithFractionalQuantities_AreWrittenTheSameInEveryCulture()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 2.5m), (StockCategory.QualityInspection, 1.5m)) with { ScrappedQuantity = 0.75m, ConsumedQuantity = 0.25m };
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 3.5m, StockCategory.Unrestricted), LotPolicy.Default, Today))
                .Message.Should().Contain("holds 2.5 of 3.5 EA");
            RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Scrap, 1.25m, StockCategory.Unrestricted) with { ReversalOf = "doc-551" }, LotPolicy.Default, Today))
                .Message.Should().Contain("Only 0.75 of the lot is scrapped");
            RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Consumption, 0.5m, StockCategory.Unrestricted) with { ReversalOf = "doc-261" }, LotPolicy.Default, Today))
                .Message.Should().Contain("Only 0.25 of the lot was consumed");
            RejectionOf(LotStockMachine.ConfirmDestruction(lot, Quantity.Each(1.25m))).Message.Should().Contain("Only 0.75 of lot");
            RejectionOf(LotStockMachine.OpenInspection(lot, new InspectionLotId("IL-1"), Quantity.Each(2.25m))).Message.Should().Contain("holds 1.5 of own");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Apply_UnknownOwnership_IsRejectedAndAddsNoBucket()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10));

        var receipt = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.GoodsReceipt, 5, to: StockCategory.Unrestricted) with { ToOwnership = (StockOwnership)42 }, LotPolicy.Default, Today));
        var withdrawal = RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.Sample, 5, StockCategory.Unrestricted) with { FromOwnership = (StockOwnership)42 }, LotPolicy.Default, Today));

        receipt.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        receipt.Message.Should().Contain("to ownership 42 is not a known stock ownership");
        withdrawal.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        withdrawal.Message.Should().Contain("from ownership 42 is not a known stock ownership");
    }

    [Fact]
    public void Apply_LocationTransferChangingCategory_SaysToUseACategoryTransfer()
    {
        var movement = Movement(MovementKind.LocationTransfer, 4, StockCategory.Blocked, StockCategory.Unrestricted);

        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.Blocked, 10)), movement, LotPolicy.Default, Today))
            .Message.Should().EndWith("rejected: A location transfer keeps the category; use a category transfer.");
    }

    [Fact]
    public void Apply_LocationTransferNamingOnlyTheTargetCategory_MovesThatCategory()
    {
        var lot = CreateLot() with { Buckets = [Bucket(StockCategory.Blocked, 10, Rack)] };
        var movement = Movement(MovementKind.LocationTransfer, 4, to: StockCategory.Blocked) with { ToLocation = Hold };

        var next = Accept(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        next.Buckets.Should().BeEquivalentTo(new[] { Bucket(StockCategory.Blocked, 6, Rack), Bucket(StockCategory.Blocked, 4, Hold) });
    }

    [Fact]
    public void Apply_LocationTransferBetweenLocations_SplitsTheBucketByLocation()
    {
        var lot = CreateLot() with { Buckets = [Bucket(StockCategory.Blocked, 10, Rack)] };
        var movement = Movement(MovementKind.LocationTransfer, 4, StockCategory.Blocked) with { FromLocation = Rack, ToLocation = Hold };

        var next = Accept(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        next.Buckets.Should().BeEquivalentTo(new[] { Bucket(StockCategory.Blocked, 6, Rack), Bucket(StockCategory.Blocked, 4, Hold) });
    }

    [Fact]
    public void Apply_ReversalOfLocationTransfer_MovesBackToTheOriginalLocation()
    {
        var lot = CreateLot() with { Buckets = [Bucket(StockCategory.Blocked, 6, Rack), Bucket(StockCategory.Blocked, 4, Hold)] };
        var reversal = Movement(MovementKind.LocationTransfer, 3, StockCategory.Blocked) with { FromLocation = Rack, ToLocation = Hold, ReversalOf = "doc-325" };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.Buckets.Should().BeEquivalentTo(new[] { Bucket(StockCategory.Blocked, 9, Rack), Bucket(StockCategory.Blocked, 1, Hold) });
    }

    [Fact]
    public void Apply_CategoryTransferWithoutTargetLocation_KeepsTheSourceLocation()
    {
        var lot = CreateLot() with { Buckets = [Bucket(StockCategory.QualityInspection, 10, Rack)] };

        var next = Accept(LotStockMachine.Apply(lot, Movement(MovementKind.CategoryTransfer, 10, StockCategory.QualityInspection, StockCategory.Blocked), LotPolicy.Default, Today));

        next.Buckets.Should().BeEquivalentTo(new[] { Bucket(StockCategory.Blocked, 10, Rack) });
    }

    [Fact]
    public void Apply_ReversalOfCategoryTransferFromALocation_TakesStockBackFromThatLocation()
    {
        // The original moved 5 from QI at the rack to unrestricted (the piece kept its location).
        var lot = CreateLot() with { Buckets = [Bucket(StockCategory.Unrestricted, 7, Hold), Bucket(StockCategory.Unrestricted, 5, Rack)] };
        var reversal = Movement(MovementKind.CategoryTransfer, 5, StockCategory.QualityInspection, StockCategory.Unrestricted) with { FromLocation = Rack, ReversalOf = "doc-321" };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.Buckets.Should().BeEquivalentTo(new[] { Bucket(StockCategory.Unrestricted, 7, Hold), Bucket(StockCategory.QualityInspection, 5, Rack) });
    }

    [Fact]
    public void Apply_InsufficientStockAtALocation_NamesOwnershipCategoryAndLocation()
    {
        var lot = CreateLot() with { Buckets = [Bucket(StockCategory.QualityInspection, 3, Rack), Bucket(StockCategory.QualityInspection, 20, Hold)] };
        var movement = Movement(MovementKind.CategoryTransfer, 5, StockCategory.QualityInspection, StockCategory.Blocked) with { FromLocation = Rack };

        var rejection = RejectionOf(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        rejection.Message.Should().Be("CategoryTransfer of 5 EA on lot LOT-1 rejected: The lot holds 3 of 5 EA in Own QualityInspection stock at RACK-A.");
    }

    [Fact]
    public void Apply_MoreThanTheBucketHolds_NamesWhatTheLotHolds()
    {
        RejectionOf(LotStockMachine.Apply(CreateLot((StockCategory.QualityInspection, 10)), Movement(MovementKind.CategoryTransfer, 11, StockCategory.QualityInspection, StockCategory.Blocked), LotPolicy.Default, Today))
            .Message.Should().Be("CategoryTransfer of 11 EA on lot LOT-1 rejected: The lot holds 10 of 11 EA in Own QualityInspection stock.");
    }

    [Fact]
    public void Apply_TransferOfOwnStockWhenOnlyConsignmentIsThere_IsInsufficientQuantityNotOwnership()
    {
        // Only withdrawals (consume, issue, transfer out) name the ownership; a category transfer just lacks own stock.
        var lot = CreateLot(StockOwnership.VendorConsignment, (StockCategory.QualityInspection, 10));

        RejectionOf(LotStockMachine.Apply(lot, Movement(MovementKind.CategoryTransfer, 5, StockCategory.QualityInspection, StockCategory.Blocked), LotPolicy.Default, Today))
            .ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public void Consume_AllOfAVendorConsignmentLot_IsRejectedAsNotOwned()
    {
        var lot = CreateLot(StockOwnership.VendorConsignment, (StockCategory.Unrestricted, 10));

        RejectionOf(LotStockMachine.Consume(lot, new OrderId("PO-1"), Quantity.Each(10), LotPolicy.Default, Today))
            .ReasonCode.Should().Be(ReasonCodes.ConsignmentNotOwned);
    }

    [Fact]
    public void Apply_ReversalOfTransferOutWithOnlyConsignmentInTransit_IsInsufficientQuantity()
    {
        var lot = CreateLot(StockOwnership.VendorConsignment, (StockCategory.InTransit, 10));
        var reversal = Movement(MovementKind.PlantTransferOut, 5, StockCategory.Unrestricted) with { ReversalOf = "doc-351" };

        RejectionOf(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public void Apply_ReversalOfMoreThanScrapped_NamesTheScrappedQuantity()
    {
        var lot = CreateLot((StockCategory.Blocked, 70)) with { ScrappedQuantity = 30 };
        var reversal = Movement(MovementKind.Scrap, 31, StockCategory.Blocked) with { ReversalOf = "doc-555" };

        RejectionOf(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today))
            .Message.Should().Be("Scrap of 31 EA on lot LOT-1 rejected: Only 30 of the lot is scrapped; cannot reverse 31 EA.");
    }

    [Theory]
    [InlineData(MovementKind.Consumption)]
    [InlineData(MovementKind.GoodsIssue)]
    public void Apply_ReversalOfMoreThanConsumed_IsRejected(MovementKind kind)
    {
        var lot = CreateLot((StockCategory.Unrestricted, 60)) with { ConsumedQuantity = 40 };
        var reversal = Movement(kind, 41, StockCategory.Unrestricted) with { ReversalOf = "doc-261" };

        var rejection = RejectionOf(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.ReversalInvalid);
        rejection.Message.Should().EndWith("rejected: Only 40 of the lot was consumed or issued; cannot reverse 41 EA.");
    }

    [Fact]
    public void Apply_ReversalOfGoodsIssue_RestoresStockAndConsumedTotal()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 60)) with { ConsumedQuantity = 40 };
        var reversal = Movement(MovementKind.GoodsIssue, 40, StockCategory.Unrestricted) with { ReversalOf = "doc-201" };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(100);
        next.ConsumedQuantity.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfSample_RestoresStockWithoutTouchingConsumption()
    {
        var lot = CreateLot((StockCategory.QualityInspection, 96));
        var reversal = Movement(MovementKind.Sample, 4, StockCategory.QualityInspection) with { ReversalOf = "doc-333" };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(100);
        next.ConsumedQuantity.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfAReceiptThatCouldNotHappen_IsRejected()
    {
        // A receipt into in-transit stock is refused, so there is nothing to reverse.
        var lot = CreateLot((StockCategory.InTransit, 10));
        var reversal = Movement(MovementKind.GoodsReceipt, 10, to: StockCategory.InTransit) with { ReversalOf = "doc-101" };

        RejectionOf(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.ReversalInvalid);
    }

    [Fact]
    public void Apply_ReversalOfReceipt_RemovesTheReceivedStock()
    {
        var lot = CreateLot((StockCategory.QualityInspection, 100));
        var reversal = Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.QualityInspection) with { ReversalOf = "doc-101" };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.Buckets.Should().BeEmpty();
        next.Disposition.Should().Be(LotDisposition.Closed);
    }

    [Fact]
    public void Apply_CategoryTransferOfVendorConsignment_KeepsTheOwnership()
    {
        var lot = CreateLot(StockOwnership.VendorConsignment, (StockCategory.QualityInspection, 10));
        var movement = Movement(MovementKind.CategoryTransfer, 4, StockCategory.QualityInspection, StockCategory.Blocked) with { FromOwnership = StockOwnership.VendorConsignment };

        var next = Accept(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked, StockOwnership.VendorConsignment).Value.Should().Be(4);
        next.QuantityIn(StockCategory.Blocked, StockOwnership.Own).Value.Should().Be(0);
        next.QuantityIn(StockCategory.QualityInspection, StockOwnership.VendorConsignment).Value.Should().Be(6);
    }

    [Fact]
    public void Apply_ReversalOfConsignmentToOwn_GivesTheStockBackToTheVendor()
    {
        var lot = CreateLot() with
        {
            Buckets = [Bucket(StockCategory.Unrestricted, 5, ownership: StockOwnership.VendorConsignment), Bucket(StockCategory.Unrestricted, 5)],
        };
        var reversal = Movement(MovementKind.ConsignmentToOwn, 5, StockCategory.Unrestricted) with
        {
            FromOwnership = StockOwnership.VendorConsignment,
            ToOwnership = StockOwnership.Own,
            ReversalOf = "doc-411",
        };

        var next = Accept(LotStockMachine.Apply(lot, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Unrestricted, StockOwnership.VendorConsignment).Value.Should().Be(10);
        next.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own).Value.Should().Be(0);
    }

    [Fact]
    public void Apply_ConsignmentToOwnOutsideUnrestricted_IsNotPermitted()
    {
        var lot = CreateLot(StockOwnership.VendorConsignment, (StockCategory.QualityInspection, 10), (StockCategory.Unrestricted, 10));
        var movement = Movement(MovementKind.ConsignmentToOwn, 5, StockCategory.QualityInspection) with { FromOwnership = StockOwnership.VendorConsignment, ToOwnership = StockOwnership.Own };

        var rejection = RejectionOf(LotStockMachine.Apply(lot, movement, LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.TransitionNotPermitted);
        rejection.CurrentState.Should().Be("QualityInspection");
    }

    [Fact]
    public void Apply_CountSurplusNamingOnlyTheSourceCategory_AddsToThatCategory()
    {
        var movement = Movement(MovementKind.CountDifference, 3, from: StockCategory.Blocked) with { IsIncrease = true };

        var next = Accept(LotStockMachine.Apply(CreateLot((StockCategory.Blocked, 10)), movement, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked).Value.Should().Be(13);
    }

    [Fact]
    public void Apply_CountShortageNamingOnlyTheTargetCategory_TakesFromThatCategory()
    {
        var movement = Movement(MovementKind.CountDifference, 3, to: StockCategory.Blocked);

        var next = Accept(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10), (StockCategory.Blocked, 10)), movement, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Blocked).Value.Should().Be(7);
        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(10);
    }

    [Fact]
    public void Apply_ReleaseIntoALotWithTwoEqualSlots_MergesIntoOneOnly()
    {
        var lot = CreateLot((StockCategory.Unrestricted, 10), (StockCategory.Unrestricted, 20), (StockCategory.QualityInspection, 5));

        var next = Accept(LotStockMachine.ReleaseFromInspection(lot, null, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(35);
        next.Buckets.Select(b => b.Quantity.Value).Should().Equal(15, 20);
    }

    [Fact]
    public void Apply_ReworkedLotReleasedToRestrictedUse_ClearsTheReinspectionFlag()
    {
        var lot = LotStockMachine.MarkReworked(CreateLot((StockCategory.QualityInspection, 10)));

        var next = Accept(LotStockMachine.Apply(lot, Movement(MovementKind.CategoryTransfer, 10, StockCategory.QualityInspection, StockCategory.RestrictedUse), LotPolicy.Default, Today));

        next.QualityDecision.Should().Be(QualityDecision.AcceptedRestricted);
        next.RequiresReinspection.Should().BeFalse();
    }

    [Fact]
    public void Apply_UnrestrictedToRestrictedUseAndBack_SetsAndClearsTheRestrictedBatchStatus()
    {
        var restricted = Accept(LotStockMachine.Apply(CreateLot((StockCategory.Unrestricted, 10)), Movement(MovementKind.CategoryTransfer, 10, StockCategory.Unrestricted, StockCategory.RestrictedUse), LotPolicy.Default, Today));
        var unrestricted = Accept(LotStockMachine.Apply(restricted, Movement(MovementKind.CategoryTransfer, 10, StockCategory.RestrictedUse, StockCategory.Unrestricted), LotPolicy.Default, Today));

        restricted.IsRestrictedBatch.Should().BeTrue();
        unrestricted.IsRestrictedBatch.Should().BeFalse();
        unrestricted.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(10);
    }

    [Fact]
    public void Receive_RestrictedBatchIntoUnrestricted_LandsInRestrictedUse()
    {
        var receipt = new GoodsReceived { Lot = LotId, Material = Material, Site = Site, Quantity = Quantity.Each(100), Category = StockCategory.Unrestricted, IsRestrictedBatch = true };

        var lot = Accept(LotStockMachine.Receive(receipt, LotPolicy.Default, Today));

        lot.QuantityIn(StockCategory.RestrictedUse).Value.Should().Be(100);
        lot.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(0);
        lot.IsRestrictedBatch.Should().BeTrue();
    }

    [Fact]
    public void Receive_RestrictedBatchIntoInspection_StaysInInspection()
    {
        var receipt = new GoodsReceived { Lot = LotId, Material = Material, Site = Site, Quantity = Quantity.Each(100), IsRestrictedBatch = true };

        var lot = Accept(LotStockMachine.Receive(receipt, LotPolicy.Default, Today));

        lot.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(100);
    }

    [Fact]
    public void Apply_ReversalOfRestrictedBatchRelease_TakesTheStockBackFromRestrictedUse()
    {
        var lot = CreateLot((StockCategory.QualityInspection, 100)) with { IsRestrictedBatch = true };
        var released = Accept(LotStockMachine.ReleaseFromInspection(lot, Quantity.Each(40), LotPolicy.Default, Today));
        var reversal = Movement(MovementKind.CategoryTransfer, 40, StockCategory.QualityInspection, StockCategory.Unrestricted) with { ReversalOf = "doc-321" };

        var next = Accept(LotStockMachine.Apply(released, reversal, LotPolicy.Default, Today));

        next.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(100);
        next.QuantityIn(StockCategory.RestrictedUse).Value.Should().Be(0);
    }

    [Fact]
    public void Apply_ReversalOfRestrictedBatchReceiptIntoUnrestricted_RemovesTheRestrictedUseStock()
    {
        var receipt = new GoodsReceived { Lot = LotId, Material = Material, Site = Site, Quantity = Quantity.Each(100), Category = StockCategory.Unrestricted, IsRestrictedBatch = true };
        var received = Accept(LotStockMachine.Receive(receipt, LotPolicy.Default, Today));
        var reversal = Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.Unrestricted) with { ReversalOf = "doc-101" };

        var next = Accept(LotStockMachine.Apply(received, reversal, LotPolicy.Default, Today));

        next.Buckets.Should().BeEmpty();
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted, LotStockState.Unrestricted)]
    [InlineData(StockCategory.QualityInspection, LotStockState.QualityInspection)]
    [InlineData(StockCategory.Blocked, LotStockState.Blocked)]
    [InlineData(StockCategory.RestrictedUse, LotStockState.RestrictedUse)]
    [InlineData(StockCategory.InTransit, LotStockState.InTransit)]
    public void ToState_KnownCategory_MapsToItsState(StockCategory category, LotStockState expected)
    {
        LotStockMachine.ToState(category).Should().Be(expected);
    }

    [Fact]
    public void ToState_UnknownCategory_Throws()
    {
        FluentActions.Invoking(() => LotStockMachine.ToState((StockCategory)42)).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("category").WithMessage("Unknown stock category.*");
    }

    [Fact]
    public void LotPolicy_Defaults_BlockExpiredLotsAndRedirectRestrictedBatches()
    {
        var policy = new LotPolicy();
        var expired = CreateLot((StockCategory.QualityInspection, 10)) with { ExpiryDate = Today.AddDays(-1), IsRestrictedBatch = true };
        var restricted = CreateLot((StockCategory.QualityInspection, 10)) with { IsRestrictedBatch = true };

        policy.IsExpiredForUse(expired, Today).Should().BeTrue();
        Accept(LotStockMachine.ReleaseFromInspection(restricted, null, policy, Today)).QuantityIn(StockCategory.RestrictedUse).Value.Should().Be(10);
    }

    [Fact]
    public void LotPolicy_IsExpiredForUseWithoutLot_ThrowsArgumentNullException()
    {
        FluentActions.Invoking(() => LotPolicy.Default.IsExpiredForUse(null!, Today)).Should().Throw<ArgumentNullException>().WithParameterName("lot");
    }

    [Fact]
    public async Task Apply_ConcurrentCallsOnManyThreads_GiveIndependentResults()
    {
        var tasks = Enumerable.Range(1, 64).Select(i => Task.Run(() =>
        {
            var lot = CreateLot((StockCategory.QualityInspection, 1000));
            for (var n = 0; n < 50; n++)
            {
                lot = Accept(LotStockMachine.ReleaseFromInspection(lot, Quantity.Each(i % 7 + 1), LotPolicy.Default, Today));
            }

            return (i, lot.QuantityIn(StockCategory.Unrestricted).Value);
        }));

        var results = await Task.WhenAll(tasks);

        results.Should().OnlyContain(r => r.Value == 50 * (r.i % 7 + 1));
    }

    [Theory]
    [InlineData(MovementKind.Consumption)]
    [InlineData(MovementKind.GoodsIssue)]
    [InlineData(MovementKind.PlantTransferOut)]
    public void Apply_WithdrawalFromReworkedLotBeforeReinspection_IsRejectedAsReinspectionRequired(MovementKind kind)
    {
        // 21 CFR 820.90(b)(2): reworked product is re-verified before it is used, even stock that is already unrestricted.
        var lot = LotStockMachine.MarkReworked(CreateLot((StockCategory.Unrestricted, 100)));

        var rejection = RejectionOf(LotStockMachine.Apply(lot, Movement(kind, 10, StockCategory.Unrestricted), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.ReinspectionRequired);
    }

    [Fact]
    public void Consume_ReworkedLotAfterPassingReinspection_IsAccepted()
    {
        var lot = LotStockMachine.MarkReworked(CreateLot((StockCategory.Unrestricted, 100), (StockCategory.QualityInspection, 10)));
        var reinspected = Accept(LotStockMachine.ReleaseFromInspection(lot, null, LotPolicy.Default, Today));

        var next = Accept(LotStockMachine.Consume(reinspected, new OrderId("PO-1"), Quantity.Each(10), LotPolicy.Default, Today));

        next.ConsumedQuantity.Should().Be(10);
    }
}
