namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Optional for an <see cref="IOrchestrationStore"/>: tells the orchestrators sharing the store that events were
/// accepted into its inbox — by any of them, published or as follow-ups of a commit — so a clustered node looks for the
/// events of its buckets at once instead of at its next poll.
/// </summary>
/// <remarks>
/// A hint, never a guarantee: a notification may be lost (a dropped connection) or come for events already read, so the
/// orchestrator still polls. Implementations complete the wait at the latest when they cannot listen any more.
/// </remarks>
public interface IStoreChangeNotifications
{
    /// <summary>
    /// Waits until the store learns that events were accepted after this call began (or that it may have missed such a
    /// notification). Call it before reading, then await it: nothing accepted between the read and the wait is missed.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes at the next notification.</returns>
    Task WaitForAcceptedEventsAsync(CancellationToken cancellationToken = default);
}
