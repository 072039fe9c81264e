using System.Globalization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Facts;

public sealed class FactsTests
{
    private static Recommendation Recommendation(LotId? lot = null) => new()
    {
        Kind = RecommendationKind.DispositionSuggestion, Lot = lot, SuggestedAction = "rework", Confidence = 0.875m, Model = "risk-model", ModelVersion = "2026.3",
    };

    private static T InGerman<T>(Func<T> write)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            return write();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void RecommendationToString_AnyCulture_IsTheInvariantTextTheAuditTrailKeeps()
    {
        var text = InGerman(() => Recommendation(TestFacts.LotId).ToString());

        text.Should().Be("Recommendation { Kind = DispositionSuggestion, Lot = L-1, SuggestedAction = rework, Confidence = 0.875, Model = risk-model@2026.3 }");
        InGerman(() => FactDescriptions.Describe(Recommendation(TestFacts.LotId))).Should().Be(text);
    }

    [Fact]
    public void RecommendationToString_WithoutLot_LeavesTheLotEmpty()
    {
        Recommendation().ToString().Should().Be("Recommendation { Kind = DispositionSuggestion, Lot = , SuggestedAction = rework, Confidence = 0.875, Model = risk-model@2026.3 }");
    }

    [Fact]
    public void CountAuthorityToString_AnyCulture_IsTheInvariantTextTheAuditTrailKeeps()
    {
        var authority = new CountAuthority { Actor = new ActorId("op-ben"), Role = Role.Operator, MaxAdjustmentQuantity = 12.5m, MaxAdjustmentPercent = 2.5m, MaxDocumentDifference = 40.5m };

        InGerman(authority.ToString).Should().Be("CountAuthority { Actor = op-ben, Role = operator, MaxAdjustmentQuantity = 12.5, MaxAdjustmentPercent = 2.5, MaxDocumentDifference = 40.5 }");
    }

    [Fact]
    public void OpenAllocations_OrdersAreDistinctInFirstSeenOrder_AndToStringNamesThem()
    {
        var allocations = new OpenAllocations(TestFacts.LotId,
        [
            new Allocation { Order = new OrderId("WO-2"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(1) },
            new Allocation { Order = new OrderId("WO-1"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(2) },
            new Allocation { Order = new OrderId("WO-2"), Lot = TestFacts.LotId, Material = TestFacts.MaterialId, Quantity = Quantity.Each(3) },
        ]);

        allocations.Orders.Should().Equal(new OrderId("WO-2"), new OrderId("WO-1"));
        allocations.ToString().Should().Be("OpenAllocations { Lot = L-1, Orders = [WO-2, WO-1] }");
        var act = () => new OpenAllocations(TestFacts.LotId, null!);
        act.Should().Throw<ArgumentNullException>().WithParameterName("items");
    }

    [Fact]
    public void LotGenealogy_ConsumingOrdersAndProducedLots_OnlyWhereTheLotIsTheComponent()
    {
        var genealogy = new LotGenealogy(TestFacts.LotId,
        [
            new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-1"), Order = new OrderId("WO-1"), Quantity = Quantity.Each(1) },
            new GenealogyLink { ComponentLot = TestFacts.LotId, ProducedLot = new LotId("FG-1"), Order = new OrderId("WO-1"), Quantity = Quantity.Each(2) },
            new GenealogyLink { ComponentLot = TestFacts.LotId, Order = new OrderId("WO-2"), Quantity = Quantity.Each(3) },
            new GenealogyLink { ComponentLot = new LotId("RAW-9"), ProducedLot = TestFacts.LotId, Order = new OrderId("WO-0"), Quantity = Quantity.Each(4) },
        ]);

        genealogy.ConsumingOrders.Should().Equal(new OrderId("WO-1"), new OrderId("WO-2"));
        genealogy.ProducedLots.Should().Equal(new LotId("FG-1"));
        genealogy.ToString().Should().Be("LotGenealogy { Lot = L-1, Links = 4 }");
        var act = () => new LotGenealogy(TestFacts.LotId, null!);
        act.Should().Throw<ArgumentNullException>().WithParameterName("links");
    }
}
