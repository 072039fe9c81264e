using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StandardScenario;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// The incoming-inspection workflow as an integration team writes it outside the library, for the same work as the
/// shipped one (<c>AddIncomingInspection()</c>): a <see cref="WorkflowBuilder"/> with its own enrich step calling the
/// adapters, a decide step over the same NRules <see cref="DecisionEngine"/> (<see cref="DecisionEngine.Decide"/>, and
/// <see cref="DecisionSet.Describe"/> for the explanation), and one handler per decision planning the ERP, WMS, QMS,
/// MES, procurement and notification commands. It uses the public API of Engine, Rules, StateMachines, Adapters and
/// Model only: nothing of the Scenarios package, no internals, no reflection.
/// </summary>
/// <remarks>
/// The step names are the shipped workflow's, so the idempotency keys the two derive have the same shape and length;
/// nothing else depends on them.
/// </remarks>
internal sealed class UserInspectionWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "plant.incoming-inspection";

    // Facts the enrich step stores for the decide step.
    private static readonly FactKey<MaterialDefinition> MaterialFact = new("material");
    private static readonly FactKey<SiteProfile> SiteFact = new("site");
    private static readonly FactKey<IReadOnlyList<Allocation>> AllocationsFact = new("allocations");
    private static readonly FactKey<SupplierQualityHistory> SupplierHistoryFact = new("supplier-history");
    private static readonly FactKey<IReadOnlyList<GenealogyLink>> GenealogyFact = new("genealogy");

    private static readonly TimeSpan MaterialCacheDuration = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan SupplierHistoryWindow = TimeSpan.FromDays(90);

    private readonly DecisionEngine _rules;
    private readonly Dictionary<SiteId, SiteProfile> _sites;
    private readonly ConcurrentDictionary<MaterialId, (MaterialDefinition? Material, DateTimeOffset FetchedAt)> _materials = new();
    private readonly LotPolicy _lotPolicy = LotPolicy.Default;
    private readonly ConcurrentDictionary<string, FactSet>? _sampledFacts;

    /// <summary>Creates the workflow's services.</summary>
    /// <param name="rules">The decision engine (the standard rules).</param>
    /// <param name="sites">The plant's site profiles (hold locations).</param>
    /// <param name="sampledFacts">
    /// When set, the facts the rules decided on for the scenario's 1 % explanation sample, by lot: the verifier decides
    /// them again and compares <see cref="DecisionSet.Describe"/> with the audit record byte for byte.
    /// </param>
    public UserInspectionWorkflow(DecisionEngine rules, IEnumerable<SiteProfile> sites, ConcurrentDictionary<string, FactSet>? sampledFacts = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(sites);
        _rules = rules;
        _sites = sites.ToDictionary(s => s.Id);
        _sampledFacts = sampledFacts;
    }

    /// <summary>Builds the definition.</summary>
    /// <returns>The workflow, version 1.</returns>
    public WorkflowDefinition Build() =>
        new WorkflowBuilder(Name, 1)
            .Describe("Incoming inspection result → release or quarantine (written on the public API).")
            .TriggeredBy(EventTypes.InspectionPassed, EventTypes.InspectionFailed)
            .Requires(
                QueryKinds.ErpGetMaterial, QueryKinds.ErpGetOpenAllocations, QueryKinds.QmsGetSupplierQualityHistory, QueryKinds.MesGetConsumers,
                CommandKinds.ErpChangeStockCategory, CommandKinds.ErpReevaluateAllocations, CommandKinds.WmsCreateMoveTask, CommandKinds.QmsOpenSupplierCase,
                CommandKinds.MesHoldWorkOrder, CommandKinds.MesRequestContainmentCheck, CommandKinds.ProcurementRequestAlternateSupply, CommandKinds.NotificationSend)
            .Step("enrich", WorkflowStepKind.Enrich, EnrichAsync)
            .Step("decide", WorkflowStepKind.Decide, Decide)
            .OnDecision<QuarantineLot>("quarantine", Quarantine)
            .OnDecision<ReleaseLot>("release", (d, ctx) => Release(d.Lot, (ctx.Event.Data as InspectionPassed)?.Quantity, ctx))
            .OnDecision<MoveStockToHold>("move-to-hold", MoveToHold)
            .OnDecision<ReevaluateAllocations>("reevaluate-allocations", ReevaluateAllocations)
            .OnDecision<NotifyProcurement>("notify-procurement", NotifyProcurement)
            .OnDecision<RequestAlternateSupply>("request-alternate-supply", RequestAlternateSupply)
            .OnDecision<OpenSupplierCase>("open-supplier-case", OpenSupplierCase)
            .OnDecision<ContainWorkOrders>("contain-work-orders", ContainWorkOrders)
            .OnDecision<Escalate>("escalate", Escalate)
            .OnDecision<RequireApproval>("require-approval", RequestApproval)
            .OnApproved("release-approved", (outcome, ctx) =>
            {
                var gated = GatedRelease.Read(outcome.Payload);
                Release(gated.Lot, gated.Quantity, ctx);
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

    private async ValueTask EnrichAsync(StepContext ctx, CancellationToken ct)
    {
        var (material, site) = ctx.Event.Data switch
        {
            InspectionFailed f => (f.Material, f.Site),
            InspectionPassed p => (p.Material, p.Site),
            _ => throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}."),
        };

        var definition = await GetMaterialAsync(ctx, material, ct).ConfigureAwait(false);
        if (definition is not null)
        {
            ctx.SetFact(MaterialFact, definition);
        }

        ctx.SetFact(SiteFact, _sites.TryGetValue(site, out var profile) ? profile : new SiteProfile { Id = site, HoldLocation = new BinId("HOLD-" + site.Value) });

        if (ctx.Event.Data is not InspectionFailed failed)
        {
            return;
        }

        ctx.SetFact(AllocationsFact, await ctx.QueryAsync(new GetOpenAllocationsQuery(failed.Lot), ct).ConfigureAwait(false));
        if ((failed.Supplier ?? ctx.State.Lot?.Supplier ?? definition?.Supplier) is { } supplier
            && await ctx.QueryAsync(new GetSupplierQualityHistoryQuery(supplier, ctx.Now - SupplierHistoryWindow, ctx.Now), ct).ConfigureAwait(false) is { } history)
        {
            ctx.SetFact(SupplierHistoryFact, history);
        }

        if (ctx.State.Lot is { IsPartiallyConsumed: true })
        {
            ctx.SetFact(GenealogyFact, await ctx.QueryAsync(new GetConsumersQuery(failed.Lot), ct).ConfigureAwait(false));
        }
    }

    private async ValueTask<MaterialDefinition?> GetMaterialAsync(StepContext ctx, MaterialId material, CancellationToken ct)
    {
        if (_materials.TryGetValue(material, out var cached) && ctx.Now - cached.FetchedAt < MaterialCacheDuration)
        {
            return cached.Material;
        }

        var fetched = await ctx.QueryAsync(new GetMaterialQuery(material), ct).ConfigureAwait(false);
        _materials[material] = (fetched, ctx.Now);
        return fetched;
    }

    private void Decide(StepContext ctx)
    {
        if (ctx.State.Lot is null)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {ctx.State.Key} is not known to the orchestrator or the ERP; nothing is planned.", "unknown", []);
            return;
        }

        var facts = new FactSet
        {
            Envelope = ctx.Event,
            Lot = ctx.State.Lot,
            Material = ctx.GetFact<MaterialDefinition>(MaterialFact),
            Site = ctx.GetFact<SiteProfile>(SiteFact),
            Allocations = ctx.GetFact<IReadOnlyList<Allocation>>(AllocationsFact) ?? [],
            SupplierHistory = ctx.GetFact<SupplierQualityHistory>(SupplierHistoryFact),
            Genealogy = ctx.GetFact<IReadOnlyList<GenealogyLink>>(GenealogyFact) ?? [],
        };
        if (_sampledFacts is not null && InspectionScenario.IsExplanationSampled(InspectionScenario.LotNumber(ctx.State.Lot.Id.Value)))
        {
            _sampledFacts[ctx.State.Lot.Id.Value] = facts;
        }

        var decisions = _rules.Decide(facts);
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    private void Quarantine(QuarantineLot decision, StepContext ctx)
    {
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {decision.Lot} is not known to the ERP.", "unknown", []);
            return;
        }

        var quantity = (ctx.Event.Data as InspectionFailed)?.RejectedQuantity;
        var before = lot.QuantityIn(decision.FromCategory);
        var result = decision.FromCategory == StockCategory.QualityInspection
            ? LotStockMachine.BlockFromInspection(lot, quantity, _lotPolicy, Today(ctx))
            : LotStockMachine.Block(lot, quantity, _lotPolicy, Today(ctx));
        if (!Accepted(ctx, result, out var blocked))
        {
            return;
        }

        var moved = before.Subtract(blocked.QuantityIn(decision.FromCategory));
        ctx.State = ctx.State with { Lot = blocked };
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = moved,
            FromCategory = decision.FromCategory,
            ToCategory = StockCategory.Blocked,
        });
    }

    private void Release(LotId lotId, Quantity? quantity, StepContext ctx)
    {
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {lotId} is not known to the ERP.", "unknown", []);
            return;
        }

        var before = lot.QuantityIn(StockCategory.QualityInspection);
        var result = LotStockMachine.ReleaseFromInspection(lot, quantity, _lotPolicy, Today(ctx));
        if (!Accepted(ctx, result, out var released))
        {
            return;
        }

        var moved = before.Subtract(released.QuantityIn(StockCategory.QualityInspection));
        ctx.State = ctx.State with { Lot = released };

        // A restricted batch lands in restricted-use stock. The release can be taken back to inspection (compensation).
        var target = released.QuantityIn(StockCategory.RestrictedUse) > lot.QuantityIn(StockCategory.RestrictedUse)
            ? StockCategory.RestrictedUse
            : StockCategory.Unrestricted;
        ctx.Plan(
            CommandKinds.ErpChangeStockCategory,
            c => CategoryChange(c, lot, moved, StockCategory.QualityInspection, target),
            compensation: c => CategoryChange(c, lot, moved, target, StockCategory.QualityInspection));
    }

    private static ChangeStockCategoryRequest CategoryChange(CommandContext context, MaterialLot lot, Quantity quantity, StockCategory from, StockCategory to) => new()
    {
        Context = context,
        Lot = lot.Id,
        Material = lot.Material,
        Site = lot.Site,
        Quantity = quantity,
        FromCategory = from,
        ToCategory = to,
    };

    private static void MoveToHold(MoveStockToHold decision, StepContext ctx)
    {
        var holdBin = decision.HoldLocation ?? ctx.GetFact<SiteProfile>(SiteFact)?.HoldLocation ?? new BinId("HOLD-" + decision.Site.Value);
        ctx.Plan(CommandKinds.WmsCreateMoveTask, c => new CreateMoveTaskRequest
        {
            Context = c,
            Lot = decision.Lot,
            Site = decision.Site,
            ToBin = holdBin,
            TargetCategory = StockCategory.Blocked,
        });
    }

    private static void ReevaluateAllocations(ReevaluateAllocations decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.ErpReevaluateAllocations, c => new ReevaluateAllocationsRequest { Context = c, Lot = decision.Lot });

    private static void NotifyProcurement(NotifyProcurement decision, StepContext ctx) =>
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

    private static void RequestAlternateSupply(RequestAlternateSupply decision, StepContext ctx)
    {
        if ((decision.Quantity ?? ctx.State.Lot?.TotalQuantity) is not { IsZero: false } needed)
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

    private static void ContainWorkOrders(ContainWorkOrders decision, StepContext ctx)
    {
        if (decision.Orders.Count == 0)
        {
            return;
        }

        foreach (var order in decision.Orders)
        {
            ctx.Plan(CommandKinds.MesHoldWorkOrder, c => new HoldWorkOrderRequest { Context = c, Order = order, Lot = decision.Lot });
        }

        ctx.Plan(CommandKinds.MesRequestContainmentCheck, c => new RequestContainmentCheckRequest { Context = c, Lot = decision.Lot, Orders = decision.Orders });
    }

    private static void Escalate(Escalate decision, StepContext ctx)
    {
        if ((decision.Site ?? ctx.Event.Site) is not { } site)
        {
            return;
        }

        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [decision.Role],
            Site = site,
            Severity = NotificationSeverity.Alert,
            Subject = decision.Subject,
            Body = decision.Message,
            ReasonCode = decision.ReasonCode,
            Lot = ctx.State.Lot?.Id,
        });
    }

    private static void RequestApproval(RequireApproval approval, StepContext ctx)
    {
        if (approval.GatedAction is not ReleaseLot release)
        {
            ctx.Audit("approval-required", $"{approval.Reason.Code}: {approval.Describe()}");
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
            Payload = new GatedRelease { Lot = release.Lot, Site = release.Site, Quantity = passed?.Quantity }.Write(),
        });
    }

    /// <summary>Takes an accepted transition's value, or rejects the step with the machine's reason (nothing planned is executed).</summary>
    private static bool Accepted(StepContext ctx, TransitionResult<MaterialLot> result, out MaterialLot value)
    {
        if (result.Rejection is { } rejection)
        {
            ctx.Reject(rejection.ReasonCode, rejection.Message, rejection.CurrentState, rejection.PermittedTriggers);
            value = null!;
            return false;
        }

        value = result.Value!;
        return true;
    }

    private static DateOnly Today(StepContext ctx) => DateOnly.FromDateTime(ctx.Now.UtcDateTime);

    /// <summary>The release an approval gates at a regulated site, kept with the pending request.</summary>
    internal sealed record GatedRelease
    {
        public required LotId Lot { get; init; }

        public required SiteId Site { get; init; }

        public Quantity? Quantity { get; init; }

        public static GatedRelease Read(string? json) =>
            JsonSerializer.Deserialize(json ?? "null", UserWorkflowJsonContext.Default.GatedRelease) ?? throw new JsonException("The approval carries no release.");

        public string Write() => JsonSerializer.Serialize(this, UserWorkflowJsonContext.Default.GatedRelease);
    }
}

/// <summary>The user workflow's approval payload, serialized without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserInspectionWorkflow.GatedRelease))]
internal sealed partial class UserWorkflowJsonContext : JsonSerializerContext;
