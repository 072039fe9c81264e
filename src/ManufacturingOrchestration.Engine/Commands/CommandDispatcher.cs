using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Commands;

/// <summary>
/// Executes adapter commands through <see cref="AdapterSet.ExecuteAsync"/> (the one place that maps a command kind
/// to its adapter method) and classifies what comes back. An adapter that throws is treated as a transient failure, except for
/// <see cref="AdapterPermanentException"/> (permanent) and cancellation requested by the caller (rethrown).
/// </summary>
public sealed class CommandDispatcher
{
    private readonly AdapterSet _adapters;

    /// <summary>Creates a dispatcher over a set of adapters.</summary>
    /// <param name="adapters">The adapters.</param>
    public CommandDispatcher(AdapterSet adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        _adapters = adapters;
    }

    /// <summary>Executes one command against its adapter.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The classified outcome; never throws for adapter failures.</returns>
    public async ValueTask<AdapterResult> DispatchAsync(AdapterCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            var pending = _adapters.ExecuteAsync(command, cancellationToken);
            return pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AdapterPermanentException ex)
        {
            return AdapterResult.Permanent(ex.ReasonCode, ex.Message);
        }
#pragma warning disable CA1031 // An adapter's failure must never crash the orchestrator: it is classified as transient.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return AdapterResult.Transient(ReasonCodes.AdapterTransient, $"{ex.GetType().Name}: {ex.Message}", null);
        }
    }
}
