using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>
/// Why a transition was rejected: a catalogued reason code, a message for people, the state the object was in,
/// the trigger that was refused and the triggers that would have been accepted in that state.
/// </summary>
public sealed class TransitionRejection
{
    /// <summary>Creates a rejection.</summary>
    /// <param name="reasonCode">The catalogued reason code (from <see cref="ReasonCodes"/>).</param>
    /// <param name="message">A message for people.</param>
    /// <param name="currentState">The state the object was in, by name.</param>
    /// <param name="trigger">The trigger that was refused, by name.</param>
    /// <param name="permittedTriggers">The triggers permitted in <paramref name="currentState"/> for the same arguments.</param>
    public TransitionRejection(ReasonCode reasonCode, string message, string currentState, string trigger, IReadOnlyList<string> permittedTriggers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(currentState);
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        ArgumentNullException.ThrowIfNull(permittedTriggers);
        ReasonCode = reasonCode;
        Message = message;
        CurrentState = currentState;
        Trigger = trigger;
        PermittedTriggers = permittedTriggers;
    }

    /// <summary>The catalogued reason code.</summary>
    public ReasonCode ReasonCode { get; }

    /// <summary>A message for people.</summary>
    public string Message { get; }

    /// <summary>The state the object was in when the trigger was refused.</summary>
    public string CurrentState { get; }

    /// <summary>The trigger that was refused.</summary>
    public string Trigger { get; }

    /// <summary>The triggers that are permitted in <see cref="CurrentState"/> for the same arguments (guards evaluated).</summary>
    public IReadOnlyList<string> PermittedTriggers { get; }

    /// <inheritdoc />
    public override string ToString() => $"{ReasonCode.Code}: {Message}";
}

/// <summary>
/// The outcome of firing a trigger: either accepted with the new state object (a new immutable instance whose
/// <c>Version</c> is one higher) or rejected with a <see cref="TransitionRejection"/>. A rejected transition is an
/// expected outcome and never an exception.
/// </summary>
/// <typeparam name="T">The type of the state object (a lot, an order, a nonconformance).</typeparam>
public sealed class TransitionResult<T>
    where T : class
{
    private TransitionResult(T? value, TransitionRejection? rejection)
    {
        Value = value;
        Rejection = rejection;
    }

    /// <summary>Whether the transition was accepted.</summary>
    public bool IsAccepted => Rejection is null;

    /// <summary>The new state object when accepted; <see langword="null"/> when rejected.</summary>
    public T? Value { get; }

    /// <summary>Why the transition was rejected; <see langword="null"/> when accepted.</summary>
    public TransitionRejection? Rejection { get; }

    /// <summary>Creates an accepted result.</summary>
    /// <param name="value">The new state object.</param>
    /// <returns>The result.</returns>
    public static TransitionResult<T> Accepted(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new TransitionResult<T>(value, null);
    }

    /// <summary>Creates a rejected result.</summary>
    /// <param name="rejection">Why it was rejected.</param>
    /// <returns>The result.</returns>
    public static TransitionResult<T> Rejected(TransitionRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return new TransitionResult<T>(null, rejection);
    }

    /// <summary>Returns the new state object, or throws when the transition was rejected.</summary>
    /// <returns>The new state object.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The transition was rejected; the exception carries its reason code.</exception>
    public T GetValueOrThrow() =>
        Value ?? throw new ManufacturingOrchestrationException(Rejection!.ReasonCode, Rejection.Message);

    /// <inheritdoc />
    public override string ToString() => IsAccepted ? $"Accepted: {Value}" : $"Rejected: {Rejection}";
}
