namespace ManufacturingOrchestration.Adapters;

/// <summary>Business alerts and notifications to roles at sites (mail, chat, pager, andon). See docs/adapters.md.</summary>
public interface INotificationAdapter
{
    /// <summary>Sends a notification.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the message id.</returns>
    ValueTask<AdapterResult> SendAsync(SendNotificationRequest request, CancellationToken cancellationToken);
}
