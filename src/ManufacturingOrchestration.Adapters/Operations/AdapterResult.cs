using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>How a target system answered an adapter command.</summary>
public enum AdapterResultStatus
{
    /// <summary>The command was applied now.</summary>
    Succeeded = 0,

    /// <summary>The idempotency key was seen before and the command had been applied then: treat as success.</summary>
    AlreadyApplied = 1,

    /// <summary>The command was not applied, but may succeed later (timeout, throttling, outage): retry with backoff.</summary>
    TransientFailure = 2,

    /// <summary>The command was refused for good (a business rule, invalid data): do not retry; dead-letter it.</summary>
    PermanentFailure = 3,

    /// <summary>
    /// The command was refused because it assumed data the target no longer holds (a quantity consumed meanwhile, a
    /// changed version): the caller reads the current state again and decides again, instead of dead-lettering.
    /// </summary>
    Stale = 4,
}

/// <summary>
/// The classified outcome of an adapter command. Adapters return business refusals as
/// <see cref="AdapterResultStatus.PermanentFailure"/> results instead of throwing; an exception thrown by an
/// adapter is treated by the engine as a transient failure unless it is an <see cref="AdapterPermanentException"/>.
/// </summary>
public sealed class AdapterResult
{
    private static readonly AdapterResult s_success = new(AdapterResultStatus.Succeeded, null, null, null, null);
    private static readonly AdapterResult s_alreadyApplied = new(AdapterResultStatus.AlreadyApplied, null, null, null, null);

    private AdapterResult(AdapterResultStatus status, ReasonCode? reason, string? message, TimeSpan? retryAfter, string? externalReference)
    {
        Status = status;
        Reason = reason;
        Message = message;
        RetryAfter = retryAfter;
        ExternalReference = externalReference;
    }

    /// <summary>The outcome.</summary>
    public AdapterResultStatus Status { get; }

    /// <summary>The catalogued reason for a failure (from <see cref="ReasonCodes"/>); <see langword="null"/> on success.</summary>
    public ReasonCode? Reason { get; }

    /// <summary>A message for a person, such as the target system's own error text.</summary>
    public string? Message { get; }

    /// <summary>For a transient failure: how long the target system asked the caller to wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>A reference in the target system, such as an ERP material document number, a task id or a case number.</summary>
    public string? ExternalReference { get; }

    /// <summary>Whether the command took effect (now or on an earlier attempt with the same key).</summary>
    public bool IsSuccess => Status is AdapterResultStatus.Succeeded or AdapterResultStatus.AlreadyApplied;

    /// <summary>Whether the caller should retry the command later with the same idempotency key.</summary>
    public bool IsTransient => Status == AdapterResultStatus.TransientFailure;

    /// <summary>Whether the command was refused for good.</summary>
    public bool IsPermanent => Status == AdapterResultStatus.PermanentFailure;

    /// <summary>Whether the command was refused because the data it assumed is out of date (see <see cref="AdapterResultStatus.Stale"/>).</summary>
    public bool IsStale => Status == AdapterResultStatus.Stale;

    /// <summary>The command was applied now.</summary>
    /// <param name="externalReference">The reference in the target system, if any.</param>
    /// <returns>The result.</returns>
    public static AdapterResult Success(string? externalReference = null) =>
        externalReference is null ? s_success : new(AdapterResultStatus.Succeeded, null, null, null, externalReference);

    /// <summary>The idempotency key was already applied; the caller treats this as success.</summary>
    /// <param name="externalReference">The reference the first application produced, if known.</param>
    /// <returns>The result.</returns>
    public static AdapterResult AlreadyApplied(string? externalReference = null) =>
        externalReference is null ? s_alreadyApplied : new(AdapterResultStatus.AlreadyApplied, null, null, null, externalReference);

    /// <summary>The command failed transiently and may be retried.</summary>
    /// <param name="reason">The reason; <see cref="ReasonCodes.AdapterTransient"/> is the usual one.</param>
    /// <param name="message">A message for a person.</param>
    /// <param name="retryAfter">How long to wait before retrying, when the target system said so; otherwise <see langword="null"/>.</param>
    /// <returns>The result.</returns>
    public static AdapterResult Transient(ReasonCode reason, string message, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(retryAfter));
        }

        return new(AdapterResultStatus.TransientFailure, reason, message, retryAfter, null);
    }

    /// <summary>The command failed transiently with <see cref="ReasonCodes.AdapterTransient"/>.</summary>
    /// <param name="message">A message for a person.</param>
    /// <returns>The result.</returns>
    public static AdapterResult Transient(string message) => Transient(ReasonCodes.AdapterTransient, message, null);

    /// <summary>The command failed transiently with <see cref="ReasonCodes.AdapterTransient"/>; the target system asked to wait.</summary>
    /// <param name="message">A message for a person.</param>
    /// <param name="retryAfter">How long to wait before retrying.</param>
    /// <returns>The result.</returns>
    public static AdapterResult Transient(string message, TimeSpan retryAfter) => Transient(ReasonCodes.AdapterTransient, message, retryAfter);

    /// <summary>The command was refused for good.</summary>
    /// <param name="reason">The catalogued reason, such as <see cref="ReasonCodes.WithdrawalNotUnrestricted"/>.</param>
    /// <param name="message">A message for a person.</param>
    /// <returns>The result.</returns>
    public static AdapterResult Permanent(ReasonCode reason, string message) =>
        new(AdapterResultStatus.PermanentFailure, reason, message, null, null);

    /// <summary>
    /// The command was refused because the data it assumed is out of date: the stock it moves is no longer in the bucket
    /// it names, the document version changed. The engine reads the lot or order again and runs the decision again,
    /// rather than dead-lettering; a target that cannot tell this apart from a business refusal returns
    /// <see cref="Permanent"/>.
    /// </summary>
    /// <param name="reason">The catalogued reason, such as <see cref="ReasonCodes.InsufficientQuantity"/>.</param>
    /// <param name="message">A message for a person, such as the target system's own error text.</param>
    /// <returns>The result.</returns>
    public static AdapterResult Stale(ReasonCode reason, string message) =>
        new(AdapterResultStatus.Stale, reason, message, null, null);

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        AdapterResultStatus.Succeeded or AdapterResultStatus.AlreadyApplied =>
            ExternalReference is null ? Status.ToString() : $"{Status} ({ExternalReference})",
        _ => $"{Status}: {Reason?.Code} {Message}",
    };
}
