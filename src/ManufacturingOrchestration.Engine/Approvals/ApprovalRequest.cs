using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>What a workflow asks a person to approve (see <see cref="Workflows.StepContext.RequestApproval"/>).</summary>
public sealed class ApprovalRequest
{
    /// <summary>What an instance waiting for an approval records as <see cref="Storage.WorkflowInstanceState.WaitingFor"/>.</summary>
    public const string WaitingFor = "approval";

    /// <summary>The role that must sign.</summary>
    public required Role Role { get; init; }

    /// <summary>The site at which the signer must hold the role.</summary>
    public required SiteId Site { get; init; }

    /// <summary>What is gated, such as <c>ReleaseLot</c> (the two-person rule is configured per gate).</summary>
    public required string Gate { get; init; }

    /// <summary>What is to be approved, for people.</summary>
    public required string Subject { get; init; }

    /// <summary>Why approval is needed.</summary>
    public required ReasonCode ReasonCode { get; init; }

    /// <summary>The actor whose action triggered the request: never allowed to sign.</summary>
    public ActorId? Requester { get; init; }

    /// <summary>
    /// Actors who may not sign either, besides <see cref="Requester"/>: those who signed an earlier approval of the same
    /// decision, so that each approval of a chain has its own signer (segregation of duties).
    /// </summary>
    public IReadOnlyList<ActorId> ExcludedSigners { get; init; } = [];

    /// <summary>Distinct signers needed at least (the options' two-person rule may require more).</summary>
    public int MinimumSignatures { get; init; } = 1;

    /// <summary>Whether a signer must give a documented justification (use-as-is needs one).</summary>
    public bool JustificationRequired { get; init; }

    /// <summary>Workflow data needed to act on the answer, as JSON text.</summary>
    public string? Payload { get; init; }
}
