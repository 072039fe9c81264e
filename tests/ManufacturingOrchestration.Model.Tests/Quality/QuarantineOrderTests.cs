using System.Text.Json;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model.Tests.Quality;

public sealed class QuarantineOrderTests
{
    private static readonly StorageLocationId Regular = new("WH-MAIN");
    private static readonly StorageLocationId Quarantine = new("WH-QUAR");

    private static QuarantineOrder CreateSut(Quantity? quantity = null, StorageLocationId? regular = null, StorageLocationId? quarantine = null, LotId? lot = null) =>
        new(new QuarantineOrderId("QO-1"), lot ?? new LotId("LOT-1"), new MaterialId("CAP-100"), new SiteId("PLANT-1"), quantity ?? Quantity.Each(10), regular ?? Regular, quarantine ?? Quarantine);

    [Fact]
    public void Constructor_ValidOrder_IsCreatedWithNothingScrapped()
    {
        var order = CreateSut();

        order.Status.Should().Be(QuarantineOrderStatus.Created);
        order.ScrappedQuantity.Should().Be(Quantity.Each(0));
        order.RemainingQuantity.Should().Be(Quantity.Each(10));
        order.Version.Should().Be(0);
    }

    [Fact]
    public void Constructor_ZeroQuantity_IsRefusedAsNonPositive()
    {
        var act = () => CreateSut(quantity: Quantity.Each(0));

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.NonPositiveQuantity);
    }

    [Fact]
    public void Constructor_QuantityWithoutUnit_IsRefused()
    {
        var act = () => CreateSut(quantity: default(Quantity));

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.InvalidUnit);
    }

    [Fact]
    public void Constructor_QuarantineLocationSameAsRegular_IsRefusedNamingTheLocation()
    {
        var act = () => CreateSut(quarantine: new StorageLocationId("WH-MAIN"));

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Should().Be(ReasonCodes.QuarantineOrderSameLocation);
        thrown.Message.Should().Contain("WH-MAIN");
    }

    [Fact]
    public void Constructor_MissingLotOrLocation_IsRefusedAsRequired()
    {
        ((Func<QuarantineOrder>)(() => CreateSut(lot: default(LotId)))).Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.Required);
        ((Func<QuarantineOrder>)(() => CreateSut(quarantine: default(StorageLocationId)))).Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.Required);
    }

    [Fact]
    public void ScrappedQuantity_BeyondTheOrderOrInAnotherUnit_IsRefused()
    {
        var order = CreateSut();

        ((Func<QuarantineOrder>)(() => order with { ScrappedQuantity = Quantity.Each(10.5m) })).Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
        ((Func<QuarantineOrder>)(() => order with { ScrappedQuantity = new Quantity(1, UnitOfMeasure.Kilogram) })).Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.UnitMismatch);
        (order with { ScrappedQuantity = Quantity.Each(10) }).RemainingQuantity.IsZero.Should().BeTrue();
    }

    [Fact]
    public void Status_NotAStatus_IsRefused()
    {
        var act = () => CreateSut() with { Status = (QuarantineOrderStatus)42 };

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }

    [Fact]
    public void RoundTrip_Json_KeepsEveryMemberAndWritesTheStatusAsCamelCase()
    {
        var order = CreateSut() with { Status = QuarantineOrderStatus.ReportedAsFinished, ScrappedQuantity = Quantity.Each(3), ReasonCode = ReasonCode.Parse("qm.supplier-complaint"), Version = 4 };

        var json = JsonSerializer.Serialize(order, ModelJson.TypeInfo<QuarantineOrder>());
        var back = JsonSerializer.Deserialize(json, ModelJson.TypeInfo<QuarantineOrder>());

        back.Should().Be(order);
        var node = JsonNode.Parse(json)!;
        node["status"]!.GetValue<string>().Should().Be("reportedAsFinished");
        node["quarantineLocation"]!.GetValue<string>().Should().Be("WH-QUAR");
        node.AsObject().Should().NotContainKey("remainingQuantity");
    }

    [Fact]
    public void Deserialize_SameLocations_IsRefusedLikeTheConstructor()
    {
        var json = JsonSerializer.Serialize(CreateSut(), ModelJson.TypeInfo<QuarantineOrder>()).Replace("WH-QUAR", "WH-MAIN", StringComparison.Ordinal);

        var act = () => JsonSerializer.Deserialize(json, ModelJson.TypeInfo<QuarantineOrder>());

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.QuarantineOrderSameLocation);
    }
}
