namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// Supplies the credential header value (an API key, <c>Bearer …</c> token) of a connector, per target system, at the
/// time of each call, so tokens can rotate; when the target system answers 401, it is asked once more, and a value that
/// differs from the refused one is sent once (a token renewed while the call was under way). Register one for all connectors, or a keyed one per connector name
/// (<c>services.AddKeyedSingleton&lt;ICredentialProvider&gt;("erp-eu", …)</c>), which wins over the unkeyed one.
/// The value is sent in <see cref="HttpConnectorOptions.CredentialHeader"/> and never written to logs, results or
/// exception messages.
/// </summary>
public interface ICredentialProvider
{
    /// <summary>Gets the credential header value for a connector.</summary>
    /// <param name="connectorName">The connector (target system) name, such as <c>erp-eu</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The header value, or <see langword="null"/> to send no credential.</returns>
    ValueTask<string?> GetCredentialAsync(string connectorName, CancellationToken cancellationToken);
}

/// <summary>The provider used when none is registered: it sends no credential.</summary>
internal sealed class NoCredentialProvider : ICredentialProvider
{
    public static NoCredentialProvider Instance { get; } = new();

    public ValueTask<string?> GetCredentialAsync(string connectorName, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);
}
