using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 5, held orders: the orchestrator's copy of a work order follows its hold, in the order's own partition
/// (<c>order/&lt;id&gt;</c>), so a confirmation that arrives after the hold is refused by the order machine
/// (<see cref="ProductionConfirmationWorkflow"/>) instead of reaching an ERP and an MES that would then disagree.
/// </summary>
/// <remarks>
/// <see cref="WorkOrderHeld"/> (emitted by containment after it held the order in the MES, or sent by the MES itself):
/// the order goes to Held through <see cref="ProductionOrderMachine"/> (<see cref="ProductionOrderTrigger.Hold"/>),
/// remembering its status; nothing is sent. <see cref="WorkOrderHoldReleased"/> (the MES or quality lifted the hold):
/// when the person it names as releasing (<see cref="WorkOrderHoldReleased.ReleasedBy"/>) is in the actor directory with
/// the quality engineer or quality manager role at the site — a containment hold is never lifted on an unverified
/// claim (<c>approval.release-authority-unverified</c>, the order stays held) — the order returns to the status it had before (<see cref="ProductionOrderTrigger.ReleaseHold"/>) and the MES is told
/// to release it (a no-op for an MES that released it itself), so later confirmations go through. An order the
/// orchestrator does not know yet is read from the ERP first. A hold of an order already held, or a release of an order
/// not held, is audited and changes nothing; a hold the machine refuses (for example on a completed or closed order) is
/// a rejected transition.
/// </remarks>
public static class WorkOrderHoldWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "work-order-hold";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The scenario services (their actor directory verifies who lifts a hold).</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Work order held or released → the order machine mirrors the hold, so confirmations of a held order are refused.")
            .TriggeredBy(EventTypes.WorkOrderHeld, EventTypes.WorkOrderHoldReleased)
            .Requires(CommandKinds.MesReleaseWorkOrder)
            .UsesIfAvailable(QueryKinds.ErpGetProductionOrder)
            .Step("load-order", WorkflowStepKind.Enrich, (ctx, ct) => LoadOrderAsync(services, ctx, ct))
            .Step("transition", WorkflowStepKind.Transition, Transition)
            .Build();
    }

    private static async ValueTask LoadOrderAsync(ScenarioServices services, StepContext ctx, CancellationToken ct)
    {
        if (ctx.Event.Data is WorkOrderHoldReleased released)
        {
            await ReleaseAuthority.ResolveAsync(services, ctx, [released.ReleasedBy], ct).ConfigureAwait(false);
        }

        if (ctx.State.Order is null && ctx.Supports(QueryKinds.ErpGetProductionOrder)
            && await ctx.QueryAsync(new GetProductionOrderQuery(OrderOf(ctx)), ct).ConfigureAwait(false) is { } order)
        {
            ctx.State = ctx.State with { Order = order };
        }
    }

    private static void Transition(StepContext ctx)
    {
        var id = OrderOf(ctx);
        if (ctx.State.Order is not { } order)
        {
            ctx.Reject(ReasonCodes.ReferenceUnknown, $"Order {id} is not known to the ERP.", "unknown", []);
            return;
        }

        if (ctx.Event.Data is WorkOrderHeld held)
        {
            if (order.Status == ProductionOrderStatus.Held)
            {
                ctx.Audit("already-held", $"Order {id} is already held; {held.Reason ?? "a further hold"} changes nothing.");
                return;
            }

            if (ctx.Accept(ProductionOrderMachine.Fire(order, ProductionOrderTrigger.Hold, ProductionOrderTriggerArgs.None), out var onHold))
            {
                ctx.State = ctx.State with { Order = onHold };
                ctx.Audit("held", $"Order {id} held from {order.Status}: {held.Reason ?? "held in the MES"}. Confirmations are refused until the hold is released.");
            }

            return;
        }

        var released = (WorkOrderHoldReleased)ctx.Event.Data;
        if (order.Status != ProductionOrderStatus.Held)
        {
            ctx.Audit("not-held", $"Order {id} is {order.Status}, not held; the release changes nothing.");
            return;
        }

        if (!ReleaseAuthority.Claimants(ctx).Any(a => !a.IsSystem && (a.HoldsRole(Role.QualityEngineer, released.Site) || a.HoldsRole(Role.QualityManager, released.Site))))
        {
            ctx.Reject(
                ReasonCodes.ReleaseAuthorityUnverified,
                $"The hold of order {id} is lifted only by a quality engineer or quality manager of site {released.Site}; {released.ReleasedBy?.ToString() ?? "no one"} is not one in the actor directory. The order stays held.",
                order.Status.ToString(),
                []);
            return;
        }

        if (ctx.Accept(ProductionOrderMachine.Fire(order, ProductionOrderTrigger.ReleaseHold, ProductionOrderTriggerArgs.None), out var resumed))
        {
            ctx.State = ctx.State with { Order = resumed };
            ctx.Plan(CommandKinds.MesReleaseWorkOrder, c => new ReleaseWorkOrderRequest { Context = c, Order = id });
            ctx.Audit("hold-released", $"Order {id} back to {resumed.Status}{(released.ReleasedBy is { } by ? $", released by {by}" : string.Empty)}{(released.Reason is { } why ? $": {why}" : string.Empty)}.", released.ReleasedBy?.Value);
        }
    }

    private static OrderId OrderOf(StepContext ctx) => ctx.Event.Data switch
    {
        WorkOrderHeld held => held.Order,
        WorkOrderHoldReleased released => released.Order,
        _ => throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}."),
    };
}
