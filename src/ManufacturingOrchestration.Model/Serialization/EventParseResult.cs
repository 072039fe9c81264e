using System.Diagnostics.CodeAnalysis;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>The outcome of reading an event: the envelope, or every problem found in it.</summary>
public sealed class EventParseResult
{
    private EventParseResult(EventEnvelope? envelope, IReadOnlyList<ValidationError> errors)
    {
        Envelope = envelope;
        Errors = errors;
    }

    /// <summary>Whether the event was read and is valid.</summary>
    [MemberNotNullWhen(true, nameof(Envelope))]
    public bool IsSuccess => Envelope is not null;

    /// <summary>The envelope, when <see cref="IsSuccess"/>.</summary>
    public EventEnvelope? Envelope { get; }

    /// <summary>Every problem found; empty when <see cref="IsSuccess"/>.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>A successful result.</summary>
    /// <param name="envelope">The envelope read.</param>
    /// <returns>The result.</returns>
    public static EventParseResult Success(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new(envelope, []);
    }

    /// <summary>A failed result.</summary>
    /// <param name="errors">The problems found; at least one.</param>
    /// <returns>The result.</returns>
    public static EventParseResult Failure(IReadOnlyList<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A failed result needs at least one error.", nameof(errors));
        }

        return new(null, errors);
    }

    /// <inheritdoc />
    public override string ToString() => IsSuccess
        ? $"Success: {Envelope.Type} {Envelope.Source}/{Envelope.Id}"
        : $"Failure: {string.Join("; ", Errors)}";
}
