namespace ManufacturingOrchestration.Rules;

/// <summary>The kind of a <see cref="Decision"/>; one sealed decision type exists per kind.</summary>
public enum DecisionKind
{
    /// <summary><see cref="QuarantineLot"/>.</summary>
    QuarantineLot = 0,

    /// <summary><see cref="MoveStockToHold"/>.</summary>
    MoveStockToHold = 1,

    /// <summary><see cref="ReleaseLot"/>.</summary>
    ReleaseLot = 2,

    /// <summary><see cref="NotifyProcurement"/>.</summary>
    NotifyProcurement = 3,

    /// <summary><see cref="RequestAlternateSupply"/>.</summary>
    RequestAlternateSupply = 4,

    /// <summary><see cref="OpenSupplierCase"/>.</summary>
    OpenSupplierCase = 5,

    /// <summary><see cref="ReevaluateAllocations"/>.</summary>
    ReevaluateAllocations = 6,

    /// <summary><see cref="ContainWorkOrders"/>.</summary>
    ContainWorkOrders = 7,

    /// <summary><see cref="RequireApproval"/>.</summary>
    RequireApproval = 8,

    /// <summary><see cref="Escalate"/>.</summary>
    Escalate = 9,

    /// <summary><see cref="ReleaseShipmentHold"/>.</summary>
    ReleaseShipmentHold = 10,

    /// <summary><see cref="UpdateAtp"/>.</summary>
    UpdateAtp = 11,

    /// <summary><see cref="NotifyCustomerService"/>.</summary>
    NotifyCustomerService = 12,

    /// <summary><see cref="PublishGenealogy"/>.</summary>
    PublishGenealogy = 13,

    /// <summary><see cref="PausePicks"/>.</summary>
    PausePicks = 14,

    /// <summary><see cref="PostCountAdjustment"/>.</summary>
    PostCountAdjustment = 15,

    /// <summary><see cref="OpenRootCauseAnalysis"/>.</summary>
    OpenRootCauseAnalysis = 16,

    /// <summary><see cref="AlertQuality"/>.</summary>
    AlertQuality = 17,

    /// <summary><see cref="AlertMaintenance"/>.</summary>
    AlertMaintenance = 18,

    /// <summary><see cref="UpdateYieldMetrics"/>.</summary>
    UpdateYieldMetrics = 19,

    /// <summary><see cref="ReviewReplenishment"/>.</summary>
    ReviewReplenishment = 20,

    /// <summary><see cref="ConfirmProduction"/>.</summary>
    ConfirmProduction = 21,

    /// <summary><see cref="HandleOrderRemainder"/>.</summary>
    HandleOrderRemainder = 22,

    /// <summary><see cref="UseLotAsIs"/>.</summary>
    UseLotAsIs = 23,

    /// <summary><see cref="ReworkLot"/>.</summary>
    ReworkLot = 24,

    /// <summary><see cref="ReturnToSupplier"/>.</summary>
    ReturnToSupplier = 25,

    /// <summary><see cref="ScrapLot"/>.</summary>
    ScrapLot = 26,
}

/// <summary>How urgently a decision should be carried out.</summary>
public enum DecisionPriority
{
    /// <summary>Normal.</summary>
    Normal = 0,

    /// <summary>High: ahead of normal work.</summary>
    High = 1,

    /// <summary>Urgent: line-stopping or safety relevant.</summary>
    Urgent = 2,
}

/// <summary>
/// What the orchestrator should do about an event: a typed action with its parameters and an
/// <see cref="Explanation"/> of why (the rules that fired, their rule set and version, and the facts they matched).
/// The set of kinds is closed (see <see cref="DecisionKind"/>): rules create instances of the sealed
/// decision types and hand them to <see cref="RuleContextExtensions.Decide(NRules.RuleModel.IContext, Decision)"/>.
/// </summary>
public abstract class Decision
{
    private protected Decision()
    {
    }

    /// <summary>The kind of decision.</summary>
    public abstract DecisionKind Kind { get; }

    /// <summary>How urgent the decision is; when two rules decide the same thing the higher priority wins.</summary>
    public DecisionPriority Priority { get; init; } = DecisionPriority.Normal;

    /// <summary>Why: every rule that produced this decision, with its rule set, version and matched facts.
    /// Set by the decision engine; a rule never sets it.</summary>
    public DecisionExplanation Explanation { get; internal set; } = DecisionExplanation.Empty;

    /// <summary>A one-line description of the action, for people and the audit trail.</summary>
    /// <returns>The description.</returns>
    public abstract string Describe();

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>Whether <paramref name="other"/> asks for the same action (same kind and subject), so the two are merged.</summary>
    internal abstract bool IsSameActionAs(Decision other);
}
