using System.Globalization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>
/// The lot / stock-category machine: decides whether a goods movement may move a quantity out of one bucket
/// (category + ownership + location) of a <see cref="MaterialLot"/> into another, and produces the new lot.
/// </summary>
/// <remarks>
/// <para>
/// The machine's states are <see cref="LotStockState"/> (the stock categories, plus outside the lot and scrapped); a
/// movement is mapped to a source state, a <see cref="LotStockTrigger"/> and a requested target, the trigger is fired
/// from the source state with the lot, movement and <see cref="LotPolicy"/> visible to the guards, and the lot
/// aggregate then moves the quantity between buckets (partial quantities split buckets; equal buckets merge), updates
/// scrapped/consumed totals, quality decision and disposition, and bumps <see cref="MaterialLot.Version"/>.
/// </para>
/// <para>
/// Rules (domain notes §1–2): consumption, goods issue and transfer out only from unrestricted own stock; from quality
/// inspection or blocked stock only a sample, scrap or a count difference may leave the lot; category transfers only
/// QI→unrestricted, QI→blocked, blocked→QI, blocked→unrestricted, unrestricted→blocked, unrestricted→QI and
/// unrestricted↔restricted-use (and QI→restricted-use for a restricted batch); a restricted batch released from QI or
/// blocked lands in restricted-use; quality-inspection stock managed by open inspection lots (<see cref="MaterialLot.Inspections"/>,
/// a QM-active material) leaves inspection only through an inspection lot's usage decision, and a rejecting decision never
/// releases; stock in transit (351) and stock in transfer (303) are unusable until goods receipt or placement (101, 305); vendor consignment must become
/// own stock before it is consumed; a reworked lot needs a new passing inspection (blocked→QI→unrestricted) before
/// release, and until then none of its stock is consumed, issued or transferred out, not even unrestricted stock it already
/// held (<c>lot.reinspection-required</c>, 21 CFR 820.90(b)(2)); expired lots are blocked by <see cref="LotPolicy"/>; scrapped quantity leaves only by an explicit reversal.
/// </para>
/// <para>
/// Threading: the transitions are defined once; a Stateless machine configured from that definition fires every
/// call, one machine per thread (built on the thread's first call, then reused), with the lot, movement and policy
/// read by its guards from the thread's slot. State lives in the <see cref="MaterialLot"/>, never in the machine. All
/// members are safe to call concurrently from many threads. A rejected movement returns a
/// <see cref="TransitionRejection"/>; no exception escapes.
/// </para>
/// </remarks>
public static class LotStockMachine
{
    private static readonly TransitionTable<LotStockState, LotStockTrigger, LotMoveContext> Table = new(Define, ReasonWhenNotPermitted);

    private static readonly HashSet<(LotStockState From, LotStockTrigger Trigger, LotStockState To)> ForwardEdgeSet = ForwardEdges(Table.Transitions);

    /// <summary>
    /// Every forward transition of the table (source, trigger, destination), ignoring guards; internal transitions
    /// appear with source = destination. Each of them can be undone by <see cref="LotStockTrigger.Reverse"/>.
    /// </summary>
    public static IReadOnlyCollection<(LotStockState From, LotStockTrigger Trigger, LotStockState To)> ForwardTransitions => ForwardEdgeSet;

    /// <summary>Applies a goods movement to a lot.</summary>
    /// <param name="lot">The lot as it is now.</param>
    /// <param name="movement">The movement; a reversal carries <see cref="GoodsMovement.ReversalOf"/> and the original's kind, categories and locations.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site, from the caller's <see cref="TimeProvider"/>.</param>
    /// <returns>The new lot (version + 1), or a rejection with a reason code.</returns>
    public static TransitionResult<MaterialLot> Apply(MaterialLot lot, GoodsMovement movement, LotPolicy policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lot);
        ArgumentNullException.ThrowIfNull(movement);
        ArgumentNullException.ThrowIfNull(policy);

        if (movement.Lot != lot.Id)
        {
            return Reject(lot, movement, ReasonCodes.LotUnknown, $"The movement is for lot {movement.Lot}, not {lot.Id}.");
        }

        if (movement.Quantity.Unit != lot.Unit)
        {
            return Reject(lot, movement, ReasonCodes.UnitMismatch, $"The movement is in {movement.Quantity.Unit}; the lot is kept in {lot.Unit}.");
        }

        if (movement.Quantity.IsZero)
        {
            return Reject(lot, movement, ReasonCodes.NonPositiveQuantity, "A goods movement moves a positive quantity.");
        }

        if (UnknownValue(movement) is { } unknown)
        {
            return Reject(lot, movement, ReasonCodes.OutOfRange, unknown);
        }

        if (!TryResolve(movement, out var source, out var trigger, out var requested, out var problem))
        {
            return Reject(lot, movement, ReasonCodes.TransferNotPermitted, problem);
        }

        var isReversal = movement.ReversalOf is not null;
        var context = new LotMoveContext(lot, movement, policy, today, requested);
        var fromState = source;
        var fireTrigger = trigger;
        if (isReversal)
        {
            context.ReversalPermitted = ForwardEdgeSet.Contains((source, trigger, requested))
                || (requested == LotStockState.Unrestricted && ForwardEdgeSet.Contains((source, trigger, LotStockState.RestrictedUse)));
            context.Target = source;

            // A move into unrestricted stock of a restricted batch landed in restricted-use: the reversal takes it from there.
            fromState = requested == LotStockState.Unrestricted && lot.IsRestrictedBatch && ForwardEdgeSet.Contains((source, trigger, LotStockState.RestrictedUse))
                ? LotStockState.RestrictedUse
                : requested;
            fireTrigger = LotStockTrigger.Reverse;
        }

        var outcome = Table.Fire(fromState, fireTrigger, context);
        if (outcome.Rejection is { } rejection)
        {
            if (rejection.ReasonCode == ReasonCodes.UsageDecisionRequired || rejection.ReasonCode == ReasonCodes.UsageDecisionConflict)
            {
                rejection = new TransitionRejection(rejection.ReasonCode, UsageDecisionProblem(lot, movement, context.Inspection), rejection.CurrentState, rejection.Trigger, rejection.PermittedTriggers);
            }

            return TransitionResult<MaterialLot>.Rejected(rejection);
        }

