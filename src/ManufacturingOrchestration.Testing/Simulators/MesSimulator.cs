using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// A stateful in-memory MES: work orders with holds, containment checks, production confirmations (decided by
/// <see cref="ProductionOrderMachine"/>: refused on held, created, closed or cancelled work orders) and lot genealogy (which work orders consumed which lots, and how
/// much). Thread-safe, with a lock per work order.
/// </summary>
public sealed class MesSimulator : AdapterSimulator,
    ICommandHandler<HoldWorkOrderRequest>,
    ICommandHandler<ReleaseWorkOrderRequest>,
    ICommandHandler<RequestContainmentCheckRequest>,
    ICommandHandler<RecordProductionConfirmationRequest>,
    IQueryHandler<GetConsumersQuery, IReadOnlyList<GenealogyLink>>,
    IQueryHandler<GetComponentsQuery, IReadOnlyList<GenealogyLink>>,
    IQueryHandler<TraceForwardQuery, GenealogyTrace>,
    IQueryHandler<TraceBackwardQuery, GenealogyTrace>,
    IQueryHandler<GetWorkOrderQuery, ProductionOrder?>
{
    private readonly ConcurrentDictionary<OrderId, OrderState> _orders = new();
    private readonly ConcurrentDictionary<LotId, ConcurrentQueue<GenealogyLink>> _byComponent = new();
    private readonly ConcurrentDictionary<LotId, ConcurrentQueue<GenealogyLink>> _byProduced = new();
    private readonly ConcurrentQueue<ContainmentCheck> _checks = new();
    private readonly Lock _unknownGate = new();
    private readonly Func<HoldWorkOrderRequest, CommandPlan> _hold;
    private readonly Func<ReleaseWorkOrderRequest, CommandPlan> _release;
    private readonly Func<RequestContainmentCheckRequest, CommandPlan> _containment;
    private readonly Func<RecordProductionConfirmationRequest, CommandPlan> _confirm;

    /// <summary>Creates an empty MES.</summary>
    /// <param name="options">The clock, faults and effects log; defaults when <see langword="null"/>.</param>
    public MesSimulator(SimulatorOptions? options = null)
        : base(CommandKinds.MesSystem, options)
    {
        _hold = PlanHold;
        _release = PlanRelease;
        _containment = PlanContainment;
        _confirm = PlanConfirmation;
    }

    /// <summary>Adds or replaces a work order.</summary>
    /// <param name="order">The work order.</param>
    /// <returns>This simulator.</returns>
    public MesSimulator AddWorkOrder(ProductionOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        _orders[order.Id] = new OrderState(order);
        return this;
    }

    /// <summary>Adds a genealogy link (a lot consumed by a work order).</summary>
    /// <param name="link">The link.</param>
    /// <returns>This simulator.</returns>
    public MesSimulator AddGenealogy(GenealogyLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        _byComponent.GetOrAdd(link.ComponentLot, static _ => new()).Enqueue(link);
        if (link.ProducedLot is { } produced)
        {
            _byProduced.GetOrAdd(produced, static _ => new()).Enqueue(link);
        }

        return this;
    }

    /// <summary>The current state of a work order, or <see langword="null"/> when unknown.</summary>
    /// <param name="order">The order.</param>
    /// <returns>The work order.</returns>
    public ProductionOrder? GetWorkOrder(OrderId order)
    {
        if (!_orders.TryGetValue(order, out var state))
        {
            return null;
        }

        lock (state.Gate)
        {
            return state.Order;
        }
    }

    /// <summary>The containment checks requested so far.</summary>
    public IReadOnlyList<ContainmentCheck> ContainmentChecks => [.. _checks];

    /// <inheritdoc />
    public ValueTask<AdapterResult> HoldWorkOrderAsync(HoldWorkOrderRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Order), _hold, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReleaseWorkOrderAsync(ReleaseWorkOrderRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Order), _release, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> RequestContainmentCheckAsync(RequestContainmentCheckRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, StripeFor(request?.Lot.Value ?? string.Empty), _containment, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> RecordProductionConfirmationAsync(RecordProductionConfirmationRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Order), _confirm, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<GenealogyLink>> GetConsumersAsync(LotId componentLot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.MesGetConsumers, cancellationToken).ConfigureAwait(false);
        return LinksOf(_byComponent, componentLot);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<GenealogyLink>> GetComponentsAsync(LotId producedLot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.MesGetComponents, cancellationToken).ConfigureAwait(false);
        return LinksOf(_byProduced, producedLot);
    }

    /// <summary>What was made from a lot, over up to <paramref name="maxDepth"/> levels (<see cref="GenealogyTracer"/> over the links recorded here).</summary>
    /// <param name="lot">The lot to start from.</param>
    /// <param name="maxDepth">How many levels to walk.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trace.</returns>
    public async ValueTask<GenealogyTrace> TraceForwardAsync(LotId lot, int maxDepth, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.MesTraceForward, cancellationToken).ConfigureAwait(false);
        return await GenealogyTracer.TraceAsync(lot, GenealogyDirection.Forward, maxDepth, (l, _) => ValueTask.FromResult(LinksOf(_byComponent, l)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a lot was made of, over up to <paramref name="maxDepth"/> levels (<see cref="GenealogyTracer"/> over the links recorded here).</summary>
    /// <param name="lot">The lot to start from.</param>
    /// <param name="maxDepth">How many levels to walk.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trace.</returns>
    public async ValueTask<GenealogyTrace> TraceBackwardAsync(LotId lot, int maxDepth, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.MesTraceBackward, cancellationToken).ConfigureAwait(false);
        return await GenealogyTracer.TraceAsync(lot, GenealogyDirection.Backward, maxDepth, (l, _) => ValueTask.FromResult(LinksOf(_byProduced, l)), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ProductionOrder?> GetWorkOrderAsync(OrderId order, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.MesGetWorkOrder, cancellationToken).ConfigureAwait(false);
        return GetWorkOrder(order);
    }

    private CommandPlan PlanHold(HoldWorkOrderRequest request)
    {
        if (!_orders.TryGetValue(request.Order, out var state))
        {
            return Unknown(request.Order);
        }

        var order = state.Order;
        switch (order.Status)
        {
            case ProductionOrderStatus.Held:
                return CommandPlan.Apply("work order already held", commit: null, lot: request.Lot?.Value, order: order.Id.Value);
            case ProductionOrderStatus.Closed:
                return CommandPlan.Refuse(ReasonCodes.OrderClosed, $"Work order {order.Id} is closed and cannot be held.");
            case ProductionOrderStatus.Cancelled:
                return CommandPlan.Refuse(ReasonCodes.OrderCancelled, $"Work order {order.Id} is cancelled.");
            default:
                return CommandPlan.Apply(
                    $"work order held ({request.ReasonCode?.Code ?? "no reason given"})",
                    () => state.Order = order with { Status = ProductionOrderStatus.Held, StatusBeforeHold = order.Status, Version = order.Version + 1 },
                    lot: request.Lot?.Value,
                    order: order.Id.Value);
        }
    }

    private CommandPlan PlanRelease(ReleaseWorkOrderRequest request)
    {
        if (!_orders.TryGetValue(request.Order, out var state))
        {
            return Unknown(request.Order);
        }

        var order = state.Order;
        if (order.Status != ProductionOrderStatus.Held)
        {
            return CommandPlan.Apply("work order was not held", commit: null, order: order.Id.Value);
        }

        var restored = order.StatusBeforeHold ?? ProductionOrderStatus.Released;
        return CommandPlan.Apply(
            $"work order hold released, back to {restored}",
            () => state.Order = order with { Status = restored, StatusBeforeHold = null, Version = order.Version + 1 },
            order: order.Id.Value);
    }

    private CommandPlan PlanContainment(RequestContainmentCheckRequest request)
    {
        if (request.Orders is null || request.Orders.Count == 0)
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A containment check needs at least one work order.");
        }

        foreach (var order in request.Orders)
        {
            if (!_orders.ContainsKey(order))
            {
                return Unknown(order);
            }
        }

        var reference = NextReference("CC-");
        var check = new ContainmentCheck
        {
            Id = reference,
            Lot = request.Lot,
            Orders = [.. request.Orders],
            Instructions = request.Instructions,
            RequestedAt = TimeProvider.GetUtcNow(),
        };
        return CommandPlan.Apply(
            $"containment check of {request.Orders.Count} work order(s): {string.Join(", ", request.Orders)}",
            () => _checks.Enqueue(check),
            lot: request.Lot.Value,
            externalReference: reference);
    }

    private CommandPlan PlanConfirmation(RecordProductionConfirmationRequest request)
    {
        if (!_orders.TryGetValue(request.Order, out var state))
        {
            return Unknown(request.Order);
        }

        // The order machine decides: held (order.held), not released, closed or cancelled orders take no confirmation;
        // a technically completed one takes late confirmations.
        var order = state.Order;
        var result = ProductionOrderMachine.Confirm(order, request.Yield, request.Scrap, request.IsFinal);
        if (result.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, $"Work order {order.Id} is {order.Status}: {rejection.Message}");
        }

        var next = result.Value!;
        var reference = NextReference("MC-");
        return CommandPlan.Apply(
            $"confirmation of {request.Yield} yield, {request.Consumed.Count} component lot(s){(request.IsFinal ? " (final)" : string.Empty)}",
            () =>
            {
                state.Order = next;
                foreach (var actual in request.Consumed)
                {
                    if (actual.Use is MaterialUse.Consumed or MaterialUse.Consumable)
                    {
                        AddGenealogy(new GenealogyLink { ComponentLot = actual.Lot, ProducedLot = request.ProducedLot, Order = order.Id, Quantity = actual.Quantity });
                    }
                }
            },
            lot: request.ProducedLot?.Value,
            order: order.Id.Value,
            externalReference: reference);
    }

    private static IReadOnlyList<GenealogyLink> LinksOf(ConcurrentDictionary<LotId, ConcurrentQueue<GenealogyLink>> index, LotId lot) =>
        index.TryGetValue(lot, out var links) ? [.. links] : [];

    private static CommandPlan Unknown(OrderId order) => CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Work order {order} is not known to the MES.");

    private Lock GateFor(OrderId? order) => order is { } id && _orders.TryGetValue(id, out var state) ? state.Gate : _unknownGate;

    private sealed class OrderState(ProductionOrder order)
    {
        public Lock Gate { get; } = new();

        public ProductionOrder Order { get; set; } = order;
    }

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<HoldWorkOrderRequest>.ExecuteAsync(HoldWorkOrderRequest command, CancellationToken cancellationToken) => HoldWorkOrderAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReleaseWorkOrderRequest>.ExecuteAsync(ReleaseWorkOrderRequest command, CancellationToken cancellationToken) => ReleaseWorkOrderAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<RequestContainmentCheckRequest>.ExecuteAsync(RequestContainmentCheckRequest command, CancellationToken cancellationToken) => RequestContainmentCheckAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<RecordProductionConfirmationRequest>.ExecuteAsync(RecordProductionConfirmationRequest command, CancellationToken cancellationToken) => RecordProductionConfirmationAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<IReadOnlyList<GenealogyLink>> IQueryHandler<GetConsumersQuery, IReadOnlyList<GenealogyLink>>.QueryAsync(GetConsumersQuery query, CancellationToken cancellationToken) => GetConsumersAsync(query.ComponentLot, cancellationToken);

    /// <inheritdoc />
    ValueTask<IReadOnlyList<GenealogyLink>> IQueryHandler<GetComponentsQuery, IReadOnlyList<GenealogyLink>>.QueryAsync(GetComponentsQuery query, CancellationToken cancellationToken) => GetComponentsAsync(query.ProducedLot, cancellationToken);

    /// <inheritdoc />
    ValueTask<GenealogyTrace> IQueryHandler<TraceForwardQuery, GenealogyTrace>.QueryAsync(TraceForwardQuery query, CancellationToken cancellationToken) => TraceForwardAsync(query.Lot, query.MaxDepth, cancellationToken);

    /// <inheritdoc />
    ValueTask<GenealogyTrace> IQueryHandler<TraceBackwardQuery, GenealogyTrace>.QueryAsync(TraceBackwardQuery query, CancellationToken cancellationToken) => TraceBackwardAsync(query.Lot, query.MaxDepth, cancellationToken);

    /// <inheritdoc />
    ValueTask<ProductionOrder?> IQueryHandler<GetWorkOrderQuery, ProductionOrder?>.QueryAsync(GetWorkOrderQuery query, CancellationToken cancellationToken) => GetWorkOrderAsync(query.Order, cancellationToken);
}

/// <summary>A containment check the MES was asked to run.</summary>
public sealed record ContainmentCheck
{
    /// <summary>The check's id in the MES.</summary>
    public required string Id { get; init; }

    /// <summary>The suspect lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The work orders to check.</summary>
    public required IReadOnlyList<OrderId> Orders { get; init; }

    /// <summary>What to check.</summary>
    public string? Instructions { get; init; }

    /// <summary>When it was requested.</summary>
    public required DateTimeOffset RequestedAt { get; init; }
}
