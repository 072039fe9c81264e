using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Hosting;
using ManufacturingOrchestration.Model.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hosted orchestrator, its health check and file-drop intake.</summary>
public static class ManufacturingOrchestrationHostingServiceCollectionExtensions
{
    /// <summary>
    /// Runs the orchestrator registered by <c>AddManufacturingOrchestration</c> as a hosted service with graceful
    /// shutdown (<see cref="OrchestrationHostedService"/>), and registers <see cref="OrchestrationHealthCheck"/> for
    /// <c>AddHealthChecks().AddManufacturingOrchestration()</c>, with the default <see cref="OrchestrationHostingOptions"/>.
    /// The options are validated at start. Harmless when called twice (the service is added once).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddManufacturingOrchestrationHosting(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddManufacturingOrchestration();
        services.AddOptions<OrchestrationHostingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestrationHostingOptions>, OrchestrationHostingOptionsValidator>());
        services.TryAddSingleton<OrchestrationHostedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OrchestrationHostedService>(static sp => sp.GetRequiredService<OrchestrationHostedService>()));
        services.TryAddSingleton<OrchestrationHealthCheck>();
        return services;
    }

    /// <summary>
    /// Runs the orchestrator as a hosted service (see <see cref="AddManufacturingOrchestrationHosting(IServiceCollection)"/>),
    /// with its shutdown and health thresholds configured in code. Harmless when called twice (the service is added once;
    /// each <paramref name="configure"/> is applied, in order).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures shutdown and health thresholds.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddManufacturingOrchestrationHosting(this IServiceCollection services, Action<OrchestrationHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OrchestrationHostingOptions>().Configure(configure);
        return services.AddManufacturingOrchestrationHosting();
    }

    /// <summary>
    /// Runs the orchestrator as a hosted service (see <see cref="AddManufacturingOrchestrationHosting(IServiceCollection)"/>),
    /// its <see cref="OrchestrationHostingOptions"/> bound from a configuration section such as
    /// <c>builder.Configuration.GetSection("ManufacturingOrchestration:Hosting")</c> (<c>DrainTimeout</c>,
    /// <c>BacklogDegradedThreshold</c>, <c>DeadLetterDegradedThreshold</c>, <c>StoreProbeTimeout</c>). A setting out of
    /// range refuses the start with an <see cref="OptionsValidationException"/> naming the setting and its range. To adjust
    /// a bound setting in code, call the overload with a <c>configure</c> action after this one.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding the settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddManufacturingOrchestrationHosting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OrchestrationHostingOptions>().Bind(configuration);
        return services.AddManufacturingOrchestrationHosting();
    }

    /// <summary>
    /// Adds a <see cref="FileDropSource"/> run by the hosted orchestrator: a folder polled for <c>*.jsonl</c> and
    /// <c>*.csv</c> files on the registered <see cref="TimeProvider"/>. Call once per folder (give each a distinct
    /// <see cref="FileDropOptions.Name"/>: two event sources under one name refuse the start).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the folder and the CSV layout defaults.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddManufacturingOrchestrationFileDrop(this IServiceCollection services, Action<FileDropOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton<IEventSource>(sp =>
        {
            var options = new FileDropOptions { TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(options);
            return new FileDropSource(options, sp.GetService<EventSerializer>(), sp.GetService<ILogger<FileDropSource>>());
        });
        return services;
    }
}
