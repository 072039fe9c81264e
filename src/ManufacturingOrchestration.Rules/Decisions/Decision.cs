using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The kind of a <see cref="Decision"/>: one sealed decision type of this library exists per kind, and
/// <see cref="Custom"/> stands for every decision type declared outside it.
/// </summary>
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

    /// <summary><see cref="CorrectStockCategory"/>.</summary>
    CorrectStockCategory = 27,

    /// <summary>A decision type declared by a user of the library (a class derived from <see cref="Decision"/>).</summary>
    Custom = 1000,
}

/// <summary>
/// The authority a decision exercises, which the policy constraints govern (<see cref="DecisionPolicyOptions"/>): at a
/// regulated site, or when a recommendation led to it, a governed decision becomes a <see cref="RequireApproval"/> for the
/// role the policy names.
/// </summary>
public enum GovernedAction
{
    /// <summary>Not governed: the decision is carried out as decided.</summary>
    None = 0,

    /// <summary>Makes stock usable (a release): <see cref="DecisionPolicyOptions.ReleaseApprover"/>.</summary>
    Release = 1,

    /// <summary>Destroys stock (a scrap): <see cref="DecisionPolicyOptions.ScrapApprover"/>.</summary>
    Scrap = 2,

    /// <summary>Accepts a deviation (use as is, a concession): <see cref="DecisionPolicyOptions.DeviationApprover"/>.</summary>
    Deviation = 3,
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
/// Rules create decisions and hand them to <see cref="RuleContextExtensions.Decide(NRules.RuleModel.IContext, Decision)"/>.
/// </summary>
/// <remarks>
/// Users declare their own decisions by deriving from this class (a sealed class with init-only properties, like the
/// library's own): their rules produce them, workflow steps handle them (<c>WorkflowBuilder.OnDecision&lt;T&gt;</c>), and
/// they are explained, de-duplicated, audited and governed by the policy constraints exactly like the built-in ones.
/// Override <see cref="Describe"/> (the one-line text the audit trail keeps), <see cref="IsSameActionAs"/> (when two
/// rules decide the same thing) and, for a decision that releases, scraps or accepts a deviation, <see cref="Governance"/>.
/// </remarks>
public abstract class Decision
{
    /// <summary>Creates a decision.</summary>
    protected Decision()
    {
    }

    /// <summary>The kind of decision; <see cref="DecisionKind.Custom"/> for decision types declared outside the library.</summary>
    public virtual DecisionKind Kind => DecisionKind.Custom;

    /// <summary>
    /// The authority the decision exercises, which the policy constraints govern. Default <see cref="GovernedAction.None"/>;
    /// a decision that makes stock usable, destroys it or accepts a deviation says so, and is then gated like the
    /// library's <see cref="ReleaseLot"/>, <see cref="ScrapLot"/> and <see cref="UseLotAsIs"/>.
    /// </summary>
    public virtual GovernedAction Governance => GovernedAction.None;

    /// <summary>
    /// Who the event says decided or authorized this governed decision — the <c>ReleasedBy</c> of a finished-goods
    /// release, the authorizer of a use-as-is, the system that proposes a correction — or <see langword="null"/> when the
    /// rules decided it from the facts alone (a release on a passed inspection). A name in an event is a claim, not a
    /// signature: for a release or a use-as-is the policy constraints check it against <see cref="FactSet.Actors"/> and
    /// gate the decision behind an approval when the claimant is unknown, a system, or lacks the approving role at the site.
    /// </summary>
    public virtual ActorId? Claimant => null;

    /// <summary>How urgent the decision is; when two rules decide the same thing the higher priority wins.</summary>
    public DecisionPriority Priority { get; init; } = DecisionPriority.Normal;

    /// <summary>Why: every rule that produced this decision, with its rule set, version and matched facts.
    /// Set by the decision engine; a rule never sets it.</summary>
    public DecisionExplanation Explanation { get; internal set; } = DecisionExplanation.Empty;

    /// <summary>A one-line description of the action, for people and the audit trail.</summary>
    /// <returns>The description.</returns>
    /// <remarks>The explanation the audit trail keeps (<see cref="DecisionSet.Describe"/>) calls it with the invariant
    /// culture, so an interpolated number or date in it is the same text whatever the culture of the thread.</remarks>
    public abstract string Describe();

    /// <summary>
    /// Writes <see cref="Describe"/>'s text into an explanation being written. The library's own decisions on the hot
    /// paths write it in place (and build <see cref="Describe"/> from it, so the text has one home); others append it.
    /// </summary>
    /// <param name="builder">Where to write.</param>
    /// <remarks>A decision declared outside the library is described with the invariant culture, so its text in the
    /// audit record does not depend on the culture of the thread that wrote it.</remarks>
    internal virtual void AppendDescription(StringBuilder builder) => builder.Append(InvariantText.Describe(this));

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>
    /// Whether <paramref name="other"/> (always of the same type) asks for the same action on the same subject, so the
    /// two are merged into one decision whose explanation names every rule that asked for it.
    /// </summary>
    /// <param name="other">Another decision of the same type.</param>
    /// <returns><see langword="true"/> when both ask for the same action.</returns>
    public abstract bool IsSameActionAs(Decision other);
}
