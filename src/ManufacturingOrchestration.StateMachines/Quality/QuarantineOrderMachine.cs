using ManufacturingOrchestration.Model;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>What happens to a quarantine order.</summary>
public enum QuarantineOrderTrigger
{
    /// <summary>Start: move the order's quantity from the regular warehouse into the quarantine warehouse (Created → Started).</summary>
    Start = 0,

    /// <summary>Report as finished: release the stock from quarantine while it stays in the quarantine warehouse (Started → ReportedAsFinished).</summary>
    ReportAsFinished = 1,

    /// <summary>End: move what was not scrapped back to the regular warehouse (ReportedAsFinished → Ended).</summary>
    End = 2,

    /// <summary>Scrap a quantity from the quarantine warehouse (while Started or ReportedAsFinished); the status does not change.</summary>
    Scrap = 3,

    /// <summary>Cancel (delete) an order that has not started (Created → Cancelled).</summary>
    Cancel = 4,
}

/// <summary>Arguments of a quarantine order trigger.</summary>
public sealed class QuarantineOrderTriggerArgs
{
    /// <summary>No arguments.</summary>
    public static QuarantineOrderTriggerArgs None { get; } = new();

    /// <summary>The quantity to scrap, for <see cref="QuarantineOrderTrigger.Scrap"/>: greater than zero, in the order's unit, at most what remains in quarantine.</summary>
    public Quantity? ScrapQuantity { get; init; }
}

/// <summary>An accepted step of a quarantine order: the new order and the goods movements the step implies, in the order they are posted.</summary>
public sealed class QuarantineOrderStep
{
    /// <summary>Creates a step.</summary>
    /// <param name="order">The order after the step.</param>
    /// <param name="movements">The goods movements the step implies; empty when no stock moves.</param>
    public QuarantineOrderStep(QuarantineOrder order, IReadOnlyList<GoodsMovement> movements)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(movements);
        Order = order;
        Movements = movements;
    }

    /// <summary>The order after the step (<see cref="QuarantineOrder.Version"/> one higher).</summary>
    public QuarantineOrder Order { get; }

    /// <summary>The canonical goods movements the step implies; empty when no stock moves.</summary>
    public IReadOnlyList<GoodsMovement> Movements { get; }
}

/// <summary>
/// The quarantine order machine (Dynamics 365 quarantine orders): Created → Started → ReportedAsFinished → Ended, or
/// Created → Cancelled; scrap from the quarantine warehouse while Started or ReportedAsFinished. Statuses move forward
/// only, one at a time. Every accepted step returns the new order and the canonical goods movements it implies.
/// </summary>
/// <remarks>
/// <para>
/// The movements: <see cref="QuarantineOrderTrigger.Start"/> moves <see cref="QuarantineOrder.Quantity"/> from
/// <see cref="StockCategory.Unrestricted"/> at <see cref="QuarantineOrder.RegularLocation"/> to
/// <see cref="StockCategory.Blocked"/> at <see cref="QuarantineOrder.QuarantineLocation"/> (one
/// <see cref="MovementKind.CategoryTransfer"/> that also changes the location: quarantined stock is blocked stock in the
/// canonical model). <see cref="QuarantineOrderTrigger.ReportAsFinished"/> moves nothing: Dynamics 365 releases the
/// stock in the order's status only, and the stock stays physically in the quarantine warehouse until the order ends
/// (the item arrival journal moves it back), so the canonical stock stays blocked where it lies until then.
/// <see cref="QuarantineOrderTrigger.End"/> moves <see cref="QuarantineOrder.RemainingQuantity"/> (the quantity less
/// what was scrapped) from Blocked at the quarantine location back to Unrestricted at the regular location, and nothing
/// when everything was scrapped. <see cref="QuarantineOrderTrigger.Scrap"/> is a <see cref="MovementKind.Scrap"/> from
/// Blocked at the quarantine location. Every movement carries the order's <see cref="QuarantineOrder.ReasonCode"/>.
/// </para>
/// <para>
/// Refusals: a step to the status the order is in is <c>state.transition-not-permitted</c> (Start twice); to a status
/// it has left, <c>quarantine-order.status-backward</c> (Start after Report as finished); past the next one,
/// <c>quarantine-order.status-skipped</c> (End from Created or Started); scrap before the order started,
/// <c>quarantine-order.not-started</c>; cancelling a started order, <c>quarantine-order.started</c>; anything on an
/// ended or cancelled order, <c>quarantine-order.closed</c>. A scrap needs a quantity (<c>payload.required</c>) greater
/// than zero (<c>payload.non-positive-quantity</c>), in the order's unit (<c>payload.unit-mismatch</c>), at most what
/// remains in quarantine (<c>lot.insufficient-quantity</c>).
/// </para>
/// <para>
/// Threading: the transitions are defined once; Stateless fires them (see <see cref="NonconformanceMachine"/>). The state
/// lives in the <see cref="QuarantineOrder"/>; every accepted trigger returns a new instance whose
/// <see cref="QuarantineOrder.Version"/> is one higher. Safe to call concurrently. Rejections are results, never exceptions.
/// </para>
/// </remarks>
public static class QuarantineOrderMachine
{
    private static readonly TransitionTable<QuarantineOrderStatus, QuarantineOrderTrigger, QuarantineContext> Table = new(Define, ReasonWhenNotPermitted);

