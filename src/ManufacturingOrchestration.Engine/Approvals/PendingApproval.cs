using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// A request waiting for a person: which role at which site must sign, who asked (and so may not sign), how many
/// distinct signers are needed, the signatures collected so far, the deadline and the escalation level reached.
/// It is state of its partition, so it survives restarts.
/// </summary>
public sealed record PendingApproval
{
    /// <summary>
    /// The JSON form kept as a waiting workflow instance's <see cref="Storage.WorkflowInstanceState.Data"/> (for tools
    /// that read or seed stored partitions).
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => ApprovalStore.Write(this);

    /// <summary>Reads the JSON form written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The pending approval.</returns>
    /// <exception cref="System.Text.Json.JsonException">The text is not a pending approval.</exception>
    public static PendingApproval FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ApprovalStore.Read(json);
    }

    /// <summary>The request id (deterministic from the event and step that asked).</summary>
    public required string RequestId { get; init; }

    /// <summary>The role that must sign.</summary>
    public required Role Role { get; init; }

    /// <summary>The site at which the signer must hold the role.</summary>
    public required SiteId Site { get; init; }

    /// <summary>What is to be approved, for people.</summary>
    public required string Subject { get; init; }

    /// <summary>The catalogued reason the approval is needed.</summary>
    public required ReasonCode ReasonCode { get; init; }

    /// <summary>What is gated, such as <c>ReleaseLot</c> or <c>PostCountAdjustment</c> (for the two-person rule and diagrams).</summary>
    public required string Gate { get; init; }

    /// <summary>Who asked (the actor whose action triggered the request); never allowed to sign.</summary>
    public ActorId? Requester { get; init; }

    /// <summary>Actors who may not sign besides <see cref="Requester"/>: the signers of earlier approvals of the same decision.</summary>
    public IReadOnlyList<ActorId> ExcludedSigners { get; init; } = [];

    /// <summary>How many distinct signers are needed (2 under the two-person rule).</summary>
    public int RequiredSignatures { get; init; } = 1;

    /// <summary>Whether a signer must give a documented justification (use-as-is needs one).</summary>
    public bool JustificationRequired { get; init; }

    /// <summary>The signatures collected so far.</summary>
    public IReadOnlyList<ElectronicSignature> Signatures { get; init; } = [];

    /// <summary>
    /// The round of signing: 0 for the request as made, one more at each reassignment (which clears
    /// <see cref="Signatures"/>). A signature is recorded under an id derived from its round, so whoever signed an earlier
    /// round may sign again. Not written while 0, so a request stored without it reads as round 0.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SignatureRound { get; init; }

    /// <summary>Actors allowed to sign in place of a holder of the role, with who delegated.</summary>
    public IReadOnlyList<ApprovalDelegation> Delegations { get; init; } = [];

    /// <summary>When it was requested.</summary>
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>When it breaches its SLA, when it has a deadline.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The escalation level reached (0 before any breach).</summary>
    public int EscalationLevel { get; init; }

    /// <summary>Workflow data needed to act on the answer, as JSON text.</summary>
    public string? Payload { get; init; }
}

/// <summary>A delegation of signing authority on one request.</summary>
public sealed record ApprovalDelegation
{
    /// <summary>Who delegated (must hold the role).</summary>
    public required ActorId From { get; init; }

    /// <summary>Who may sign in their place.</summary>
    public required ActorId To { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }
}

/// <summary>What a workflow's approval steps receive when a request is answered.</summary>
public sealed class ApprovalOutcome
{
    internal ApprovalOutcome(PendingApproval request, bool approved, ElectronicSignature decisiveSignature)
    {
        Request = request;
        Approved = approved;
        DecisiveSignature = decisiveSignature;
    }

    /// <summary>The request, with every signature.</summary>
    public PendingApproval Request { get; }

    /// <summary>Whether it was approved (false: refused).</summary>
    public bool Approved { get; }

    /// <summary>The signature that completed (or refused) the request.</summary>
    public ElectronicSignature DecisiveSignature { get; }

    /// <summary>The workflow data stored with the request.</summary>
    public string? Payload => Request.Payload;
}
