namespace ManufacturingOrchestration.Samples;

/// <summary>What a sample did, in numbers a reader (or a test) can check.</summary>
public sealed class SampleReport
{
    /// <summary>The sample's name.</summary>
    public required string Sample { get; init; }

    /// <summary>Events the sample published: its plant events and the scripted people's approval answers (signatures sent as events).</summary>
    public required long EventsPublished { get; init; }

    /// <summary>Of <see cref="EventsPublished"/>, those the orchestrator accepted into its inbox as new.</summary>
    public required long EventsAccepted { get; init; }

    /// <summary>Of <see cref="EventsPublished"/>, those answered Duplicate: an event with the same source and id was already accepted, so this one had no effect.</summary>
    public long EventsDuplicate { get; init; }

    /// <summary>Of <see cref="EventsPublished"/>, those refused at intake (invalid).</summary>
    public long EventsRejected { get; init; }

    /// <summary>Events the orchestrator's own components published and accepted (such as a reconciliation's drift alerts); the sample did not publish them.</summary>
    public long EventsFromOrchestrator { get; init; }

    /// <summary>
    /// Events processed by their workflows: once everything is drained, <see cref="EventsAccepted"/> plus
    /// <see cref="EventsFromOrchestrator"/> plus the follow-up events workflows emitted into other partitions (such as
    /// containment's lot containments and work-order holds), which are not counted as accepted.
    /// </summary>
    public required long EventsProcessed { get; init; }

    /// <summary>Effects the simulated systems applied (one per idempotency key).</summary>
    public required int Effects { get; init; }

    /// <summary>Whether every effect has its own idempotency key (exactly once in effect).</summary>
    public required bool EffectKeysUnique { get; init; }

    /// <summary>Whether the hash-chained audit trail verified.</summary>
    public required bool AuditValid { get; init; }

    /// <summary>Dead letters still open at the end.</summary>
    public required int OpenDeadLetters { get; init; }

    /// <summary>What each open dead letter says (command kind, reason code, message).</summary>
    public IReadOnlyList<string> OpenDeadLetterDetails { get; init; } = [];

    /// <summary>Events refused at intake or already seen, with why (a sample's own events should all be accepted).</summary>
    public IReadOnlyList<string> NotAccepted { get; init; } = [];

    /// <summary>The electronic-signature records of the run (<c>e-signature:*</c> audit records), as printed.</summary>
    public IReadOnlyList<string> Signatures { get; init; } = [];

    /// <summary>The sample's own checks that failed, one sentence each (empty when they passed, or when the sample has none).</summary>
    public IReadOnlyList<string> FailedChecks { get; init; } = [];

    /// <summary>Whether the run's checks passed: the audit chain verified, no dead letter is open, no effect was applied twice, none of the sample's own checks failed.</summary>
    public bool Passed => AuditValid && OpenDeadLetters == 0 && EffectKeysUnique && FailedChecks.Count == 0;

    /// <summary>Scenario facts the sample checked at the end, by name (for example a lot's blocked quantity in the ERP).</summary>
    public IReadOnlyDictionary<string, decimal> Facts { get; init; } = new Dictionary<string, decimal>();
}
