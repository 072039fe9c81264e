using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// A person's answer to a waiting approval, signed with <see cref="Execution.Orchestrator.SignApprovalAsync"/>: the
/// orchestrator turns it into an <see cref="ElectronicSignature"/> bound to the signer's authenticated identity, in the
/// role the request needs.
/// </summary>
public sealed record ApprovalAnswer
{
    /// <summary>The partition that waits (lot, order…), as given to <see cref="Execution.Orchestrator.GetPendingApprovalsAsync"/>.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The request answered: <see cref="PendingApproval.RequestId"/>.</summary>
    public required string RequestId { get; init; }

    /// <summary><see cref="SignatureMeaning.Approve"/> or <see cref="SignatureMeaning.Reject"/>.</summary>
    public required SignatureMeaning Meaning { get; init; }

    /// <summary>The reason recorded with the signature (free text: not blank, no control characters).</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// The round of signing the signer saw (<see cref="PendingApproval.SignatureRound"/> of the request read with
    /// <see cref="Execution.Orchestrator.GetPendingApprovalsAsync"/>): when the request was reassigned since, the answer is
    /// refused with <see cref="ReasonCodes.SignatureStale"/> instead of counting in a round the signer did not see.
    /// <see langword="null"/> (the default): the round current when the signature is checked.
    /// </summary>
    public int? SignatureRound { get; init; }

    /// <summary>A documented justification, where the request needs one (use-as-is).</summary>
    public string? Justification { get; init; }
}
