using System.ComponentModel.DataAnnotations;

namespace ManufacturingOrchestration.Engine.Commands;

/// <summary>
/// The engine's durable retry policy for transient adapter failures: exponential backoff with jitter, bounded by a
/// maximum delay and a maximum number of attempts, after which the command is dead-lettered. These are the long,
/// durable retries (minutes to hours); an HTTP connector's pipeline makes only short in-call retries. Its ranges are
/// validated with the orchestrator's settings (<see cref="Execution.OrchestratorSettings.Retry"/>), where
/// <see cref="MaxDelay"/> must also be at least <see cref="InitialDelay"/>.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>The delay before the first retry; not negative. Default 2 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest delay between attempts; at least <see cref="InitialDelay"/>. Default 15 minutes.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The growth factor per attempt; at least 1. Default 2.</summary>
    [Range(1d, double.MaxValue)]
    public double Multiplier { get; init; } = 2;

    /// <summary>The share of the delay randomised (0 to 1). Default 0.2 (±20 %).</summary>
    [Range(0d, 1d)]
    public double Jitter { get; init; } = 0.2;

    /// <summary>Attempts before a command is dead-lettered, the first one included; at least 1. Default 10.</summary>
    [Range(1, int.MaxValue)]
    public int MaxAttempts { get; init; } = 10;

    /// <summary>
    /// The longest wait a target's own <c>Retry-After</c> is honoured for; not negative. Default 24 hours. A target
    /// asking for more (a misconfigured gateway's 68 years) is retried after this long, so a command is never parked
    /// for longer than the plant would notice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1, given that <paramref name="attempt"/> attempts failed.</summary>
    /// <param name="attempt">Failed attempts so far (1 or more).</param>
    /// <param name="retryAfter">A delay the target asked for, honoured when longer, up to <see cref="MaxRetryAfter"/>.</param>
    /// <param name="random">The jitter source.</param>
    /// <returns>The delay.</returns>
    public TimeSpan NextDelay(int attempt, TimeSpan? retryAfter, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var baseMs = Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, exponent), MaxDelay.TotalMilliseconds);
        var jittered = baseMs * (1 + (Jitter * ((random.NextDouble() * 2) - 1)));
        var delay = TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, MaxDelay.TotalMilliseconds));
        var honoured = retryAfter is { } asked && asked < MaxRetryAfter ? asked : MaxRetryAfter;
        return retryAfter is not null && honoured > delay ? honoured : delay;
    }
}
