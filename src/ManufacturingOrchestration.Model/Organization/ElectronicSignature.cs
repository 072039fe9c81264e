using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>What a signature means (21 CFR Part 11 §11.50: the meaning must be recorded with the signature).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<SignatureMeaning>))]
public enum SignatureMeaning
{
    /// <summary>Approval.</summary>
    Approve = 0,

    /// <summary>Rejection or refusal.</summary>
    Reject = 1,

    /// <summary>Review.</summary>
    Review = 2,

    /// <summary>Authorship or responsibility for the record.</summary>
    Responsibility = 3,
}

/// <summary>
/// An electronic signature: who signed, with which role, what it means, when and why. Approvals and
/// refusals are recorded as signatures in the audit trail.
/// </summary>
public sealed record ElectronicSignature
{
    /// <summary>The signer.</summary>
    public required ActorId Signer { get; init; }

    /// <summary>The role the signer signed in.</summary>
    public required Role Role { get; init; }

    /// <summary>What the signature means.</summary>
    public required SignatureMeaning Meaning { get; init; }

    /// <summary>When it was signed.</summary>
    public required DateTimeOffset SignedAt { get; init; }

    /// <summary>The reason given.</summary>
    public required string Reason { get; init; }

    /// <summary>A documented justification, where required (use-as-is needs one).</summary>
    public string? Justification { get; init; }

    /// <summary>When the signer last authenticated before signing (recorded by the orchestrator from the signer's <see cref="AuthenticatedIdentity"/>).</summary>
    public DateTimeOffset? AuthenticatedAt { get; init; }

    /// <summary>How the signer authenticated before signing (recorded by the orchestrator from the signer's <see cref="AuthenticatedIdentity"/>).</summary>
    public string? AuthenticationMethod { get; init; }
}
