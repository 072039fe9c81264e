namespace ManufacturingOrchestration.Adapters;

/// <summary>Procurement and the supplier portal: alternate-supply requests and supplier notices. See docs/adapters.md.</summary>
public interface IProcurementAdapter
{
    /// <summary>Requests alternate supply of a material.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the requisition or request id.</returns>
    ValueTask<AdapterResult> RequestAlternateSupplyAsync(RequestAlternateSupplyRequest request, CancellationToken cancellationToken);

    /// <summary>Sends a notice to a supplier.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the message id.</returns>
    ValueTask<AdapterResult> NotifySupplierAsync(NotifySupplierRequest request, CancellationToken cancellationToken);
}
