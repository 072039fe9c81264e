namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class HttpEndpointTests
{
    [Theory]
    [InlineData("POST lots/{lot}/stock-category", "POST", "lots/{lot}/stock-category")]
    [InlineData("get materials/{material}", "GET", "materials/{material}")]
    [InlineData("  PATCH\tbatches/{lot}  ", "PATCH", "batches/{lot}")]
    [InlineData("PUT plants/{site}/batches/{lot}/status?material={material}", "PUT", "plants/{site}/batches/{lot}/status?material={material}")]
    [InlineData("Delete holds/{hold}", "DELETE", "holds/{hold}")]
    public void Parse_MethodAndTemplate_ReadsBoth(string text, string method, string template)
    {
        var endpoint = HttpEndpoint.Parse(text);

        endpoint.Method.Method.Should().Be(method);
        endpoint.PathTemplate.Should().Be(template);
    }

    [Fact]
    public void Parse_WhatToStringWrites_RoundTrips()
    {
        var endpoint = HttpEndpoint.Put("plants/{site}/batches/{lot}");

        HttpEndpoint.Parse(endpoint.ToString()).ToString().Should().Be("PUT plants/{site}/batches/{lot}");
    }

    [Theory]
    [InlineData("lots/{lot}/stock", "'lots/{lot}/stock' is not an endpoint: write the method and the path template separated by a space, such as 'POST lots/{lot}/stock-category'")]
    [InlineData("POST", "'POST' is not an endpoint: write the method and the path template separated by a space, such as 'POST lots/{lot}/stock-category'")]
    [InlineData("", "'' is not an endpoint: write the method and the path template separated by a space, such as 'POST lots/{lot}/stock-category'")]
    [InlineData("FETCH lots/{lot}", "'FETCH lots/{lot}' has the method 'FETCH', which is not one of GET, POST, PUT, PATCH or DELETE")]
    [InlineData("HEAD lots/{lot}", "'HEAD lots/{lot}' has the method 'HEAD', which is not one of GET, POST, PUT, PATCH or DELETE")]
    public void Parse_NotAnEndpoint_ThrowsFormatExceptionSayingWhy(string text, string message)
    {
        var act = () => HttpEndpoint.Parse(text);

        act.Should().Throw<FormatException>().Which.Message.Should().Be(message);
        HttpEndpoint.TryParse(text, out var endpoint).Should().BeFalse();
        endpoint.Should().BeNull();
    }

    [Fact]
    public void TryParse_Null_IsFalse()
    {
        HttpEndpoint.TryParse(null, out var endpoint).Should().BeFalse();
        endpoint.Should().BeNull();
        ((Action)(() => HttpEndpoint.Parse(null!))).Should().Throw<ArgumentNullException>();
    }
}
