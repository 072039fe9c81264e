// The minimal example connector shown in docs/adapters.md. Keep the two in step.
using System.Net;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

/// <summary>What the example connector needs from the target system's client library.</summary>
public interface IMessageGateway
{
    /// <summary>Posts a message; the gateway de-duplicates on the idempotency key (HTTP 409 when it has seen it).</summary>
    Task<GatewayResponse> PostAsync(string idempotencyKey, string json, CancellationToken cancellationToken);
}

/// <summary>The gateway's answer.</summary>
public sealed record GatewayResponse(HttpStatusCode Status, string? MessageId = null, TimeSpan? RetryAfter = null, string? Error = null);

/// <summary>A notification connector: sends, and classifies every answer; never throws for a business refusal.</summary>
public sealed class ExampleNotificationConnector(IMessageGateway gateway) : ICommandHandler<SendNotificationRequest>
{
    public async ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = System.Text.Json.JsonSerializer.Serialize(request, AdapterJson.Context.SendNotificationRequest);

        GatewayResponse response;
        try
        {
            response = await gateway.PostAsync(request.Context.IdempotencyKey, json, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // Network trouble: we do not know whether the message went out; the same key makes the retry safe.
            return AdapterResult.Transient(ReasonCodes.AdapterTransient, ex.Message, null);
        }

        return response.Status switch
        {
            HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Accepted => AdapterResult.Success(response.MessageId),
            HttpStatusCode.Conflict => AdapterResult.AlreadyApplied(response.MessageId),
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout
                => AdapterResult.Transient(ReasonCodes.AdapterTransient, response.Error ?? response.Status.ToString(), response.RetryAfter),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                => throw new AdapterPermanentException($"The gateway refused our credentials ({response.Status})."),
            _ when (int)response.Status >= 500 => AdapterResult.Transient(ReasonCodes.AdapterTransient, response.Error ?? response.Status.ToString(), response.RetryAfter),
            _ => AdapterResult.Permanent(ReasonCodes.AdapterPermanent, response.Error ?? response.Status.ToString()),
        };
    }
}
