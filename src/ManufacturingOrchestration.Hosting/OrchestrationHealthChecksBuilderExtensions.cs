using ManufacturingOrchestration.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the orchestrator's health check to the host's health checks.</summary>
public static class OrchestrationHealthChecksBuilderExtensions
{
    /// <summary>The name the check is registered under unless another is given.</summary>
    public const string DefaultName = "manufacturing-orchestration";

    /// <summary>
    /// Adds <see cref="OrchestrationHealthCheck"/>: <c>services.AddHealthChecks().AddManufacturingOrchestration()</c>.
    /// The check itself is registered by <c>AddManufacturingOrchestrationHosting</c>, which this calls too (harmless when
    /// called already).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">The status reported when the check fails; the check's own status when <see langword="null"/>.</param>
    /// <param name="tags">Tags for filtering the check (readiness, liveness).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddManufacturingOrchestration(this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddManufacturingOrchestrationHosting();
        return builder.AddCheck<OrchestrationHealthCheck>(name, failureStatus, tags ?? []);
    }
}
