using System.Net;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Samples.CustomConnector;

/// <summary>
/// The connector to the LIMS: an adapter that carries out our own command and answers our own query, by the handler
/// interfaces it implements. Its one job is to translate: the command into the LIMS's request, with the idempotency key
/// as the request id, and the LIMS's answer into an <see cref="AdapterResult"/> — the orchestrator does the rest
/// (outbox, durable retries, dead letters, replay, audit).
/// </summary>
public sealed class LimsConnector : ICommandHandler<RecordRetestSample>, IQueryHandler<FindRetestSample, RetestSample?>
{
    private readonly ILimsApi _lims;

    /// <summary>Creates the connector.</summary>
    /// <param name="lims">The LIMS's API.</param>
    public LimsConnector(ILimsApi lims)
    {
        ArgumentNullException.ThrowIfNull(lims);
        _lims = lims;
    }

    /// <inheritdoc />
    public async ValueTask<AdapterResult> ExecuteAsync(RecordRetestSample command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var registration = new SampleRegistration
        {
            // The same key on every retry and replay: the LIMS registers one sample per request id.
            RequestId = command.Context.IdempotencyKey,
            Lot = command.Lot.Value,
            Material = command.Material.Value,
            InspectionLot = command.InspectionLot.Value,
            TestMethod = command.TestMethod,
            Note = command.Reason,
        };

        LimsResponse response;
        try
        {
            response = await _lims.RegisterSampleAsync(registration, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            // No answer: the sample may or may not be registered. Transient — the retry, with the same request id, finds out.
            return AdapterResult.Transient(ex.Message);
        }

        return response.Status switch
        {
            HttpStatusCode.Created => AdapterResult.Success(response.SampleId),
            HttpStatusCode.OK => AdapterResult.AlreadyApplied(response.SampleId),
            HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests
                => AdapterResult.Transient(ReasonCodes.AdapterTransient, "LIMS: " + response.Error, response.RetryAfter),
            HttpStatusCode.UnprocessableEntity => AdapterResult.Permanent(LimsOperations.RegistrationRefused, "LIMS: " + response.Error),
            _ => AdapterResult.Permanent(ReasonCodes.AdapterPermanent, $"LIMS answered {(int)response.Status}: {response.Error}"),
        };
    }

    /// <inheritdoc />
    public ValueTask<RetestSample?> QueryAsync(FindRetestSample query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);

        // A failure here is an exception, classified by the orchestrator (a TimeoutException is transient).
        return _lims.FindSampleAsync(query.Lot, cancellationToken);
    }
}
