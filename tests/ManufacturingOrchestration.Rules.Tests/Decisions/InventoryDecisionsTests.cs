using System.Globalization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class InventoryDecisionsTests
{
    private static readonly MaterialId M1 = new("M-1");
    private static readonly SiteId P1 = new("P1");
    private static readonly LotId L1 = new("L-1");
    private static readonly CycleCountId Cc1 = new("CC-1");

    private static QuarantineLot Quarantine(string lot = "L-1", string site = "P1", StockCategory from = StockCategory.QualityInspection, Quantity? quantity = null) => new()
    {
        Lot = new LotId(lot), Site = new SiteId(site), FromCategory = from, Quantity = quantity, HoldReason = "inspection failed",
    };

    private static MoveStockToHold Move(string lot = "L-1", string site = "P1", string? bin = "HOLD-01") => new()
    {
        Lot = new LotId(lot), Site = new SiteId(site), HoldLocation = bin is null ? null : new BinId(bin),
    };

    private static ReleaseLot Release(string lot = "L-1", string site = "P1", StockCategory target = StockCategory.Unrestricted, Quantity? quantity = null) => new()
    {
        Lot = new LotId(lot), Site = new SiteId(site), TargetCategory = target, Quantity = quantity,
    };

    private static PausePicks Pause(string material = "M-1", string site = "P1", string? lot = "L-1", string count = "CC-1", string? bin = "A-01") => new()
    {
        Material = new MaterialId(material), Site = new SiteId(site), Lot = lot is null ? null : new LotId(lot), CycleCount = new CycleCountId(count),
        Bin = bin is null ? null : new BinId(bin),
    };

    private static PostCountAdjustment Adjustment(decimal variance, string count = "CC-1", string? lot = "L-1", string material = "M-1") => new()
    {
        CycleCount = new CycleCountId(count), Material = new MaterialId(material), Site = P1, Lot = lot is null ? null : new LotId(lot), Variance = variance, Unit = UnitOfMeasure.Each,
    };

    private static UpdateAtp Atp(string material = "M-1", string site = "P1", string? lot = "L-1", Quantity? quantity = null) => new()
    {
        Material = new MaterialId(material), Site = new SiteId(site), Lot = lot is null ? null : new LotId(lot), Quantity = quantity,
    };

    private static ReleaseShipmentHold ShipmentHold(string lot = "L-1", string site = "P1") => new() { Lot = new LotId(lot), Site = new SiteId(site) };

    private static ReviewReplenishment Review(string material = "M-1", string site = "P1", string reason = "scrap spike") => new()
    {
        Material = new MaterialId(material), Site = new SiteId(site), Reason = reason,
    };

    [Fact]
    public void Describe_QuarantineLotWithQuantity_NamesCategoriesAndQuantity()
    {
        var quarantine = Quarantine(quantity: Quantity.Each(1000));

        quarantine.Describe().Should().Be("Quarantine lot L-1 at P1 (QualityInspection → Blocked, 1000 EA)");
        Quarantine(from: StockCategory.Unrestricted).Describe().Should().Be("Quarantine lot L-1 at P1 (Unrestricted → Blocked)");
        new QuarantineLot { Lot = L1, Site = P1 }.FromCategory.Should().Be(StockCategory.QualityInspection);
        quarantine.Kind.Should().Be(DecisionKind.QuarantineLot);
        quarantine.Governance.Should().Be(GovernedAction.None);
    }

    [Fact]
    public void IsSameActionAs_QuarantineLot_SameLotAndSiteWhateverTheQuantity()
    {
        var quarantine = Quarantine(quantity: Quantity.Each(1000));

        quarantine.IsSameActionAs(Quarantine(from: StockCategory.Unrestricted)).Should().BeTrue();
        quarantine.IsSameActionAs(Quarantine(lot: "L-2")).Should().BeFalse();
        quarantine.IsSameActionAs(Quarantine(site: "P2")).Should().BeFalse();
        quarantine.IsSameActionAs(Move()).Should().BeFalse();
    }

    [Fact]
    public void Describe_MoveStockToHold_NamesTheBinOrTheDefault()
    {
        var move = Move();

        move.Describe().Should().Be("Move lot L-1 to hold location HOLD-01 at P1");
        Move(bin: null).Describe().Should().Be("Move lot L-1 to hold location (default) at P1");
        move.Kind.Should().Be(DecisionKind.MoveStockToHold);
    }

    [Fact]
    public void IsSameActionAs_MoveStockToHold_SameLotAndSiteWhateverTheBin()
    {
        var move = Move();

        move.IsSameActionAs(Move(bin: null)).Should().BeTrue();
        move.IsSameActionAs(Move(lot: "L-2")).Should().BeFalse();
        move.IsSameActionAs(Move(site: "P2")).Should().BeFalse();
        move.IsSameActionAs(Quarantine()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ReleaseLot_NamesTargetCategoryAndQuantity()
    {
        var release = Release(target: StockCategory.RestrictedUse, quantity: Quantity.Each(50));

        release.Describe().Should().Be("Release lot L-1 at P1 (QualityInspection → RestrictedUse, 50 EA)");
        new ReleaseLot { Lot = L1, Site = P1 }.TargetCategory.Should().Be(StockCategory.Unrestricted);
        release.Kind.Should().Be(DecisionKind.ReleaseLot);
        release.Governance.Should().Be(GovernedAction.Release);
    }

    [Fact]
    public void Describe_ReleaseLotWithClaimantInAnotherCulture_NamesTheClaimantAndAnInvariantQuantity()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var release = new ReleaseLot { Lot = L1, Site = P1, Quantity = Quantity.Each(12.5m), ReleasedBy = new ActorId("qm-anna") };

            release.Describe().Should().Be("Release lot L-1 at P1 (QualityInspection → Unrestricted, 12.5 EA, released by qm-anna)");
            release.ToString().Should().Be(release.Describe());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void IsSameActionAs_ReleaseLot_SameLotSiteAndTargetWhateverTheQuantity()
    {
        var release = Release(quantity: Quantity.Each(50));

        release.IsSameActionAs(Release()).Should().BeTrue();
        release.IsSameActionAs(Release(lot: "L-2")).Should().BeFalse();
        release.IsSameActionAs(Release(site: "P2")).Should().BeFalse();
        release.IsSameActionAs(Release(target: StockCategory.RestrictedUse)).Should().BeFalse();
        release.IsSameActionAs(ShipmentHold()).Should().BeFalse();
    }

    [Fact]
    public void Describe_PausePicks_NamesMaterialLotSiteAndCount()
    {
        var pause = Pause();

        pause.Describe().Should().Be("Pause picks of M-1 lot L-1 at P1 until count CC-1 is settled");
        Pause(lot: null).Describe().Should().Be("Pause picks of M-1 at P1 until count CC-1 is settled");
        pause.Kind.Should().Be(DecisionKind.PausePicks);
    }

    [Fact]
    public void IsSameActionAs_PausePicks_SameMaterialSiteLotAndCountWhateverTheBin()
    {
        var pause = Pause();

        pause.IsSameActionAs(Pause(bin: null)).Should().BeTrue();
        pause.IsSameActionAs(Pause(material: "M-2")).Should().BeFalse();
        pause.IsSameActionAs(Pause(site: "P2")).Should().BeFalse();
        pause.IsSameActionAs(Pause(lot: "L-2")).Should().BeFalse();
        pause.IsSameActionAs(Pause(count: "CC-2")).Should().BeFalse();
        pause.IsSameActionAs(Adjustment(1)).Should().BeFalse();
    }

    [Fact]
    public void Describe_PostCountAdjustment_WritesTheSignedVariance()
    {
        var gain = Adjustment(5);

        gain.Describe().Should().Be("Post count adjustment +5 EA for M-1 lot L-1 at P1 (count CC-1)");
        Adjustment(-2.5m, lot: null).Describe().Should().Be("Post count adjustment -2.5 EA for M-1 at P1 (count CC-1)");
        Adjustment(0).Describe().Should().Be("Post count adjustment 0 EA for M-1 lot L-1 at P1 (count CC-1)");
        gain.Category.Should().Be(StockCategory.Unrestricted);
        gain.Kind.Should().Be(DecisionKind.PostCountAdjustment);
    }

    [Fact]
    public void IsSameActionAs_PostCountAdjustment_SameCountWhateverTheRest()
    {
        var adjustment = Adjustment(5);

        adjustment.IsSameActionAs(Adjustment(-3, lot: null, material: "M-2")).Should().BeTrue();
        adjustment.IsSameActionAs(Adjustment(5, count: "CC-2")).Should().BeFalse();
        adjustment.IsSameActionAs(Pause()).Should().BeFalse();
        adjustment.CycleCount.Should().Be(Cc1);
    }

    [Fact]
    public void Describe_UpdateAtp_NamesLotAndQuantityWhenKnown()
    {
        var atp = Atp(quantity: Quantity.Each(40));

        atp.Describe().Should().Be("Update ATP of M-1 at P1 lot L-1, 40 EA");
        Atp(lot: null).Describe().Should().Be("Update ATP of M-1 at P1");
        atp.Kind.Should().Be(DecisionKind.UpdateAtp);
    }

    [Fact]
    public void IsSameActionAs_UpdateAtp_SameMaterialSiteAndLotWhateverTheQuantity()
    {
        var atp = Atp(quantity: Quantity.Each(40));

        atp.IsSameActionAs(Atp()).Should().BeTrue();
        atp.IsSameActionAs(Atp(material: "M-2")).Should().BeFalse();
        atp.IsSameActionAs(Atp(site: "P2")).Should().BeFalse();
        atp.IsSameActionAs(Atp(lot: "L-2")).Should().BeFalse();
        atp.IsSameActionAs(Review()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ReleaseShipmentHold_NamesLotAndSite()
    {
        var hold = ShipmentHold();

        hold.Describe().Should().Be("Release shipment hold on lot L-1 at P1");
        hold.Kind.Should().Be(DecisionKind.ReleaseShipmentHold);
        hold.Governance.Should().Be(GovernedAction.None);
    }

    [Fact]
    public void IsSameActionAs_ReleaseShipmentHold_SameLotAndSite()
    {
        var hold = ShipmentHold();

        hold.IsSameActionAs(ShipmentHold()).Should().BeTrue();
        hold.IsSameActionAs(ShipmentHold(lot: "L-2")).Should().BeFalse();
        hold.IsSameActionAs(ShipmentHold(site: "P2")).Should().BeFalse();
        hold.IsSameActionAs(Release()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ReviewReplenishment_NamesMaterialSiteAndReason()
    {
        var review = Review();

        review.Describe().Should().Be("Review replenishment of M-1 at P1: scrap spike");
        review.Kind.Should().Be(DecisionKind.ReviewReplenishment);
    }

    [Fact]
    public void IsSameActionAs_ReviewReplenishment_SameMaterialAndSiteWhateverTheReason()
    {
        var review = Review();

        review.IsSameActionAs(Review(reason: "another")).Should().BeTrue();
        review.IsSameActionAs(Review(material: "M-2")).Should().BeFalse();
        review.IsSameActionAs(Review(site: "P2")).Should().BeFalse();
        review.IsSameActionAs(Atp()).Should().BeFalse();
        review.Material.Should().Be(M1);
    }
}
