using System.Net;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class ExampleNotificationConnectorTests
{
    private sealed class FakeGateway(params GatewayResponse[] responses) : IMessageGateway
    {
        private int _next;

        public List<string> Keys { get; } = [];

        public Task<GatewayResponse> PostAsync(string idempotencyKey, string json, CancellationToken cancellationToken)
        {
            Keys.Add(idempotencyKey);
            return Task.FromResult(responses[Math.Min(_next++, responses.Length - 1)]);
        }
    }

    private static SendNotificationRequest Request() => new() { Context = Context("notify-1"), Roles = [Role.Planner], Site = Plant, Subject = "Lot blocked" };

    [Theory]
    [InlineData(HttpStatusCode.OK, AdapterResultStatus.Succeeded)]
    [InlineData(HttpStatusCode.Conflict, AdapterResultStatus.AlreadyApplied)]
    [InlineData(HttpStatusCode.TooManyRequests, AdapterResultStatus.TransientFailure)]
    [InlineData(HttpStatusCode.InternalServerError, AdapterResultStatus.TransientFailure)]
    [InlineData(HttpStatusCode.BadRequest, AdapterResultStatus.PermanentFailure)]
    public async Task SendAsync_ClassifiesGatewayAnswer(HttpStatusCode status, AdapterResultStatus expected)
    {
        var connector = new ExampleNotificationConnector(new FakeGateway(new GatewayResponse(status, "m-1", TimeSpan.FromSeconds(5))));

        var result = await connector.ExecuteAsync(Request(), CancellationToken.None);

        result.Status.Should().Be(expected);
    }

    [Fact]
    public async Task SendAsync_Unauthorized_ThrowsPermanentException()
    {
        var connector = new ExampleNotificationConnector(new FakeGateway(new GatewayResponse(HttpStatusCode.Unauthorized)));

        var send = async () => await connector.ExecuteAsync(Request(), CancellationToken.None);

        await send.Should().ThrowAsync<AdapterPermanentException>();
    }

    [Fact]
    public async Task SendAsync_Retry_PassesTheSameIdempotencyKey()
    {
        var gateway = new FakeGateway(new GatewayResponse(HttpStatusCode.ServiceUnavailable), new GatewayResponse(HttpStatusCode.Accepted, "m-9"));
        var connector = new ExampleNotificationConnector(gateway);

        var first = await connector.ExecuteAsync(Request(), CancellationToken.None);
        var second = await connector.ExecuteAsync(Request(), CancellationToken.None);

        first.IsTransient.Should().BeTrue();
        second.ExternalReference.Should().Be("m-9");
        gateway.Keys.Should().Equal("notify-1", "notify-1");
    }
}
