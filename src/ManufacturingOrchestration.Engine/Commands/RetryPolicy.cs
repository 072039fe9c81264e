namespace ManufacturingOrchestration.Engine.Commands;

/// <summary>
/// The engine's durable retry policy for transient adapter failures: exponential backoff with jitter, bounded by a
/// maximum delay and a maximum number of attempts, after which the command is dead-lettered. These are the long,
/// durable retries (minutes to hours); an HTTP connector's pipeline makes only short in-call retries.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>The delay before the first retry. Default 2 seconds.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest delay between attempts. Default 15 minutes.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The growth factor per attempt. Default 2.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>The share of the delay randomised (0 to 1). Default 0.2 (±20 %).</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Attempts before a command is dead-lettered, the first one included. Default 10.</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Validates the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Multiplier, 1d, nameof(Multiplier));
        ArgumentOutOfRangeException.ThrowIfLessThan(Jitter, 0d, nameof(Jitter));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Jitter, 1d, nameof(Jitter));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
    }

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1, given that <paramref name="attempt"/> attempts failed.</summary>
    /// <param name="attempt">Failed attempts so far (1 or more).</param>
    /// <param name="retryAfter">A delay the target asked for, honoured when longer.</param>
    /// <param name="random">The jitter source.</param>
    /// <returns>The delay.</returns>
    public TimeSpan NextDelay(int attempt, TimeSpan? retryAfter, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var baseMs = Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, exponent), MaxDelay.TotalMilliseconds);
        var jittered = baseMs * (1 + (Jitter * ((random.NextDouble() * 2) - 1)));
        var delay = TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, MaxDelay.TotalMilliseconds));
        return retryAfter is { } asked && asked > delay ? asked : delay;
    }
}
