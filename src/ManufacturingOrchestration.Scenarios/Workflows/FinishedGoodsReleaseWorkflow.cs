using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 2: finished-goods release after final quality approval (<see cref="LotReleased"/>). The event's
/// <see cref="LotReleased.ReleasedBy"/> is a claim, not an authenticated signature, so the release goes through the
/// rules and their decision policy like every other release path: the rules decide a <see cref="ReleaseLot"/> naming
/// the releaser, which the policy turns into an approval by the release approver at a regulated site, or anywhere the
/// releaser is unknown to the actor directory (<see cref="ScenarioServices.Actors"/>) or does not hold the release role
/// at the site. An authorized release moves quality-inspection stock to unrestricted (restricted-use for a restricted
/// batch) through the lot machine; then, as the rules decide, the ERP shipment hold is released and ATP updated,
/// customer service is told which backorders the lot can fill, and the lot's genealogy (its component lots from the MES)
/// is published to the traceability repository through a <c>traceability.publish-genealogy</c> command — planned once,
/// in the same commit, with its own idempotency key.
/// <para>
/// A gated release moves nothing and lifts nothing: the shipment hold, ATP, the customer-service notice and the genealogy
/// wait with the approval request and are carried out, after the stock release, only when the approval is given; a
/// refusal leaves the lot in quality inspection and tells the quality engineers.
/// </para>
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
            .UsesIfAvailable(QueryKinds.MesGetComponents, QueryKinds.ErpGetOpenAllocations, QueryKinds.QmsGetCertificatesOfAnalysis)
            .Step("enrich", WorkflowStepKind.Enrich, (ctx, ct) => EnrichAsync(services, ctx, ct))
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .Step("release-stock", WorkflowStepKind.Transition, ctx => ReleaseStock(services, ctx))
            .OnDecision<ReleaseShipmentHold>("release-shipment-hold", ReleaseShipmentHold)
            .OnDecision<UpdateAtp>("update-atp", UpdateAtp)
            .OnDecision<NotifyCustomerService>("notify-customer-service", NotifyCustomerService)
            .OnDecision<PublishGenealogy>("publish-genealogy", PublishGenealogy)
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", RequestApproval)
            .OnApproved("release-approved", (outcome, ctx) => ReleaseApproved(services, outcome, ctx))
            .OnRefused("release-refused", ReleaseRefused)
            .Build();
    }

    private static async ValueTask EnrichAsync(ScenarioServices services, StepContext ctx, CancellationToken ct)
    {
        var released = Released(ctx);
        await ReleaseAuthority.ResolveAsync(services, ctx, [released.ReleasedBy], ct).ConfigureAwait(false);
        if (ctx.Supports(QueryKinds.MesGetComponents))
        {
            var links = await ctx.QueryAsync(new GetComponentsQuery(released.Lot), ct).ConfigureAwait(false);
            if (links.Count > 0)
            {
                ctx.SetFact(ScenarioFactKeys.Genealogy, links);
            }
        }

        await ScenarioFacts.GatherCustomerFactsAsync(services, ctx, released.Lot, ct).ConfigureAwait(false);
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        var released = Released(ctx);
        if (ScenarioFacts.SiteOrReject(services, ctx, released.Site) is not { } site)
        {
            return;
        }

        ctx.SetFact(ScenarioFactKeys.Site, site);
        if (ctx.State.Lot is null)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {released.Lot} is not known to the ERP.", "unknown", []);
            return;
        }

        if (!ScenarioFacts.LotAtEventSite(ctx, released.Site))
        {
            return;
        }

        var decisions = services.Rules.Decide(new FactSet
        {
            Envelope = ctx.Event,
            Lot = ctx.State.Lot,
            Site = site,
            Genealogy = ctx.GetFact(ScenarioFactKeys.Genealogy) ?? [],
            Allocations = ctx.GetFact(ScenarioFactKeys.Allocations) ?? [],
            CertificatesOfAnalysis = ctx.GetFact(ScenarioFactKeys.CertificatesOfAnalysis) ?? [],
            Actors = ReleaseAuthority.Claimants(ctx),
        });
        if (!decisions.Decisions.Any(d => d is RequireApproval { GatedAction: ReleaseLot }))
        {
            ctx.AddDecisions(decisions.Decisions, decisions.Describe());
            return;
        }

        // A gated release lifts nothing yet: what follows from the release waits with the approval request.
        var deferred = GatedFinishedGoodsRelease.From(released, decisions.Decisions);
        ctx.SetFact(DeferredRelease, deferred);
        ctx.AddDecisions(decisions.Decisions.Where(d => !GatedFinishedGoodsRelease.IsDeferred(d)), decisions.Describe());
    }

    private static void ReleaseStock(ScenarioServices services, StepContext ctx)
    {
        foreach (var decision in ctx.Decisions)
        {
            if (decision is ReleaseLot release)
            {
                ReleaseStock(services, release.Quantity, ctx);
                return;
            }
        }
    }

    private static bool ReleaseStock(ScenarioServices services, Quantity? quantity, StepContext ctx)
    {
        var released = ctx.Event.Data as LotReleased;
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {released?.Lot.Value ?? ctx.State.Key} is not known to the ERP.", "unknown", []);
            return false;
        }

        var inInspection = lot.QuantityIn(StockCategory.QualityInspection);
        if (quantity is null && inInspection.IsZero
            && !(lot.QuantityIn(StockCategory.Unrestricted).IsZero && lot.QuantityIn(StockCategory.RestrictedUse).IsZero))
        {
            ctx.Audit("stock-already-usable", $"Lot {lot.Id} holds no quality-inspection stock; its stock was already usable, so no category change is posted.");
            return true;
        }

        var result = LotStockMachine.ReleaseFromInspection(lot, quantity, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site));
        if (!ctx.Accept(result, out var next))
        {
            return false;
        }

        var moved = inInspection.Subtract(next.QuantityIn(StockCategory.QualityInspection));
        ctx.State = ctx.State with { Lot = next };

        // Compensable: a release can be taken back to inspection (the safe direction).
        ScenarioCommands.PlanReversibleCategoryChange(
            ctx, lot, moved, StockCategory.QualityInspection, ScenarioCommands.ReleaseTarget(lot, next), MovementReasons.FinishedGoodsReleased, MovementReasons.FinishedGoodsReleaseCompensated);
        return true;
    }

    /// <summary>The gated release asks the approving role for a signature, keeping what follows from it with the request.</summary>
    private static void RequestApproval(RequireApproval approval, StepContext ctx)
    {
        if (approval.GatedAction is not ReleaseLot release || ctx.GetFact(DeferredRelease) is not { } deferred)
        {
            ScenarioCommands.RecordApprovalRequired(approval, ctx);
            return;
        }

        ctx.RequestApproval(new ApprovalRequest
        {
            Role = approval.Role,
            Site = approval.Site ?? release.Site,
            Gate = nameof(ReleaseLot),
            Subject = release.Describe(),
            ReasonCode = approval.Reason,
            Payload = deferred.Write(),
        });
    }

    private static void ReleaseApproved(ScenarioServices services, ApprovalOutcome outcome, StepContext ctx)
    {
        var gated = GatedFinishedGoodsRelease.Read(outcome.Payload);
        if (!ReleaseStock(services, gated.Quantity, ctx))
        {
            return;
        }

        var signature = outcome.DecisiveSignature;
        ctx.Audit("release-approved", $"Release of lot {gated.Lot} (named by {gated.ReleasedBy}) approved by {signature.Signer} as {signature.Role}.", signature.Signer.Value);
        if (gated.ReleaseShipmentHold)
        {
            ReleaseShipmentHold(new ReleaseShipmentHold { Lot = gated.Lot, Site = gated.Site }, ctx);
        }

        if (gated.Atp is { } atp)
        {
            UpdateAtp(new UpdateAtp { Material = atp.Material, Site = gated.Site, Lot = gated.Lot, Quantity = atp.Quantity }, ctx);
        }

        if (gated.Backorders is { Count: > 0 } backorders)
        {
            NotifyCustomerService(new NotifyCustomerService { Lot = gated.Lot, Site = gated.Site, Backorders = backorders }, ctx);
        }

        if (gated.Genealogy is { } genealogy)
        {
            PublishGenealogy(new PublishGenealogy { Lot = gated.Lot, Site = gated.Site, Order = genealogy.Order, Links = genealogy.Links }, gated.Material, gated.ReleasedBy, ctx);
        }
    }

    private static void ReleaseRefused(ApprovalOutcome outcome, StepContext ctx)
    {
        var gated = GatedFinishedGoodsRelease.Read(outcome.Payload);
        var signature = outcome.DecisiveSignature;
        ctx.Audit("release-refused", $"Release of lot {gated.Lot} (named by {gated.ReleasedBy}) refused by {signature.Signer} as {signature.Role}: {signature.Reason}. The lot stays in quality inspection and its shipment hold stays.", signature.Signer.Value);
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.QualityEngineer],
            Site = gated.Site,
            Subject = $"Release of {gated.Lot} refused",
            Body = $"{signature.Signer}: {signature.Reason}. The lot stays in quality inspection and its shipment hold stays.",
            Lot = gated.Lot,
        });
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
        PublishGenealogy(decision, released.Material, released.ReleasedBy, ctx);
    }

    private static void PublishGenealogy(PublishGenealogy decision, MaterialId material, ActorId releasedBy, StepContext ctx) =>
        ctx.Plan(CommandKinds.TraceabilityPublishGenealogy, c => new PublishGenealogyRequest
        {
            Context = c,
            Lot = decision.Lot,
            Material = material,
            Site = decision.Site,
            ProducedBy = decision.Order,
            Links = decision.Links,
            ReleasedBy = releasedBy,
        });

    private static LotReleased Released(StepContext ctx) =>
        ctx.Event.Data as LotReleased ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");

    /// <summary>What a gated release defers until its approval, kept in the step while the request is made.</summary>
    private static readonly FactKey<GatedFinishedGoodsRelease> DeferredRelease = new("deferred-release");

    /// <summary>A gated finished-goods release, kept with its pending approval: the release and what follows from it.</summary>
    internal sealed record GatedFinishedGoodsRelease
    {
        public required LotId Lot { get; init; }

        public required SiteId Site { get; init; }

        public required MaterialId Material { get; init; }

        public Quantity? Quantity { get; init; }

        public required ActorId ReleasedBy { get; init; }

        public bool ReleaseShipmentHold { get; init; }

        public AtpUpdate? Atp { get; init; }

        public IReadOnlyList<string>? Backorders { get; init; }

        public GenealogyPublication? Genealogy { get; init; }

        /// <summary>
        /// Whether a decision follows from the release and so waits for its approval: also the lifting of the shipment
        /// hold gated beside the release (a customer's certificate of analysis), which the release's approval carries out.
        /// </summary>
        public static bool IsDeferred(Decision decision) =>
            decision is Rules.ReleaseShipmentHold or Rules.UpdateAtp or Rules.NotifyCustomerService or Rules.PublishGenealogy
                or RequireApproval { GatedAction: Rules.ReleaseShipmentHold };

        public static GatedFinishedGoodsRelease From(LotReleased released, IReadOnlyList<Decision> decisions)
        {
            var atp = decisions.OfType<Rules.UpdateAtp>().FirstOrDefault();
            var genealogy = decisions.OfType<Rules.PublishGenealogy>().FirstOrDefault();
            return new GatedFinishedGoodsRelease
            {
                Lot = released.Lot,
                Site = released.Site,
                Material = released.Material,
                Quantity = released.Quantity,
                ReleasedBy = released.ReleasedBy,
                ReleaseShipmentHold = decisions.Any(d => d is Rules.ReleaseShipmentHold or RequireApproval { GatedAction: Rules.ReleaseShipmentHold }),
                Atp = atp is null ? null : new AtpUpdate { Material = atp.Material, Quantity = atp.Quantity },
                Backorders = decisions.OfType<Rules.NotifyCustomerService>().FirstOrDefault()?.Backorders,
                Genealogy = genealogy is null ? null : new GenealogyPublication { Order = genealogy.Order, Links = genealogy.Links },
            };
        }

        public static GatedFinishedGoodsRelease Read(string? json) =>
            System.Text.Json.JsonSerializer.Deserialize(json ?? "null", ScenarioJsonContext.Default.GatedFinishedGoodsRelease) ?? throw new System.Text.Json.JsonException("The approval carries no finished-goods release.");

        public string Write() => System.Text.Json.JsonSerializer.Serialize(this, ScenarioJsonContext.Default.GatedFinishedGoodsRelease);
    }

    /// <summary>The ATP update a gated release defers.</summary>
    internal sealed record AtpUpdate
    {
        public required MaterialId Material { get; init; }

        public Quantity? Quantity { get; init; }
    }

    /// <summary>The genealogy publication a gated release defers.</summary>
    internal sealed record GenealogyPublication
    {
        public OrderId? Order { get; init; }

        public IReadOnlyList<GenealogyLink> Links { get; init; } = [];
    }
}
