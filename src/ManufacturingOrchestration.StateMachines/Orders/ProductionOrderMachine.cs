using ManufacturingOrchestration.Model;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>What happens to a production or work order.</summary>
public enum ProductionOrderTrigger
{
    /// <summary>Release the order (CRTD → REL).</summary>
    Release = 0,

    /// <summary>A partial confirmation of yield and scrap.</summary>
    Confirm = 1,

    /// <summary>The final confirmation.</summary>
    ConfirmFinal = 2,

    /// <summary>A goods movement posted against the order (component issue, goods receipt of the product).</summary>
    PostGoodsMovement = 3,

    /// <summary>A change to the order (quantities, dates, components).</summary>
    Change = 4,

    /// <summary>Put the order on hold.</summary>
    Hold = 5,

    /// <summary>Lift the hold: the order returns to the status it had before.</summary>
    ReleaseHold = 6,

    /// <summary>Cancel the order (only while nothing is confirmed).</summary>
    Cancel = 7,

    /// <summary>Technically complete the order (TECO).</summary>
    TechnicallyComplete = 8,

    /// <summary>Revoke the technical completion.</summary>
    RevokeTechnicalCompletion = 9,

    /// <summary>Close the order (CLSD): needs a zero order balance.</summary>
    Close = 10,

    /// <summary>Revoke the closing.</summary>
    RevokeClose = 11,
}

/// <summary>Arguments of a production-order trigger.</summary>
public sealed class ProductionOrderTriggerArgs
{
    /// <summary>No arguments.</summary>
    public static ProductionOrderTriggerArgs None { get; } = new();

    /// <summary>The confirmed yield, for <see cref="ProductionOrderTrigger.Confirm"/> and <see cref="ProductionOrderTrigger.ConfirmFinal"/>.</summary>
    public Quantity? Yield { get; init; }

    /// <summary>The confirmed scrap, for confirmations.</summary>
    public Quantity? Scrap { get; init; }

    /// <summary>The order balance (debits minus credits) reported by the ERP, for <see cref="ProductionOrderTrigger.Close"/>. Default 0.</summary>
    public decimal OrderBalance { get; init; }
}

/// <summary>
/// The production / work order machine: Created → Released → InProgress → Completed → TechnicallyCompleted → Closed,
/// with Held and Cancelled (domain notes §3).
/// </summary>
/// <remarks>
/// <para>
/// A created order accepts no goods movement or confirmation (<c>order.not-released</c>); a technically completed
/// order accepts late postings and confirmations but no changes (<c>order.technically-completed</c>); a closed order
/// rejects postings (<c>order.closed</c>) and closing needs a released order — partly or fully confirmed
/// (PCNF, CNF) is still released in SAP — or TECO, and a zero balance (<c>order.balance-not-zero</c>); TECO and CLSD can be revoked; a held order rejects confirmations and postings
/// (<c>order.held</c>); a cancelled order accepts nothing (<c>order.cancelled</c>); an order with confirmations
/// cannot be cancelled. Confirmations add to <see cref="ProductionOrder.ConfirmedQuantity"/> and
/// <see cref="ProductionOrder.ScrapQuantity"/>.
/// </para>
/// <para>
/// Threading: the transitions are defined once; a Stateless machine configured from that definition fires every
/// call, one machine per thread (built on the thread's first call, then reused). The state lives in the
/// <see cref="ProductionOrder"/>. Safe to call concurrently. Rejections are results, never exceptions.
/// </para>
/// </remarks>
public static class ProductionOrderMachine
{
    private static readonly TransitionTable<ProductionOrderStatus, ProductionOrderTrigger, OrderContext> Table = new(Define, ReasonWhenNotPermitted);

    /// <summary>Fires a trigger on an order.</summary>
    /// <param name="order">The order as it is now.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="args">The arguments; <see cref="ProductionOrderTriggerArgs.None"/> when the trigger needs none.</param>
    /// <returns>The new order (version + 1) or a rejection.</returns>
    public static TransitionResult<ProductionOrder> Fire(ProductionOrder order, ProductionOrderTrigger trigger, ProductionOrderTriggerArgs args)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(args);

        if (trigger is ProductionOrderTrigger.Confirm or ProductionOrderTrigger.ConfirmFinal
            && (ConfirmationProblem(order, trigger, args.Yield, order.ConfirmedQuantity, "yield") ?? ConfirmationProblem(order, trigger, args.Scrap, order.ScrapQuantity, "scrap")) is { } problem)
        {
            return TransitionResult<ProductionOrder>.Rejected(problem);
        }

        var outcome = Table.Fire(order.Status, trigger, new OrderContext(order, args));
        if (outcome.Rejection is { } rejection)
        {
            return TransitionResult<ProductionOrder>.Rejected(rejection);
        }

