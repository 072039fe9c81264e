using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Hosting;
using ManufacturingOrchestration.Model.Serialization;
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
    /// <c>AddHealthChecks().AddManufacturingOrchestration()</c>. The options are validated at start.
    /// Harmless when called twice (the service is added once; each <paramref name="configure"/> is applied).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures shutdown and health thresholds.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddManufacturingOrchestrationHosting(this IServiceCollection services, Action<OrchestrationHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddManufacturingOrchestration();
        var options = services.AddOptions<OrchestrationHostingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestrationHostingOptions>, HostingOptionsValidator>());
        services.TryAddSingleton<OrchestrationHostedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OrchestrationHostedService>(static sp => sp.GetRequiredService<OrchestrationHostedService>()));
        services.TryAddSingleton<OrchestrationHealthCheck>();
        return services;
    }

    /// <summary>
    /// Adds a <see cref="FileDropSource"/> run by the hosted orchestrator: a folder polled for <c>*.jsonl</c> and
    /// <c>*.csv</c> files on the registered <see cref="TimeProvider"/>. Call once per folder (give each a distinct
    /// <see cref="FileDropOptions.Name"/>).
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

    private sealed class HostingOptionsValidator : IValidateOptions<OrchestrationHostingOptions>
    {
        public ValidateOptionsResult Validate(string? name, OrchestrationHostingOptions options)
        {
            var failures = options.Validate();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
