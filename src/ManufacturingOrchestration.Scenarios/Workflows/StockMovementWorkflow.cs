using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Stock movements posted outside the orchestrator (<see cref="LotConsumed"/>, <see cref="StockMoved"/>): the
/// orchestrator's copy of the lot follows each of them through the lot machine, so the decisions taken later (a failed
/// inspection, a release, a count) read the stock as it is. Each event is the record of a posting the ERP already made,
/// so nothing is sent back to it.
/// </summary>
/// <remarks>
/// <para>
/// A lot the orchestrator does not know yet is read from the ERP as it is now, which already includes the posting the
/// event records (the engine's first-touch read is skipped for these events, so the posting is never counted twice).
/// </para>
/// <para>
/// A movement the lot machine refuses means the copy and the ERP disagree (an event was missed, or arrived out of
/// order): the lot is read again from the ERP and the ERP's lot is kept, with the refusal audited (<c>lot-refreshed</c>).
/// Without an ERP that answers <see cref="QueryKinds.ErpGetLot"/>, the refusal is recorded as a rejected transition and
/// the copy stays as it was.
/// </para>
/// </remarks>
public static class StockMovementWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "stock-movement";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The lot policy and sites.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("A consumption or stock movement posted in the ERP → the orchestrator's copy of the lot follows it through the lot machine (read again from the ERP when they disagree).")
            .TriggeredBy(EventTypes.LotConsumed, EventTypes.StockMoved)
            .UsesIfAvailable(QueryKinds.ErpGetLot)
            .Step("follow-lot", WorkflowStepKind.Transition, (ctx, ct) => FollowAsync(services, ctx, ct))
            .Build();
    }

    private static async ValueTask FollowAsync(ScenarioServices services, StepContext ctx, CancellationToken ct)
    {
        var movement = ctx.Event.Data switch
        {
            LotConsumed consumed => new GoodsMovement
            {
                Kind = MovementKind.Consumption,
                Lot = consumed.Lot,
                Material = consumed.Material,
                Site = consumed.Site,
                Quantity = consumed.Quantity,
                FromCategory = StockCategory.Unrestricted,
                Order = consumed.Order,
            },
            StockMoved moved => moved.Movement,
            _ => throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}."),
        };

        if (ctx.State.Lot is not { } known)
        {
            if (await ReadFromErpAsync(ctx, movement.Lot, ct).ConfigureAwait(false) is { } read)
            {
                ctx.State = ctx.State with { Lot = read };
                ctx.Audit("lot-read", $"Lot {movement.Lot} was not known yet: read from the ERP as it is after this {movement.Kind} (version {read.Version}).");
                return;
            }

            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {movement.Lot} is not known to the orchestrator or the ERP; its {movement.Kind} is not recorded.", "unknown", []);
            return;
        }

        var result = LotStockMachine.Apply(known, movement, services.LotPolicy, ScenarioFacts.Today(services, ctx, known.Site));
        if (result.IsAccepted)
        {
            ctx.State = ctx.State with { Lot = result.Value };
            return;
        }

        var refusal = result.Rejection!;
        if (await ReadFromErpAsync(ctx, movement.Lot, ct).ConfigureAwait(false) is { } current)
        {
            ctx.State = ctx.State with { Lot = current };
            ctx.Audit("lot-refreshed", $"{refusal.ReasonCode.Code}: the {movement.Kind} of {movement.Quantity} does not fit the orchestrator's copy of lot {movement.Lot} ({refusal.Message}); the lot was read again from the ERP (version {current.Version}).");
            return;
        }

        ctx.Accept(result, out _);
    }

    private static async ValueTask<MaterialLot?> ReadFromErpAsync(StepContext ctx, LotId lot, CancellationToken ct) =>
        ctx.Supports(QueryKinds.ErpGetLot) ? await ctx.QueryAsync(new GetLotQuery(lot), ct).ConfigureAwait(false) : null;
}
