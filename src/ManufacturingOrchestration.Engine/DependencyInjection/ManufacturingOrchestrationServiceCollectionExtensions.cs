using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the orchestrator and everything it is composed of.</summary>
public static class ManufacturingOrchestrationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="Orchestrator"/> (singleton) with its options, store, adapters, workflows, actor directory,
    /// <see cref="OrchestrationTelemetry"/>
    /// (on the registered <see cref="IMeterFactory"/> when there is one), <see cref="EventIntake"/> and
    /// <see cref="TimeProvider.System"/> unless a clock is registered. The services come from the container and the
    /// builder; the <see cref="OrchestratorSettings"/> from <c>IOptions&lt;OrchestratorSettings&gt;</c> (bind them from
    /// configuration with the builder's <c>BindSettings</c>). The options are validated when the orchestrator is
    /// first resolved and when a host starts (<c>ValidateOnStart</c>): settings out of range are refused first, naming
    /// each setting and its range; then one error names every problem of the composition.
    /// </summary>
    /// <remarks>
    /// Harmless when called twice: services are added once (<c>TryAdd*</c>), and a second call returns the same builder,
    /// so its <paramref name="configure"/> adds to the first composition. The orchestrator is not started here: a host
    /// (the Hosting package) or the caller starts it.
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configure">Composes the orchestrator; may be <see langword="null"/> to configure through the returned builder.</param>
    /// <returns>The builder, to continue composing.</returns>
    public static ManufacturingOrchestrationBuilder AddManufacturingOrchestration(this IServiceCollection services, Action<ManufacturingOrchestrationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.LastOrDefault(d => d.ServiceType == typeof(ManufacturingOrchestrationBuilder) && !d.IsKeyedService)?.ImplementationInstance as ManufacturingOrchestrationBuilder;
        if (builder is null)
        {
            builder = new ManufacturingOrchestrationBuilder(services);
            services.AddSingleton(builder);
            Register(services);
        }

        configure?.Invoke(builder);
        return builder;
    }

    private static void Register(IServiceCollection services)
    {
        // The settings are validated where they are read: the composer reads them for the orchestrator's options, which
        // are validated on start. Validating them on start on their own too would report each problem twice.
        services.AddOptions<OrchestratorSettings>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorSettings>, OrchestratorSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorSettings>, OrchestratorSettingsRules>());
        services.AddOptions<OrchestratorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<OrchestratorOptions>, OrchestratorOptionsComposer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorOptions>, OrchestratorOptionsValidator>());
        services.TryAddSingleton<CompositionState>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IActorDirectory>(static _ => new InMemoryActorDirectory());
        services.TryAddSingleton(static sp => new OrchestrationTelemetry(sp.GetRequiredService<TimeProvider>(), sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(static sp => new Orchestrator(sp.GetRequiredService<IOptions<OrchestratorOptions>>().Value, sp.GetRequiredService<OrchestrationTelemetry>()));
        services.TryAddSingleton(EventSerializer.Default);
        services.TryAddSingleton(static sp => new EventIntake(sp.GetRequiredService<Orchestrator>(), sp.GetRequiredService<EventSerializer>()));
        services.TryAddSingleton<IEventSink>(static sp => sp.GetRequiredService<EventIntake>());
    }
}
