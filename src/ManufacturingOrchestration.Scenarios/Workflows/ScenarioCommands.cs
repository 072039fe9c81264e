using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>Decision-to-command mappings that several shipped workflows share.</summary>
internal static class ScenarioCommands
{
    public static void ReevaluateAllocations(ReevaluateAllocations decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.ErpReevaluateAllocations, c => new ReevaluateAllocationsRequest { Context = c, Lot = decision.Lot });

    public static void NotifyProcurement(NotifyProcurement decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Buyer],
            Site = decision.Site,
            Severity = decision.Expedite ? NotificationSeverity.Alert : NotificationSeverity.Information,
            Subject = decision.Expedite ? $"Expedite alternate supply of {decision.Material}" : $"Supply of {decision.Material} affected",
            Body = decision.Message,
            Lot = decision.Lot,
        });

    public static void RequestAlternateSupply(RequestAlternateSupply decision, StepContext ctx)
    {
        var quantity = decision.Quantity ?? ctx.State.Lot?.TotalQuantity;
        if (quantity is not { } needed || needed.IsZero)
        {
            return;
        }

        ctx.Plan(CommandKinds.ProcurementRequestAlternateSupply, c => new RequestAlternateSupplyRequest
        {
            Context = c,
            Material = decision.Material,
            Site = decision.Site,
            Quantity = needed,
            ExcludedSupplier = ctx.State.Lot?.Supplier,
            PreferredSuppliers = decision.AlternateSuppliers,
            Lot = ctx.State.Lot?.Id,
        });
    }

    /// <summary>
    /// Containment of a failed, partly consumed lot: the consuming orders are held (in the MES and, mirrored, in their own
    /// partitions), a containment check is requested, and every produced lot is contained in its own partition, which
    /// follows genealogy further (<see cref="GenealogyContainment"/>).
    /// </summary>
    public static void ContainWorkOrders(ContainWorkOrders decision, StepContext ctx)
    {
        if (decision.Orders.Count == 0 && decision.ProducedLots.Count == 0)
        {
            return;
        }

        var reason = ctx.Event.Data is InspectionFailed failed ? $"inspection {failed.InspectionLot} failed ({failed.Severity})" : null;
        GenealogyContainment.ContainConsumers(
            ctx, decision.Lot, decision.Site, [decision.Lot], decision.Orders, decision.ProducedLots, ctx.GetFact(ScenarioFactKeys.Genealogy) ?? [], reason);
    }

    public static void Escalate(Escalate decision, StepContext ctx)
    {
        var site = decision.Site ?? ctx.Event.Site;
        if (site is not { } target)
        {
            return;
        }

        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [decision.Role],
            Site = target,
            Severity = NotificationSeverity.Alert,
            Subject = decision.Subject,
            Body = decision.Message,
            ReasonCode = decision.ReasonCode,
            Lot = ctx.State.Lot?.Id,
        });
    }

    public static void RecordApprovalRequired(RequireApproval decision, StepContext ctx) =>
        ctx.Audit("approval-required", $"{decision.Reason.Code}: {decision.Describe()}");

    /// <summary>
    /// Where a release put the stock: restricted-use when it added restricted-use stock (a restricted batch), otherwise
    /// unrestricted.
    /// </summary>
    public static StockCategory ReleaseTarget(MaterialLot before, MaterialLot after) =>
        after.QuantityIn(StockCategory.RestrictedUse) > before.QuantityIn(StockCategory.RestrictedUse)
            ? StockCategory.RestrictedUse
            : StockCategory.Unrestricted;

    /// <summary>
    /// Plans an ERP change of a lot's stock category whose compensation is the reverse change (same quantity, back to
    /// <paramref name="from"/>).
    /// </summary>
    public static void PlanReversibleCategoryChange(
        StepContext ctx, MaterialLot lot, Quantity quantity, StockCategory from, StockCategory to, ReasonCode? reasonCode, ReasonCode? compensationReasonCode, InspectionLotId? inspectionLot = null) =>
        ctx.Plan(
            CommandKinds.ErpChangeStockCategory,
            c => CategoryChange(c, lot, quantity, from, to, reasonCode) with { InspectionLot = inspectionLot },
            compensation: c => CategoryChange(c, lot, quantity, to, from, compensationReasonCode));

    /// <summary>An ERP change of <paramref name="quantity"/> of a lot from one stock category to another.</summary>
    public static ChangeStockCategoryRequest CategoryChange(CommandContext context, MaterialLot lot, Quantity quantity, StockCategory from, StockCategory to, ReasonCode? reasonCode = null) => new()
    {
        Context = context,
        Lot = lot.Id,
        Material = lot.Material,
        Site = lot.Site,
        Quantity = quantity,
        FromCategory = from,
        ToCategory = to,
        ReasonCode = reasonCode,
    };
}
