using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// The settings of an <see cref="InMemoryOrchestrationStore"/>, with documented defaults. The clock is a service, passed
/// to the store's constructor (or, with <c>UseInMemoryStore</c>, the container's <see cref="TimeProvider"/>).
/// </summary>
/// <remarks>
/// The defaults are those of the durable stores (a window of 7 days, pruned every hour), so de-duplication holds for the
/// same time whichever store an application runs on, and a test on the in-memory store sees what production sees. What
/// the store keeps then grows with the events of the last 7 days, not with everything ever accepted; a long soak or
/// benchmark that must stay within a fixed amount of memory sets a shorter window (memory is then about the event rate
/// times the window, plus the audit trail and the partitions' states, which are never pruned; of the audit checkpoints,
/// the latest <see cref="InMemoryOrchestrationStore.CheckpointsKept"/>).
/// </remarks>
public sealed class InMemoryStoreOptions
{
    /// <summary>
    /// How long processed inbox ids and finished outbox commands are kept (de-duplication holds for events accepted within
    /// it); older ones are pruned every <see cref="PruneInterval"/>. <see langword="null"/> turns automatic pruning off
    /// (call <see cref="InMemoryOrchestrationStore.PruneAsync"/> yourself). Positive when set; default 7 days. The audit
    /// trail is never pruned.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan? RetentionWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often automatic pruning runs; positive. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true)]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Validates the settings; a misconfigured store fails when it is created.</summary>
    /// <exception cref="ArgumentException">A setting is not valid; the message names each one and its range.</exception>
    public void Validate()
    {
        if (Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The in-memory store settings are not valid: " + string.Join(" ", problems));
        }
    }

    /// <summary>Every setting out of range, one sentence each.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var result = new InMemoryStoreOptionsValidator().Validate(Options.DefaultName, this);
        return result.Failed && result.Failures is { } failures ? [.. failures] : [];
    }
}

/// <summary>The ranges of <see cref="InMemoryStoreOptions"/>, checked by generated code from their attributes.</summary>
[OptionsValidator]
internal sealed partial class InMemoryStoreOptionsValidator : IValidateOptions<InMemoryStoreOptions>;
