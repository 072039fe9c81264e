using System.Text.Json;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class RouteTemplateTests
{
    [Fact]
    public void TryExpand_NestedAndContextValues_EscapesEachValue()
    {
        using var document = JsonDocument.Parse("""{"movement":{"lot":"L 1/2","quantity":{"value":3.5}},"context":{"site":"P1"}}""");
        var root = document.RootElement;

        var ok = RouteTemplate.TryExpand("sites/{context.site}/lots/{movement.lot}?q={movement.quantity.value}", n => RouteTemplate.FromJson(root, n), out var path, out var missing);

        ok.Should().BeTrue();
        missing.Should().BeNull();
        path.Should().Be("sites/P1/lots/L%201%2F2?q=3.5");
    }

    [Fact]
    public void TryExpand_MissingOrObjectValue_ReportsThePlaceholder()
    {
        using var document = JsonDocument.Parse("""{"movement":{"lot":"L1"}}""");
        var root = document.RootElement;

        RouteTemplate.TryExpand("x/{movement}", n => RouteTemplate.FromJson(root, n), out _, out var objectValue).Should().BeFalse();
        RouteTemplate.TryExpand("x/{order}", n => RouteTemplate.FromJson(root, n), out _, out var absent).Should().BeFalse();

        objectValue.Should().Be("movement");
        absent.Should().Be("order");
    }

    [Fact]
    public void FromValues_MatchesIgnoringCase()
    {
        var values = new Dictionary<string, string> { ["Lot"] = "L9" };

        RouteTemplate.FromValues(values, "lot").Should().Be("L9");
        RouteTemplate.FromValues(values, "order").Should().BeNull();
    }

    [Fact]
    public void IsValid_EveryDefaultTemplate_IsValid()
    {
        foreach (var endpoint in HttpEndpoints.Erp.Values.Concat(HttpEndpoints.Wms.Values))
        {
            RouteTemplate.IsValid(endpoint.PathTemplate, out var problem).Should().BeTrue(problem);
        }
    }
}
