using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Operations;

/// <summary>What an operator can do with a dead letter.</summary>
public enum OperatorActionKind
{
    /// <summary>Run the failed command again with the same idempotency key (or re-run the failed event).</summary>
    Replay = 0,

    /// <summary>Run an edited command instead, under a new revision key derived from the original; audited as a manual correction.</summary>
    ReplayEdited = 1,

    /// <summary>Skip the failed command (or event) with a reason; later work continues.</summary>
    Skip = 2,

    /// <summary>Record that the effect was carried out outside the orchestrator; later work continues.</summary>
    ResolveManually = 3,

    /// <summary>
    /// Abandon the failed event's remaining commands and run the compensations of its completed steps in reverse
    /// order; the partition's aggregate is then re-read from the ERP before its next event.
    /// </summary>
    Compensate = 4,
}

/// <summary>An operator's request; every request names the operator and why.</summary>
public sealed class OperatorRequest
{
    /// <summary>The dead letter acted on.</summary>
    public required string DeadLetterId { get; init; }

    /// <summary>The action.</summary>
    public required OperatorActionKind Action { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>The edited command, for <see cref="OperatorActionKind.ReplayEdited"/> (its context is replaced).</summary>
    public AdapterCommand? EditedCommand { get; init; }
}

/// <summary>The outcome of an operator action.</summary>
public sealed class OperatorActionResult
{
    private OperatorActionResult(bool succeeded, ReasonCode? refusal, string message)
    {
        Succeeded = succeeded;
        Refusal = refusal;
        Message = message;
    }

    /// <summary>Whether the action was carried out.</summary>
    public bool Succeeded { get; }

    /// <summary>Why it was refused.</summary>
    public ReasonCode? Refusal { get; }

    /// <summary>A message for people.</summary>
    public string Message { get; }

    /// <summary>A carried-out action.</summary>
    /// <param name="message">What was done.</param>
    /// <returns>The result.</returns>
    public static OperatorActionResult Done(string message) => new(true, null, message);

    /// <summary>A refused action.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="message">The message.</param>
    /// <returns>The result.</returns>
    public static OperatorActionResult Refused(ReasonCode reason, string message) => new(false, reason, message);

    /// <inheritdoc />
    public override string ToString() => Succeeded ? Message : $"Refused ({Refusal}): {Message}";
}
