using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// The engine alone: the incoming-inspection workflow on the public API with its decision written in plain C# instead
/// of rules, the decision the MassTransit baseline makes. Pass → quality inspection to unrestricted in the ERP.
/// Fail → blocked in the ERP, a move task to the site's hold bin, the buyer notified, and a supplier case when the
/// defect is critical or the material class A. An enrich step reads the material through the adapters (cached, as the
/// baseline does), the decide step adds one decision object per action and a fixed explanation, and one handler per
/// decision plans its command; the step names are the user workflow's, so the idempotency keys are the same.
/// </summary>
internal sealed class PlainInspectionWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "plant.incoming-inspection";

    /// <summary>The explanation of a passed inspection.</summary>
    public const string PassedExplanation = "plain: inspection passed → release from quality inspection";

    /// <summary>The explanation of a failed inspection.</summary>
    public const string FailedExplanation = "plain: inspection failed → block, move to hold, notify the buyer, supplier case when critical or class A";

    private static readonly FactKey<MaterialDefinition> MaterialFact = new("material");

    private readonly Dictionary<SiteId, SiteProfile> _sites;
    private readonly ConcurrentDictionary<MaterialId, MaterialDefinition?> _materials = new();
    private readonly LotPolicy _lotPolicy = LotPolicy.Default;

    public PlainInspectionWorkflow(IEnumerable<SiteProfile> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        _sites = sites.ToDictionary(s => s.Id);
    }

    public WorkflowDefinition Build() =>
        new WorkflowBuilder(Name, 1)
            .Describe("Incoming inspection result → release or quarantine, decided in plain C#.")
            .TriggeredBy(EventTypes.InspectionPassed, EventTypes.InspectionFailed)
            .Requires(QueryKinds.ErpGetMaterial, CommandKinds.ErpChangeStockCategory, CommandKinds.WmsCreateMoveTask, CommandKinds.QmsOpenSupplierCase, CommandKinds.NotificationSend)
            .Step("enrich", WorkflowStepKind.Enrich, EnrichAsync)
            .Step("decide", WorkflowStepKind.Decide, Decide)
            .OnDecision<Block>("quarantine", Quarantine)
            .OnDecision<Release>("release", ReleaseLot)
            .OnDecision<MoveToHold>("move-to-hold", MoveLotToHold)
            .OnDecision<NotifyBuyer>("notify-procurement", Notify)
            .OnDecision<SupplierCase>("open-supplier-case", OpenSupplierCase)
            .Build();

    private async ValueTask EnrichAsync(StepContext ctx, CancellationToken ct)
    {
        var material = ctx.Event.Data switch
        {
            InspectionFailed f => f.Material,
            InspectionPassed p => p.Material,
            _ => throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}."),
        };

        if (!_materials.TryGetValue(material, out var definition))
        {
            definition = await ctx.QueryAsync(new GetMaterialQuery(material), ct).ConfigureAwait(false);
            _materials[material] = definition;
        }

        if (definition is not null)
        {
            ctx.SetFact(MaterialFact, definition);
        }
    }

    private void Decide(StepContext ctx)
    {
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {ctx.State.Key} is not known to the orchestrator or the ERP; nothing is planned.", "unknown", []);
            return;
        }

        if (ctx.Event.Data is InspectionPassed)
        {
            ctx.AddDecisions([new Release(lot.Id)], PassedExplanation);
            return;
        }

        var failed = (InspectionFailed)ctx.Event.Data!;
        var site = _sites.TryGetValue(failed.Site, out var profile) ? profile : new SiteProfile { Id = failed.Site, HoldLocation = new BinId("HOLD-" + failed.Site.Value) };
        var material = ctx.GetFact(MaterialFact);
        var decisions = new List<object>(4) { new Block(lot.Id), new MoveToHold(lot.Id, site.Id, site.HoldLocation!.Value), new NotifyBuyer(lot.Id, site.Id, failed.Material) };
        if ((failed.Severity == DefectSeverity.Critical || material?.Criticality == CriticalityClass.A) && (failed.Supplier ?? lot.Supplier) is { } supplier)
        {
            decisions.Add(new SupplierCase(lot.Id, supplier, failed.Material, failed.Severity, failed.DefectDescription));
        }

        ctx.AddDecisions(decisions, FailedExplanation);
    }

    private void Quarantine(Block decision, StepContext ctx)
    {
        var lot = ctx.State.Lot!;
        var before = lot.QuantityIn(StockCategory.QualityInspection);
        var result = LotStockMachine.BlockFromInspection(lot, (ctx.Event.Data as InspectionFailed)?.RejectedQuantity, _lotPolicy, Today(ctx));
        if (!Accepted(ctx, result, out var blocked))
        {
            return;
        }

        ctx.State = ctx.State with { Lot = blocked };
        var moved = before.Subtract(blocked.QuantityIn(StockCategory.QualityInspection));
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => CategoryChange(c, lot, moved, StockCategory.QualityInspection, StockCategory.Blocked));
    }

    private void ReleaseLot(Release decision, StepContext ctx)
    {
        var lot = ctx.State.Lot!;
        var before = lot.QuantityIn(StockCategory.QualityInspection);
        var result = LotStockMachine.ReleaseFromInspection(lot, (ctx.Event.Data as InspectionPassed)?.Quantity, _lotPolicy, Today(ctx));
        if (!Accepted(ctx, result, out var released))
        {
            return;
        }

        ctx.State = ctx.State with { Lot = released };
        var moved = before.Subtract(released.QuantityIn(StockCategory.QualityInspection));
        ctx.Plan(
            CommandKinds.ErpChangeStockCategory,
            c => CategoryChange(c, lot, moved, StockCategory.QualityInspection, StockCategory.Unrestricted),
            compensation: c => CategoryChange(c, lot, moved, StockCategory.Unrestricted, StockCategory.QualityInspection));
    }

    private static void MoveLotToHold(MoveToHold decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.WmsCreateMoveTask, c => new CreateMoveTaskRequest
        {
            Context = c,
            Lot = decision.Lot,
            Site = decision.Site,
            ToBin = decision.HoldBin,
            TargetCategory = StockCategory.Blocked,
        });

    private static void Notify(NotifyBuyer decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Buyer],
            Site = decision.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Supply of {decision.Material} affected",
            Body = $"Lot {decision.Lot} failed incoming inspection and is blocked.",
            Lot = decision.Lot,
        });

    private static void OpenSupplierCase(SupplierCase decision, StepContext ctx) =>
        ctx.Plan(CommandKinds.QmsOpenSupplierCase, c => new OpenSupplierCaseRequest
        {
            Context = c,
            Supplier = decision.Supplier,
            Problem = decision.Problem ?? $"Incoming inspection failed ({decision.Severity}).",
            Lots = [decision.Lot],
            Material = decision.Material,
            Severity = decision.Severity,
        });

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

    internal sealed record Block(LotId Lot);

    internal sealed record Release(LotId Lot);

    internal sealed record MoveToHold(LotId Lot, SiteId Site, BinId HoldBin);

    internal sealed record NotifyBuyer(LotId Lot, SiteId Site, MaterialId Material);

    internal sealed record SupplierCase(LotId Lot, SupplierId Supplier, MaterialId Material, DefectSeverity Severity, string? Problem);
}
