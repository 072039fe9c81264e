using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The one classification of adapter failures, shared by commands (the outbox) and queries (the first-touch read and
/// queries made inside workflow steps): an <see cref="AdapterPermanentException"/> is permanent (do not retry); any
/// other exception is transient (retry durably, with backoff) — with its own reason code when it is a
/// <see cref="ManufacturingOrchestrationException"/>, else <see cref="ReasonCodes.AdapterTransient"/>.
/// </summary>
public static class AdapterFailures
{
    /// <summary>Classifies an exception an adapter threw.</summary>
    /// <param name="exception">The exception (not a cancellation the caller asked for: let that propagate).</param>
    /// <returns>A transient or permanent <see cref="AdapterResult"/> naming the failure.</returns>
    public static AdapterResult Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AdapterPermanentException permanent => AdapterResult.Permanent(permanent.ReasonCode, permanent.Message),
            AdapterQueryException query => query.Failure,
            ManufacturingOrchestrationException known => AdapterResult.Transient(known.ReasonCode, $"{exception.GetType().Name}: {exception.Message}", null),
            _ => AdapterResult.Transient(ReasonCodes.AdapterTransient, $"{exception.GetType().Name}: {exception.Message}", null),
        };
    }
}

/// <summary>
/// A query failed: thrown by <see cref="AdapterSet.QueryAsync{TResult}"/> with the failure already classified. Inside
/// a workflow step the orchestrator turns it into a durable retry of the event (transient) or a dead letter naming the
/// operation (permanent); elsewhere the caller decides.
/// </summary>
public sealed class AdapterQueryException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The query kind, such as <c>erp.get-open-allocations</c>.</param>
    /// <param name="failure">The classified failure (transient or permanent).</param>
    /// <param name="innerException">What the adapter threw, when it threw.</param>
    /// <param name="subject">What was asked, for people (the query itself, or the lot or order it reads).</param>
    public AdapterQueryException(string operation, AdapterResult failure, Exception? innerException, string subject)
        : base(Reason(failure), $"{operation} ({subject}): {failure?.Message}", innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        Operation = operation;
        Failure = failure!;
        Subject = subject;
    }

    /// <summary>The query kind that failed.</summary>
    public string Operation { get; }

    /// <summary>What was asked, for people.</summary>
    public string Subject { get; }

    /// <summary>The classified failure.</summary>
    public AdapterResult Failure { get; }

    /// <summary>Whether a later attempt may succeed.</summary>
    public bool IsTransient => Failure.IsTransient;

    private static ReasonCode Reason(AdapterResult? failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.IsSuccess)
        {
            throw new ArgumentException("A query failure must be a transient or permanent result.", nameof(failure));
        }

        return failure.Reason ?? ReasonCodes.AdapterPermanent;
    }
}
