namespace ManufacturingOrchestration.Samples;

/// <summary>What a sample did, in numbers a reader (or a test) can check.</summary>
public sealed class SampleReport
{
    /// <summary>The sample's name.</summary>
    public required string Sample { get; init; }

    /// <summary>Events published to the orchestrator (approvals included).</summary>
    public required long EventsPublished { get; init; }

    /// <summary>Events accepted into the inbox.</summary>
    public required long EventsAccepted { get; init; }

    /// <summary>Events processed by their workflows.</summary>
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

    /// <summary>Scenario facts the sample checked at the end, by name (for example a lot's blocked quantity in the ERP).</summary>
    public IReadOnlyDictionary<string, decimal> Facts { get; init; } = new Dictionary<string, decimal>();
}
