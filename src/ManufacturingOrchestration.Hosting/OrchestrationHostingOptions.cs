namespace ManufacturingOrchestration.Hosting;

/// <summary>Settings of the hosted orchestrator: shutdown and health thresholds, with documented defaults.</summary>
public sealed class OrchestrationHostingOptions
{
    /// <summary>
    /// How long shutdown waits for in-flight work (queued events, running steps and commands) after intake stopped.
    /// What is not finished by then stays durable in the store and resumes at the next start. Default 20 seconds
    /// (keep it below the host's shutdown timeout, 30 seconds by default).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Work items queued or running above which health is degraded. Default 1000.</summary>
    public long BacklogDegradedThreshold { get; set; } = 1000;

    /// <summary>Open dead letters (each parks its key) at or above which health is degraded. Default 1.</summary>
    public int DeadLetterDegradedThreshold { get; set; } = 1;

    /// <summary>How long the health check waits for the store before it reports it unreachable. Default 5 seconds.</summary>
    public TimeSpan StoreProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Validates the settings.</summary>
    /// <returns>Every problem found; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{nameof(DrainTimeout)} must not be negative (was {DrainTimeout}).");
        }

        if (BacklogDegradedThreshold < 1)
        {
            failures.Add($"{nameof(BacklogDegradedThreshold)} must be at least 1 (was {BacklogDegradedThreshold}).");
        }

        if (DeadLetterDegradedThreshold < 1)
        {
            failures.Add($"{nameof(DeadLetterDegradedThreshold)} must be at least 1 (was {DeadLetterDegradedThreshold}).");
        }

        if (StoreProbeTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(StoreProbeTimeout)} must be positive (was {StoreProbeTimeout}).");
        }

        return failures;
    }
}
