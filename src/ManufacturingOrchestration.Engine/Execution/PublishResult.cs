using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>What intake did with an event.</summary>
public enum PublishStatus
{
    /// <summary>Accepted: it is durable in the inbox and will be processed.</summary>
    Accepted = 0,

    /// <summary>An event with the same source and id was already accepted; this one has no effect.</summary>
    Duplicate = 1,

    /// <summary>Refused: see <see cref="PublishResult.Errors"/>; the refusal is recorded and queryable.</summary>
    Rejected = 2,
}

/// <summary>The outcome of publishing one event.</summary>
public sealed class PublishResult
{
    private PublishResult(PublishStatus status, EventKey? key, long? position, IReadOnlyList<ValidationError> errors)
    {
        Status = status;
        Key = key;
        Position = position;
        Errors = errors;
    }

    /// <summary>What intake did.</summary>
    public PublishStatus Status { get; }

    /// <summary>The event identity, when it could be read.</summary>
    public EventKey? Key { get; }

    /// <summary>The inbox position of an accepted event.</summary>
    public long? Position { get; }

    /// <summary>Every problem found, for a rejected event.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>An accepted event.</summary>
    /// <param name="key">The identity.</param>
    /// <param name="position">The inbox position.</param>
    /// <returns>The result.</returns>
    public static PublishResult Accepted(EventKey key, long position) => new(PublishStatus.Accepted, key, position, []);

    /// <summary>A duplicate event.</summary>
    /// <param name="key">The identity.</param>
    /// <returns>The result.</returns>
    public static PublishResult Duplicate(EventKey key) => new(PublishStatus.Duplicate, key, null, []);

    /// <summary>A rejected event.</summary>
    /// <param name="key">The identity, when it could be read.</param>
    /// <param name="errors">The problems.</param>
    /// <returns>The result.</returns>
    public static PublishResult Rejected(EventKey? key, IReadOnlyList<ValidationError> errors) => new(PublishStatus.Rejected, key, null, errors);

    /// <inheritdoc />
    public override string ToString() => Status == PublishStatus.Rejected ? $"Rejected: {string.Join("; ", Errors)}" : $"{Status} {Key}";
}
