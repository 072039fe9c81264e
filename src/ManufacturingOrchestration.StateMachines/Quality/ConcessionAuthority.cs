using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>
/// What authorizes a use-as-is (concession) line: the one home of the rule, applied by the
/// <see cref="NonconformanceMachine"/> and by the QMS simulator alike (21 CFR 820.90(b)(1), ISO 9001 8.7.2).
/// </summary>
/// <remarks>
/// <para>
/// A use-as-is needs a documented justification and an identified authorizer. A signature on the line authorizes only
/// what its meaning and the signer's role allow: it counts as the authorizer — and its justification as the line's —
/// only when it means <see cref="SignatureMeaning.Approve"/> and is given in a role allowed to authorize deviations at
/// the site: the deviation approver (<see cref="Role.QualityManager"/> unless configured otherwise), or the
/// <see cref="Role.DesignAuthority"/> where the site's industry profile requires the design authority for a
/// use-as-is (<see cref="IndustryProfile.Aerospace"/>). Any other signature on a use-as-is line — a rejection, or an
/// approval in a role without that authority — refuses the line (<c>ncr.signature-not-authorizing</c>) rather than
/// being read as consent.
/// </para>
/// <para>
/// A line without a signature names its authorizer as a claim (<see cref="MrbDispositionLine.Authorizer"/>); whether that
/// claim carries authority is for the decision policy to check against the actor directory.
/// </para>
/// </remarks>
public static class ConcessionAuthority
{
    /// <summary>Whether the site's industry profile requires the design authority's approval of a use-as-is or repair.</summary>
    /// <param name="site">The site.</param>
    /// <returns><see langword="true"/> at an aerospace site.</returns>
    public static bool RequiresDesignAuthority(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site.Industry == IndustryProfile.Aerospace;
    }

    /// <summary>Whether a role may authorize a deviation (a use-as-is) at a site.</summary>
    /// <param name="role">The signer's role.</param>
    /// <param name="site">The site.</param>
    /// <param name="deviationApprover">The deviation approver role (the decision policy's; <see cref="Role.QualityManager"/> by default).</param>
    /// <returns><see langword="true"/> for the deviation approver, and for the design authority where the site requires it.</returns>
    public static bool MayAuthorize(Role role, SiteProfile site, Role deviationApprover) =>
        role == deviationApprover || (role == Role.DesignAuthority && RequiresDesignAuthority(site));

    /// <summary>Whether a signature authorizes a use-as-is: it means approve and is given in a role that may authorize deviations.</summary>
    /// <param name="signature">The signature.</param>
    /// <param name="site">The site.</param>
    /// <param name="deviationApprover">The deviation approver role.</param>
    /// <returns><see langword="true"/> when the signature authorizes the concession.</returns>
    public static bool Authorizes(ElectronicSignature signature, SiteProfile site, Role deviationApprover)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Meaning == SignatureMeaning.Approve && MayAuthorize(signature.Role, site, deviationApprover);
    }

    /// <summary>
    /// Checks a disposition line: <see langword="null"/> when it is not a use-as-is or is authorized, otherwise the reason
    /// it is not, in this order: a signature that does not authorize (<see cref="ReasonCodes.SignatureNotAuthorizing"/>),
    /// no justification (<see cref="ReasonCodes.JustificationRequired"/>), no authorizer (<see cref="ReasonCodes.AuthorizerRequired"/>).
    /// </summary>
    /// <param name="line">The line.</param>
    /// <param name="site">The site whose industry profile says whether the design authority may authorize.</param>
    /// <param name="deviationApprover">The deviation approver role.</param>
    /// <returns>The reason the line is refused, or <see langword="null"/>.</returns>
    public static ReasonCode? Check(MrbDispositionLine line, SiteProfile site, Role deviationApprover)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(site);
        if (line.Disposition != MrbDisposition.UseAsIs)
        {
            return null;
        }

        var signature = line.Signature;
        if (signature is not null && !Authorizes(signature, site, deviationApprover))
        {
            return ReasonCodes.SignatureNotAuthorizing;
        }

        if (string.IsNullOrWhiteSpace(line.Justification ?? signature?.Justification))
        {
            return ReasonCodes.JustificationRequired;
        }

        return line.Authorizer is null && signature is null ? ReasonCodes.AuthorizerRequired : null;
    }
}
