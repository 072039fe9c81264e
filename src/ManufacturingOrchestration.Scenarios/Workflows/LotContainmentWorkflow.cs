using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 1, containment through genealogy: a lot made from a failed lot (<see cref="LotContainmentRequested"/>, in
/// the produced lot's own partition, emitted by the incoming-inspection workflow or by this one a level up) is blocked
/// and held, and the walk goes on to whatever consumed it.
/// </summary>
/// <remarks>
/// <para>
/// Block: every own stock the lot holds outside blocked stock is blocked in the ERP through the lot machine, so the
/// orchestrator's copy follows — unrestricted → blocked (SAP 344), quality inspection → blocked (350), restricted-use →
/// unrestricted → blocked (342, then 344; the category table has no direct move). Restricted-use stock of a restricted
/// batch cannot leave restricted-use in one posting the ERP accepts, so it is left and a quality engineer is asked to
/// block it. Hold: the blocked quantity is moved to the site's hold location in the WMS (a bin move of blocked stock,
/// after the ERP posting reached the WMS). The lot gets a containment hold, and the audit names the failed origin lot
/// and the genealogy path. A lot without own stock left (fully consumed or shipped) is audited as having nothing to
/// block and is still walked.
/// </para>
/// <para>
/// Walk: when the lot was (partly) consumed, its consumers are read from the MES (<see cref="QueryKinds.MesGetConsumers"/>):
/// the consuming orders are held and a containment check is requested, and each produced lot is asked to contain
/// itself in turn (<see cref="GenealogyContainment"/>). A lot already contained stops the walk; a produced lot already on
/// the path (a genealogy cycle) is not followed again. A consumed lot without known consumers is escalated to quality
/// engineering (where did it go?).
/// </para>
/// </remarks>
public static class LotContainmentWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "lot-containment";

    private static readonly StockCategory[] Blockable = [StockCategory.Unrestricted, StockCategory.QualityInspection, StockCategory.RestrictedUse];

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The sites and lot policy.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Lot made from a failed lot → blocked in the ERP, moved to hold in the WMS, its consumers contained in turn.")
            .TriggeredBy(EventTypes.LotContainmentRequested)
            .Requires(CommandKinds.ErpChangeStockCategory, CommandKinds.WmsCreateMoveTask, CommandKinds.MesHoldWorkOrder, CommandKinds.MesRequestContainmentCheck, CommandKinds.NotificationSend)
            .UsesIfAvailable(QueryKinds.MesGetConsumers)
            .Step("block-and-hold", WorkflowStepKind.Transition, ctx => BlockAndHold(services, ctx))
            .Step("follow-genealogy", WorkflowStepKind.Enrich, FollowGenealogyAsync)
            .Build();
    }

    private static void BlockAndHold(ScenarioServices services, StepContext ctx)
    {
        var request = ctx.Event.Data as LotContainmentRequested ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
        if (ctx.State.Lot is not { } lot)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {request.Lot} (made from failed lot {request.OriginLot}: {GenealogyContainment.Describe(request.Path)}) is not known to the orchestrator or the ERP; nothing is contained.", "unknown", []);
            return;
        }

        var origin = $"made from failed lot {request.OriginLot} ({GenealogyContainment.Describe(request.Path)}{(request.ProducedBy is { } order ? $", by order {order}" : string.Empty)}){(request.Reason is { } reason ? $": {reason}" : string.Empty)}";
        if (GenealogyContainment.IsContained(lot))
        {
            ctx.Audit("already-contained", $"Lot {lot.Id} is already under containment ({string.Join(", ", lot.Holds)}); reached again as {origin}, the walk stops here.");
            ctx.Stop();
            return;
        }

        var today = ScenarioFacts.Today(services, ctx, lot.Site);
        var current = lot;
        var blocked = new List<string>();
        decimal total = 0;
        foreach (var category in Blockable)
        {
            var own = current.QuantityIn(category, StockOwnership.Own);
            if (own.IsZero)
            {
                continue;
            }

            if (category == StockCategory.RestrictedUse && current.IsRestrictedBatch)
            {
                AskToBlockRestrictedBatch(ctx, current, own, origin);
                continue;
            }

            if (!Block(services, ctx, ref current, category, own, today))
            {
                return;
            }

            blocked.Add(string.Create(CultureInfo.InvariantCulture, $"{own.Value} {own.Unit} {category}"));
            total += own.Value;
        }

        ctx.State = ctx.State with { Lot = GenealogyContainment.WithContainmentHold(current, request.OriginLot) };
        if (total == 0)
        {
            ctx.Audit("nothing-to-block", $"Lot {lot.Id}, {origin}, holds no own unrestricted, quality-inspection or restricted-use stock (consumed {lot.ConsumedQuantity.ToString(CultureInfo.InvariantCulture)} {lot.Unit}, blocked {lot.QuantityIn(StockCategory.Blocked).Value.ToString(CultureInfo.InvariantCulture)}): nothing to block; its genealogy is still followed.");
            return;
        }

        var holdBin = services.Sites.TryGet(lot.Site, out var profile) && profile.HoldLocation is { } bin ? bin : SiteDirectory.DefaultHoldLocation(lot.Site);
        var quantity = new Quantity(total, lot.Unit);
        ctx.Plan(CommandKinds.WmsCreateMoveTask, c => new CreateMoveTaskRequest
        {
            Context = c,
            Lot = lot.Id,
            Site = lot.Site,
            ToBin = holdBin,
            Quantity = quantity,
            SourceCategory = StockCategory.Blocked,
            TargetCategory = StockCategory.Blocked,
        });
        ctx.Audit("contained", $"Lot {lot.Id}, {origin}: blocked {string.Join(", ", blocked)} and moved to hold location {holdBin}.");
    }

    /// <summary>Blocks all own stock of one category through the lot machine and plans the ERP posting(s); false when the machine refused.</summary>
    private static bool Block(ScenarioServices services, StepContext ctx, ref MaterialLot lot, StockCategory category, Quantity quantity, DateOnly today)
    {
        var before = lot;
        if (category == StockCategory.RestrictedUse)
        {
            // No direct restricted-use → blocked move: back to unrestricted (342), then blocked (344) in the same step.
            var unrestricted = LotStockMachine.Apply(lot, new GoodsMovement
            {
                Kind = MovementKind.CategoryTransfer,
                Lot = lot.Id,
                Material = lot.Material,
                Site = lot.Site,
                Quantity = quantity,
                FromCategory = StockCategory.RestrictedUse,
                ToCategory = StockCategory.Unrestricted,
            }, services.LotPolicy, today);
            if (!ctx.Accept(unrestricted, out var released))
            {
                return false;
            }

            ctx.Plan(CommandKinds.ErpChangeStockCategory, c => ScenarioCommands.CategoryChange(c, before, quantity, StockCategory.RestrictedUse, StockCategory.Unrestricted));
            lot = released;
            category = StockCategory.Unrestricted;
            before = released;
        }

        var result = category == StockCategory.QualityInspection
            ? LotStockMachine.BlockFromInspection(lot, quantity, services.LotPolicy, today)
            : LotStockMachine.Block(lot, quantity, services.LotPolicy, today);
        if (!ctx.Accept(result, out var blocked))
        {
            return false;
        }

        var from = category;
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => ScenarioCommands.CategoryChange(c, before, quantity, from, StockCategory.Blocked));
        lot = blocked;
        return true;
    }

    private static void AskToBlockRestrictedBatch(StepContext ctx, MaterialLot lot, Quantity quantity, string origin) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.QualityEngineer],
            Site = lot.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Block restricted batch {lot.Id}: under containment",
            Body = string.Create(CultureInfo.InvariantCulture, $"Lot {lot.Id}, {origin}, is a restricted batch holding {quantity.Value} {quantity.Unit} in restricted-use stock, which the ERP does not move to blocked stock in one posting: block it by hand."),
            Lot = lot.Id,
        });

    private static async ValueTask FollowGenealogyAsync(StepContext ctx, CancellationToken ct)
    {
        var request = (LotContainmentRequested)ctx.Event.Data;
        if (ctx.State.Lot is not { IsPartiallyConsumed: true } lot || !ctx.Supports(QueryKinds.MesGetConsumers))
        {
            return;
        }

        var links = await ctx.QueryAsync(new GetConsumersQuery(lot.Id), ct).ConfigureAwait(false);
        if (links.Count == 0)
        {
            ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
            {
                Context = c,
                Roles = [Role.QualityEngineer],
                Site = lot.Site,
                Severity = NotificationSeverity.Alert,
                Subject = $"Lot {lot.Id} under containment was used or shipped",
                Body = string.Create(CultureInfo.InvariantCulture, $"Lot {lot.Id} (made from failed lot {request.OriginLot}: {GenealogyContainment.Describe(request.Path)}) was consumed or shipped ({lot.ConsumedQuantity} {lot.Unit}) but the MES knows no consumer: find where it went."),
                Lot = lot.Id,
            });
            return;
        }

        var orders = links.Select(l => l.Order).Distinct().ToList();
        var produced = links.Where(l => l.ProducedLot is not null).Select(l => l.ProducedLot!.Value).Distinct().ToList();
        GenealogyContainment.ContainConsumers(ctx, lot.Id, request.Site, request.Path, orders, produced, links, request.Reason);
    }
}
