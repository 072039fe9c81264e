using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines.Tests.Lots;

/// <summary>
/// Quality-inspection stock managed by inspection lots (a QM-active material) leaves inspection only through a usage
/// decision, released means posted; stock in transfer between plants (303, then 305) is usable nowhere until placed.
/// </summary>
public sealed class UsageDecisionAndStockInTransferTests
{
    private static readonly DateOnly Today = new(2026, 3, 1);
    private static readonly InspectionLotId Il1 = new("IL-1");

    private static MaterialLot Lot(params (StockCategory Category, decimal Quantity)[] buckets) => new()
    {
        Id = new LotId("LOT-1"),
        Material = new MaterialId("CAP-100"),
        Site = new SiteId("PLANT-1"),
        Unit = UnitOfMeasure.Each,
        Buckets = [.. buckets.Select(b => new StockBucket { Category = b.Category, Location = new StorageLocationId("0001"), Quantity = Quantity.Each(b.Quantity) })],
    };

    private static MaterialLot Managed(decimal inspection = 100) =>
        Accept(LotStockMachine.OpenInspection(Lot((StockCategory.QualityInspection, inspection)), Il1, Quantity.Each(inspection)));

    private static MaterialLot Accept(TransitionResult<MaterialLot> result)
    {
        result.Rejection.Should().BeNull(result.Rejection?.Message);
        return result.Value!;
    }

    private static TransitionRejection Refused(TransitionResult<MaterialLot> result)
    {
        result.Value.Should().BeNull();
        return result.Rejection!;
    }

    private static GoodsMovement Move(MovementKind kind, decimal quantity, StockCategory? from, StockCategory? to, string? reversalOf = null) => new()
    {
        Kind = kind,
        Lot = new LotId("LOT-1"),
        Material = new MaterialId("CAP-100"),
        Site = new SiteId("PLANT-1"),
        Quantity = Quantity.Each(quantity),
        FromCategory = from,
        ToCategory = to,
        ReversalOf = reversalOf,
    };

