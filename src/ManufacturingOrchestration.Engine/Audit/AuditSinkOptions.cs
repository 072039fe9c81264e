using System.ComponentModel.DataAnnotations;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// How the orchestrator delivers committed audit records to its <see cref="IAuditSink"/>s, with documented defaults.
/// Validated with the orchestrator's settings (<see cref="Execution.OrchestratorSettings.AuditSinkDelivery"/>), where
/// <see cref="MaxRetryDelay"/> must also be at least <see cref="RetryDelay"/>.
/// </summary>
public sealed class AuditSinkOptions
{
    /// <summary>The most records one <see cref="IAuditSink.WriteAsync"/> call receives. Default 256, at most 10,000.</summary>
    [Range(1, MaxBatchSize)]
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// How often a sink that has caught up looks for new records when no commit of this orchestrator woke it (records
    /// committed by another process sharing the store); positive. Default 5 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before a failed batch is delivered again; it doubles with each further failure in a row. Positive; default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts at a failing sink; at least <see cref="RetryDelay"/>. Default 1 minute.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest <see cref="BatchSize"/> allowed.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>A copy with the same settings.</summary>
    internal AuditSinkOptions Clone() => (AuditSinkOptions)MemberwiseClone();

    /// <summary>The wait after <paramref name="failures"/> failures in a row: <see cref="RetryDelay"/> doubled per earlier failure, at most <see cref="MaxRetryDelay"/>.</summary>
    internal TimeSpan DelayAfter(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var milliseconds = Math.Min(RetryDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
