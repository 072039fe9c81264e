using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The roles policy constraints require. At a regulated site (<see cref="SiteProfile.IsRegulated"/>), and whenever a
/// recommendation led to it, a release, scrap or use-as-is decision comes out as a <see cref="RequireApproval"/> by
/// these roles, whatever the rules said. The constraints themselves cannot be switched off.
/// </summary>
public sealed class DecisionPolicyOptions
{
    /// <summary>The role that approves a <see cref="ReleaseLot"/>. Default <see cref="Role.QualityManager"/>.</summary>
    public Role ReleaseApprover { get; init; } = Role.QualityManager;

    /// <summary>The role that approves a <see cref="ScrapLot"/>. Default <see cref="Role.MrbMember"/>.</summary>
    public Role ScrapApprover { get; init; } = Role.MrbMember;

    /// <summary>The role that approves a deviation (<see cref="UseLotAsIs"/>). Default <see cref="Role.QualityManager"/>.</summary>
    public Role DeviationApprover { get; init; } = Role.QualityManager;

    /// <summary>The default options.</summary>
    public static DecisionPolicyOptions Default { get; } = new();

    internal void Validate()
    {
        if (ReleaseApprover.Name is null || ScrapApprover.Name is null || DeviationApprover.Name is null)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.RuleSetInvalid, "Every policy approver role must be set.");
        }
    }
}