    [Fact]
    public void PlainRelease_OfStockAnInspectionLotManages_IsRefusedNamingTheInspectionLot()
    {
        var rejection = Refused(LotStockMachine.ReleaseFromInspection(Managed(), null, LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.UsageDecisionRequired);
        rejection.Message.Should().Contain("IL-1").And.Contain("usage decision");
    }

    [Fact]
    public void PlainBlock_OfStockAnInspectionLotManages_IsRefusedToo()
    {
        Refused(LotStockMachine.BlockFromInspection(Managed(), null, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.UsageDecisionRequired);
    }

    [Fact]
    public void Release_NamingAnotherInspectionLot_IsRefused()
    {
        var rejection = Refused(LotStockMachine.ReleaseFromInspection(Managed(), null, new InspectionLotId("IL-9"), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.UsageDecisionRequired);
        rejection.Message.Should().Contain("IL-9 is not open on the lot").And.Contain("IL-1");
    }

    [Fact]
    public void UsageDecisionPosting_ReleasesTheStockAndClosesTheInspectionLot()
    {
        var released = Accept(LotStockMachine.ReleaseFromInspection(Managed(), null, Il1, LotPolicy.Default, Today));

        released.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
        released.QuantityIn(StockCategory.QualityInspection).IsZero.Should().BeTrue();
        released.Inspections.Should().BeEmpty("a fully posted decision completes the inspection lot (SPCO)");
        released.QualityDecision.Should().Be(QualityDecision.Accepted);
    }

    [Fact]
    public void RecordedDecision_WithThePostingPending_IsNotReleased()
    {
        var decided = Accept(LotStockMachine.RecordUsageDecision(Managed(), Il1, UsageDecision.Accept));

        decided.IsUsageDecisionPostingPending.Should().BeTrue();
        decided.Inspections.Should().ContainSingle().Which.Should().Be(new LotInspection { Id = Il1, Status = InspectionLotStatus.StockPostingRequired, Decision = UsageDecision.Accept, Quantity = 100 });
        decided.QuantityIn(StockCategory.Unrestricted).IsZero.Should().BeTrue("released means posted");
        decided.QualityDecision.Should().Be(QualityDecision.Pending);
        decided.Version.Should().Be(Managed().Version + 1);

        var posted = Accept(LotStockMachine.ReleaseFromInspection(decided, null, Il1, LotPolicy.Default, Today));
        posted.IsUsageDecisionPostingPending.Should().BeFalse();
        posted.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
    }

    [Fact]
    public void RejectingDecision_NeverReleases_AndPostsToBlocked()
    {
        var rejected = Accept(LotStockMachine.RecordUsageDecision(Managed(), Il1, UsageDecision.Reject));

        var release = Refused(LotStockMachine.ReleaseFromInspection(rejected, null, Il1, LotPolicy.Default, Today));
        release.ReasonCode.Should().Be(ReasonCodes.UsageDecisionConflict);
        release.Message.Should().Contain("IL-1 carries usage decision Reject");

        var blocked = Accept(LotStockMachine.BlockFromInspection(rejected, null, Il1, LotPolicy.Default, Today));
        blocked.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(100));
        blocked.Inspections.Should().BeEmpty();
        blocked.QualityDecision.Should().Be(QualityDecision.Rejected);
    }

    [Fact]
    public void RestrictedAcceptance_NeverPostsToUnrestricted()
    {
        var decided = Accept(LotStockMachine.RecordUsageDecision(Managed(), Il1, UsageDecision.AcceptRestricted));

        Refused(LotStockMachine.ReleaseFromInspection(decided, null, Il1, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.UsageDecisionConflict);
        var restricted = Accept(LotStockMachine.Apply(decided, Move(MovementKind.CategoryTransfer, 100, StockCategory.QualityInspection, StockCategory.RestrictedUse) with { InspectionLot = Il1 }, LotPolicy.Default, Today));
        restricted.QuantityIn(StockCategory.RestrictedUse).Should().Be(Quantity.Each(100));
    }

    [Fact]
    public void PartialPosting_KeepsTheDecisionPendingForTheRest()
    {
        var blocked = Accept(LotStockMachine.BlockFromInspection(Managed(), Quantity.Each(30), Il1, LotPolicy.Default, Today));

        blocked.Inspections.Should().ContainSingle().Which.Should().Be(new LotInspection { Id = Il1, Status = InspectionLotStatus.StockPostingRequired, Decision = UsageDecision.Reject, Quantity = 70 });
        Refused(LotStockMachine.ReleaseFromInspection(blocked, null, Il1, LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.UsageDecisionConflict, "the first posting carried out a rejection");
    }

    [Fact]
    public void RecordUsageDecision_UnknownInspectionLotOrAnotherDecision_IsRefused()
    {
        Refused(LotStockMachine.RecordUsageDecision(Managed(), new InspectionLotId("IL-2"), UsageDecision.Accept)).ReasonCode.Should().Be(ReasonCodes.InspectionLotUnknown);

        var accepted = Accept(LotStockMachine.RecordUsageDecision(Managed(), Il1, UsageDecision.Accept));
        Refused(LotStockMachine.RecordUsageDecision(accepted, Il1, UsageDecision.Reject)).ReasonCode.Should().Be(ReasonCodes.UsageDecisionConflict);
        Accept(LotStockMachine.RecordUsageDecision(accepted, Il1, UsageDecision.Accept)).Inspections.Should().ContainSingle().Which.Decision.Should().Be(UsageDecision.Accept);
    }

    [Fact]
    public void OpenInspection_MoreThanTheUnmanagedInspectionStock_OrTwice_IsRefused()
    {
        var lot = Lot((StockCategory.QualityInspection, 100));
        var half = Accept(LotStockMachine.OpenInspection(lot, Il1, Quantity.Each(60)));

        Refused(LotStockMachine.OpenInspection(half, new InspectionLotId("IL-2"), Quantity.Each(41))).ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
        Refused(LotStockMachine.OpenInspection(half, Il1, Quantity.Each(10))).ReasonCode.Should().Be(ReasonCodes.Duplicate);
        Refused(LotStockMachine.OpenInspection(lot, Il1, Quantity.Each(0))).ReasonCode.Should().Be(ReasonCodes.NonPositiveQuantity);
        Accept(LotStockMachine.OpenInspection(half, new InspectionLotId("IL-2"), Quantity.Each(40))).Inspections.Should().HaveCount(2);
    }

    [Fact]
    public void LotWithoutInspectionLots_ReleasesWithOrWithoutAReference()
    {
        var lot = Lot((StockCategory.QualityInspection, 100));

        Accept(LotStockMachine.ReleaseFromInspection(lot, null, LotPolicy.Default, Today)).QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
        Accept(LotStockMachine.ReleaseFromInspection(lot, null, new InspectionLotId("IL-QMS-7"), LotPolicy.Default, Today)).QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
    }

    [Fact]
    public void SampleFromInspectionStock_IsAllowed_AndTheInspectionLotManagesWhatIsLeft()
    {
        var sampled = Accept(LotStockMachine.Apply(Managed(), Move(MovementKind.Sample, 5, StockCategory.QualityInspection, null), LotPolicy.Default, Today));

        sampled.Inspections.Should().ContainSingle().Which.Quantity.Should().Be(95);
        sampled.Inspections[0].Status.Should().Be(InspectionLotStatus.Created);
        Accept(LotStockMachine.ReleaseFromInspection(sampled, null, Il1, LotPolicy.Default, Today)).Inspections.Should().BeEmpty();
    }

    [Fact]
    public void UnmanagedInspectionStock_BesideAnInspectionLot_StillNeedsItsDecision()
    {
        // One inspection lot manages part of the QI stock: the lot's QI stock as a whole leaves only through a usage decision.
        var lot = Accept(LotStockMachine.OpenInspection(Lot((StockCategory.QualityInspection, 100)), Il1, Quantity.Each(60)));

        Refused(LotStockMachine.ReleaseFromInspection(lot, Quantity.Each(40), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.UsageDecisionRequired);
    }

    [Fact]
    public void TransferOut_IntoStockInTransfer_IsPlantLevelAndUsableNowhere()
    {
        var lot = Lot((StockCategory.Unrestricted, 100));

        var removed = Accept(LotStockMachine.Apply(lot, Move(MovementKind.PlantTransferOut, 40, StockCategory.Unrestricted, StockCategory.InTransfer), LotPolicy.Default, Today));

        removed.QuantityIn(StockCategory.InTransfer).Should().Be(Quantity.Each(40));
        removed.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(60));
        removed.Buckets.Single(b => b.Category == StockCategory.InTransfer).Location.Should().BeNull("stock in transfer is kept at plant level");
        var consumed = Refused(LotStockMachine.Apply(removed, Move(MovementKind.Consumption, 10, StockCategory.InTransfer, null) with { Order = new OrderId("WO-1") }, LotPolicy.Default, Today));
        consumed.ReasonCode.Should().Be(ReasonCodes.InTransferNotUsable);
        Refused(LotStockMachine.Apply(removed, Move(MovementKind.CategoryTransfer, 10, StockCategory.InTransfer, StockCategory.Unrestricted), LotPolicy.Default, Today)).ReasonCode.Should().Be(ReasonCodes.InTransferNotUsable);
    }

    [Fact]
    public void PlacementAtTheReceivingPlant_And_ReversalsOfBothSteps()
    {
        var lot = Lot((StockCategory.Unrestricted, 100));
        var removal = Move(MovementKind.PlantTransferOut, 40, StockCategory.Unrestricted, StockCategory.InTransfer);
        var removed = Accept(LotStockMachine.Apply(lot, removal, LotPolicy.Default, Today));
        var placement = Move(MovementKind.PlantTransferIn, 40, StockCategory.InTransfer, StockCategory.Unrestricted);

        var placed = Accept(LotStockMachine.Apply(removed, placement, LotPolicy.Default, Today));
        placed.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
        placed.QuantityIn(StockCategory.InTransfer).IsZero.Should().BeTrue();

        var placementReversed = Accept(LotStockMachine.Apply(placed, placement with { ReversalOf = "306-doc" }, LotPolicy.Default, Today));
        placementReversed.QuantityIn(StockCategory.InTransfer).Should().Be(Quantity.Each(40), "306 takes the placement back into stock in transfer");

        var removalReversed = Accept(LotStockMachine.Apply(removed, removal with { ReversalOf = "304-doc" }, LotPolicy.Default, Today));
        removalReversed.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100), "304 brings the removal back to the issuing plant");
        removalReversed.QuantityIn(StockCategory.InTransfer).IsZero.Should().BeTrue();
    }

    [Fact]
    public void TransferOut_IntoAnyOtherCategory_IsRefused()
    {
        var rejection = Refused(LotStockMachine.Apply(Lot((StockCategory.Unrestricted, 100)), Move(MovementKind.PlantTransferOut, 10, StockCategory.Unrestricted, StockCategory.Blocked), LotPolicy.Default, Today));

        rejection.ReasonCode.Should().Be(ReasonCodes.TransferNotPermitted);
        rejection.Message.Should().Contain("stock in transit (351) or stock in transfer (303)");
    }
}
