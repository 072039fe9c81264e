using System.Globalization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class FactDescriptionsTests
{
    [Fact]
    public void Describe_Lot_NamesIdentityStockQualityStateAndHolds()
    {
        var lot = TestFacts.Lot(restricted: true) with
        {
            Buckets =
            [
                new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(60) },
                new StockBucket { Category = StockCategory.Unrestricted, Ownership = StockOwnership.VendorConsignment, Quantity = Quantity.Each(40.5m) },
            ],
            Holds = ["H1", "H2"],
            ExpiryDate = new DateOnly(2027, 3, 1),
        };

        FactDescriptions.Describe(lot).Should().Be(
            "lot L-1 of CAP-100uF at plant-1 from acme: QI=60 U/VendorConsignment=40.5 EA; Pending; Restricted; holds=H1,H2; expires 2027-03-01; restricted batch");
    }

    [Fact]
    public void Describe_LotWithoutStock_SaysEmpty()
    {
        FactDescriptions.Describe(TestFacts.Lot() with { Buckets = [], Supplier = null }).Should().Be("lot L-1 of CAP-100uF at plant-1: empty EA; Pending; Restricted");
    }

    [Fact]
    public void Describe_MaterialAndSite_NameTheValuesRulesDecideOn()
    {
        FactDescriptions.Describe(TestFacts.Material(CriticalityClass.A, AbcClass.B, controlled: true)).Should().Be("material CAP-100uF (criticality A, ABC B, supplier acme, controlled)");
        FactDescriptions.Describe(TestFacts.Site(regulated: true, IndustryProfile.Aerospace)).Should().Be("site plant-1 (Aerospace, regulated)");
        FactDescriptions.Describe(TestFacts.Site()).Should().Be("site plant-1 (General)");
    }

    [Fact]
    public void Describe_EventPayload_NamesEventTypeAndBusinessKeyNotTheWholeRecord()
    {
        var text = FactDescriptions.Describe(TestFacts.Failed());

        text.Should().Be("mfg.quality.inspection.failed.v1 for L-1");
    }

    [Fact]
    public void Describe_OtherFacts_UseTheirOwnInvariantText()
    {
        FactDescriptions.Describe(new Custom("x")).Should().Be("Custom { Name = x }");

        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            FactDescriptions.Describe(1234.5m).Should().Be("1234.5");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Append_WritesTheDescriptionAfterWhatTheBuilderHolds_InTheInvariantCulture()
    {
        var lot = TestFacts.Lot() with { Buckets = [new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(12.25m) }] };
        object[] facts = [lot, TestFacts.Material(), TestFacts.Site(regulated: true), TestFacts.Passed(), new Custom("y"), 7.5m];

        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            foreach (var fact in facts)
            {
                FactDescriptions.Append(new System.Text.StringBuilder("x = "), fact).ToString().Should().Be("x = " + FactDescriptions.Describe(fact));
            }

            FactDescriptions.Describe(lot).Should().Contain("B=12.25 EA");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("tr-TR")]
    [InlineData("fr-FR")]
    public void Describe_OwnRecordWithNumbersAndDates_IsTheSameTextInEveryCulture(string culture)
    {
        var fact = new Measured(1234.5m, 0.25, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var invariant = "Measured { Value = 1234.5, Ratio = 0.25, At = 01/02/2026 03:04:05 +00:00 }";

        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            FactDescriptions.Describe(fact).Should().Be(invariant);
            FactDescriptions.Append(new System.Text.StringBuilder(), fact).ToString().Should().Be(invariant);
            CultureInfo.CurrentCulture.Name.Should().Be(culture, "the caller's culture is left as it was");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void MatchedFactDescribe_IsTheNameAndTheFactDescription()
    {
        new MatchedFact("lot", TestFacts.Lot()).Describe().Should().Be("lot = " + FactDescriptions.Describe(TestFacts.Lot()));
    }

    private sealed record Custom(string Name);

    private sealed record Measured(decimal Value, double Ratio, DateTimeOffset At);
}
