using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 2: finished-goods release after final quality approval (<see cref="LotReleased"/>). The event is the
/// record of an approved release, so the stock change is its meaning and is not gated again: quality-inspection stock
/// becomes unrestricted (restricted-use for a restricted batch) through the lot machine; then, as the rules decide,
/// the ERP shipment hold is released and ATP updated, customer service is told which backorders the lot can fill, and
/// the lot's genealogy (its component lots from the MES) is published to the traceability repository through a
/// <c>traceability.publish-genealogy</c> command — planned once, in the same commit, with its own idempotency key.
/// </summary>
public static class FinishedGoodsReleaseWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "finished-goods-release";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules, sites and lot policy.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Lot released after final quality approval → unrestricted stock, shipment hold released, ATP updated, customer service notified, genealogy published.")
            .TriggeredBy(EventTypes.LotReleased)
            .Requires(CommandKinds.ErpChangeStockCategory, CommandKinds.ErpReleaseShipmentHold, CommandKinds.ErpUpdateAtp, CommandKinds.NotificationSend, CommandKinds.TraceabilityPublishGenealogy)
            .UsesIfAvailable(QueryKinds.MesGetComponents)
            .Step("enrich", WorkflowStepKind.Enrich, EnrichAsync)
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .Step("release-stock", WorkflowStepKind.Transition, ctx => ReleaseStock(services, ctx))
            .OnDecision<ReleaseShipmentHold>("release-shipment-hold", ReleaseShipmentHold)
            .OnDecision<UpdateAtp>("update-atp", UpdateAtp)
            .OnDecision<NotifyCustomerService>("notify-customer-service", NotifyCustomerService)
            .OnDecision<PublishGenealogy>("publish-genealogy", PublishGenealogy)
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", ScenarioCommands.RecordApprovalRequired)
            .Build();
    }

    private static async ValueTask EnrichAsync(StepContext ctx, CancellationToken ct)
    {
        var released = Released(ctx);
        if (ctx.Supports(QueryKinds.MesGetComponents))
        {
            var links = await ctx.QueryAsync(new GetComponentsQuery(released.Lot), ct).ConfigureAwait(false);
            if (links.Count > 0)
            {
                ctx.SetFact(ScenarioFactKeys.Genealogy, links);
            }
        }
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        var released = Released(ctx);
        if (ScenarioFacts.SiteOrReject(services, ctx, released.Site) is not { } site)
        {
            return;
        }

        ctx.SetFact(ScenarioFactKeys.Site, site);
        var decisions = services.Rules.Decide(new FactSet
        {
            Envelope = ctx.Event,
            Lot = ctx.State.Lot,
            Site = site,
            Genealogy = ctx.GetFact(ScenarioFactKeys.Genealogy) ?? [],
        });
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    private static void ReleaseStock(ScenarioServices services, StepContext ctx)
    {
        var released = Released(ctx);
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {released.Lot} is not known to the ERP.", "unknown", []);
            return;
        }

        var inInspection = lot.QuantityIn(StockCategory.QualityInspection);
        if (released.Quantity is null && inInspection.IsZero
            && !(lot.QuantityIn(StockCategory.Unrestricted).IsZero && lot.QuantityIn(StockCategory.RestrictedUse).IsZero))
        {
            ctx.Audit("stock-already-usable", $"Lot {lot.Id} holds no quality-inspection stock; its stock was already usable, so no category change is posted.");
            return;
        }

        var result = LotStockMachine.ReleaseFromInspection(lot, released.Quantity, services.LotPolicy, ScenarioFacts.Today(ctx));
        if (!ctx.Accept(result, out var next))
        {
            return;
        }

        var moved = inInspection.Subtract(next.QuantityIn(StockCategory.QualityInspection));
        ctx.State = ctx.State with { Lot = next };

        // Compensable: a release can be taken back to inspection (the safe direction).
        ScenarioCommands.PlanReversibleCategoryChange(
            ctx, lot, moved, StockCategory.QualityInspection, ScenarioCommands.ReleaseTarget(lot, next), MovementReasons.FinishedGoodsReleased, MovementReasons.FinishedGoodsReleaseCompensated);
    }

    private static void ReleaseShipmentHold(ReleaseShipmentHold decision, StepContext ctx) =>
        ctx.Plan(
            CommandKinds.ErpReleaseShipmentHold,
            c => new ReleaseShipmentHoldRequest { Context = c, Lot = decision.Lot },
            compensation: c => new PlaceShipmentHoldRequest { Context = c, Lot = decision.Lot, ReasonCode = MovementReasons.FinishedGoodsReleaseCompensated });

    private static void UpdateAtp(UpdateAtp decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.ErpUpdateAtp, c => new UpdateAtpRequest { Context = c, Material = decision.Material, Site = decision.Site, Lot = decision.Lot });

    private static void NotifyCustomerService(NotifyCustomerService decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.CustomerService],
            Site = decision.Site,
            Severity = NotificationSeverity.Information,
            Subject = $"Lot {decision.Lot} released: backorders can be filled",
            Body = $"Lot {decision.Lot} passed final quality approval and is available for backorder(s) {string.Join(", ", decision.Backorders)}.",
            Lot = decision.Lot,
        });

    private static void PublishGenealogy(PublishGenealogy decision, StepContext ctx)
    {
        var released = Released(ctx);
        ctx.Plan(CommandKinds.TraceabilityPublishGenealogy, c => new PublishGenealogyRequest
        {
            Context = c,
            Lot = decision.Lot,
            Material = released.Material,
            Site = decision.Site,
            ProducedBy = decision.Order,
            Links = decision.Links,
            ReleasedBy = released.ReleasedBy,
        });
    }

    private static LotReleased Released(StepContext ctx) =>
        ctx.Event.Data as LotReleased ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
}
