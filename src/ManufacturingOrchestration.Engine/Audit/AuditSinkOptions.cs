namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>How the orchestrator delivers committed audit records to its <see cref="IAuditSink"/>s, with documented defaults.</summary>
public sealed class AuditSinkOptions
{
    /// <summary>The most records one <see cref="IAuditSink.WriteAsync"/> call receives. Default 256, at most 10,000.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// How often a sink that has caught up looks for new records when no commit of this orchestrator woke it (records
    /// committed by another process sharing the store). Default 5 seconds.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before a failed batch is delivered again; it doubles with each further failure in a row. Default 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts at a failing sink. Default 1 minute.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest <see cref="BatchSize"/> allowed.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Validates the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, MaxBatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryDelay, nameof(MaxRetryDelay));
    }

    /// <summary>The wait after <paramref name="failures"/> failures in a row: <see cref="RetryDelay"/> doubled per earlier failure, at most <see cref="MaxRetryDelay"/>.</summary>
    internal TimeSpan DelayAfter(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var milliseconds = Math.Min(RetryDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
