using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class GovernanceDecisionsTests
{
    private static readonly SiteId P1 = new("P1");
    private static readonly LotId L1 = new("L-1");

    private static ReleaseLot Release(string lot = "L-1") => new() { Lot = new LotId(lot), Site = P1 };

    private static RequireApproval Approval(Decision? gated = null, Role? role = null, string? site = "P1", string note = "check it") => new()
    {
        Role = role ?? Role.QualityManager, Site = site is null ? null : new SiteId(site), Reason = ReasonCodes.ApprovalRequired, Note = note, Gated = gated ?? Release(),
    };

    private static Escalate Escalation(Role? role = null, string? site = "P1", string subject = "supplier S1", string message = "three failures") => new()
    {
        Role = role ?? Role.SupplierQuality, Site = site is null ? null : new SiteId(site), Subject = subject, Message = message,
    };

    private static NotifyCustomerService Customer(string lot = "L-1", params string[] backorders) => new() { Lot = new LotId(lot), Site = P1, Backorders = backorders };

    [Fact]
    public void Describe_RequireApprovalAtASite_NamesRoleSiteReasonAndTheGatedAction()
    {
        var approval = Approval();

        approval.Describe().Should().Be("Require approval by quality-manager at P1 (approval.required) before: Release lot L-1 at P1 (QualityInspection → Unrestricted)");
        approval.Kind.Should().Be(DecisionKind.RequireApproval);
        approval.Governance.Should().Be(GovernedAction.None);
    }

    [Fact]
    public void Describe_RequireApprovalWithoutSite_LeavesTheSiteOut()
    {
        Approval(site: null).Describe().Should().Be("Require approval by quality-manager (approval.required) before: Release lot L-1 at P1 (QualityInspection → Unrestricted)");
    }

    [Fact]
    public void Describe_NestedApprovals_DescribesTheWholeChain()
    {
        var nested = Approval(Approval(role: Role.Operator), role: Role.DesignAuthority);

        nested.Describe().Should().Be(
            "Require approval by design-authority at P1 (approval.required) before: Require approval by operator at P1 (approval.required) before: Release lot L-1 at P1 (QualityInspection → Unrestricted)");
    }

    [Fact]
    public void GatedAction_NestedApprovals_IsTheActionAtTheEndOfTheChain()
    {
        var release = Release();
        var nested = Approval(Approval(Approval(release, role: Role.Operator), role: Role.MrbMember), role: Role.DesignAuthority);

        nested.GatedAction.Should().BeSameAs(release);
        Approval(release).GatedAction.Should().BeSameAs(release);
    }

    [Fact]
    public void RequiresRole_NestedApprovals_FindsAnyRoleInTheChainAndNoOther()
    {
        var nested = Approval(Approval(Release(), role: Role.Operator), role: Role.DesignAuthority);

        nested.RequiresRole(Role.DesignAuthority).Should().BeTrue();
        nested.RequiresRole(Role.Operator).Should().BeTrue();
        nested.RequiresRole(Role.QualityManager).Should().BeFalse();
        Approval().RequiresRole(Role.QualityManager).Should().BeTrue();
        Approval().RequiresRole(Role.MrbMember).Should().BeFalse();
    }

    [Fact]
    public void IsSameActionAs_RequireApproval_SameRoleSiteAndGatedActionWhateverTheNote()
    {
        var approval = Approval();

        approval.IsSameActionAs(Approval(note: "another note")).Should().BeTrue();
        approval.IsSameActionAs(Approval(role: Role.MrbMember)).Should().BeFalse();
        approval.IsSameActionAs(Approval(site: "P2")).Should().BeFalse();
        approval.IsSameActionAs(Approval(site: null)).Should().BeFalse();
        approval.IsSameActionAs(Approval(Release("L-2"))).Should().BeFalse();
        approval.IsSameActionAs(Release()).Should().BeFalse();
    }

    [Fact]
    public void Describe_Escalate_NamesSubjectRoleAndMessage()
    {
        var escalation = Escalation();

        escalation.Describe().Should().Be("Escalate supplier S1 to supplier-quality: three failures");
        escalation.Kind.Should().Be(DecisionKind.Escalate);
    }

    [Fact]
    public void IsSameActionAs_Escalate_SameRoleSiteAndSubjectWhateverTheMessage()
    {
        var escalation = Escalation();

        escalation.IsSameActionAs(Escalation(message: "four failures")).Should().BeTrue();
        escalation.IsSameActionAs(Escalation(role: Role.QualityEngineer)).Should().BeFalse();
        escalation.IsSameActionAs(Escalation(site: "P2")).Should().BeFalse();
        escalation.IsSameActionAs(Escalation(subject: "supplier S2")).Should().BeFalse();
        escalation.IsSameActionAs(Escalation(subject: "Supplier S1")).Should().BeFalse("subjects are compared ordinally");
        escalation.IsSameActionAs(Customer()).Should().BeFalse();
    }

    [Fact]
    public void Describe_NotifyCustomerService_NamesLotAndBackorders()
    {
        var notify = Customer("L-1", "SO-1", "SO-2");

        notify.Describe().Should().Be("Notify customer service: lot L-1 can fill backorder(s) SO-1, SO-2");
        notify.Kind.Should().Be(DecisionKind.NotifyCustomerService);
        new NotifyCustomerService { Lot = L1, Site = P1 }.Backorders.Should().BeEmpty();
    }

    [Fact]
    public void IsSameActionAs_NotifyCustomerService_SameLotWhateverTheBackorders()
    {
        var notify = Customer("L-1", "SO-1");

        notify.IsSameActionAs(Customer("L-1", "SO-9")).Should().BeTrue();
        notify.IsSameActionAs(Customer("L-2", "SO-1")).Should().BeFalse();
        notify.IsSameActionAs(Escalation()).Should().BeFalse();
    }

    [Fact]
    public void Decision_Defaults_NormalPriorityEmptyExplanationAndNotGoverned()
    {
        var custom = new CustomDecision("recalibrate gauge G-7");

        custom.Priority.Should().Be(DecisionPriority.Normal);
        custom.Explanation.Should().BeSameAs(DecisionExplanation.Empty);
        custom.Explanation.Firings.Should().BeEmpty();
        custom.Kind.Should().Be(DecisionKind.Custom);
        custom.Governance.Should().Be(GovernedAction.None);
        custom.ToString().Should().Be("Recalibrate gauge G-7");
    }

    private sealed class CustomDecision(string subject) : Decision
    {
        public string Subject { get; } = subject;

        public override string Describe() => "Recalibrate " + Subject["recalibrate ".Length..];

        public override bool IsSameActionAs(Decision other) => other is CustomDecision o && o.Subject == Subject;
    }
}