        return Move(lot, movement, trigger, fromState, outcome.State, isReversal);
    }

    /// <summary>Creates a lot from a goods receipt (version 1).</summary>
    /// <param name="receipt">The receipt.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot, or a rejection (for example a receipt into in-transit stock).</returns>
    public static TransitionResult<MaterialLot> Receive(GoodsReceived receipt, LotPolicy policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var lot = new MaterialLot
        {
            Id = receipt.Lot,
            Material = receipt.Material,
            Site = receipt.Site,
            Supplier = receipt.Supplier,
            Unit = receipt.Quantity.Unit,
            ExpiryDate = receipt.ExpiryDate,
            IsRestrictedBatch = receipt.IsRestrictedBatch,
        };
        var movement = new GoodsMovement
        {
            Kind = MovementKind.GoodsReceipt,
            Lot = receipt.Lot,
            Material = receipt.Material,
            Site = receipt.Site,
            Quantity = receipt.Quantity,
            ToCategory = receipt.Category,
            ToOwnership = receipt.Ownership,
            ToLocation = receipt.Location,
        };
        return Apply(lot, movement, policy, today);
    }

    /// <summary>Releases quality-inspection stock after a passing usage decision (SAP 321); a restricted batch lands in restricted-use.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity; all own QI stock when <see langword="null"/>.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> ReleaseFromInspection(MaterialLot lot, Quantity? quantity, LotPolicy policy, DateOnly today) =>
        Transfer(lot, StockCategory.QualityInspection, StockCategory.Unrestricted, quantity, policy, today);

    /// <summary>
    /// Posts the usage decision of an inspection lot: releases its quality-inspection stock (SAP 321 from the usage decision;
    /// D365 quality order passed). A restricted batch lands in restricted-use. When the lot holds no open inspection lots
    /// the reference is ignored and this is a plain release.
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity; all own QI stock when <see langword="null"/>.</param>
    /// <param name="inspectionLot">The inspection lot whose decision this posting carries out.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection (<c>lot.usage-decision-required</c> when the lot's QI stock is managed by other inspection lots).</returns>
    public static TransitionResult<MaterialLot> ReleaseFromInspection(MaterialLot lot, Quantity? quantity, InspectionLotId? inspectionLot, LotPolicy policy, DateOnly today) =>
        Transfer(lot, StockCategory.QualityInspection, StockCategory.Unrestricted, quantity, policy, today, inspectionLot);

    /// <summary>Posts a rejecting usage decision of an inspection lot: blocks its quality-inspection stock (SAP 350 from the usage decision; D365 quality order failed).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity; all own QI stock when <see langword="null"/>.</param>
    /// <param name="inspectionLot">The inspection lot whose decision this posting carries out.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> BlockFromInspection(MaterialLot lot, Quantity? quantity, InspectionLotId? inspectionLot, LotPolicy policy, DateOnly today) =>
        Transfer(lot, StockCategory.QualityInspection, StockCategory.Blocked, quantity, policy, today, inspectionLot);

    /// <summary>
    /// Opens an inspection lot on the lot's quality-inspection stock (SAP: goods receipt of a QM-active material; D365: a
    /// quality order from a quality association): from now on that stock leaves inspection only through the inspection
    /// lot's usage decision.
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="inspectionLot">The inspection lot.</param>
    /// <param name="quantity">The quality-inspection quantity it manages, in the lot's unit; at most the own QI stock no other open inspection lot manages.</param>
    /// <returns>The lot with the inspection lot open and version + 1, or a rejection.</returns>
    public static TransitionResult<MaterialLot> OpenInspection(MaterialLot lot, InspectionLotId inspectionLot, Quantity quantity)
    {
        ArgumentNullException.ThrowIfNull(lot);
        if (quantity.Unit != lot.Unit)
        {
            return Refused(ReasonCodes.UnitMismatch, $"The inspection lot is in {quantity.Unit}; the lot is kept in {lot.Unit}.");
        }

        if (quantity.IsZero)
        {
            return Refused(ReasonCodes.NonPositiveQuantity, "An inspection lot manages a positive quantity.");
        }

        decimal managed = 0;
        foreach (var open in lot.Inspections)
        {
            if (open.Id == inspectionLot)
            {
                return Refused(ReasonCodes.Duplicate, $"Inspection lot {inspectionLot} is already open on lot {lot.Id}.");
            }

            managed += open.Quantity;
        }

        var free = lot.QuantityIn(StockCategory.QualityInspection, StockOwnership.Own).Value - managed;
        if (quantity.Value > free)
        {
            return Refused(ReasonCodes.InsufficientQuantity, string.Create(CultureInfo.InvariantCulture, $"Lot {lot.Id} holds {free} of own quality-inspection stock no other inspection lot manages; cannot open one for {quantity}."));
        }

        return TransitionResult<MaterialLot>.Accepted(lot with
        {
            Inspections = [.. lot.Inspections, new LotInspection { Id = inspectionLot, Quantity = quantity.Value }],
            Version = lot.Version + 1,
        });

        TransitionResult<MaterialLot> Refused(ReasonCode reason, string message) => TransitionResult<MaterialLot>.Rejected(
            new TransitionRejection(reason, $"Opening inspection lot {inspectionLot} on lot {lot.Id} rejected: {message}", nameof(LotStockState.QualityInspection), nameof(OpenInspection), []));
    }

    /// <summary>
    /// Records an inspection lot's usage decision without posting its stock (SAP status SPRQ, stock posting required): the
    /// stock stays in quality inspection and is not released until a posting carries the decision out
    /// (<see cref="ReleaseFromInspection(MaterialLot, Quantity?, InspectionLotId?, LotPolicy, DateOnly)"/> or
    /// <see cref="BlockFromInspection(MaterialLot, Quantity?, InspectionLotId?, LotPolicy, DateOnly)"/>).
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="inspectionLot">The open inspection lot.</param>
    /// <param name="decision">The usage decision.</param>
    /// <returns>The lot with the decision recorded and version + 1, or a rejection (<c>lot.inspection-lot-unknown</c>, or <c>lot.usage-decision-conflict</c> when another decision is recorded).</returns>
    public static TransitionResult<MaterialLot> RecordUsageDecision(MaterialLot lot, InspectionLotId inspectionLot, UsageDecision decision)
    {
        ArgumentNullException.ThrowIfNull(lot);
        var inspections = new List<LotInspection>(lot.Inspections);
        var index = inspections.FindIndex(i => i.Id == inspectionLot);
        if (index < 0)
        {
            return Refused(ReasonCodes.InspectionLotUnknown, $"lot {lot.Id} has no open inspection lot {inspectionLot}{OpenList(lot)}.");
        }

        if (inspections[index].Decision is { } recorded && recorded != decision)
        {
            return Refused(ReasonCodes.UsageDecisionConflict, $"inspection lot {inspectionLot} already carries usage decision {recorded}.");
        }

        inspections[index] = inspections[index] with { Decision = decision, Status = InspectionLotStatus.StockPostingRequired };
        return TransitionResult<MaterialLot>.Accepted(lot with { Inspections = inspections, Version = lot.Version + 1 });

        TransitionResult<MaterialLot> Refused(ReasonCode reason, string message) => TransitionResult<MaterialLot>.Rejected(
            new TransitionRejection(reason, $"Usage decision {decision} rejected: {message}", nameof(LotStockState.QualityInspection), nameof(RecordUsageDecision), []));
    }

    /// <summary>Blocks quality-inspection stock after a failing inspection (SAP 350).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity; all own QI stock when <see langword="null"/>.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> BlockFromInspection(MaterialLot lot, Quantity? quantity, LotPolicy policy, DateOnly today) =>
        Transfer(lot, StockCategory.QualityInspection, StockCategory.Blocked, quantity, policy, today);

    /// <summary>Blocks (quarantines) unrestricted stock (SAP 344).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity; all own unrestricted stock when <see langword="null"/>.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> Block(MaterialLot lot, Quantity? quantity, LotPolicy policy, DateOnly today) =>
        Transfer(lot, StockCategory.Unrestricted, StockCategory.Blocked, quantity, policy, today);

    /// <summary>Releases blocked stock after an MRB decision (SAP 343); refused while the lot needs re-inspection after rework.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity; all own blocked stock when <see langword="null"/>.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> ReleaseFromBlocked(MaterialLot lot, Quantity? quantity, LotPolicy policy, DateOnly today) =>
        Transfer(lot, StockCategory.Blocked, StockCategory.Unrestricted, quantity, policy, today);

    /// <summary>Consumes unrestricted own stock on a production order (SAP 261).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="order">The consuming order.</param>
    /// <param name="quantity">The quantity.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> Consume(MaterialLot lot, OrderId order, Quantity quantity, LotPolicy policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lot);
        return Apply(lot, NewMovement(lot, MovementKind.Consumption, quantity, StockCategory.Unrestricted) with { Order = order }, policy, today);
    }

    /// <summary>Scraps a quantity from a category (SAP 551/553/555).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="from">The category scrapped from.</param>
    /// <param name="quantity">The quantity.</param>
    /// <param name="policy">The lot policy.</param>
    /// <param name="today">Today's date at the site.</param>
    /// <returns>The new lot or a rejection.</returns>
    public static TransitionResult<MaterialLot> Scrap(MaterialLot lot, StockCategory from, Quantity quantity, LotPolicy policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lot);
        return Apply(lot, NewMovement(lot, MovementKind.Scrap, quantity, from), policy, today);
    }

    /// <summary>
    /// Confirms that scrapped stock was physically destroyed: it leaves <see cref="MaterialLot.AwaitingDestruction"/> for
    /// good, and a reversal can no longer bring it back. No stock bucket changes (the scrap posting already took the stock
    /// out of the lot).
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity destroyed, in the lot's unit; at most what awaits destruction.</param>
    /// <returns>The lot with <see cref="MaterialLot.DestroyedQuantity"/> raised and version + 1, or a rejection.</returns>
    public static TransitionResult<MaterialLot> ConfirmDestruction(MaterialLot lot, Quantity quantity)
    {
        ArgumentNullException.ThrowIfNull(lot);
        if (quantity.Unit != lot.Unit)
        {
            return Refused(ReasonCodes.UnitMismatch, $"The destruction is in {quantity.Unit}; the lot is kept in {lot.Unit}.");
        }

        if (quantity.IsZero)
        {
            return Refused(ReasonCodes.NonPositiveQuantity, "A destruction confirms a positive quantity.");
        }

        if (quantity.Value > lot.AwaitingDestruction)
        {
            return Refused(ReasonCodes.InsufficientQuantity, string.Create(CultureInfo.InvariantCulture, $"Only {lot.AwaitingDestruction} of lot {lot.Id} is scrapped and awaiting destruction; cannot confirm {quantity}."));
        }

        return TransitionResult<MaterialLot>.Accepted(lot with { DestroyedQuantity = lot.DestroyedQuantity + quantity.Value, Version = lot.Version + 1 });

        TransitionResult<MaterialLot> Refused(ReasonCode reason, string message) => TransitionResult<MaterialLot>.Rejected(
            new TransitionRejection(reason, $"Destruction of {quantity} on lot {lot.Id} rejected: {message}", nameof(LotStockState.Scrapped), nameof(ConfirmDestruction), []));
    }

    /// <summary>Marks a lot as reworked: it must pass a new inspection (blocked → QI → unrestricted) before release.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>The lot with <see cref="MaterialLot.RequiresReinspection"/> set and version + 1.</returns>
    public static MaterialLot MarkReworked(MaterialLot lot)
    {
        ArgumentNullException.ThrowIfNull(lot);
        return lot with { RequiresReinspection = true, Version = lot.Version + 1 };
    }

    /// <summary>The transition table as a Mermaid state diagram.</summary>
    /// <param name="includeReversals">Whether to draw the <see cref="LotStockTrigger.Reverse"/> edges (one per forward edge, reversed).</param>
    /// <returns>The diagram text.</returns>
    public static string ToMermaid(bool includeReversals = false) =>
        StateGraph.ToMermaid(Table.GetInfo(LotStockState.External), includeReversals ? null : t => t != nameof(LotStockTrigger.Reverse));

    /// <summary>The transition table as Graphviz DOT (Stateless <c>UmlDotGraph</c>).</summary>
    /// <returns>The DOT text.</returns>
    public static string ToDot() => StateGraph.ToDot(Table.GetInfo(LotStockState.External));

    internal static StateMachineInfo GetInfo() => Table.GetInfo(LotStockState.External);

    /// <summary>Maps a stock category to the machine state.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The state.</returns>
    public static LotStockState ToState(StockCategory category) => category switch
    {
        StockCategory.Unrestricted => LotStockState.Unrestricted,
        StockCategory.QualityInspection => LotStockState.QualityInspection,
        StockCategory.Blocked => LotStockState.Blocked,
        StockCategory.RestrictedUse => LotStockState.RestrictedUse,
        StockCategory.InTransit => LotStockState.InTransit,
        StockCategory.InTransfer => LotStockState.InTransfer,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown stock category."),
    };

    private static bool TryCategory(LotStockState state, out StockCategory category)
    {
        switch (state)
        {
            case LotStockState.Unrestricted: category = StockCategory.Unrestricted; return true;
            case LotStockState.QualityInspection: category = StockCategory.QualityInspection; return true;
            case LotStockState.Blocked: category = StockCategory.Blocked; return true;
            case LotStockState.RestrictedUse: category = StockCategory.RestrictedUse; return true;
            case LotStockState.InTransit: category = StockCategory.InTransit; return true;
            case LotStockState.InTransfer: category = StockCategory.InTransfer; return true;
            default: category = default; return false;
        }
    }

    private static TransitionResult<MaterialLot> Transfer(MaterialLot lot, StockCategory from, StockCategory to, Quantity? quantity, LotPolicy policy, DateOnly today, InspectionLotId? inspectionLot = null)
    {
        ArgumentNullException.ThrowIfNull(lot);
        var amount = quantity ?? lot.QuantityIn(from, StockOwnership.Own);
        var movement = NewMovement(lot, MovementKind.CategoryTransfer, amount, from, to) with { InspectionLot = inspectionLot };
        if (amount.IsZero && quantity is null)
        {
            return Reject(lot, movement, ReasonCodes.InsufficientQuantity, $"The lot holds no own {from} stock.");
        }

        return Apply(lot, movement, policy, today);
    }

    private static GoodsMovement NewMovement(MaterialLot lot, MovementKind kind, Quantity quantity, StockCategory? from = null, StockCategory? to = null) => new()
    {
        Kind = kind,
        Lot = lot.Id,
        Material = lot.Material,
        Site = lot.Site,
        Quantity = quantity,
        FromCategory = from,
        ToCategory = to,
    };

    /// <summary>Maps a movement to (source state, trigger, requested target) as if it were a forward movement.</summary>
    private static bool TryResolve(GoodsMovement movement, out LotStockState source, out LotStockTrigger trigger, out LotStockState target, out string problem)
    {
        problem = string.Empty;
        var from = movement.FromCategory is { } f ? ToState(f) : (LotStockState?)null;
        var to = movement.ToCategory is { } t ? ToState(t) : (LotStockState?)null;
        switch (movement.Kind)
        {
            case MovementKind.GoodsReceipt:
                (source, trigger, target) = (LotStockState.External, LotStockTrigger.Receive, to ?? LotStockState.QualityInspection);
                return true;
            case MovementKind.PlantTransferIn:
                (source, trigger, target) = (from ?? LotStockState.InTransit, LotStockTrigger.ReceiveFromTransit, to ?? LotStockState.Unrestricted);
                if (source is not LotStockState.InTransit and not LotStockState.InTransfer)
                {
                    problem = "A plant transfer in receives stock in transit or places stock in transfer.";
                    return false;
                }

                return true;
            case MovementKind.CategoryTransfer:
                source = from ?? LotStockState.External;
                target = to ?? LotStockState.External;
                trigger = LotStockTrigger.Reverse;
                if (from is null || to is null || from == to)
                {
                    problem = "A category transfer needs two different categories.";
                    return false;
                }

                switch (target)
                {
                    case LotStockState.Unrestricted: trigger = LotStockTrigger.ToUnrestricted; return true;
                    case LotStockState.QualityInspection: trigger = LotStockTrigger.ToQualityInspection; return true;
                    case LotStockState.Blocked: trigger = LotStockTrigger.ToBlocked; return true;
                    case LotStockState.RestrictedUse: trigger = LotStockTrigger.ToRestrictedUse; return true;
                    default:
                        problem = "Stock enters transit or transfer only by a plant transfer out.";
                        return false;
                }

            case MovementKind.LocationTransfer:
                source = from ?? to ?? LotStockState.Unrestricted;
                (trigger, target) = (LotStockTrigger.MoveLocation, source);
                if (to is { } toCategory && toCategory != source)
                {
                    problem = "A location transfer keeps the category; use a category transfer.";
                    return false;
                }

                return true;
            case MovementKind.PlantTransferOut:
                (source, trigger, target) = (from ?? LotStockState.Unrestricted, LotStockTrigger.TransferOut, to ?? LotStockState.InTransit);
                if (target is not LotStockState.InTransit and not LotStockState.InTransfer)
                {
                    problem = "A plant transfer out moves stock into stock in transit (351) or stock in transfer (303).";
                    return false;
                }

                return true;
            case MovementKind.Consumption:
                (source, trigger, target) = (from ?? LotStockState.Unrestricted, LotStockTrigger.Consume, LotStockState.External);
                return true;
            case MovementKind.GoodsIssue:
                (source, trigger, target) = (from ?? LotStockState.Unrestricted, LotStockTrigger.Issue, LotStockState.External);
                return true;
            case MovementKind.ReturnToSupplier:
                (source, trigger, target) = (from ?? LotStockState.Unrestricted, LotStockTrigger.ReturnToSupplier, LotStockState.External);
                return true;
            case MovementKind.Scrap:
                (source, trigger, target) = (from ?? LotStockState.Unrestricted, LotStockTrigger.Scrap, LotStockState.Scrapped);
                return true;
            case MovementKind.Sample:
                (source, trigger, target) = (from ?? LotStockState.Unrestricted, LotStockTrigger.Sample, LotStockState.External);
                return true;
            case MovementKind.CountDifference:
                if (movement.IsIncrease)
                {
                    (source, trigger, target) = (LotStockState.External, LotStockTrigger.CountSurplus, to ?? from ?? LotStockState.Unrestricted);
                }
                else
                {
                    (source, trigger, target) = (from ?? to ?? LotStockState.Unrestricted, LotStockTrigger.CountShortage, LotStockState.External);
                }

                return true;
            case MovementKind.ConsignmentToOwn:
                source = from ?? LotStockState.Unrestricted;
                (trigger, target) = (LotStockTrigger.ConsignmentToOwn, source);
                return true;
            default:
                (source, trigger, target) = (LotStockState.External, LotStockTrigger.Reverse, LotStockState.External);
                problem = $"Movement kind {movement.Kind} is not known.";
                return false;
        }
    }

    /// <summary>What is not a defined value among the movement's categories and ownerships, or <see langword="null"/> when all are.</summary>
    private static string? UnknownValue(GoodsMovement movement)
    {
        if (movement.FromCategory is { } from && !Enum.IsDefined(from))
        {
            return $"The movement's from category {from} is not a known stock category.";
        }

        if (movement.ToCategory is { } to && !Enum.IsDefined(to))
        {
            return $"The movement's to category {to} is not a known stock category.";
        }

        if (!Enum.IsDefined(movement.FromOwnership))
        {
            return $"The movement's from ownership {movement.FromOwnership} is not a known stock ownership.";
        }

        return Enum.IsDefined(movement.ToOwnership) ? null : $"The movement's to ownership {movement.ToOwnership} is not a known stock ownership.";
    }

    private static bool ChangesOwnership(GoodsMovement movement) => movement.Kind switch
    {
        MovementKind.GoodsReceipt or MovementKind.ConsignmentToOwn => true,
        MovementKind.CountDifference => movement.IsIncrease,
        _ => false,
    };

    private static TransitionResult<MaterialLot> Move(MaterialLot lot, GoodsMovement movement, LotStockTrigger trigger, LotStockState fromState, LotStockState toState, bool isReversal)
    {
        var amount = movement.Quantity.Value;
        var originalToOwnership = ChangesOwnership(movement) ? movement.ToOwnership : movement.FromOwnership;
        var sourceOwnership = isReversal ? originalToOwnership : movement.FromOwnership;
        var targetOwnership = isReversal ? movement.FromOwnership : originalToOwnership;
        var sourceLocation = isReversal ? movement.ToLocation ?? movement.FromLocation : movement.FromLocation;
        var targetLocation = isReversal ? movement.FromLocation : movement.ToLocation;

        var buckets = new List<StockBucket>(lot.Buckets.Count + 1);
        buckets.AddRange(lot.Buckets);
        var pieces = new List<(StorageLocationId? Location, decimal Amount)>(2);
        var scrapped = lot.ScrappedQuantity;
        var consumed = lot.ConsumedQuantity;

        if (TryCategory(fromState, out var sourceCategory))
        {
            var remaining = amount;
            for (var i = 0; i < buckets.Count && remaining > 0; i++)
            {
                var bucket = buckets[i];
                if (bucket.Category != sourceCategory || bucket.Ownership != sourceOwnership || (sourceLocation is { } l && bucket.Location != l))
                {
                    continue;
                }

                var take = Math.Min(bucket.Quantity.Value, remaining);
                remaining -= take;
                pieces.Add((bucket.Location, take));
                buckets[i] = bucket with { Quantity = new Quantity(bucket.Quantity.Value - take, lot.Unit) };
            }

            if (remaining > 0)
            {
                var reason = ReasonCodes.InsufficientQuantity;
                if (!isReversal && trigger is LotStockTrigger.Consume or LotStockTrigger.Issue or LotStockTrigger.TransferOut
                    && sourceOwnership == StockOwnership.Own && lot.QuantityIn(sourceCategory).Value >= amount)
                {
                    reason = ReasonCodes.ConsignmentNotOwned;
                }

                return Reject(lot, movement, reason, string.Create(CultureInfo.InvariantCulture, $"The lot holds {amount - remaining} of {movement.Quantity} in {sourceOwnership} {sourceCategory} stock{(sourceLocation is { } loc ? $" at {loc}" : string.Empty)}."));
            }
        }
        else
        {
            if (fromState == LotStockState.Scrapped)
            {
                if (scrapped < amount)
                {
                    return Reject(lot, movement, ReasonCodes.ReversalInvalid, string.Create(CultureInfo.InvariantCulture, $"Only {scrapped} of the lot is scrapped; cannot reverse {movement.Quantity}."));
                }

                if (scrapped - lot.DestroyedQuantity < amount)
                {
                    return Reject(lot, movement, ReasonCodes.ReversalInvalid, string.Create(CultureInfo.InvariantCulture, $"Only {scrapped - lot.DestroyedQuantity} of the lot's scrap awaits destruction ({lot.DestroyedQuantity} is destroyed); cannot reverse {movement.Quantity}."));
                }

                scrapped -= amount;
            }
            else if (isReversal && trigger is LotStockTrigger.Consume or LotStockTrigger.Issue)
            {
                if (consumed < amount)
                {
                    return Reject(lot, movement, ReasonCodes.ReversalInvalid, string.Create(CultureInfo.InvariantCulture, $"Only {consumed} of the lot was consumed or issued; cannot reverse {movement.Quantity}."));
                }

                consumed -= amount;
            }

            pieces.Add((targetLocation, amount));
            if (TryCategory(toState, out _) && !FitsIn(TotalOf(buckets), amount))
            {
                return Reject(lot, movement, ReasonCodes.OutOfRange, $"The lot would hold more than {decimal.MaxValue}.");
            }
        }

        if (TryCategory(toState, out var targetCategory))
        {
            foreach (var (location, take) in pieces)
            {
                var added = new StockBucket
                {
                    Category = targetCategory,
                    Ownership = targetOwnership,

                    // Stock in transfer is kept at plant level, without a storage location.
                    Location = targetCategory == StockCategory.InTransfer ? null : targetLocation ?? location,
                    Quantity = new Quantity(take, lot.Unit),
                };
                var merged = false;
                for (var i = 0; i < buckets.Count; i++)
                {
                    if (buckets[i].SameSlotAs(added))
                    {
                        if (!FitsIn(buckets[i].Quantity.Value, take))
                        {
                            return Reject(lot, movement, ReasonCodes.OutOfRange, $"The lot would hold more than {decimal.MaxValue} in one bucket.");
                        }

                        buckets[i] = buckets[i] with { Quantity = new Quantity(buckets[i].Quantity.Value + take, lot.Unit) };
                        merged = true;
                        break;
                    }
                }

                if (!merged)
                {
                    buckets.Add(added);
                }
            }
        }
        else if (toState == LotStockState.Scrapped)
        {
            if (!FitsIn(scrapped, amount))
            {
                return Reject(lot, movement, ReasonCodes.OutOfRange, $"The lot would have scrapped more than {decimal.MaxValue}.");
            }

            scrapped += amount;
        }
        else if (!isReversal && trigger is LotStockTrigger.Consume or LotStockTrigger.Issue)
        {
            if (!FitsIn(consumed, amount))
            {
                return Reject(lot, movement, ReasonCodes.OutOfRange, $"The lot would have consumed or issued more than {decimal.MaxValue}.");
            }

            consumed += amount;
        }

        buckets.RemoveAll(b => b.Quantity.IsZero);

        var decision = lot.QualityDecision;
        var requiresReinspection = lot.RequiresReinspection;
        var restrictedBatch = lot.IsRestrictedBatch;
        if (!isReversal)
        {
            switch (fromState, toState)
            {
                case (LotStockState.QualityInspection, LotStockState.Unrestricted):
                    (decision, requiresReinspection) = (QualityDecision.Accepted, false);
                    break;
                case (LotStockState.QualityInspection, LotStockState.RestrictedUse):
                    (decision, requiresReinspection) = (QualityDecision.AcceptedRestricted, false);
                    break;
                case (LotStockState.QualityInspection, LotStockState.Blocked):
                    decision = QualityDecision.Rejected;
                    break;
                case (LotStockState.Unrestricted, LotStockState.RestrictedUse):
                    restrictedBatch = true;
                    break;
                case (LotStockState.RestrictedUse, LotStockState.Unrestricted):
                    restrictedBatch = false;
                    break;
            }
        }

        var inspections = lot.Inspections.Count == 0 || isReversal ? lot.Inspections : Inspections(lot, movement, fromState, toState, buckets);

        return TransitionResult<MaterialLot>.Accepted(lot with
        {
            Buckets = buckets,
            Inspections = inspections,
            ScrappedQuantity = scrapped,
            ConsumedQuantity = consumed,
            QualityDecision = decision,
            RequiresReinspection = requiresReinspection,
            IsRestrictedBatch = restrictedBatch,
            Disposition = DispositionOf(buckets),
            Version = lot.Version + 1,
        });
    }

    /// <summary>
    /// The lot's open inspection lots after a movement: a usage-decision posting lowers its inspection lot's quantity and
    /// records the decision it carries out (the entry leaves once fully posted); any other movement out of quality
    /// inspection (a sample, scrap, count difference or return) leaves the inspection lots managing at most what remains.
    /// </summary>
    private static IReadOnlyList<LotInspection> Inspections(MaterialLot lot, GoodsMovement movement, LotStockState fromState, LotStockState toState, List<StockBucket> buckets)
    {
        if (fromState != LotStockState.QualityInspection)
        {
            return lot.Inspections;
        }

        var result = new List<LotInspection>(lot.Inspections.Count);
        var posted = movement.Kind == MovementKind.CategoryTransfer && movement.InspectionLot is { } posting ? posting : (InspectionLotId?)null;
        foreach (var inspection in lot.Inspections)
        {
            if (inspection.Id != posted)
            {
                result.Add(inspection);
                continue;
            }

            var left = inspection.Quantity - movement.Quantity.Value;
            if (left > 0)
            {
                result.Add(inspection with { Quantity = left, Decision = inspection.Decision ?? DecisionOf(toState), Status = InspectionLotStatus.StockPostingRequired });
            }
        }

        // What the inspection lots manage never exceeds the own quality-inspection stock left.
        decimal inspectionStock = 0;
        foreach (var bucket in buckets)
        {
            if (bucket.Category == StockCategory.QualityInspection && bucket.Ownership == StockOwnership.Own)
            {
                inspectionStock += bucket.Quantity.Value;
            }
        }

        for (var i = 0; i < result.Count; i++)
        {
            var managed = Math.Min(result[i].Quantity, inspectionStock);
            inspectionStock -= managed;
            result[i] = result[i] with { Quantity = managed };
        }

        result.RemoveAll(static i => i.Quantity <= 0);
        return result;
    }

    private static UsageDecision DecisionOf(LotStockState target) => target switch
    {
        LotStockState.Unrestricted => UsageDecision.Accept,
        LotStockState.RestrictedUse => UsageDecision.AcceptRestricted,
        _ => UsageDecision.Reject,
    };

    /// <summary>Whether <paramref name="total"/> + <paramref name="amount"/> (both non-negative) is still a decimal.</summary>
    private static bool FitsIn(decimal total, decimal amount) => total <= decimal.MaxValue - amount;

    /// <summary>The sum of the buckets, or <see cref="decimal.MaxValue"/> when it is not a decimal (only a lot built outside the machine holds such buckets).</summary>
    private static decimal TotalOf(List<StockBucket> buckets)
    {
        decimal total = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            var value = buckets[i].Quantity.Value;
            if (!FitsIn(total, value))
            {
                return decimal.MaxValue;
            }

            total += value;
        }

        return total;
    }

    private static LotDisposition DispositionOf(List<StockBucket> buckets)
    {
        var hasStock = false;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i].Category == StockCategory.Unrestricted)
            {
                return LotDisposition.Unrestricted;
            }

            hasStock = true;
        }

        return hasStock ? LotDisposition.Restricted : LotDisposition.Closed;
    }

    private static string UsageDecisionProblem(MaterialLot lot, GoodsMovement movement, LotInspection? named)
    {
        var target = movement.ToCategory?.ToString() ?? "another category";
        var what = $"{movement.Kind} of {movement.Quantity} on lot {lot.Id} rejected: ";
        if (named?.Decision is { } decision)
        {
            return what + $"inspection lot {named.Id} carries usage decision {decision}, which does not post stock to {target}.";
        }

        var reference = movement.InspectionLot is { } id ? $"inspection lot {id} is not open on the lot" : "no inspection lot was named";
        return what + $"its quality-inspection stock is managed by{OpenList(lot)} and leaves inspection only through a usage decision; {reference}.";
    }

    private static string OpenList(MaterialLot lot)
    {
        if (lot.Inspections.Count == 0)
        {
            return string.Empty;
        }

        var names = new string[lot.Inspections.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = lot.Inspections[i].Id.Value;
        }

        return " open inspection lot(s) " + string.Join(", ", names);
    }

    private static TransitionResult<MaterialLot> Reject(MaterialLot lot, GoodsMovement movement, ReasonCode reason, string message) =>
        TransitionResult<MaterialLot>.Rejected(new TransitionRejection(
            reason,
            $"{movement.Kind} of {movement.Quantity} on lot {lot.Id} rejected: {message}",
            movement.FromCategory?.ToString() ?? LotStockState.External.ToString(),
            movement.Kind.ToString(),
            []));

    private static ReasonCode ReasonWhenNotPermitted(LotStockState state, LotStockTrigger trigger)
    {
        var isWithdrawal = trigger is LotStockTrigger.Consume or LotStockTrigger.Issue or LotStockTrigger.TransferOut;
        return state switch
        {
            LotStockState.Scrapped => ReasonCodes.LotScrapped,
            LotStockState.InTransit => ReasonCodes.InTransitNotUsable,
            LotStockState.InTransfer => ReasonCodes.InTransferNotUsable,
            _ when trigger == LotStockTrigger.Reverse => ReasonCodes.ReversalInvalid,
            _ when isWithdrawal => ReasonCodes.WithdrawalNotUnrestricted,
            _ when trigger is LotStockTrigger.ToUnrestricted or LotStockTrigger.ToQualityInspection or LotStockTrigger.ToBlocked or LotStockTrigger.ToRestrictedUse => ReasonCodes.TransferNotPermitted,
            _ => ReasonCodes.TransitionNotPermitted,
        };
    }

    /// <summary>The forward edges among <paramref name="transitions"/>: every one but the reversals.</summary>
    private static HashSet<(LotStockState From, LotStockTrigger Trigger, LotStockState To)> ForwardEdges(IEnumerable<TransitionTable<LotStockState, LotStockTrigger, LotMoveContext>.Transition> transitions)
    {
        var edges = new HashSet<(LotStockState From, LotStockTrigger Trigger, LotStockState To)>();
        foreach (var transition in transitions)
        {
            if (transition.Trigger == LotStockTrigger.Reverse)
            {
                continue;
            }

            foreach (var to in transition.PossibleDestinations)
            {
                edges.Add((transition.From, transition.Trigger, to));
            }
        }

        return edges;
    }

    private static void Define(TransitionTable<LotStockState, LotStockTrigger, LotMoveContext> machine)
    {
        var own = Guard(static c => c.Movement.FromOwnership == StockOwnership.Own, ReasonCodes.ConsignmentNotOwned);
        var notCustomerOwned = Guard(static c => c.Movement.FromOwnership != StockOwnership.CustomerConsignment, ReasonCodes.ConsignmentNotOwned);
        var vendorToOwn = Guard(static c => c.Movement.FromOwnership == StockOwnership.VendorConsignment && c.Movement.ToOwnership == StockOwnership.Own, ReasonCodes.TransitionNotPermitted);
        var notExpired = Guard(static c => !c.Policy.IsExpiredForUse(c.Lot, c.Today), ReasonCodes.LotExpired);
        var notOnHold = Guard(static c => c.Lot.Holds.Count == 0, ReasonCodes.LotOnHold);
        var noReinspectionPending = Guard(static c => !c.Lot.RequiresReinspection, ReasonCodes.ReinspectionRequired);
        var restrictedBatchRelease = Guard(static c => !c.Lot.IsRestrictedBatch || c.Policy.RestrictedBatchReleaseLandsInRestrictedUse, ReasonCodes.RestrictedBatch);
        var intoStock = Guard(static c => c.Target is LotStockState.Unrestricted or LotStockState.QualityInspection or LotStockState.Blocked or LotStockState.RestrictedUse, ReasonCodes.TransferNotPermitted);
        var reversal = Guard(static c => c.ReversalPermitted, ReasonCodes.ReversalInvalid);

        // Quality-inspection stock managed by open inspection lots leaves inspection only through a usage decision
        // (SAP QM; D365 quality order), and a rejecting decision never releases.
        var usageDecisionNamed = Guard(static c => c.Lot.Inspections.Count == 0 || c.Inspection is not null, ReasonCodes.UsageDecisionRequired);
        var usageDecisionAgrees = Guard(static c => c.Inspection?.Decision is not { } decision || PostingAgrees(decision, c.Target), ReasonCodes.UsageDecisionConflict);

        // A restricted batch entering unrestricted stock lands in restricted-use (SAP batch status management).
        static LotStockState ReleaseTarget(LotMoveContext c) => c.Lot.IsRestrictedBatch ? LotStockState.RestrictedUse : LotStockState.Unrestricted;
        static LotStockState RequestedTarget(LotMoveContext c) => c.Target == LotStockState.Unrestricted ? ReleaseTarget(c) : c.Target;
        static LotStockState TransferTarget(LotMoveContext c) => c.Target == LotStockState.InTransfer ? LotStockState.InTransfer : LotStockState.InTransit;

        var release = new DynamicStateInfos
        {
            { LotStockState.Unrestricted, "batch unrestricted" },
            { LotStockState.RestrictedUse, "batch restricted" },
        };
        var transfer = new DynamicStateInfos
        {
            { LotStockState.InTransit, "stock in transit (351)" },
            { LotStockState.InTransfer, "stock in transfer (303)" },
        };
        var intoAnyStock = new DynamicStateInfos
        {
            { LotStockState.Unrestricted, "into unrestricted" },
            { LotStockState.QualityInspection, "into QI" },
            { LotStockState.Blocked, "into blocked" },
            { LotStockState.RestrictedUse, "into restricted-use" },
        };

        machine.Configure(LotStockState.External)
            .PermitDynamicIf(LotStockTrigger.Receive, RequestedTarget, "the receiving category", intoAnyStock, intoStock)
            .PermitDynamicIf(LotStockTrigger.CountSurplus, RequestedTarget, "the counted category", intoAnyStock, intoStock);

        machine.Configure(LotStockState.InTransit)
            .PermitDynamicIf(LotStockTrigger.ReceiveFromTransit, RequestedTarget, "the receiving category", intoAnyStock, intoStock);

        machine.Configure(LotStockState.InTransfer)
            .PermitDynamicIf(LotStockTrigger.ReceiveFromTransit, RequestedTarget, "the receiving category", intoAnyStock, intoStock);

        machine.Configure(LotStockState.Unrestricted)
            .Permit(LotStockTrigger.ToQualityInspection, LotStockState.QualityInspection)
            .Permit(LotStockTrigger.ToBlocked, LotStockState.Blocked)
            .Permit(LotStockTrigger.ToRestrictedUse, LotStockState.RestrictedUse)
            .InternalTransition(LotStockTrigger.MoveLocation)
            .InternalTransitionIf(LotStockTrigger.ConsignmentToOwn, vendorToOwn)
            .PermitDynamicIf(LotStockTrigger.TransferOut, TransferTarget, "the transfer stock", transfer, own, notOnHold, notExpired, noReinspectionPending)
            .PermitIf(LotStockTrigger.Consume, LotStockState.External, own, notOnHold, notExpired, noReinspectionPending)
            .PermitIf(LotStockTrigger.Issue, LotStockState.External, own, notOnHold, notExpired, noReinspectionPending)
            .PermitIf(LotStockTrigger.ReturnToSupplier, LotStockState.External, notCustomerOwned)
            .Permit(LotStockTrigger.Sample, LotStockState.External)
            .Permit(LotStockTrigger.Scrap, LotStockState.Scrapped)
            .Permit(LotStockTrigger.CountShortage, LotStockState.External);

        machine.Configure(LotStockState.QualityInspection)
            .PermitDynamicIf(LotStockTrigger.ToUnrestricted, ReleaseTarget, "usage decision accept", release, usageDecisionNamed, usageDecisionAgrees, restrictedBatchRelease, notExpired)
            .PermitIf(LotStockTrigger.ToRestrictedUse, LotStockState.RestrictedUse, usageDecisionNamed, usageDecisionAgrees, notExpired)
            .PermitIf(LotStockTrigger.ToBlocked, LotStockState.Blocked, usageDecisionNamed, usageDecisionAgrees)
            .InternalTransition(LotStockTrigger.MoveLocation)
            .PermitIf(LotStockTrigger.ReturnToSupplier, LotStockState.External, notCustomerOwned)
            .Permit(LotStockTrigger.Sample, LotStockState.External)
            .Permit(LotStockTrigger.Scrap, LotStockState.Scrapped)
            .Permit(LotStockTrigger.CountShortage, LotStockState.External);

        machine.Configure(LotStockState.Blocked)
            .PermitDynamicIf(LotStockTrigger.ToUnrestricted, ReleaseTarget, "MRB release", release, noReinspectionPending, restrictedBatchRelease, notExpired)
            .Permit(LotStockTrigger.ToQualityInspection, LotStockState.QualityInspection)
            .InternalTransition(LotStockTrigger.MoveLocation)
            .PermitIf(LotStockTrigger.ReturnToSupplier, LotStockState.External, notCustomerOwned)
            .Permit(LotStockTrigger.Sample, LotStockState.External)
            .Permit(LotStockTrigger.Scrap, LotStockState.Scrapped)
            .Permit(LotStockTrigger.CountShortage, LotStockState.External);

        machine.Configure(LotStockState.RestrictedUse)
            .PermitIf(LotStockTrigger.ToUnrestricted, LotStockState.Unrestricted, noReinspectionPending, notExpired)
            .InternalTransition(LotStockTrigger.MoveLocation)
            .PermitIf(LotStockTrigger.ReturnToSupplier, LotStockState.External, notCustomerOwned)
            .Permit(LotStockTrigger.Sample, LotStockState.External)
            .Permit(LotStockTrigger.Scrap, LotStockState.Scrapped)
            .Permit(LotStockTrigger.CountShortage, LotStockState.External);

        machine.Configure(LotStockState.Scrapped);

        // Every forward edge defined above can be undone by an explicit reversal; it is the only way out of Scrapped.
        var reverseTargets = new Dictionary<LotStockState, DynamicStateInfos>();
        foreach (var (from, _, to) in ForwardEdges(machine.Transitions).OrderBy(e => e.From).ThenBy(e => e.Trigger))
        {
            if (!reverseTargets.TryGetValue(to, out var infos))
            {
                infos = [];
                reverseTargets[to] = infos;
            }

            if (!infos.Any(i => i.DestinationState == from.ToString()))
            {
                infos.Add(from, $"reverses a move from {from}");
            }
        }

        foreach (var state in Enum.GetValues<LotStockState>())
        {
            var targets = reverseTargets.TryGetValue(state, out var infos) ? infos : [];
            machine.Configure(state).PermitDynamicIf(LotStockTrigger.Reverse, static c => c.Target, "the original source", targets, reversal);
        }
    }

    private static TransitionGuard<LotMoveContext> Guard(Func<LotMoveContext, bool> check, ReasonCode reason) => new(check, reason);

    /// <summary>Whether a posting into <paramref name="target"/> carries out <paramref name="decision"/>: a rejection never releases, a restricted acceptance never into unrestricted stock.</summary>
    private static bool PostingAgrees(UsageDecision decision, LotStockState target) => decision switch
    {
        UsageDecision.Reject => target == LotStockState.Blocked,
        UsageDecision.AcceptRestricted => target != LotStockState.Unrestricted,
        _ => true,
    };
}

/// <summary>What the lot machine's guards see during one call.</summary>
internal sealed class LotMoveContext
{
    public LotMoveContext(MaterialLot lot, GoodsMovement movement, LotPolicy policy, DateOnly today, LotStockState target)
    {
        Lot = lot;
        Movement = movement;
        Policy = policy;
        Today = today;
        Target = target;
        if (movement.InspectionLot is { } inspectionLot)
        {
            foreach (var inspection in lot.Inspections)
            {
                if (inspection.Id == inspectionLot)
                {
                    Inspection = inspection;
                    break;
                }
            }
        }
    }

    public MaterialLot Lot { get; }

    /// <summary>The open inspection lot of the lot that the movement names, if any.</summary>
    public LotInspection? Inspection { get; }

    public GoodsMovement Movement { get; }

    public LotPolicy Policy { get; }

    public DateOnly Today { get; }

    /// <summary>The requested destination (for dynamic transitions) or, for a reversal, the original source.</summary>
    public LotStockState Target { get; set; }

    public bool ReversalPermitted { get; set; }
}
