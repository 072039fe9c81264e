using ManufacturingOrchestration.Adapters.Health;
using ManufacturingOrchestration.Adapters.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers HTTP connectors, one per target system, each with its own named options, named
/// <see cref="HttpClient"/> and resilience pipeline (so one failing ERP opens only its own circuit).
/// </summary>
public static class HttpConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the reference JSON/REST ERP connector <paramref name="name"/> (such as <c>erp-eu</c>) as a keyed
    /// <see cref="JsonRestErpConnector"/>; the first one registered is also the unkeyed one. Endpoints start as
    /// <see cref="HttpEndpoints.Erp"/>. Compose it as the ERP adapter of the orchestrator (for every site or for some):
    /// <c>AddAdapter(CommandKinds.ErpSystem, sp =&gt; sp.GetRequiredKeyedService&lt;JsonRestErpConnector&gt;("erp-eu"))</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The connector name.</param>
    /// <param name="configure">Configures the connector's options (base address, endpoints, resilience…).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddHttpErpConnector(this IServiceCollection services, string name, Action<HttpConnectorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddConnector(name, HttpEndpoints.Erp, null, configure, context => new JsonRestErpConnector(context));
    }

    /// <summary>
    /// Registers the reference JSON/REST ERP connector <paramref name="name"/> with its options read from
    /// <paramref name="configuration"/>, such as the section <c>Connectors:erp-eu</c> of <c>appsettings.json</c>, then
    /// <paramref name="configure"/>. Endpoints start as <see cref="HttpEndpoints.Erp"/>; an endpoint in configuration is
    /// written <c>"METHOD path"</c> and overrides the default of its kind, an empty one removes it (the connector then
    /// does not support that operation). What the section cannot say (a malformed endpoint, a value of the wrong type, an
    /// unknown setting) fails the start-up validation, naming the connector and the setting. Otherwise as
    /// <see cref="AddHttpErpConnector(IServiceCollection, string, Action{HttpConnectorOptions})"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The connector name.</param>
    /// <param name="configuration">The connector's configuration section: <c>BaseAddress</c>, <c>Endpoints</c>, headers, <c>Resilience</c>….</param>
    /// <param name="configure">Configures the options after the section is read (what configuration cannot carry, such as <see cref="HttpConnectorOptions.RequestContentFactory"/>); <see langword="null"/> for nothing.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddHttpErpConnector(this IServiceCollection services, string name, IConfiguration configuration, Action<HttpConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddConnector(name, HttpEndpoints.Erp, configuration, configure, context => new JsonRestErpConnector(context));
    }

    /// <summary>
    /// Registers the reference JSON/REST WMS connector <paramref name="name"/> as a keyed <see cref="JsonRestWmsConnector"/>;
    /// the first one registered is also the unkeyed one. Endpoints start as <see cref="HttpEndpoints.Wms"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The connector name.</param>
    /// <param name="configure">Configures the connector's options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddHttpWmsConnector(this IServiceCollection services, string name, Action<HttpConnectorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddConnector(name, HttpEndpoints.Wms, null, configure, context => new JsonRestWmsConnector(context));
    }

    /// <summary>
    /// Registers the reference JSON/REST WMS connector <paramref name="name"/> with its options read from
    /// <paramref name="configuration"/>, such as the section <c>Connectors:wms-plant-1</c>, then
    /// <paramref name="configure"/>. Endpoints start as <see cref="HttpEndpoints.Wms"/>; the section overrides or removes
    /// them as for <see cref="AddHttpErpConnector(IServiceCollection, string, IConfiguration, Action{HttpConnectorOptions})"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The connector name.</param>
    /// <param name="configuration">The connector's configuration section.</param>
    /// <param name="configure">Configures the options after the section is read; <see langword="null"/> for nothing.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddHttpWmsConnector(this IServiceCollection services, string name, IConfiguration configuration, Action<HttpConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddConnector(name, HttpEndpoints.Wms, configuration, configure, context => new JsonRestWmsConnector(context));
    }

    /// <summary>
    /// Registers a connector <paramref name="name"/> built on <see cref="HttpConnector"/> as a keyed
    /// <typeparamref name="TAdapter"/> (and as the unkeyed one when none is registered yet): named options validated at
    /// start-up, a named <see cref="HttpClient"/> (<see cref="HttpConnectorContext.HttpClientName(string)"/>) with the
    /// connector's resilience pipeline, and <see cref="System.TimeProvider.System"/> unless a clock is registered.
    /// The connector's circuit breaker reports its state under <paramref name="name"/> to the singleton
    /// <see cref="HttpConnectorCircuits"/>, registered once (however many connectors) as an <see cref="ICircuitStateReporter"/>.
    /// Calling it again with the same name only adds <paramref name="configure"/>; it never adds a second pipeline.
    /// </summary>
    /// <typeparam name="TAdapter">The connector type, such as <see cref="JsonRestErpConnector"/>.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">The connector name.</param>
    /// <param name="configure">Configures the connector's options.</param>
    /// <param name="factory">Creates the connector from its context.</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">The name is already registered for another connector type.</exception>
    public static IServiceCollection AddHttpConnector<TAdapter>(
        this IServiceCollection services,
        string name,
        Action<HttpConnectorOptions> configure,
        Func<HttpConnectorContext, TAdapter> factory)
        where TAdapter : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(factory);
        return services.AddConnector(name, null, null, configure, factory);
    }

    /// <summary>
    /// Registers a connector <paramref name="name"/> built on <see cref="HttpConnector"/>, as
    /// <see cref="AddHttpConnector{TAdapter}(IServiceCollection, string, Action{HttpConnectorOptions}, Func{HttpConnectorContext, TAdapter})"/>
    /// does, with its options read from <paramref name="configuration"/> (endpoints written <c>"METHOD path"</c>; they
    /// start empty, so configure one per supported operation) and then <paramref name="configure"/>.
    /// </summary>
    /// <typeparam name="TAdapter">The connector type.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">The connector name.</param>
    /// <param name="configuration">The connector's configuration section.</param>
    /// <param name="factory">Creates the connector from its context.</param>
    /// <param name="configure">Configures the options after the section is read; <see langword="null"/> for nothing.</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">The name is already registered for another connector type.</exception>
    public static IServiceCollection AddHttpConnector<TAdapter>(
        this IServiceCollection services,
        string name,
        IConfiguration configuration,
        Func<HttpConnectorContext, TAdapter> factory,
        Action<HttpConnectorOptions>? configure = null)
        where TAdapter : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(factory);
        return services.AddConnector(name, null, configuration, configure, factory);
    }

    /// <summary>
    /// Registers a connector, or adds configuration to one already registered under the name. The options are built in
    /// registration order: the default endpoints (first registration only, so an endpoint removed by any later step stays
    /// removed), the configuration section, the configure action.
    /// </summary>
    private static IServiceCollection AddConnector<TAdapter>(
        this IServiceCollection services,
        string name,
        IReadOnlyDictionary<string, HttpEndpoint>? defaultEndpoints,
        IConfiguration? configuration,
        Action<HttpConnectorOptions>? configure,
        Func<HttpConnectorContext, TAdapter> factory)
        where TAdapter : class
    {
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(ConnectorRegistration) && d.IsKeyedService && Equals(d.ServiceKey, name));
        if (existing?.KeyedImplementationInstance is ConnectorRegistration registration && registration.AdapterType != typeof(TAdapter))
        {
            throw new InvalidOperationException($"The HTTP connector '{name}' is already registered as {registration.AdapterType.Name}; give each target system its own name.");
        }

        var options = services.AddOptions<HttpConnectorOptions>(name);
        if (existing is null && defaultEndpoints is not null)
        {
            options.Configure(o => SeedEndpoints(o, defaultEndpoints));
        }

        if (configuration is not null)
        {
            options.Configure(o => HttpConnectorConfiguration.Bind(configuration, o));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (existing is not null)
        {
            return services;
        }

        options.ValidateOnStart();

        services.AddKeyedSingleton(name, new ConnectorRegistration(typeof(TAdapter)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpConnectorOptions>, HttpConnectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HttpConnectorCircuits>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICircuitStateReporter, HttpConnectorCircuits>(provider => provider.GetRequiredService<HttpConnectorCircuits>()));

        var http = services
            .AddHttpClient(HttpConnectorContext.HttpClientName(name))
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get(name);
                client.BaseAddress = WithTrailingSlash(options.BaseAddress!);

                // The resilience pipeline owns every timeout; the client's own 100 s default would only blur them.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler((handler, _) =>
            {
                // A redirect is an answer, not something to follow: a 302 or 303 would turn a command's POST into a GET
                // without its body (whose 200 would claim a command never applied), and a credential in a header of the
                // connector's own choosing would follow it to whatever host the redirect names.
                switch (handler)
                {
                    case SocketsHttpHandler sockets:
                        sockets.AllowAutoRedirect = false;
                        break;
                    case HttpClientHandler client:
                        client.AllowAutoRedirect = false;
                        break;
                }
            });
        http.AddResilienceHandler("resilience", (builder, context) =>
        {
            var provider = context.ServiceProvider;
            var options = provider.GetRequiredService<IOptionsMonitor<HttpConnectorOptions>>().Get(name);
            HttpConnectorPipeline.Configure(
                builder,
                options.Resilience,
                provider.GetService<TimeProvider>() ?? TimeProvider.System,
                provider.GetRequiredService<HttpConnectorCircuits>(),
                name);
        });

        // Added after the resilience handler, so inside it: it marks when each attempt starts, and the connector reads a
        // response body within what is left of that attempt's timeout.
        http.AddHttpMessageHandler(provider => new HttpAttemptClock(provider.GetService<TimeProvider>() ?? TimeProvider.System));

        services.TryAddKeyedSingleton(name, (provider, _) => factory(HttpConnectorContext.FromServices(provider, name)));
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<TAdapter>(name));
        return services;
    }

    private static void SeedEndpoints(HttpConnectorOptions options, IReadOnlyDictionary<string, HttpEndpoint> defaults)
    {
        foreach (var (kind, endpoint) in defaults)
        {
            options.Endpoints.TryAdd(kind, endpoint);
        }
    }

    private static Uri WithTrailingSlash(Uri address) =>
        address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/", UriKind.Absolute);

    /// <summary>Marks a connector name as taken, and by which adapter contract.</summary>
    private sealed class ConnectorRegistration
    {
        public ConnectorRegistration(Type adapterType) => AdapterType = adapterType;

        public Type AdapterType { get; }
    }
}
