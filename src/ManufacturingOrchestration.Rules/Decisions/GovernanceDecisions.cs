using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// A human approval by <see cref="Role"/> at <see cref="Site"/> is required before <see cref="Gated"/> may be carried out.
/// Policy constraints turn a release, scrap or use-as-is that needs approval into this decision, wrapping the action.
/// </summary>
public sealed class RequireApproval : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.RequireApproval;

    /// <summary>The role the approver must hold.</summary>
    public required Role Role { get; init; }

    /// <summary>The site the approver must hold the role at; <see langword="null"/> when the site is not known.</summary>
    public SiteId? Site { get; init; }

    /// <summary>The catalogued reason the approval is required.</summary>
    public required ReasonCode Reason { get; init; }

    /// <summary>A note for the approver.</summary>
    public string? Note { get; init; }

    /// <summary>The decision carried out once the approval is given (it may itself be an approval).</summary>
    public required Decision Gated { get; init; }

    /// <summary>The action at the end of the approval chain (unwraps nested approvals).</summary>
    public Decision GatedAction
    {
        get
        {
            var current = Gated;
            while (current is RequireApproval approval)
            {
                current = approval.Gated;
            }

            return current;
        }
    }

    /// <summary>Whether this approval, or one it wraps, requires <paramref name="role"/>.</summary>
    /// <param name="role">The role.</param>
    /// <returns><see langword="true"/> when the chain contains an approval by the role.</returns>
    public bool RequiresRole(Role role)
    {
        Decision? current = this;
        while (current is RequireApproval approval)
        {
            if (approval.Role == role)
            {
                return true;
            }

            current = approval.Gated;
        }

        return false;
    }

    /// <inheritdoc />
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"Require approval by {Role}{(Site is { } site ? $" at {site}" : string.Empty)} ({Reason.Code}) before: {InvariantText.Describe(Gated)}");

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) =>
        other is RequireApproval o && Role == o.Role && Site == o.Site && Gated.IsSameActionAs(o.Gated);
}

/// <summary>Escalate a matter to a role (a person must look at it).</summary>
public sealed class Escalate : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.Escalate;

    /// <summary>The role escalated to.</summary>
    public required Role Role { get; init; }

    /// <summary>The site.</summary>
    public SiteId? Site { get; init; }

    /// <summary>What is escalated, such as a lot or supplier.</summary>
    public required string Subject { get; init; }

    /// <summary>The catalogued reason, when one applies.</summary>
    public ReasonCode? ReasonCode { get; init; }

    /// <summary>Why, for the person.</summary>
    public required string Message { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Escalate {Subject} to {Role}: {Message}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) =>
        other is Escalate o && Role == o.Role && Site == o.Site && string.Equals(Subject, o.Subject, StringComparison.Ordinal);
}

/// <summary>Notify customer service that a lot for backordered customer orders is available.</summary>
public sealed class NotifyCustomerService : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.NotifyCustomerService;

    /// <summary>The lot released.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The backordered customer orders.</summary>
    public IReadOnlyList<string> Backorders { get; init; } = [];

    /// <inheritdoc />
    public override string Describe() => $"Notify customer service: lot {Lot} can fill backorder(s) {string.Join(", ", Backorders)}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is NotifyCustomerService o && Lot == o.Lot;
}

internal static class DecisionText
{
    public static string Quantity(Quantity? quantity) =>
        quantity is { } q ? string.Create(CultureInfo.InvariantCulture, $", {q.Value} {q.Unit}") : string.Empty;

    public static string Lot(LotId? lot) => lot is { } l ? $" lot {l}" : string.Empty;

    /// <summary>Appends <see cref="Quantity(Model.Quantity?)"/>'s text.</summary>
    public static StringBuilder AppendQuantity(StringBuilder builder, Quantity? quantity) =>
        quantity is { } q ? builder.Append(CultureInfo.InvariantCulture, $", {q.Value} {q.Unit}") : builder;

    /// <summary>Appends <see cref="Lot(LotId?)"/>'s text.</summary>
    public static StringBuilder AppendLot(StringBuilder builder, LotId? lot) =>
        lot is { } l ? builder.Append(" lot ").Append(l.Value) : builder;
}
