using System.Text.Json;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model.Tests.Serialization;

public class ModelJsonTests
{
    private static MaterialLot Lot() => new()
    {
        Id = new LotId("CAP-1"),
        Material = new MaterialId("CAP-100UF"),
        Site = new SiteId("plant-1"),
        Unit = UnitOfMeasure.Each,
        Buckets =
        [
            new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(70) },
            new StockBucket { Category = StockCategory.QualityInspection, Ownership = StockOwnership.VendorConsignment, Quantity = Quantity.Each(30) },
        ],
        Holds = ["count-investigation"],
        ExpiryDate = new DateOnly(2027, 3, 1),
        ConsumedQuantity = 5,
    };

    [Fact]
    public void Serialize_MaterialLot_UsesCamelCaseNamesAndEnumStrings()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Lot(), ModelJson.TypeInfo<MaterialLot>()))!;

        json["buckets"]![1]!["category"]!.GetValue<string>().Should().Be("qualityInspection");
        json["buckets"]![1]!["ownership"]!.GetValue<string>().Should().Be("vendorConsignment");
        json["disposition"]!.GetValue<string>().Should().Be("restricted");
        json["expiryDate"]!.GetValue<string>().Should().Be("2027-03-01");
        json.AsObject().Should().NotContainKey("totalQuantity").And.NotContainKey("isPartiallyConsumed").And.NotContainKey("supplier");
    }

    [Fact]
    public void RoundTrip_ModelTypes_AreEquivalent()
    {
        var lot = Lot();
        var definition = new MaterialDefinition { Id = new MaterialId("CAP-100UF"), BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, AlternateSuppliers = [new SupplierId("SUP-2")] };
        var site = new SiteProfile { Id = new SiteId("plant-1"), IsRegulated = true, Industry = IndustryProfile.Aerospace, PolicySwitches = new Dictionary<string, bool> { ["auto-scrap"] = false } };
        var actor = new Actor { Id = new ActorId("qm-anna"), Roles = [new RoleAssignment { Role = Role.QualityManager, Site = new SiteId("plant-1") }] };
        var order = new ProductionOrder { Id = new OrderId("1"), Material = new MaterialId("M"), Site = new SiteId("S"), PlannedQuantity = Quantity.Each(10), Allocations = [new Allocation { Order = new OrderId("1"), Lot = new LotId("L"), Material = new MaterialId("M"), Quantity = Quantity.Each(2) }] };

        RoundTrip(lot).Should().BeEquivalentTo(lot);
        RoundTrip(definition).Should().BeEquivalentTo(definition);
        RoundTrip(site).Should().BeEquivalentTo(site);
        RoundTrip(actor).Should().BeEquivalentTo(actor);
        RoundTrip(order).Should().BeEquivalentTo(order);
        RoundTrip(CountToleranceProfile.Default).Should().BeEquivalentTo(CountToleranceProfile.Default);
    }

    [Fact]
    public void Deserialize_AbsentCollections_AreEmptyNotNull()
    {
        var json = """{"id":"CAP-1","material":"M","site":"S","unit":{"code":"EA"},"disposition":"unrestricted"}""";

        var lot = JsonSerializer.Deserialize(json, ModelJson.TypeInfo<MaterialLot>())!;

        lot.Buckets.Should().NotBeNull().And.BeEmpty();
        lot.Holds.Should().NotBeNull().And.BeEmpty();
        lot.TotalQuantity.Should().Be(Quantity.Zero(UnitOfMeasure.Each));
    }

    [Fact]
    public void Deserialize_AbsentMemberWithNonZeroDefault_IsRequired()
    {
        var json = """{"id":"CAP-1","material":"M","site":"S","unit":{"code":"EA"}}""";

        var act = () => JsonSerializer.Deserialize(json, ModelJson.TypeInfo<MaterialLot>());

        act.Should().Throw<JsonException>().WithMessage("*disposition*");
    }

    [Fact]
    public void Deserialize_EnumAsNumber_IsRefused()
    {
        var act = () => JsonSerializer.Deserialize("1", ModelJson.TypeInfo<StockCategory>());

        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void Deserialize_InvalidIdentifier_IsRefused()
    {
        var act = () => JsonSerializer.Deserialize("\" padded \"", ModelJson.TypeInfo<LotId>());

        act.Should().Throw<JsonException>().WithMessage("*lot identifier*");
    }

    [Fact]
    public void CreateOptions_ReturnsMutableCopyThatStillKnowsModelTypes()
    {
        var options = ModelJson.CreateOptions();
        options.WriteIndented = true;

        JsonSerializer.Serialize(Quantity.Each(1), options).Should().Contain("\n");
        ModelJson.Options.IsReadOnly.Should().BeTrue();
    }

    [Fact]
    public void Serialize_Payload_WritesAdditionalMembersBack()
    {
        var payload = JsonSerializer.Deserialize("""{"supplier":"S1","change":"approved","portal":"x"}""", ModelJson.TypeInfo<SupplierUpdated>())!;

        JsonSerializer.Serialize(payload, ModelJson.TypeInfo<SupplierUpdated>()).Should().Contain("\"portal\":\"x\"");
    }

    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize(JsonSerializer.Serialize(value, ModelJson.TypeInfo<T>()), ModelJson.TypeInfo<T>())!;
}
