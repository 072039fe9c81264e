using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 5: a production order is (partially) confirmed (<see cref="ProductionConfirmed"/>, partition
/// <c>order/&lt;id&gt;</c>). The order machine accepts the confirmation (Released → InProgress; the final one →
/// Completed) or rejects it — on a created, closed or cancelled order — and the rejection is audited with nothing
/// sent. A held order (held by containment, mirrored by <see cref="WorkOrderHoldWorkflow"/>) refuses the confirmation
/// too (<c>order.held</c>): it is audited as refused, nothing reaches the ERP or the MES, and the planner and quality
/// engineering are notified to confirm again after the hold is lifted (the confirmation is not kept for later: the
/// containment check may change what is confirmed). An accepted confirmation is posted to the ERP and recorded in the
/// MES. The remainder: after a partial confirmation the order keeps its reservations for the remaining quantity; after
/// the final one the rules ask to release the remaining reservations and technically complete the order, which the
/// adapter contracts cannot do yet, so the planner is notified with the reservations to release (the order stays
/// Completed, as in the ERP).
/// </summary>
public static class ProductionConfirmationWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "production-confirmation";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules and sites.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Production confirmation → order machine → ERP confirmation and MES record; remaining quantity and reservations handled.")
            .TriggeredBy(EventTypes.ProductionConfirmed)
            .Requires(CommandKinds.ErpPostProductionConfirmation, CommandKinds.MesRecordProductionConfirmation, CommandKinds.NotificationSend)
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .OnDecision<ConfirmProduction>("confirm", Confirm)
            .OnDecision<HandleOrderRemainder>("handle-remainder", HandleRemainder)
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", ScenarioCommands.RecordApprovalRequired)
            .Build();
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        var confirmed = ctx.Event.Data as ProductionConfirmed ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
        if (ctx.State.Order is not { } order)
        {
            ctx.Reject(ReasonCodes.ReferenceUnknown, $"Order {confirmed.Order} is not known to the ERP.", "unknown", []);
            return;
        }

        if (ScenarioFacts.SiteOrReject(services, ctx, confirmed.Site) is not { } site)
        {
            return;
        }

        var decisions = services.Rules.Decide(new FactSet
        {
            Envelope = ctx.Event,
            Order = order,
            Site = site,
        });
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    private static void Confirm(ConfirmProduction decision, StepContext ctx)
    {
        var order = ctx.State.Order!;
        var result = ProductionOrderMachine.Confirm(order, decision.Yield, decision.Scrap, decision.IsFinal);
        if (result.Rejection is { } held && held.ReasonCode == ReasonCodes.OrderHeld)
        {
            RefuseHeld(decision, held, ctx);
            return;
        }

        if (!ctx.Accept(result, out var confirmed))
        {
            return;
        }

        ctx.State = ctx.State with { Order = confirmed };
        ctx.Plan(CommandKinds.ErpPostProductionConfirmation, c => new PostProductionConfirmationRequest
        {
            Context = c,
            Order = decision.Order,
            Yield = decision.Yield,
            Scrap = decision.Scrap,
            IsFinal = decision.IsFinal,
            ProducedLot = decision.ProducedLot,
        });
        ctx.Plan(CommandKinds.MesRecordProductionConfirmation, c => new RecordProductionConfirmationRequest
        {
            Context = c,
            Order = decision.Order,
            Yield = decision.Yield,
            Scrap = decision.Scrap,
            IsFinal = decision.IsFinal,
            ProducedLot = decision.ProducedLot,
        });
    }

    /// <summary>
    /// A confirmation of a held order (containment, for example) is refused by the order machine: audited with its reason
    /// code, nothing posted to the ERP or the MES, and the planner and quality engineering told to confirm again once the
    /// hold is lifted. Not a rejected step, so that the people who must act are notified.
    /// </summary>
    private static void RefuseHeld(ConfirmProduction decision, TransitionRejection held, StepContext ctx)
    {
        var quantity = string.Create(CultureInfo.InvariantCulture, $"{decision.Yield.Value} {decision.Yield.Unit}{(decision.IsFinal ? " (final)" : string.Empty)}");
        ctx.Audit("confirmation-refused", $"{held.ReasonCode.Code}: {held.Message} The confirmation of {quantity} on order {decision.Order} was not posted to the ERP or the MES.");
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Planner, Role.QualityEngineer],
            Site = decision.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Confirmation of held order {decision.Order} refused",
            Body = $"Order {decision.Order} is held, so the confirmation of {quantity} was neither posted to the ERP nor recorded in the MES. Resolve the hold (containment check), then confirm again.",
            ReasonCode = held.ReasonCode,
            Order = decision.Order,
        });
        ctx.Stop();
    }

    private static void HandleRemainder(HandleOrderRemainder decision, StepContext ctx)
    {
        var order = ctx.State.Order!;
        var remaining = decision.RemainingQuantity.ToString(CultureInfo.InvariantCulture);
        if (order.Status == ProductionOrderStatus.TechnicallyCompleted)
        {
            // A late posting on a technically completed order (accepted, as in SAP): TECO already released the order's
            // reservations and completed it, so there is nothing to keep and nothing to ask the planner.
            ctx.Audit("late-confirmation", $"Order {decision.Order} is technically completed: the late confirmation is posted; its reservations were released at technical completion, so none is kept and nothing is asked of the planner.");
            return;
        }

        if (!decision.ReleaseReservations && !decision.TechnicallyComplete)
        {
            ctx.Audit("remainder-kept", $"Order {decision.Order}: {remaining} {order.PlannedQuantity.Unit} remaining; {order.Allocations.Count} reservation(s) kept for it.");
            return;
        }

        var reservations = decision.ReservationsToRelease.Count == 0
            ? "no open reservations"
            : string.Join(", ", decision.ReservationsToRelease.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Quantity.Value} {a.Quantity.Unit} of lot {a.Lot}")));
        var actions = decision.TechnicallyComplete ? "release the remaining reservations and technically complete the order" : "release the remaining reservations";
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Planner],
            Site = decision.Site,
            Severity = NotificationSeverity.Information,
            Subject = $"Order {decision.Order} finally confirmed: {actions}",
            Body = $"Order {decision.Order} is completed with {remaining} {order.PlannedQuantity.Unit} not produced. Please {actions} ({reservations}).",
            Order = decision.Order,
        });
    }
}
