using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class QualityDecisionsTests
{
    private static readonly SiteId P1 = new("P1");
    private static readonly LotId L1 = new("L-1");

    private static UseLotAsIs UseAsIs(string lot = "L-1", string ncr = "NC-1", decimal quantity = 100, string authorizer = "mrb-carla") => new()
    {
        Lot = new LotId(lot), Site = P1, Nonconformance = new NonconformanceId(ncr), Quantity = Quantity.Each(quantity),
        Justification = "within design margin per ECN-12", Authorizer = new ActorId(authorizer),
    };

    private static ReworkLot Rework(string lot = "L-1", string ncr = "NC-1", bool repair = false, decimal quantity = 100) => new()
    {
        Lot = new LotId(lot), Site = P1, Nonconformance = new NonconformanceId(ncr), Quantity = Quantity.Each(quantity), IsRepair = repair,
    };

    private static ScrapLot Scrap(string lot = "L-1", StockCategory from = StockCategory.Blocked, decimal quantity = 100, string site = "P1") => new()
    {
        Lot = new LotId(lot), Site = new SiteId(site), Quantity = Quantity.Each(quantity), FromCategory = from,
    };

    private static OpenRootCauseAnalysis RootCause(string site = "P1", string subject = "cycle count CC-1", string reason = "variance over tolerance") => new()
    {
        Site = new SiteId(site), Subject = subject, Reason = reason,
    };

    private static AlertQuality Quality(string site = "P1", string? line = "SMT-2", string message = "scrap spike") => new()
    {
        Site = new SiteId(site), Line = line, Message = message,
    };

    private static AlertMaintenance Maintenance(string site = "P1", string line = "SMT-2", string message = "scrap spike") => new()
    {
        Site = new SiteId(site), Line = line, Message = message,
    };

    private static UpdateYieldMetrics Yield(string site = "P1", string line = "SMT-2", decimal yield = 0.9m, decimal scrapRate = 0.1m) => new()
    {
        Site = new SiteId(site), Line = line, Yield = yield, ScrapRate = scrapRate, WindowStart = DateTimeOffset.UnixEpoch, WindowEnd = DateTimeOffset.UnixEpoch.AddHours(8),
    };

    [Fact]
    public void Describe_UseLotAsIs_NamesQuantityLotNonconformanceAndAuthorizer()
    {
        var useAsIs = UseAsIs();

        useAsIs.Describe().Should().Be("Use 100 EA of lot L-1 as is (NCR NC-1, authorized by mrb-carla)");
        useAsIs.Kind.Should().Be(DecisionKind.UseLotAsIs);
        useAsIs.Governance.Should().Be(GovernedAction.Deviation);
    }

    [Fact]
    public void IsSameActionAs_UseLotAsIs_SameLotAndNonconformanceWhateverTheQuantity()
    {
        var useAsIs = UseAsIs();

        useAsIs.IsSameActionAs(UseAsIs(quantity: 5, authorizer: "mrb-dan")).Should().BeTrue();
        useAsIs.IsSameActionAs(UseAsIs(lot: "L-2")).Should().BeFalse();
        useAsIs.IsSameActionAs(UseAsIs(ncr: "NC-2")).Should().BeFalse();
        useAsIs.IsSameActionAs(Rework()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ReworkAndRepair_SayWhichAndThatTheLotIsReinspected()
    {
        var rework = Rework();

        rework.Describe().Should().Be("Rework 100 EA of lot L-1, then re-inspect (NCR NC-1)");
        Rework(repair: true).Describe().Should().Be("Repair 100 EA of lot L-1, then re-inspect (NCR NC-1)");
        rework.RequiresReinspection.Should().BeTrue();
        rework.Kind.Should().Be(DecisionKind.ReworkLot);
        rework.Governance.Should().Be(GovernedAction.None);
    }

    [Fact]
    public void IsSameActionAs_ReworkLot_SameLotNonconformanceAndKindOfWork()
    {
        var rework = Rework();

        rework.IsSameActionAs(Rework(quantity: 5)).Should().BeTrue();
        rework.IsSameActionAs(Rework(lot: "L-2")).Should().BeFalse();
        rework.IsSameActionAs(Rework(ncr: "NC-2")).Should().BeFalse();
        rework.IsSameActionAs(Rework(repair: true)).Should().BeFalse();
        rework.IsSameActionAs(UseAsIs()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ScrapLot_NamesQuantityLotCategoryAndSite()
    {
        var scrap = Scrap();

        scrap.Describe().Should().Be("Scrap 100 EA of lot L-1 from Blocked at P1");
        Scrap(from: StockCategory.QualityInspection).Describe().Should().Be("Scrap 100 EA of lot L-1 from QualityInspection at P1");
        new ScrapLot { Lot = L1, Site = P1, Quantity = Quantity.Each(1) }.FromCategory.Should().Be(StockCategory.Blocked);
        scrap.Kind.Should().Be(DecisionKind.ScrapLot);
        scrap.Governance.Should().Be(GovernedAction.Scrap);
    }

    [Fact]
    public void IsSameActionAs_ScrapLot_SameLotAndCategoryWhateverTheQuantity()
    {
        var scrap = Scrap();

        scrap.IsSameActionAs(Scrap(quantity: 5)).Should().BeTrue();
        scrap.IsSameActionAs(Scrap(lot: "L-2")).Should().BeFalse();
        scrap.IsSameActionAs(Scrap(from: StockCategory.QualityInspection)).Should().BeFalse();
        scrap.IsSameActionAs(Rework()).Should().BeFalse();
    }

    [Fact]
    public void Describe_OpenRootCauseAnalysis_NamesSubjectSiteAndReason()
    {
        var rootCause = RootCause();

        rootCause.Describe().Should().Be("Open root-cause analysis of cycle count CC-1 at P1: variance over tolerance");
        rootCause.Kind.Should().Be(DecisionKind.OpenRootCauseAnalysis);
    }

    [Fact]
    public void IsSameActionAs_OpenRootCauseAnalysis_SameSiteAndSubjectWhateverTheReason()
    {
        var rootCause = RootCause();

        rootCause.IsSameActionAs(RootCause(reason: "another reason")).Should().BeTrue();
        rootCause.IsSameActionAs(RootCause(site: "P2")).Should().BeFalse();
        rootCause.IsSameActionAs(RootCause(subject: "cycle count CC-2")).Should().BeFalse();
        rootCause.IsSameActionAs(Quality()).Should().BeFalse();
    }

    [Fact]
    public void Describe_AlertQuality_NamesTheLineWhenThereIsOne()
    {
        var alert = Quality();

        alert.Describe().Should().Be("Alert quality at P1 line SMT-2: scrap spike");
        Quality(line: null).Describe().Should().Be("Alert quality at P1: scrap spike");
        alert.Kind.Should().Be(DecisionKind.AlertQuality);
    }

    [Fact]
    public void IsSameActionAs_AlertQuality_SameSiteAndLineWhateverTheMessage()
    {
        var alert = Quality();

        alert.IsSameActionAs(Quality(message: "another")).Should().BeTrue();
        alert.IsSameActionAs(Quality(site: "P2")).Should().BeFalse();
        alert.IsSameActionAs(Quality(line: "SMT-3")).Should().BeFalse();
        alert.IsSameActionAs(Quality(line: null)).Should().BeFalse();
        alert.IsSameActionAs(Maintenance()).Should().BeFalse();
    }

    [Fact]
    public void Describe_AlertMaintenance_NamesSiteLineAndMessage()
    {
        var alert = Maintenance();

        alert.Describe().Should().Be("Alert maintenance at P1 line SMT-2: scrap spike");
        alert.Kind.Should().Be(DecisionKind.AlertMaintenance);
    }

    [Fact]
    public void IsSameActionAs_AlertMaintenance_SameSiteAndLineWhateverTheMessage()
    {
        var alert = Maintenance();

        alert.IsSameActionAs(Maintenance(message: "another")).Should().BeTrue();
        alert.IsSameActionAs(Maintenance(site: "P2")).Should().BeFalse();
        alert.IsSameActionAs(Maintenance(line: "SMT-3")).Should().BeFalse();
        alert.IsSameActionAs(Quality()).Should().BeFalse();
    }

    [Fact]
    public void Describe_UpdateYieldMetrics_WritesYieldAndScrapAsInvariantPercentages()
    {
        var metrics = Yield(yield: 0.8765m, scrapRate: 0.1235m);

        metrics.Describe().Should().Be("Update yield metrics of P1 line SMT-2: yield 87.65 %, scrap 12.35 %");
        metrics.Kind.Should().Be(DecisionKind.UpdateYieldMetrics);
    }

    [Fact]
    public void IsSameActionAs_UpdateYieldMetrics_SameSiteAndLineWhateverTheFigures()
    {
        var metrics = Yield();

        metrics.IsSameActionAs(Yield(yield: 0.5m, scrapRate: 0.5m)).Should().BeTrue();
        metrics.IsSameActionAs(Yield(site: "P2")).Should().BeFalse();
        metrics.IsSameActionAs(Yield(line: "SMT-3")).Should().BeFalse();
        metrics.IsSameActionAs(Maintenance()).Should().BeFalse();
    }
}
