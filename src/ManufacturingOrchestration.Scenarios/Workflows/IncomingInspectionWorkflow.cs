using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 1: incoming inspection → release or quarantine → ERP correction.
/// Passed: QI → unrestricted (a restricted batch lands in restricted-use). Failed: QI → blocked in the ERP, open
/// allocations re-evaluated, a WMS move task to the site's hold location, procurement notified and alternate supply
/// requested, a supplier quality case opened with the defect evidence, and — when the lot was already partly
/// consumed — the consuming work orders held and a containment check requested through the MES.
/// </summary>
public static class IncomingInspectionWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "incoming-inspection";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules, sites and master data.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Incoming inspection result → release or quarantine across ERP, WMS, QMS, MES and procurement.")
            .TriggeredBy(EventTypes.InspectionPassed, EventTypes.InspectionFailed)
            .Requires(CommandKinds.ErpChangeStockCategory, CommandKinds.ErpReevaluateAllocations, CommandKinds.WmsCreateMoveTask, CommandKinds.QmsOpenSupplierCase, CommandKinds.MesHoldWorkOrder, CommandKinds.MesRequestContainmentCheck, CommandKinds.ProcurementRequestAlternateSupply, CommandKinds.NotificationSend)
            .UsesIfAvailable(QueryKinds.ErpGetMaterial, QueryKinds.ErpGetOpenAllocations, QueryKinds.QmsGetSupplierQualityHistory, QueryKinds.MesGetConsumers, QueryKinds.QmsGetCertificatesOfAnalysis)
            .Step("enrich", WorkflowStepKind.Enrich, (ctx, ct) => EnrichAsync(services, ctx, ct))
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .OnDecision<QuarantineLot>("quarantine", (d, ctx) => Quarantine(services, d, ctx))
            .OnDecision<ReleaseLot>("release", (d, ctx) => Release(services, d, (ctx.Event.Data as InspectionPassed)?.Quantity, (ctx.Event.Data as InspectionPassed)?.InspectionLot, ctx))
            .OnDecision<MoveStockToHold>("move-to-hold", MoveToHold)
            .OnDecision<ReevaluateAllocations>("reevaluate-allocations", ScenarioCommands.ReevaluateAllocations)
            .OnDecision<NotifyProcurement>("notify-procurement", ScenarioCommands.NotifyProcurement)
            .OnDecision<RequestAlternateSupply>("request-alternate-supply", ScenarioCommands.RequestAlternateSupply)
            .OnDecision<OpenSupplierCase>("open-supplier-case", OpenSupplierCase)
            .OnDecision<ContainWorkOrders>("contain-work-orders", ScenarioCommands.ContainWorkOrders)
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", RequestApproval)
            .OnApproved("release-approved", (outcome, ctx) =>
            {
                var gated = GatedRelease.Read(outcome.Payload);
                Release(services, new ReleaseLot { Lot = gated.Lot, Site = gated.Site }, gated.Quantity, gated.InspectionLot, ctx);
            })
            .OnRefused("release-refused", (outcome, ctx) =>
            {
                var gated = GatedRelease.Read(outcome.Payload);
                ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
                {
                    Context = c,
                    Roles = [Role.QualityEngineer],
                    Site = gated.Site,
                    Subject = $"Release of {gated.Lot} refused",
                    Body = $"{outcome.DecisiveSignature.Signer}: {outcome.DecisiveSignature.Reason}. The lot stays in quality inspection.",
                    Lot = gated.Lot,
                });
            })
            .Build();
    }

    private static async ValueTask EnrichAsync(ScenarioServices services, StepContext ctx, CancellationToken ct)
    {
        var (lot, material, site) = ctx.Event.Data switch
        {
            InspectionFailed f => (f.Lot, f.Material, f.Site),
            InspectionPassed p => (p.Lot, p.Material, p.Site),
            _ => throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}."),
        };
        _ = lot;
        if (ScenarioFacts.SiteOrReject(services, ctx, site) is not { } profile)
        {
            return;
        }

        var definition = await services.GetMaterialAsync(ctx, material, ct).ConfigureAwait(false);
        if (definition is not null)
        {
            ctx.SetFact(ScenarioFactKeys.Material, definition);
        }

        ctx.SetFact(ScenarioFactKeys.Site, profile);
        if (ctx.Event.Data is InspectionFailed failed)
        {
            await ScenarioFacts.GatherFailureFactsAsync(services, ctx, failed.Lot, failed.Supplier ?? ctx.State.Lot?.Supplier ?? definition?.Supplier, ct).ConfigureAwait(false);
        }
        else if (ctx.Event.Data is InspectionPassed passed)
        {
            await ScenarioFacts.GatherCustomerFactsAsync(services, ctx, passed.Lot, ct).ConfigureAwait(false);
        }
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        if (ctx.State.Lot is null)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {ctx.State.Key} is not known to the orchestrator or the ERP; nothing is planned.", "unknown", []);
            return;
        }

        var site = ctx.Event.Data switch
        {
            InspectionFailed f => f.Site,
            InspectionPassed p => p.Site,
            _ => throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}."),
        };
        if (!ScenarioFacts.LotAtEventSite(ctx, site))
        {
            return;
        }

        var facts = new FactSet
        {
            Envelope = ctx.Event,
            Lot = ctx.State.Lot,
            Material = ctx.GetFact(ScenarioFactKeys.Material),
            Site = ctx.GetFact(ScenarioFactKeys.Site),
            Allocations = ctx.GetFact(ScenarioFactKeys.Allocations) ?? [],
            SupplierHistory = ctx.GetFact(ScenarioFactKeys.SupplierHistory),
            Genealogy = ctx.GetFact(ScenarioFactKeys.Genealogy) ?? [],
            CertificatesOfAnalysis = ctx.GetFact(ScenarioFactKeys.CertificatesOfAnalysis) ?? [],
        };
        var decisions = services.Rules.Decide(facts);
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    private static void Quarantine(ScenarioServices services, QuarantineLot decision, StepContext ctx)
    {
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {decision.Lot} is not known to the ERP.", "unknown", []);
            return;
        }

        var quantity = (ctx.Event.Data as InspectionFailed)?.RejectedQuantity;
        var available = lot.QuantityIn(decision.FromCategory, StockOwnership.Own);
        if (available.IsZero)
        {
            // Already blocked (an earlier decision of this event took effect), or consumed and moved out: nothing is left
            // to block, and the failure's other consequences still follow.
            ctx.Audit("nothing-to-quarantine", $"Lot {lot.Id} holds no own {decision.FromCategory} stock to block.");
            return;
        }

        if (quantity is { } rejected && rejected.Unit == available.Unit && rejected.Value > available.Value)
        {
            ctx.Audit("quarantine-limited", string.Create(CultureInfo.InvariantCulture, $"{rejected.Value} {rejected.Unit} of lot {lot.Id} were rejected; {available.Value} are left in {decision.FromCategory} and blocked. The rest has left the lot's stock (consumed or moved), which containment follows through genealogy."));
            quantity = available;
        }

        var before = lot.QuantityIn(decision.FromCategory);
        var inspectionLot = decision.FromCategory == StockCategory.QualityInspection ? (ctx.Event.Data as InspectionFailed)?.InspectionLot : null;
        var result = decision.FromCategory == StockCategory.QualityInspection
            ? LotStockMachine.BlockFromInspection(lot, quantity, inspectionLot, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site))
            : LotStockMachine.Block(lot, quantity, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site));
        if (!ctx.Accept(result, out var blocked))
        {
            return;
        }

        var moved = before.Subtract(blocked.QuantityIn(decision.FromCategory));
        ctx.State = ctx.State with { Lot = blocked };
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => ScenarioCommands.CategoryChange(c, lot, moved, decision.FromCategory, StockCategory.Blocked) with { InspectionLot = inspectionLot });
    }

    private static void RequestApproval(RequireApproval approval, StepContext ctx)
    {
        if (approval.GatedAction is not ReleaseLot release)
        {
            ScenarioCommands.RecordApprovalRequired(approval, ctx);
            return;
        }

        var passed = ctx.Event.Data as InspectionPassed;
        ctx.RequestApproval(new ApprovalRequest
        {
            Role = approval.Role,
            Site = approval.Site ?? release.Site,
            Gate = nameof(ReleaseLot),
            Subject = release.Describe(),
            ReasonCode = approval.Reason,
            Requester = passed?.Inspector,
            Payload = new GatedRelease { Lot = release.Lot, Site = release.Site, Quantity = passed?.Quantity, InspectionLot = passed?.InspectionLot }.Write(),
        });
    }

    /// <summary>
    /// Releases the lot's quality-inspection stock. The posting names the inspection lot of the inspection result: where
    /// the ERP manages the lot's inspection stock by inspection lots (a QM-active material), only that lot's usage decision
    /// may move it, and the ERP takes this change as the decision's stock posting.
    /// </summary>
    private static void Release(ScenarioServices services, ReleaseLot decision, Quantity? quantity, InspectionLotId? inspectionLot, StepContext ctx)
    {
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {decision.Lot} is not known to the ERP.", "unknown", []);
            return;
        }

        var before = lot.QuantityIn(StockCategory.QualityInspection);
        var result = LotStockMachine.ReleaseFromInspection(lot, quantity, inspectionLot, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site));
        if (!ctx.Accept(result, out var released))
        {
            return;
        }

        var moved = before.Subtract(released.QuantityIn(StockCategory.QualityInspection));
        ctx.State = ctx.State with { Lot = released };

        // Compensable: a release can be taken back to inspection. A quarantine never is undone automatically.
        ScenarioCommands.PlanReversibleCategoryChange(
            ctx, lot, moved, StockCategory.QualityInspection, ScenarioCommands.ReleaseTarget(lot, released), reasonCode: null, compensationReasonCode: null, inspectionLot);
    }

    private static void MoveToHold(MoveStockToHold decision, StepContext ctx)
    {
        var holdBin = decision.HoldLocation ?? ctx.GetFact(ScenarioFactKeys.Site)?.HoldLocation ?? SiteDirectory.DefaultHoldLocation(decision.Site);

        // The WMS follows the ERP's quarantine: only stock the lot holds in the source category can be moved. When the
        // quarantine was limited to what was left (the rest consumed or moved), so is the move.
        var quantity = decision.Quantity;
        if (ctx.State.Lot is { } lot)
        {
            var held = lot.QuantityIn(decision.FromCategory);
            if (held.IsZero)
            {
                ctx.Audit("nothing-to-move", $"Lot {lot.Id} holds no {decision.FromCategory} stock to move to {holdBin}.");
                return;
            }

            if (quantity is { } requested && requested.Unit == held.Unit && requested.Value > held.Value)
            {
                quantity = held;
            }
        }

        ctx.Plan(CommandKinds.WmsCreateMoveTask, c => new CreateMoveTaskRequest
        {
            Context = c,
            Lot = decision.Lot,
            Site = decision.Site,
            ToBin = holdBin,
            Quantity = quantity,
            SourceCategory = decision.FromCategory,
            TargetCategory = StockCategory.Blocked,
        });
    }

    private static void OpenSupplierCase(OpenSupplierCase decision, StepContext ctx)
    {
        var failed = ctx.Event.Data as InspectionFailed;
        ctx.Plan(CommandKinds.QmsOpenSupplierCase, c => new OpenSupplierCaseRequest
        {
            Context = c,
            Supplier = decision.Supplier,
            Problem = failed?.DefectDescription ?? $"Incoming inspection failed ({decision.Severity}).",
            Lots = [decision.Lot],
            Material = decision.Material,
            Severity = decision.Severity,
            Evidence = failed?.Evidence ?? [],
        });
    }

    /// <summary>The release an approval gates at a regulated site, kept with the pending request.</summary>
    internal sealed record GatedRelease
    {
        public required LotId Lot { get; init; }

        public required SiteId Site { get; init; }

        public Quantity? Quantity { get; init; }

        public InspectionLotId? InspectionLot { get; init; }

        public static GatedRelease Read(string? json) =>
            System.Text.Json.JsonSerializer.Deserialize(json ?? "null", ScenarioJsonContext.Default.GatedRelease) ?? throw new System.Text.Json.JsonException("The approval carries no release.");

        public string Write() => System.Text.Json.JsonSerializer.Serialize(this, ScenarioJsonContext.Default.GatedRelease);
    }
}
