using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class D365StockStatusMappingTests
{
    [Theory]
    [InlineData(StockCategory.Unrestricted, "Available", "Available")]
    [InlineData(StockCategory.QualityInspection, "QualityInspection", "Available")]
    [InlineData(StockCategory.Blocked, "Blocked", "Available")]
    [InlineData(StockCategory.InTransit, "InTransit", "Available")]
    [InlineData(StockCategory.RestrictedUse, "Available", "Restricted")]
    public void Default_MapsCategoryBothWays(StockCategory category, string status, string disposition)
    {
        var sut = D365StockStatusMapping.Default;

        sut.InventoryStatusFor(category).Should().Be(status);
        sut.BatchDispositionFor(category).Should().Be(disposition);
        sut.TryGetCategory(status, disposition, out var read).Should().BeTrue();
        read.Should().Be(category);
    }

    [Fact]
    public void TryGetCategory_RestrictedDispositionOnBlockedStock_StaysBlocked()
    {
        D365StockStatusMapping.Default.TryGetCategory("blocked", "Restricted", out var category).Should().BeTrue();

        category.Should().Be(StockCategory.Blocked);
    }

    [Theory]
    [InlineData("Available")]
    [InlineData("QualityInspection")]
    [InlineData("Blocked")]
    public void TryGetCategory_UnknownBatchDisposition_ReadsBlockedAndReportsIt(string status)
    {
        D365StockStatusMapping.Default.TryGetCategory(status, "Expired", out var category, out var problem).Should().BeTrue();

        category.Should().Be(StockCategory.Blocked);
        problem.Should().Be(ReasonCodes.BatchDispositionUnknown);
    }

    [Fact]
    public void TryGetCategory_UnknownBatchDispositionWithoutProblem_IsNeverAvailable()
    {
        D365StockStatusMapping.Default.TryGetCategory("Available", "Expired", out var category).Should().BeTrue();

        category.Should().Be(StockCategory.Blocked);
    }

    [Theory]
    [InlineData("Available", null, StockCategory.Unrestricted)]
    [InlineData("available", "AVAILABLE", StockCategory.Unrestricted)]
    [InlineData("Available", "restricted", StockCategory.RestrictedUse)]
    public void TryGetCategory_KnownOrMissingBatchDisposition_ReportsNoProblem(string status, string? disposition, StockCategory expected)
    {
        D365StockStatusMapping.Default.TryGetCategory(status, disposition, out var category, out var problem).Should().BeTrue();

        category.Should().Be(expected);
        problem.Should().BeNull();
    }

    [Fact]
    public void TryGetCategory_UnknownStatus_IsFalse()
    {
        D365StockStatusMapping.Default.TryGetCategory("Damaged", null, out _).Should().BeFalse();
    }

    [Fact]
    public void Constructor_CustomNames_AreUsed()
    {
        var sut = new D365StockStatusMapping(
            new Dictionary<StockCategory, string>
            {
                [StockCategory.Unrestricted] = "AV",
                [StockCategory.QualityInspection] = "QC",
                [StockCategory.Blocked] = "QUAR",
                [StockCategory.InTransit] = "TRN",
            },
            "OK",
            "RESTR");

        sut.InventoryStatusFor(StockCategory.Blocked).Should().Be("QUAR");
        sut.TryGetCategory("AV", "RESTR", out var category).Should().BeTrue();
        category.Should().Be(StockCategory.RestrictedUse);
    }

    [Fact]
    public void Constructor_MissingOrDuplicateStatus_Throws()
    {
        var missing = () => new D365StockStatusMapping(new Dictionary<StockCategory, string> { [StockCategory.Unrestricted] = "AV" }, "OK", "R");
        var duplicate = () => new D365StockStatusMapping(
            new Dictionary<StockCategory, string>
            {
                [StockCategory.Unrestricted] = "AV",
                [StockCategory.QualityInspection] = "av",
                [StockCategory.Blocked] = "B",
                [StockCategory.InTransit] = "T",
            },
            "OK",
            "R");

        missing.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.Required);
        duplicate.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }
}