    /// <summary>Fires a trigger on a quarantine order.</summary>
    /// <param name="order">The order as it is now.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="args">The arguments; <see cref="QuarantineOrderTriggerArgs.None"/> when the trigger needs none.</param>
    /// <returns>The new order with the goods movements the step implies, or a rejection.</returns>
    public static TransitionResult<QuarantineOrderStep> Fire(QuarantineOrder order, QuarantineOrderTrigger trigger, QuarantineOrderTriggerArgs args)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(args);

        var outcome = Table.Fire(order.Status, trigger, new QuarantineContext(order, args));
        if (outcome.Rejection is { } rejection)
        {
            return TransitionResult<QuarantineOrderStep>.Rejected(rejection);
        }

        var next = order with { Status = outcome.State, Version = order.Version + 1 };
        IReadOnlyList<GoodsMovement> movements;
        switch (trigger)
        {
            case QuarantineOrderTrigger.Start:
                movements = [Transfer(order, order.Quantity, StockCategory.Unrestricted, order.RegularLocation, StockCategory.Blocked, order.QuarantineLocation)];
                break;
            case QuarantineOrderTrigger.End:
                var remaining = order.RemainingQuantity;
                movements = remaining.IsZero
                    ? []
                    : [Transfer(order, remaining, StockCategory.Blocked, order.QuarantineLocation, StockCategory.Unrestricted, order.RegularLocation)];
                break;
            case QuarantineOrderTrigger.Scrap:
                var scrap = args.ScrapQuantity!.Value;
                next = next with { ScrappedQuantity = order.ScrappedQuantity + scrap };
                movements = [Movement(order, MovementKind.Scrap, scrap) with { FromCategory = StockCategory.Blocked, FromLocation = order.QuarantineLocation }];
                break;
            default:
                // Report as finished releases in status only (the stock stays in the quarantine warehouse); Cancel moves nothing.
                movements = [];
                break;
        }

