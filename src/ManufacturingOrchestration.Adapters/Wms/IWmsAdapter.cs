using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The WMS: move tasks (e.g. to the hold location), holds on lots and locations, pausing and resuming picks, and
/// stock by bin and category for reconciliation. See docs/adapters.md.
/// </summary>
public interface IWmsAdapter
{
    /// <summary>Creates a move task.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the task id.</returns>
    ValueTask<AdapterResult> CreateMoveTaskAsync(CreateMoveTaskRequest request, CancellationToken cancellationToken);

    /// <summary>Places a hold on a lot or location.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> PlaceHoldAsync(PlaceHoldRequest request, CancellationToken cancellationToken);

    /// <summary>Releases a hold on a lot or location.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> ReleaseHoldAsync(ReleaseHoldRequest request, CancellationToken cancellationToken);

    /// <summary>Pauses the picks of a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> PausePicksAsync(PausePicksRequest request, CancellationToken cancellationToken);

    /// <summary>Resumes the paused picks of a lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> ResumePicksAsync(ResumePicksRequest request, CancellationToken cancellationToken);

    /// <summary>Gets a lot's stock by bin, category and ownership.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stock, or <see langword="null"/> when the WMS does not know the lot.</returns>
    ValueTask<WmsStock?> GetStockAsync(LotId lot, CancellationToken cancellationToken);
}
