using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Adapters.Http;

/// <summary>
/// What an <see cref="HttpConnector"/> needs: its name (the target system, such as <c>erp-eu</c>), the HTTP client
/// factory whose named client carries the connector's resilience pipeline, its options, the credential provider, the
/// clock and logging. <see cref="FromServices(IServiceProvider, string)"/> assembles it from DI.
/// </summary>
public sealed class HttpConnectorContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="name">The connector name.</param>
    /// <param name="httpClientFactory">The factory that creates the connector's named client (<see cref="HttpClientName(string)"/>).</param>
    /// <param name="options">The connector's options (already validated).</param>
    /// <param name="credentials">The credential provider, or <see langword="null"/> to send no credential.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for no logging.</param>
    public HttpConnectorContext(
        string name,
        IHttpClientFactory httpClientFactory,
        HttpConnectorOptions options,
        ICredentialProvider? credentials,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        HttpClientFactory = httpClientFactory;
        Options = options;
        Credentials = credentials ?? NoCredentialProvider.Instance;
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The connector (target system) name.</summary>
    public string Name { get; }

    /// <summary>The HTTP client factory.</summary>
    public IHttpClientFactory HttpClientFactory { get; }

    /// <summary>The connector's options.</summary>
    public HttpConnectorOptions Options { get; }

    /// <summary>The credential provider.</summary>
    public ICredentialProvider Credentials { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client of a connector.</summary>
    /// <param name="connectorName">The connector name.</param>
    /// <returns>The client name, such as <c>ManufacturingOrchestration.Http.erp-eu</c>.</returns>
    public static string HttpClientName(string connectorName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectorName);
        return "ManufacturingOrchestration.Http." + connectorName;
    }

    /// <summary>
    /// Assembles the context of a connector from DI: its named options (validated: an invalid configuration throws
    /// <see cref="OptionsValidationException"/>), the keyed <see cref="ICredentialProvider"/> of that name or else the
    /// unkeyed one, the registered <see cref="System.TimeProvider"/> and logging.
    /// </summary>
    /// <param name="services">The service provider.</param>
    /// <param name="name">The connector name.</param>
    /// <returns>The context.</returns>
    public static HttpConnectorContext FromServices(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new HttpConnectorContext(
            name,
            services.GetRequiredService<IHttpClientFactory>(),
            services.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get(name),
            services.GetKeyedService<ICredentialProvider>(name) ?? services.GetService<ICredentialProvider>(),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>());
    }
}