        return TransitionResult<QuarantineOrderStep>.Accepted(new QuarantineOrderStep(next, movements));
    }

    /// <summary>Scraps a quantity from the quarantine warehouse (<see cref="QuarantineOrderTrigger.Scrap"/>).</summary>
    /// <param name="order">The order as it is now.</param>
    /// <param name="quantity">The quantity to scrap.</param>
    /// <returns>The new order with its scrap movement, or a rejection.</returns>
    public static TransitionResult<QuarantineOrderStep> Scrap(QuarantineOrder order, Quantity quantity) =>
        Fire(order, QuarantineOrderTrigger.Scrap, new QuarantineOrderTriggerArgs { ScrapQuantity = quantity });

    /// <summary>The transition table as a Mermaid state diagram.</summary>
    /// <returns>The diagram text.</returns>
    public static string ToMermaid() => StateGraph.ToMermaid(GetInfo());

    /// <summary>The transition table as Graphviz DOT.</summary>
    /// <returns>The DOT text.</returns>
    public static string ToDot() => StateGraph.ToDot(GetInfo());

    internal static StateMachineInfo GetInfo() => Table.GetInfo(QuarantineOrderStatus.Created);

    private static GoodsMovement Movement(QuarantineOrder order, MovementKind kind, Quantity quantity) => new()
    {
        Kind = kind,
        Lot = order.Lot,
        Material = order.Material,
        Site = order.Site,
        Quantity = quantity,
        ReasonCode = order.ReasonCode,
    };

    private static GoodsMovement Transfer(QuarantineOrder order, Quantity quantity, StockCategory from, StorageLocationId fromLocation, StockCategory to, StorageLocationId toLocation) =>
        Movement(order, MovementKind.CategoryTransfer, quantity) with
        {
            FromCategory = from,
            FromLocation = fromLocation,
            ToCategory = to,
            ToLocation = toLocation,
        };

    private static ReasonCode ReasonWhenNotPermitted(QuarantineOrderStatus state, QuarantineOrderTrigger trigger) => (state, trigger) switch
    {
        (QuarantineOrderStatus.Ended or QuarantineOrderStatus.Cancelled, _) => ReasonCodes.QuarantineOrderClosed,
        (QuarantineOrderStatus.Created, QuarantineOrderTrigger.Scrap) => ReasonCodes.QuarantineOrderNotStarted,
        (QuarantineOrderStatus.Created, QuarantineOrderTrigger.ReportAsFinished or QuarantineOrderTrigger.End) => ReasonCodes.QuarantineOrderStatusSkipped,
        (QuarantineOrderStatus.Started, QuarantineOrderTrigger.End) => ReasonCodes.QuarantineOrderStatusSkipped,
        (QuarantineOrderStatus.ReportedAsFinished, QuarantineOrderTrigger.Start) => ReasonCodes.QuarantineOrderStatusBackward,
        (QuarantineOrderStatus.Started or QuarantineOrderStatus.ReportedAsFinished, QuarantineOrderTrigger.Cancel) => ReasonCodes.QuarantineOrderStarted,
        _ => ReasonCodes.TransitionNotPermitted,
    };

    private static void Define(TransitionTable<QuarantineOrderStatus, QuarantineOrderTrigger, QuarantineContext> machine)
    {
        var scrapGiven = new TransitionGuard<QuarantineContext>(static c => c.Args.ScrapQuantity is not null, ReasonCodes.Required);
        var scrapPositive = new TransitionGuard<QuarantineContext>(static c => c.Args.ScrapQuantity is not { IsZero: true }, ReasonCodes.NonPositiveQuantity);
        var scrapInUnit = new TransitionGuard<QuarantineContext>(static c => c.Args.ScrapQuantity is not { } q || q.HasSameUnit(c.Order.Quantity), ReasonCodes.UnitMismatch);
        var scrapInQuarantine = new TransitionGuard<QuarantineContext>(
            static c => c.Args.ScrapQuantity is { } q && q.HasSameUnit(c.Order.Quantity) && q.Value <= c.Order.RemainingQuantity.Value,
            ReasonCodes.InsufficientQuantity);

        machine.Configure(QuarantineOrderStatus.Created)
            .Permit(QuarantineOrderTrigger.Start, QuarantineOrderStatus.Started)
            .Permit(QuarantineOrderTrigger.Cancel, QuarantineOrderStatus.Cancelled);

        machine.Configure(QuarantineOrderStatus.Started)
            .Permit(QuarantineOrderTrigger.ReportAsFinished, QuarantineOrderStatus.ReportedAsFinished)
            .InternalTransitionIf(QuarantineOrderTrigger.Scrap, scrapGiven, scrapPositive, scrapInUnit, scrapInQuarantine);

        machine.Configure(QuarantineOrderStatus.ReportedAsFinished)
            .Permit(QuarantineOrderTrigger.End, QuarantineOrderStatus.Ended)
            .InternalTransitionIf(QuarantineOrderTrigger.Scrap, scrapGiven, scrapPositive, scrapInUnit, scrapInQuarantine);

        machine.Configure(QuarantineOrderStatus.Ended);
        machine.Configure(QuarantineOrderStatus.Cancelled);
    }
}

/// <summary>What the quarantine order machine's guards see during one call.</summary>
internal sealed class QuarantineContext
{
    public QuarantineContext(QuarantineOrder order, QuarantineOrderTriggerArgs args)
    {
        Order = order;
        Args = args;
    }

    public QuarantineOrder Order { get; }

    public QuarantineOrderTriggerArgs Args { get; }
}
