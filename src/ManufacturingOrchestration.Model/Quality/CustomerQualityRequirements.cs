namespace ManufacturingOrchestration.Model;

/// <summary>
/// A customer's own quality requirements, beside the plant-local rules of a <see cref="SiteProfile"/>: they apply to a
/// lot as soon as any of its allocations is for the customer's orders (<see cref="Allocation.Customer"/>).
/// </summary>
public sealed record CustomerQualityRequirements
{
    /// <summary>The customer.</summary>
    public required CustomerId Customer { get; init; }

    /// <summary>Whether a lot for this customer is released only with a certificate of analysis on file.</summary>
    public bool RequiresCertificateOfAnalysis { get; init; }

    /// <summary>Whether the customer refuses use-as-is concessions: a nonconforming lot for them is never used as is.</summary>
    public bool ForbidsUseAsIs { get; init; }
}

/// <summary>
/// A certificate of analysis on file for a lot: the host supplies the ones it holds, and a release a customer's
/// requirements gate on a certificate goes through once one is present.
/// </summary>
public sealed record CertificateOfAnalysis
{
    /// <summary>The lot the certificate covers.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Where the certificate document is kept.</summary>
    public required EvidenceReference Document { get; init; }
}
