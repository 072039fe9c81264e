using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class HttpConnectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task SendAsync_RequestBuiltByDerivedConnector_GetsHeadersAndClassification()
    {
        await using var server = LoopbackServer.Sequence(ScriptedResponse.Of(500), ScriptedResponse.Of(202, """{"documentNumber":"N-1"}"""));
        var services = new ServiceCollection()
            .AddSingleton<ICredentialProvider>(new SecretProvider("ApiKey abc123"))
            .AddHttpConnector("notify", o => TestConnectors.Fast(o, server.BaseAddress), context => new FormNotificationConnector(context));
        await using var provider = services.BuildServiceProvider();
        var command = new SendNotificationRequest
        {
            Context = TestConnectors.Context("note-1"),
            Site = new SiteId("PLANT-1"),
            Roles = [Role.QualityEngineer],
            Severity = NotificationSeverity.Alert,
            Subject = "Lot LOT-1 blocked",
            Body = "Inspection failed.",
        };

        var result = await provider.GetRequiredService<FormNotificationConnector>().ExecuteAsync(command, Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().Be("N-1");
        server.Hits.Should().Be(2);
        var request = server.Requests[^1];
        request.Path.Should().Be("/api/v1/messages");
        request.Body.Should().Be("subject=Lot+LOT-1+blocked");
        request.Header("Idempotency-Key").Should().Be("note-1");
        request.Header("X-Correlation-Id").Should().Be("corr-7");
        request.Header("Authorization").Should().Be("ApiKey abc123");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task SendAsync_DerivedConnectorSetsItsOwnHeaders_SendsItsValuesOnceAndAddsOnlyTheMissingOnes()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(202));
        var credentials = new SecretProvider("ApiKey abc123");
        var services = new ServiceCollection()
            .AddSingleton<ICredentialProvider>(credentials)
            .AddHttpConnector("notify", o => TestConnectors.Fast(o, server.BaseAddress), context => new OwnHeadersConnector(context));
        await using var provider = services.BuildServiceProvider();
        var command = new SendNotificationRequest
        {
            Context = TestConnectors.Context("note-1", causation: "cause-3"),
            Site = new SiteId("PLANT-1"),
            Roles = [Role.QualityEngineer],
            Severity = NotificationSeverity.Alert,
            Subject = "Lot LOT-1 blocked",
            Body = "Inspection failed.",
        };

        var result = await provider.GetRequiredService<OwnHeadersConnector>().ExecuteAsync(command, Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        var request = server.Requests.Should().ContainSingle().Subject;
        request.Header("Idempotency-Key").Should().Be("msg-note-1", "the derived connector's own value wins and is sent once");
        request.Header("Authorization").Should().Be("Basic bm90aWZ5Og==", "a credential the request carries is not doubled by the provider's");
        request.Header("X-Correlation-Id").Should().Be("corr-7", "a header the request lacks is still added");
        request.Header("X-Causation-Id").Should().Be("cause-3");
    }

    [Fact]
    public void Constructor_NullContext_Throws()
    {
        var act = () => new JsonRestErpConnector(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    /// <summary>A connector whose target wants its own idempotency key format and a fixed basic credential.</summary>
    private sealed class OwnHeadersConnector(HttpConnectorContext context) : HttpConnector(context), ICommandHandler<SendNotificationRequest>
    {
        public async ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("messages", UriKind.Relative));
            message.Headers.TryAddWithoutValidation("Idempotency-Key", "msg-" + request.Context.IdempotencyKey);
            message.Headers.TryAddWithoutValidation("Authorization", "Basic bm90aWZ5Og==");
            return await SendAsync(request, message, cancellationToken);
        }
    }

    /// <summary>An ISV-style connector that builds its own form-encoded request.</summary>
    private sealed class FormNotificationConnector(HttpConnectorContext context) : HttpConnector(context), ICommandHandler<SendNotificationRequest>
    {
        public async ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("messages", UriKind.Relative))
            {
                Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("subject", request.Subject)]),
            };
            return await SendAsync(request, message, cancellationToken);
        }
    }
}
