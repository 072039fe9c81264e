using System.Globalization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>Re-evaluate the open allocations (reservations) of a lot that can no longer be used.</summary>
public sealed class ReevaluateAllocations : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ReevaluateAllocations;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The orders holding allocations of the lot.</summary>
    public IReadOnlyList<OrderId> Orders { get; init; } = [];

    /// <inheritdoc />
    public override string Describe() => $"Re-evaluate allocations of lot {Lot} for {Orders.Count} order(s): {string.Join(", ", Orders)}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ReevaluateAllocations o && Lot == o.Lot;
}

/// <summary>Start containment checks on the work orders that consumed a failed lot (found through genealogy).</summary>
public sealed class ContainWorkOrders : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ContainWorkOrders;

    /// <summary>The failed component lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The orders that consumed the lot.</summary>
    public IReadOnlyList<OrderId> Orders { get; init; } = [];

    /// <summary>The lots produced from it.</summary>
    public IReadOnlyList<LotId> ProducedLots { get; init; } = [];

    /// <inheritdoc />
    public override string Describe() => $"Contain {Orders.Count} work order(s) and {ProducedLots.Count} produced lot(s) that used lot {Lot}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ContainWorkOrders o && Lot == o.Lot;
}

/// <summary>Publish a lot's genealogy to the traceability repository.</summary>
public sealed class PublishGenealogy : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.PublishGenealogy;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The order that produced the lot.</summary>
    public OrderId? Order { get; init; }

    /// <summary>The genealogy links known; empty when the repository resolves them.</summary>
    public IReadOnlyList<GenealogyLink> Links { get; init; } = [];

    /// <inheritdoc />
    public override string Describe() => $"Publish genealogy of lot {Lot} ({Links.Count} link(s))";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is PublishGenealogy o && Lot == o.Lot;
}

/// <summary>Confirm produced quantity (and scrap) on a production order in the ERP.</summary>
public sealed class ConfirmProduction : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ConfirmProduction;

    /// <summary>The order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The material produced.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The good quantity.</summary>
    public required Quantity Yield { get; init; }

    /// <summary>The scrap confirmed with it.</summary>
    public Quantity? Scrap { get; init; }

    /// <summary>Whether this is the final confirmation.</summary>
    public bool IsFinal { get; init; }

    /// <summary>The lot produced.</summary>
    public LotId? ProducedLot { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Confirm {Yield} on order {Order}{(IsFinal ? " (final)" : " (partial)")}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ConfirmProduction o && Order == o.Order;
}

/// <summary>Handle what is left of an order after a confirmation: keep reservations open (partial), or release remaining reservations and technically complete the order (final).</summary>
public sealed class HandleOrderRemainder : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.HandleOrderRemainder;

    /// <summary>The order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity still to produce (never negative).</summary>
    public required decimal RemainingQuantity { get; init; }

    /// <summary>Whether remaining component reservations are released.</summary>
    public bool ReleaseReservations { get; init; }

    /// <summary>Whether the order is technically completed (TECO).</summary>
    public bool TechnicallyComplete { get; init; }

    /// <summary>The open allocations to release.</summary>
    public IReadOnlyList<Allocation> ReservationsToRelease { get; init; } = [];

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Order {Order}: {RemainingQuantity} remaining; {(ReleaseReservations ? $"release {ReservationsToRelease.Count} reservation(s)" : "keep reservations")}{(TechnicallyComplete ? ", technically complete" : string.Empty)}");

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is HandleOrderRemainder o && Order == o.Order;
}
