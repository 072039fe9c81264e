using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Hosting;

/// <summary>
/// Settings of the hosted orchestrator: shutdown and health thresholds, with documented defaults. All of them can be bound
/// from configuration (<c>AddManufacturingOrchestrationHosting(configuration.GetSection("ManufacturingOrchestration:Hosting"))</c>);
/// they are validated at start.
/// </summary>
public sealed class OrchestrationHostingOptions
{
    /// <summary>
    /// How long shutdown waits for in-flight work (queued events, running steps and commands) after intake stopped.
    /// What is not finished by then stays durable in the store and resumes at the next start. Not negative; default 20
    /// seconds (keep it below the host's shutdown timeout, 30 seconds by default). Above about 49.7 days (the longest
    /// timer) the drain has no limit of its own and only the host's shutdown timeout ends it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Work items queued or running above which health is degraded; at least 1. Default 1000.</summary>
    [Range(1L, long.MaxValue)]
    public long BacklogDegradedThreshold { get; set; } = 1000;

    /// <summary>Open dead letters (each parks its key) at or above which health is degraded; at least 1. Default 1.</summary>
    [Range(1, int.MaxValue)]
    public int DeadLetterDegradedThreshold { get; set; } = 1;

    /// <summary>
    /// How long the health check waits for the store before it reports it unreachable; positive. Default 5 seconds. Above
    /// about 49.7 days (the longest timer) the probe has no limit of its own and only the check's caller bounds it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan StoreProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest wait a timer supports (about 49.7 days); a setting longer than that waits without a limit of its own
    /// (the host's shutdown timeout, or the caller of the health check, still bounds it).
    /// </summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1L);

    /// <summary>Validates the settings.</summary>
    /// <returns>Every problem found, each naming the setting and its range; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var result = new OrchestrationHostingOptionsValidator().Validate(Options.DefaultName, this);
        return result.Failed && result.Failures is { } failures ? [.. failures] : [];
    }

    /// <summary>
    /// <paramref name="timeout"/> as a timer can take it: <see cref="Timeout.InfiniteTimeSpan"/> when it is longer than
    /// any timer can wait, so that a setting within its documented range never fails a stop or a health check.
    /// </summary>
    internal static TimeSpan TimerDelay(TimeSpan timeout) => timeout > LongestTimer ? Timeout.InfiniteTimeSpan : timeout;
}

/// <summary>The ranges of <see cref="OrchestrationHostingOptions"/>, checked by generated code from their attributes.</summary>
[OptionsValidator]
internal sealed partial class OrchestrationHostingOptionsValidator : IValidateOptions<OrchestrationHostingOptions>;