        var next = order with { Status = outcome.State, Version = order.Version + 1 };
        switch (trigger)
        {
            case ProductionOrderTrigger.Confirm or ProductionOrderTrigger.ConfirmFinal:
                next = next with
                {
                    ConfirmedQuantity = order.ConfirmedQuantity + (args.Yield?.Value ?? 0),
                    ScrapQuantity = order.ScrapQuantity + (args.Scrap?.Value ?? 0),
                };
                break;
            case ProductionOrderTrigger.Hold:
                next = next with { StatusBeforeHold = order.Status };
                break;
            case ProductionOrderTrigger.ReleaseHold:
                next = next with { StatusBeforeHold = null };
                break;
        }

        return TransitionResult<ProductionOrder>.Accepted(next);
    }

    /// <summary>Why a confirmed quantity cannot be added to what the order holds: another unit, or a sum that is no longer a decimal.</summary>
    private static TransitionRejection? ConfirmationProblem(ProductionOrder order, ProductionOrderTrigger trigger, Quantity? quantity, decimal confirmedSoFar, string what)
    {
        if (quantity is not { } q)
        {
            return null;
        }

        if (q.Unit != order.PlannedQuantity.Unit)
        {
            return new TransitionRejection(ReasonCodes.UnitMismatch, $"The confirmation is in {q.Unit}; order {order.Id} is planned in {order.PlannedQuantity.Unit}.", order.Status.ToString(), trigger.ToString(), []);
        }

        return confirmedSoFar > decimal.MaxValue - q.Value
            ? new TransitionRejection(ReasonCodes.OutOfRange, $"The confirmed {what} of order {order.Id} would exceed {decimal.MaxValue}.", order.Status.ToString(), trigger.ToString(), [])
            : null;
    }

    /// <summary>Applies a production confirmation (partial or final) to an order.</summary>
    /// <param name="order">The order.</param>
    /// <param name="yield">The good quantity.</param>
    /// <param name="scrap">The scrap quantity, if any.</param>
    /// <param name="isFinal">Whether this is the final confirmation.</param>
    /// <returns>The new order or a rejection.</returns>
    public static TransitionResult<ProductionOrder> Confirm(ProductionOrder order, Quantity yield, Quantity? scrap, bool isFinal) =>
        Fire(order, isFinal ? ProductionOrderTrigger.ConfirmFinal : ProductionOrderTrigger.Confirm, new ProductionOrderTriggerArgs { Yield = yield, Scrap = scrap });

    /// <summary>The transition table as a Mermaid state diagram.</summary>
    /// <returns>The diagram text.</returns>
    public static string ToMermaid() => StateGraph.ToMermaid(GetInfo());

    /// <summary>The transition table as Graphviz DOT.</summary>
    /// <returns>The DOT text.</returns>
    public static string ToDot() => StateGraph.ToDot(GetInfo());

    internal static StateMachineInfo GetInfo() => Table.GetInfo(ProductionOrderStatus.Created);

    private static ReasonCode ReasonWhenNotPermitted(ProductionOrderStatus state, ProductionOrderTrigger trigger) => (state, trigger) switch
    {
        (ProductionOrderStatus.Created, ProductionOrderTrigger.Confirm or ProductionOrderTrigger.ConfirmFinal or ProductionOrderTrigger.PostGoodsMovement
            or ProductionOrderTrigger.TechnicallyComplete or ProductionOrderTrigger.Close) => ReasonCodes.OrderNotReleased,
        (ProductionOrderStatus.Closed, _) => ReasonCodes.OrderClosed,
        (ProductionOrderStatus.Cancelled, _) => ReasonCodes.OrderCancelled,
        (ProductionOrderStatus.Held, ProductionOrderTrigger.Confirm or ProductionOrderTrigger.ConfirmFinal or ProductionOrderTrigger.PostGoodsMovement) => ReasonCodes.OrderHeld,
        (ProductionOrderStatus.TechnicallyCompleted, ProductionOrderTrigger.Change or ProductionOrderTrigger.Hold or ProductionOrderTrigger.Cancel) => ReasonCodes.OrderTechnicallyCompleted,
        _ => ReasonCodes.TransitionNotPermitted,
    };

    private static void Define(TransitionTable<ProductionOrderStatus, ProductionOrderTrigger, OrderContext> machine)
    {
        var nothingConfirmed = new TransitionGuard<OrderContext>(static c => NothingConfirmed(c.Order), ReasonCodes.OrderHasConfirmations);
        var zeroBalance = new TransitionGuard<OrderContext>(static c => c.Args.OrderBalance == 0, ReasonCodes.OrderBalanceNotZero);

        static bool NothingConfirmed(ProductionOrder order) => order.ConfirmedQuantity == 0 && order.ScrapQuantity == 0;

        static ProductionOrderStatus Reopened(OrderContext c) => NothingConfirmed(c.Order)
            ? ProductionOrderStatus.Released
            : c.Order.ConfirmedQuantity >= c.Order.PlannedQuantity.Value ? ProductionOrderStatus.Completed : ProductionOrderStatus.InProgress;

        machine.Configure(ProductionOrderStatus.Created)
            .Permit(ProductionOrderTrigger.Release, ProductionOrderStatus.Released)
            .InternalTransition(ProductionOrderTrigger.Change)
            .Permit(ProductionOrderTrigger.Hold, ProductionOrderStatus.Held)
            .Permit(ProductionOrderTrigger.Cancel, ProductionOrderStatus.Cancelled);

        machine.Configure(ProductionOrderStatus.Released)
            .Permit(ProductionOrderTrigger.Confirm, ProductionOrderStatus.InProgress)
            .Permit(ProductionOrderTrigger.ConfirmFinal, ProductionOrderStatus.Completed)
            .InternalTransition(ProductionOrderTrigger.PostGoodsMovement)
            .InternalTransition(ProductionOrderTrigger.Change)
            .Permit(ProductionOrderTrigger.Hold, ProductionOrderStatus.Held)
            .PermitIf(ProductionOrderTrigger.Cancel, ProductionOrderStatus.Cancelled, nothingConfirmed)
            .Permit(ProductionOrderTrigger.TechnicallyComplete, ProductionOrderStatus.TechnicallyCompleted)
            .PermitIf(ProductionOrderTrigger.Close, ProductionOrderStatus.Closed, zeroBalance);

        machine.Configure(ProductionOrderStatus.InProgress)
            .InternalTransition(ProductionOrderTrigger.Confirm)
            .Permit(ProductionOrderTrigger.ConfirmFinal, ProductionOrderStatus.Completed)
            .InternalTransition(ProductionOrderTrigger.PostGoodsMovement)
            .InternalTransition(ProductionOrderTrigger.Change)
            .Permit(ProductionOrderTrigger.Hold, ProductionOrderStatus.Held)
            .Permit(ProductionOrderTrigger.TechnicallyComplete, ProductionOrderStatus.TechnicallyCompleted)
            .PermitIf(ProductionOrderTrigger.Close, ProductionOrderStatus.Closed, zeroBalance);

        machine.Configure(ProductionOrderStatus.Completed)
            .InternalTransition(ProductionOrderTrigger.PostGoodsMovement)
            .InternalTransition(ProductionOrderTrigger.Change)
            .Permit(ProductionOrderTrigger.TechnicallyComplete, ProductionOrderStatus.TechnicallyCompleted)
            .PermitIf(ProductionOrderTrigger.Close, ProductionOrderStatus.Closed, zeroBalance);

        machine.Configure(ProductionOrderStatus.TechnicallyCompleted)
            .InternalTransition(ProductionOrderTrigger.PostGoodsMovement)
            .InternalTransition(ProductionOrderTrigger.Confirm)
            .InternalTransition(ProductionOrderTrigger.ConfirmFinal)
            .PermitDynamic(
                ProductionOrderTrigger.RevokeTechnicalCompletion,
                Reopened,
                "by confirmed quantity",
                new DynamicStateInfos
                {
                    { ProductionOrderStatus.Released, "nothing confirmed" },
                    { ProductionOrderStatus.InProgress, "partly confirmed" },
                    { ProductionOrderStatus.Completed, "fully confirmed" },
                })
            .PermitIf(ProductionOrderTrigger.Close, ProductionOrderStatus.Closed, zeroBalance);

        machine.Configure(ProductionOrderStatus.Closed)
            .PermitDynamic(
                ProductionOrderTrigger.RevokeClose,
                static c => NothingConfirmed(c.Order) ? ProductionOrderStatus.Released : ProductionOrderStatus.TechnicallyCompleted,
                "by confirmed quantity",
                new DynamicStateInfos
                {
                    { ProductionOrderStatus.Released, "nothing confirmed" },
                    { ProductionOrderStatus.TechnicallyCompleted, "confirmed" },
                });

        machine.Configure(ProductionOrderStatus.Held)
            .PermitDynamic(
                ProductionOrderTrigger.ReleaseHold,
                static c => c.Order.StatusBeforeHold ?? ProductionOrderStatus.Released,
                "the status before the hold",
                new DynamicStateInfos
                {
                    { ProductionOrderStatus.Created, "held from Created" },
                    { ProductionOrderStatus.Released, "held from Released" },
                    { ProductionOrderStatus.InProgress, "held from InProgress" },
                })
            .InternalTransition(ProductionOrderTrigger.Change)
            .PermitIf(ProductionOrderTrigger.Cancel, ProductionOrderStatus.Cancelled, nothingConfirmed);

        machine.Configure(ProductionOrderStatus.Cancelled);
    }
}

/// <summary>What the order machine's guards see during one call.</summary>
internal sealed class OrderContext
{
    public OrderContext(ProductionOrder order, ProductionOrderTriggerArgs args)
    {
        Order = order;
        Args = args;
    }

    public ProductionOrder Order { get; }

    public ProductionOrderTriggerArgs Args { get; }
}
