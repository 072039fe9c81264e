using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// One step of the containment walk through genealogy, shared by the failed lot (incoming inspection) and every produced
/// lot reached from it (<see cref="LotContainmentWorkflow"/>): the orders that consumed the lot are held in the MES and
/// the hold is mirrored in each order's own partition (<see cref="WorkOrderHeld"/>); a containment check is requested;
/// each lot produced from it is asked to contain itself in its own partition (<see cref="LotContainmentRequested"/>).
/// </summary>
/// <remarks>
/// The walk ends: a produced lot already on the path (a genealogy cycle) is audited and not followed; a lot's
/// containment request has an id made of the origin and the lot only, so a lot reached twice from one origin (a cycle
/// the path cannot see, or two branches meeting) is de-duplicated when the second request is accepted; and a lot already
/// contained stops the walk there (<see cref="IsContained"/>).
/// </remarks>
internal static class GenealogyContainment
{
    /// <summary>The source of the follow-up events the walk emits.</summary>
    public const string EventSource = "mo://containment";

    /// <summary>The lot hold a containment adds (followed by the origin lot), the mark that stops a later walk at the lot.</summary>
    private const string HoldPrefix = "containment: failed lot ";

    /// <summary>Whether the orchestrator's lot is already under containment.</summary>
    public static bool IsContained(MaterialLot lot) => lot.Holds.Any(h => h.StartsWith(HoldPrefix, StringComparison.Ordinal));

    /// <summary>The lot with the containment hold of <paramref name="origin"/> added.</summary>
    public static MaterialLot WithContainmentHold(MaterialLot lot, LotId origin) => lot with { Holds = [.. lot.Holds, HoldPrefix + origin.Value] };

    /// <summary>The path as text, origin first.</summary>
    public static string Describe(IReadOnlyList<LotId> path) => string.Join(" → ", path.Select(l => l.Value));

    /// <summary>
    /// Contains what consumed <paramref name="lot"/>: holds the consuming orders in the MES, mirrors each hold into the
    /// order's partition, requests a containment check of them, and asks each produced lot not yet on the path to contain
    /// itself.
    /// </summary>
    /// <param name="ctx">The step (of the lot's partition).</param>
    /// <param name="lot">The lot whose consumers are contained.</param>
    /// <param name="site">The site.</param>
    /// <param name="path">The genealogy path from the failed origin lot (first) to <paramref name="lot"/> (last).</param>
    /// <param name="orders">The orders that consumed the lot.</param>
    /// <param name="producedLots">The lots produced from it.</param>
    /// <param name="links">The genealogy links, which name the order that made each produced lot.</param>
    /// <param name="reason">Why the origin failed.</param>
    public static void ContainConsumers(
        StepContext ctx, LotId lot, SiteId site, IReadOnlyList<LotId> path, IReadOnlyList<OrderId> orders, IReadOnlyList<LotId> producedLots, IReadOnlyList<GenealogyLink> links, string? reason)
    {
        var origin = path[0];
        var holdReason = lot == origin ? $"containment of failed lot {origin}" : $"containment of lot {lot} (made from failed lot {origin}: {Describe(path)})";
        foreach (var order in orders.Distinct())
        {
            ctx.Plan(CommandKinds.MesHoldWorkOrder, c => new HoldWorkOrderRequest { Context = c, Order = order, Lot = lot });
            ctx.Emit(new EventEnvelope
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"hold/{order.Value}/{ctx.EventKey.Source}/{ctx.EventKey.Id}"),
                Source = EventSource,
                Type = EventTypes.WorkOrderHeld,
                Subject = order.Value,
                Time = ctx.Now,
                Site = site,
                Data = new WorkOrderHeld { Order = order, Site = site, Lot = lot, Reason = holdReason },
            });
        }

        if (orders.Count > 0)
        {
            ctx.Plan(CommandKinds.MesRequestContainmentCheck, c => new RequestContainmentCheckRequest { Context = c, Lot = lot, Orders = [.. orders.Distinct()] });
        }

        foreach (var produced in producedLots.Distinct())
        {
            if (path.Contains(produced))
            {
                ctx.Audit("genealogy-cycle", $"Lot {produced} was made from lot {lot} but is already on the containment path {Describe(path)}: not followed again.");
                continue;
            }

            ctx.Emit(new EventEnvelope
            {
                Id = $"contain/{origin.Value}/{produced.Value}",
                Source = EventSource,
                Type = EventTypes.LotContainmentRequested,
                Subject = produced.Value,
                Time = ctx.Now,
                Site = site,
                Data = new LotContainmentRequested
                {
                    Lot = produced,
                    Site = site,
                    OriginLot = origin,
                    Path = [.. path, produced],
                    ProducedBy = links.FirstOrDefault(l => l.ComponentLot == lot && l.ProducedLot == produced)?.Order,
                    Reason = reason,
                },
            });
        }
    }
}
