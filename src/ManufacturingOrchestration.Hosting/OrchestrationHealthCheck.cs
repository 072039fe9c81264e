using System.Globalization;
using ManufacturingOrchestration.Adapters.Health;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Hosting;

/// <summary>
/// The orchestrator's health: <b>unhealthy</b> when it is not running or its store does not answer within
/// <see cref="OrchestrationHostingOptions.StoreProbeTimeout"/>; <b>degraded</b> when the backlog is above
/// <see cref="OrchestrationHostingOptions.BacklogDegradedThreshold"/>, dead letters are open (their keys parked), a
/// circuit is open, an event source failed or the latest periodic audit checkpoint failed
/// (<see cref="Orchestrator.ConsecutiveAuditCheckpointFailures"/>); otherwise <b>healthy</b>. The data carries the numbers
/// (<c>backlog</c>, <c>openDeadLetters</c>, <c>parkedKeys</c>, <c>openCircuits</c>, <c>failedSources</c>,
/// <c>auditCheckpointFailures</c>).
/// </summary>
/// <remarks>Register it with <c>services.AddHealthChecks().AddManufacturingOrchestration()</c>.</remarks>
public sealed class OrchestrationHealthCheck : IHealthCheck
{
    private const int DeadLetterScanLimit = 10_000;
    private readonly Orchestrator _orchestrator;
    private readonly OrchestrationHostingOptions _options;
    private readonly ICircuitStateReporter[] _circuits;
    private readonly OrchestrationHostedService? _hosted;

    /// <summary>Creates the check.</summary>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="options">The thresholds.</param>
    /// <param name="circuits">Reporters of open circuits; may be empty.</param>
    /// <param name="hosted">The hosted service, to report failed sources; <see langword="null"/> when not hosted.</param>
    public OrchestrationHealthCheck(Orchestrator orchestrator, IOptions<OrchestrationHostingOptions> options, IEnumerable<ICircuitStateReporter> circuits, OrchestrationHostedService? hosted = null)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(circuits);
        _orchestrator = orchestrator;
        _options = options.Value;
        _circuits = [.. circuits];
        _hosted = hosted;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var backlog = _orchestrator.Backlog;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["backlog"] = backlog };
        if (!_orchestrator.IsRunning)
        {
            return new HealthCheckResult(failureStatus, "The orchestrator is not running.", data: data);
        }

        IReadOnlyList<DeadLetter> open;
        using (var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            probe.CancelAfter(OrchestrationHostingOptions.TimerDelay(_options.StoreProbeTimeout));
            try
            {
                open = await _orchestrator.Store.ReadDeadLettersAsync(new DeadLetterQuery { OnlyOpen = true, MaxCount = DeadLetterScanLimit }, probe.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(failureStatus, $"The store did not answer within {_options.StoreProbeTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", data: data);
            }
#pragma warning disable CA1031 // Any store failure means the store is unreachable; it is reported, not thrown.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                return new HealthCheckResult(failureStatus, "The store is unreachable.", ex, data);
            }
        }

        var parkedKeys = open.Select(d => d.PartitionKey).Distinct(StringComparer.Ordinal).Count();
        var circuits = _circuits.SelectMany(c => c.GetOpenCircuits()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var failedSources = _hosted?.SourceFailures.Keys.Order(StringComparer.Ordinal).ToArray() ?? [];
        data["openDeadLetters"] = open.Count;
        data["parkedKeys"] = parkedKeys;
        data["openCircuits"] = circuits;
        data["failedSources"] = failedSources;
        var checkpointFailures = _orchestrator.ConsecutiveAuditCheckpointFailures;
        data["auditCheckpointFailures"] = checkpointFailures;

        var problems = new List<string>();
        if (backlog > _options.BacklogDegradedThreshold)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"backlog {backlog} is above {_options.BacklogDegradedThreshold}"));
        }

        if (open.Count >= _options.DeadLetterDegradedThreshold)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{open.Count} open dead letters park {parkedKeys} keys"));
        }

        if (circuits.Length > 0)
        {
            problems.Add($"open circuits: {string.Join(", ", circuits)}");
        }

        if (failedSources.Length > 0)
        {
            problems.Add($"failed event sources: {string.Join(", ", failedSources)}");
        }

        if (checkpointFailures > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the last {checkpointFailures} audit checkpoint(s) failed: the records audited since the latest one are in no checkpoint"));
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("The orchestrator is running.", data)
            : HealthCheckResult.Degraded("The orchestrator is running, degraded: " + string.Join("; ", problems) + ".", data: data);
    }
}
