using System.Collections.Concurrent;
using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// A stateful in-memory ERP. Keeps stock per lot by category, ownership and location, and enforces what real ERPs
/// enforce, by asking the same state machines the orchestration uses: every stock posting and reversal is decided by
/// <see cref="LotStockMachine"/> (consumption, goods issue and transfer out only from unrestricted own stock of a lot
/// that is not on hold, not expired at the site's date and not reworked before re-inspection; no return of stock in
/// transit or customer-owned; a reversal puts scrapped or consumed quantity back where it came from), and every order
/// status change and confirmation by <see cref="ProductionOrderMachine"/> (no postings to a created, held, closed or
/// cancelled order; late postings to a technically completed one are accepted; technical completion releases the
/// order's open reservations). Only real category transfers; a restricted batch released from inspection lands in
/// restricted-use, never unrestricted; movements apply as pairs and can be reversed once; an idempotency key is applied
/// once. Thread-safe, with a lock per lot.
/// </summary>
public sealed class ErpSimulator : AdapterSimulator,
    ICommandHandler<ChangeStockCategoryRequest>,
    ICommandHandler<PostGoodsMovementRequest>,
    ICommandHandler<ReverseGoodsMovementRequest>,
    ICommandHandler<SetBatchStatusRequest>,
    ICommandHandler<ReevaluateAllocationsRequest>,
    ICommandHandler<UpdateAtpRequest>,
    ICommandHandler<PlaceShipmentHoldRequest>,
    ICommandHandler<ReleaseShipmentHoldRequest>,
    ICommandHandler<PostCountAdjustmentRequest>,
    ICommandHandler<PostProductionConfirmationRequest>,
    ICommandHandler<ConfirmScrapDestructionRequest>,
    ICommandHandler<CreateQuarantineOrderRequest>,
    ICommandHandler<ChangeQuarantineOrderRequest>,
    IQueryHandler<GetLotQuery, MaterialLot?>,
    IQueryHandler<GetMaterialQuery, MaterialDefinition?>,
    IQueryHandler<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>,
    IQueryHandler<GetErpStockQuery, LotStockSnapshot?>,
    IQueryHandler<GetProductionOrderQuery, ProductionOrder?>
{
    private readonly ConcurrentDictionary<LotId, LotState> _lots = new();
    private readonly ConcurrentDictionary<MaterialId, MaterialDefinition> _materials = new();
    private readonly ConcurrentDictionary<OrderId, OrderState> _orders = new();
    private readonly ConcurrentDictionary<string, Document> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(MaterialId, SiteId), decimal> _atp = new();
    private readonly ConcurrentDictionary<SiteId, SiteProfile> _sites = new();
    private readonly ConcurrentDictionary<(MaterialId, SiteId), QualityInspectionSetup> _inspectionSetups = new();
    private readonly ConcurrentDictionary<QuarantineOrderId, QuarantineOrder> _quarantineOrders = new();
    private readonly Lock _unknownLotGate = new();

    /// <summary>The hold reason a blocking D365 batch disposition puts on a lot, followed by the code.</summary>
    public const string BatchDispositionHoldPrefix = "batch-disposition:";
    private readonly Func<ChangeStockCategoryRequest, CommandPlan> _changeStockCategory;
    private readonly Func<PostGoodsMovementRequest, CommandPlan> _postGoodsMovement;
    private readonly Func<ReverseGoodsMovementRequest, CommandPlan> _reverseGoodsMovement;
    private readonly Func<SetBatchStatusRequest, CommandPlan> _setBatchStatus;
    private readonly Func<ReevaluateAllocationsRequest, CommandPlan> _reevaluateAllocations;
    private readonly Func<UpdateAtpRequest, CommandPlan> _updateAtp;
    private readonly Func<PlaceShipmentHoldRequest, CommandPlan> _placeShipmentHold;
    private readonly Func<ReleaseShipmentHoldRequest, CommandPlan> _releaseShipmentHold;
    private readonly Func<PostCountAdjustmentRequest, CommandPlan> _postCountAdjustment;
    private readonly Func<PostProductionConfirmationRequest, CommandPlan> _postProductionConfirmation;
    private readonly Func<ConfirmScrapDestructionRequest, CommandPlan> _confirmScrapDestruction;
    private readonly Func<CreateQuarantineOrderRequest, CommandPlan> _createQuarantineOrder;
    private readonly Func<ChangeQuarantineOrderRequest, CommandPlan> _changeQuarantineOrder;

    /// <summary>Creates an empty ERP.</summary>
    /// <param name="options">The clock, faults and effects log; defaults when <see langword="null"/>.</param>
    public ErpSimulator(SimulatorOptions? options = null)
        : base(CommandKinds.ErpSystem, options)
    {
        _changeStockCategory = PlanChangeStockCategory;
        _postGoodsMovement = PlanGoodsMovement;
        _reverseGoodsMovement = PlanReversal;
        _setBatchStatus = PlanSetBatchStatus;
        _reevaluateAllocations = PlanReevaluateAllocations;
        _updateAtp = PlanUpdateAtp;
        _placeShipmentHold = r => PlanShipmentHold(r.Lot, hold: true);
        _releaseShipmentHold = r => PlanShipmentHold(r.Lot, hold: false);
        _postCountAdjustment = PlanCountAdjustment;
        _postProductionConfirmation = PlanProductionConfirmation;
        _confirmScrapDestruction = PlanScrapDestruction;
        _createQuarantineOrder = PlanCreateQuarantineOrder;
        _changeQuarantineOrder = PlanChangeQuarantineOrder;
    }

    /// <summary>
    /// Receives every posting that changed a lot's stock category, ownership or quantity, in the lot's posting order,
    /// while the lot's lock is held (set by the <see cref="ErpToWmsInterface"/> wired to this ERP).
    /// </summary>
    internal Action<ErpStockPosting>? PostingObserver { get; set; }

    /// <summary>The lot policy the ERP applies through <see cref="LotStockMachine"/> (expiry handling, restricted batches). Default <see cref="LotPolicy.Default"/>.</summary>
    public LotPolicy LotPolicy { get; init; } = LotPolicy.Default;

    /// <summary>
    /// The reason codes that mark a blocked → quality-inspection category change as a rework or repair: the lot then needs a
    /// new passing inspection before any of it is used (<see cref="MaterialLot.RequiresReinspection"/>). Default the shipped
    /// MRB workflow's <c>mrb.rework</c> and <c>mrb.repair</c>.
    /// </summary>
    public IReadOnlySet<string> ReworkReasons { get; init; } = new HashSet<string>(["mrb.rework", "mrb.repair"], StringComparer.Ordinal);

    /// <summary>
    /// Which ERP's rules the simulator follows where SAP and Dynamics 365 differ. Default <see cref="ErpSimulatorProfile.SapLike"/>.
    /// </summary>
    public ErpSimulatorProfile Profile { get; init; } = ErpSimulatorProfile.SapLike;

    /// <summary>
    /// The batch disposition codes the <see cref="ErpSimulatorProfile.D365Like"/> profile knows (available, restricted and
    /// blocking). Default <see cref="D365StockStatusMapping.Default"/>.
    /// </summary>
    public D365StockStatusMapping D365Statuses { get; init; } = D365StockStatusMapping.Default;

    // ---- Seeding ---------------------------------------------------------------------------------

    /// <summary>Adds or replaces a site profile, whose time zone gives the site's date for expiry checks (UTC when not added).</summary>
    /// <param name="site">The profile.</param>
    /// <returns>This simulator.</returns>
    public ErpSimulator AddSite(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        _sites[site.Id] = site;
        return this;
    }

    /// <summary>
    /// Adds or replaces how receipts of a material at a site are inspected (SAP: QM active; D365: a quality association).
    /// A goods receipt then opens an inspection lot on the quality-inspection stock it posts: all of it under the
    /// <see cref="ErpSimulatorProfile.SapLike"/> profile (QM posts to inspection stock), under
    /// <see cref="ErpSimulatorProfile.D365Like"/> the whole receipt with full blocking, otherwise only the sample with the
    /// rest received available.
    /// </summary>
    /// <param name="setup">The setup.</param>
    /// <returns>This simulator.</returns>
    public ErpSimulator AddInspectionSetup(QualityInspectionSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.QuantityToInspect(new Quantity(1, UnitOfMeasure.Each));
        _inspectionSetups[(setup.Material, setup.Site)] = setup;
        return this;
    }

    /// <summary>
    /// Records an inspection lot's usage decision without posting its stock, as a quality user does in the ERP's own screen
    /// (SAP status SPRQ): the stock stays in quality inspection and is not available until a posting carries the decision
    /// out. Only under <see cref="ErpSimulatorProfile.SapLike"/>: a D365 quality order posts when it is validated.
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="inspectionLot">Its open inspection lot.</param>
    /// <param name="decision">The usage decision.</param>
    /// <returns>The lot as the ERP now holds it, or the lot machine's rejection (<c>adapter.operation-not-supported</c> under the D365-like profile).</returns>
    public TransitionResult<MaterialLot> RecordUsageDecision(LotId lot, InspectionLotId inspectionLot, UsageDecision decision)
    {
        if (Profile != ErpSimulatorProfile.SapLike)
        {
            return TransitionResult<MaterialLot>.Rejected(new TransitionRejection(
                ReasonCodes.OperationNotSupported,
                $"A Dynamics 365 quality order posts its stock when it is validated; a decision without a posting is SAP's (SPRQ). Lot {lot}, inspection lot {inspectionLot}.",
                nameof(StockCategory.QualityInspection),
                nameof(RecordUsageDecision),
                []));
        }

        var state = RequireLot(lot);
        lock (state.Gate)
        {
            var result = LotStockMachine.RecordUsageDecision(Snapshot(state), inspectionLot, decision);
            if (result.Value is { } next)
            {
                state.Inspections.Clear();
                state.Inspections.AddRange(next.Inspections);
                state.Version++;
            }

            return result;
        }
    }

    /// <summary>Adds or replaces a material definition.</summary>
    /// <param name="material">The material.</param>
    /// <returns>This simulator.</returns>
    public ErpSimulator AddMaterial(MaterialDefinition material)
    {
        ArgumentNullException.ThrowIfNull(material);
        _materials[material.Id] = material;
        return this;
    }

    /// <summary>Adds or replaces a lot with its buckets, batch status, holds and counters.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>This simulator.</returns>
    public ErpSimulator AddLot(MaterialLot lot)
    {
        ArgumentNullException.ThrowIfNull(lot);
        var state = new LotState(lot.Id, lot.Material, lot.Site, lot.Unit)
        {
            Supplier = lot.Supplier,
            Disposition = lot.Disposition,
            QualityDecision = lot.QualityDecision,
            IsRestrictedBatch = lot.IsRestrictedBatch,
            RequiresReinspection = lot.RequiresReinspection,
            ExpiryDate = lot.ExpiryDate,
            Scrapped = lot.ScrappedQuantity,
            Consumed = lot.ConsumedQuantity,
            Destroyed = lot.DestroyedQuantity,
            Version = lot.Version,
        };
        state.Holds.AddRange(lot.Holds);
        state.Inspections.AddRange(lot.Inspections);
        foreach (var bucket in lot.Buckets)
        {
            if (bucket.Quantity.Unit != lot.Unit)
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.UnitMismatch, $"Lot {lot.Id} has a bucket in {bucket.Quantity.Unit}, not its unit {lot.Unit}.");
            }

            var slot = new StockSlot(bucket.Category, bucket.Ownership, bucket.Location);
            state.Stock[slot] = state.Stock.GetValueOrDefault(slot) + bucket.Quantity.Value;
        }

        if (_lots.TryGetValue(lot.Id, out var existing))
        {
            state.Allocations.AddRange(existing.Allocations);
        }

        _lots[lot.Id] = state;
        return this;
    }

    /// <summary>Adds or replaces a production order; its allocations are added to their lots.</summary>
    /// <param name="order">The order.</param>
    /// <returns>This simulator.</returns>
    public ErpSimulator AddOrder(ProductionOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        _orders[order.Id] = new OrderState(order);
        foreach (var allocation in order.Allocations)
        {
            AddAllocation(allocation);
        }

        return this;
    }

    /// <summary>Adds an open allocation of a lot to an order.</summary>
    /// <param name="allocation">The allocation.</param>
    /// <returns>This simulator.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The lot is not known (<see cref="ReasonCodes.LotUnknown"/>).</exception>
    public ErpSimulator AddAllocation(Allocation allocation)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        var state = RequireLot(allocation.Lot);
        lock (state.Gate)
        {
            state.Allocations.RemoveAll(a => a.Order == allocation.Order);
            state.Allocations.Add(allocation);
        }

        return this;
    }

    /// <summary>
    /// Fires a trigger on a production order through <see cref="ProductionOrderMachine"/> (release, hold, TECO, close and
    /// their revocations…), as the ERP's order transaction would. Technical completion, closing and cancelling release the
    /// order's open reservations (its allocations leave the lots, so the available-to-promise rises); revoking them restores
    /// the reservations.
    /// </summary>
    /// <param name="order">The order.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="args">The arguments (the order balance for closing); none when <see langword="null"/>.</param>
    /// <returns>The new order, or the machine's rejection (nothing changes).</returns>
    /// <exception cref="ManufacturingOrchestrationException">The order is not known.</exception>
    public TransitionResult<ProductionOrder> ChangeOrder(OrderId order, ProductionOrderTrigger trigger, ProductionOrderTriggerArgs? args = null)
    {
        var state = _orders.TryGetValue(order, out var s) ? s : throw new ManufacturingOrchestrationException(ReasonCodes.ReferenceUnknown, $"Order {order} is not known to the ERP.");
        // One change of an order at a time, so a release and its revocation cannot cross; postings take only the order's Gate.
        using var change = state.ChangeGate.EnterScope();
        ProductionOrder next;
        bool release, restore;
        IReadOnlyList<Allocation> restored;
        lock (state.Gate)
        {
            var result = ProductionOrderMachine.Fire(state.Order, trigger, args ?? ProductionOrderTriggerArgs.None);
            if (result.Value is null)
            {
                return result;
            }

            next = result.Value;
            release = HoldsReservations(state.Order.Status) && !HoldsReservations(next.Status);
            restore = !HoldsReservations(state.Order.Status) && HoldsReservations(next.Status);
            restored = restore ? state.ReleasedReservations : [];
            if (release)
            {
                next = next with { Allocations = [] };
            }
            else if (restore)
            {
                next = next with { Allocations = [.. restored] };
                state.ReleasedReservations = [];
            }

            state.Order = next;
        }

        // Lots after the order: a posting holds a lot's lock and then its order's, never the other way round.
        var released = new List<Allocation>();
        foreach (var lot in _lots.Values)
        {
            lock (lot.Gate)
            {
                if (release)
                {
                    released.AddRange(lot.Allocations.Where(a => a.Order == order));
                    lot.Allocations.RemoveAll(a => a.Order == order);
                }

                foreach (var allocation in restored)
                {
                    if (allocation.Lot == lot.Id && !lot.Allocations.Contains(allocation))
                    {
                        lot.Allocations.Add(allocation);
                    }
                }
            }
        }

        if (release)
        {
            lock (state.Gate)
            {
                state.ReleasedReservations = released;
            }
        }

        return TransitionResult<ProductionOrder>.Accepted(next);
    }

    /// <summary>Whether an order in this status keeps its component reservations (SAP: TECO, CLSD and cancelled orders hold none).</summary>
    private static bool HoldsReservations(ProductionOrderStatus status) =>
        status is not (ProductionOrderStatus.TechnicallyCompleted or ProductionOrderStatus.Closed or ProductionOrderStatus.Cancelled);

    // ---- Inspection ------------------------------------------------------------------------------

    /// <summary>The current state of a lot, or <see langword="null"/> when unknown.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>The lot.</returns>
    public MaterialLot? GetLot(LotId lot) => _lots.TryGetValue(lot, out var state) ? Snapshot(state) : null;

    /// <summary>The quantity of a lot in a category (and ownership), across locations; zero for an unknown lot.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="category">The category.</param>
    /// <param name="ownership">The ownership, or <see langword="null"/> for all.</param>
    /// <returns>The quantity.</returns>
    public decimal QuantityIn(LotId lot, StockCategory category, StockOwnership? ownership = null)
    {
        if (!_lots.TryGetValue(lot, out var state))
        {
            return 0;
        }

        lock (state.Gate)
        {
            decimal total = 0;
            foreach (var (slot, quantity) in state.Stock)
            {
                if (slot.Category == category && (ownership is null || slot.Ownership == ownership))
                {
                    total += quantity;
                }
            }

            return total;
        }
    }

    /// <summary>Whether a lot has a shipment hold.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns><see langword="true"/> when held.</returns>
    public bool HasShipmentHold(LotId lot) => _lots.TryGetValue(lot, out var state) && state.ShipmentHold;

    /// <summary>The last available-to-promise computed for a material at a site, or <see langword="null"/> when never updated.</summary>
    /// <param name="material">The material.</param>
    /// <param name="site">The site.</param>
    /// <returns>The ATP quantity.</returns>
    public decimal? GetAtp(MaterialId material, SiteId site) => _atp.TryGetValue((material, site), out var atp) ? atp : null;

    /// <summary>The current state of an order, or <see langword="null"/> when unknown.</summary>
    /// <param name="order">The order.</param>
    /// <returns>The order.</returns>
    public ProductionOrder? GetOrder(OrderId order)
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

    /// <summary>A quarantine order as the ERP holds it, or <see langword="null"/> when unknown.</summary>
    /// <param name="order">The quarantine order.</param>
    /// <returns>The order.</returns>
    public QuarantineOrder? GetQuarantineOrder(QuarantineOrderId order) => _quarantineOrders.TryGetValue(order, out var found) ? found : null;

    /// <summary>The SAP movement type of a posted document, or <see langword="null"/> when unknown.</summary>
    /// <param name="documentNumber">The document number.</param>
    /// <returns>The movement type.</returns>
    public string? MovementTypeOf(string documentNumber) => _documents.TryGetValue(documentNumber, out var document) ? document.MovementType : null;

    // ---- Commands --------------------------------------------------------------------------------

    /// <inheritdoc />
    public ValueTask<AdapterResult> ChangeStockCategoryAsync(ChangeStockCategoryRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _changeStockCategory, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PostGoodsMovementAsync(PostGoodsMovementRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateForReceipt(request?.Movement), _postGoodsMovement, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReverseGoodsMovementAsync(ReverseGoodsMovementRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _reverseGoodsMovement, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> SetBatchStatusAsync(SetBatchStatusRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _setBatchStatus, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReevaluateAllocationsAsync(ReevaluateAllocationsRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _reevaluateAllocations, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> UpdateAtpAsync(UpdateAtpRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, StripeFor(request?.Material.Value ?? string.Empty), _updateAtp, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PlaceShipmentHoldAsync(PlaceShipmentHoldRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _placeShipmentHold, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReleaseShipmentHoldAsync(ReleaseShipmentHoldRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _releaseShipmentHold, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PostCountAdjustmentAsync(PostCountAdjustmentRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _postCountAdjustment, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PostProductionConfirmationAsync(PostProductionConfirmationRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, request is not null && _orders.TryGetValue(request.Order, out var order) ? order.Gate : _unknownLotGate, _postProductionConfirmation, cancellationToken);

    /// <inheritdoc cref="ICommandHandler{TCommand}.ExecuteAsync"/>
    public ValueTask<AdapterResult> ConfirmScrapDestructionAsync(ConfirmScrapDestructionRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _confirmScrapDestruction, cancellationToken);

    /// <inheritdoc cref="ICommandHandler{TCommand}.ExecuteAsync"/>
    public ValueTask<AdapterResult> CreateQuarantineOrderAsync(CreateQuarantineOrderRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _createQuarantineOrder, cancellationToken);

    /// <inheritdoc cref="ICommandHandler{TCommand}.ExecuteAsync"/>
    public ValueTask<AdapterResult> ChangeQuarantineOrderAsync(ChangeQuarantineOrderRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request is not null && _quarantineOrders.TryGetValue(request.Order, out var order) ? order.Lot : null), _changeQuarantineOrder, cancellationToken);

    // ---- Queries ---------------------------------------------------------------------------------

    /// <inheritdoc />
    public async ValueTask<MaterialLot?> GetLotAsync(LotId lot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.ErpGetLot, cancellationToken).ConfigureAwait(false);
        return GetLot(lot);
    }

    /// <inheritdoc />
    public async ValueTask<MaterialDefinition?> GetMaterialAsync(MaterialId material, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.ErpGetMaterial, cancellationToken).ConfigureAwait(false);
        return _materials.GetValueOrDefault(material);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Allocation>> GetOpenAllocationsAsync(LotId lot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.ErpGetOpenAllocations, cancellationToken).ConfigureAwait(false);
        if (!_lots.TryGetValue(lot, out var state))
        {
            return [];
        }

        lock (state.Gate)
        {
            return [.. state.Allocations];
        }
    }

    /// <inheritdoc />
    public async ValueTask<LotStockSnapshot?> GetStockAsync(LotId lot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.ErpGetStock, cancellationToken).ConfigureAwait(false);
        if (!_lots.TryGetValue(lot, out var state))
        {
            return null;
        }

        lock (state.Gate)
        {
            return new LotStockSnapshot { Lot = lot, System = System, Unit = state.Unit, Buckets = Buckets(state), AsOf = TimeProvider.GetUtcNow() };
        }
    }

    /// <inheritdoc />
    public async ValueTask<ProductionOrder?> GetProductionOrderAsync(OrderId order, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.ErpGetProductionOrder, cancellationToken).ConfigureAwait(false);
        return GetOrder(order);
    }

    // ---- Planning --------------------------------------------------------------------------------

    private CommandPlan PlanChangeStockCategory(ChangeStockCategoryRequest request)
    {
        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return UnknownLot(request.Lot);
        }

        if (QuantityProblem(state, request.Quantity) is { } problem)
        {
            return problem;
        }

        return PlanCategoryTransfer(state, request.FromCategory, request.ToCategory, request.Ownership, request.Location, request.Quantity.Value, movementTypeOverride: null, request.ReasonCode, request.InspectionLot);
    }

    private CommandPlan PlanCategoryTransfer(LotState state, StockCategory from, StockCategory to, StockOwnership ownership, StorageLocationId? location, decimal quantity, string? movementTypeOverride, ReasonCode? reason, InspectionLotId? inspectionLot)
    {
        if (to == StockCategory.Unrestricted && state.IsRestrictedBatch && from != StockCategory.RestrictedUse)
        {
            return CommandPlan.Refuse(ReasonCodes.RestrictedBatch, $"Lot {state.Id} is a restricted batch: its release lands in restricted-use stock, not unrestricted.");
        }

        if (to == StockCategory.Unrestricted && state.IsRestrictedBatch)
        {
            return CommandPlan.Refuse(ReasonCodes.RestrictedBatch, $"Lot {state.Id} is a restricted batch: change its batch status before moving restricted-use stock to unrestricted.");
        }

        var movementType = movementTypeOverride ?? SapMovementTypes.ForCategoryChange(from, to);
        if (movementType is null || from == to)
        {
            return CommandPlan.Refuse(ReasonCodes.TransferNotPermitted, $"A transfer from {Name(from)} to {Name(to)} stock is not permitted.");
        }

        // Blocked stock sent back to inspection for rework or repair: the lot must pass a new inspection before it is used.
        var reworked = from == StockCategory.Blocked && to == StockCategory.QualityInspection && reason is { } r && ReworkReasons.Contains(r.Code);

        var movement = new GoodsMovement
        {
            Kind = MovementKind.CategoryTransfer,
            Lot = state.Id,
            Material = state.Material,
            Site = state.Site,
            Quantity = new Quantity(quantity, state.Unit),
            FromCategory = from,
            ToCategory = to,
            FromOwnership = ownership,
            ToOwnership = ownership,
            FromLocation = location,
            ToLocation = location,
            ReasonCode = reason,
            InspectionLot = inspectionLot,
        };
        if (Decide(state, movement, out var next, reworked) is { } refused)
        {
            return refused;
        }

        var description = $"{Name(from)}→{Name(to)}";
        if (to == StockCategory.QualityInspection && ownership == StockOwnership.Own && next is not null && _inspectionSetups.ContainsKey((state.Material, state.Site)))
        {
            // Stock of a QM-active material entering inspection gets an inspection lot (SAP origin 08), like a receipt.
            if (OpenInspectionLot(state, next, movement.Quantity, out next, out var opening) is { } notOpened)
            {
                return notOpened;
            }

            description = $"{description} under inspection lot {opening}";
        }

        var source = new StockSlot(from, ownership, location);
        var target = new StockSlot(to, ownership, location);
        return PlanDeltas(state, movement, next, movementType, description, [(source, -quantity), (target, quantity)]);
    }

    private CommandPlan PlanGoodsMovement(PostGoodsMovementRequest request)
    {
        var movement = request.Movement;
        if (movement is null)
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "The movement is missing.");
        }

        if (movement.Quantity.Value <= 0)
        {
            return CommandPlan.Refuse(ReasonCodes.NonPositiveQuantity, "A movement quantity must be greater than zero.");
        }

        if (!_lots.TryGetValue(movement.Lot, out var state))
        {
            if (movement.Kind != MovementKind.GoodsReceipt)
            {
                return UnknownLot(movement.Lot);
            }

            // A goods receipt creates the lot, which becomes known only when the receipt is posted (PlanDeltas): a refused
            // receipt leaves nothing behind. The gate was the unknown-lot gate, so creation is serialized.
            state = new LotState(movement.Lot, movement.Material, movement.Site, movement.Quantity.Unit) { Supplier = null };
        }

        if (movement.Quantity.Unit != state.Unit)
        {
            return CommandPlan.Refuse(ReasonCodes.UnitMismatch, $"Lot {state.Id} is kept in {state.Unit}, not {movement.Quantity.Unit}.");
        }

        var quantity = movement.Quantity.Value;
        var from = movement.FromCategory ?? StockCategory.Unrestricted;
        var source = new StockSlot(from, movement.FromOwnership, movement.FromLocation);
        var movementType = SapMovementTypes.TryGetPosting(movement, out var posting) ? posting.MovementType : null;
        switch (movement.Kind)
        {
            case MovementKind.GoodsReceipt:
                {
                    var target = new StockSlot(movement.ToCategory ?? StockCategory.QualityInspection, movement.ToOwnership, movement.ToLocation);
                    if (movementType is null)
                    {
                        return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"Goods are received into unrestricted, quality-inspection or blocked stock, not {Name(target.Category)}.");
                    }

                    if (_inspectionSetups.TryGetValue((state.Material, state.Site), out var setup) && movement.ReversalOf is null)
                    {
                        return PlanInspectedReceipt(state, movement, setup, movementType);
                    }

                    if (Decide(state, movement, out var next) is { } refused)
                    {
                        return refused;
                    }

                    target = target with { Category = Landing(next, target.Category) };
                    return PlanDeltas(state, movement, next, movementType, $"receipt into {Name(target.Category)}", [(target, quantity)]);
                }

            case MovementKind.CategoryTransfer:
                if (movement.FromCategory is null || movement.ToCategory is null)
                {
                    return CommandPlan.Refuse(ReasonCodes.Required, "A category transfer needs a source and a target category.");
                }

                return PlanCategoryTransfer(state, movement.FromCategory.Value, movement.ToCategory.Value, movement.FromOwnership, movement.FromLocation, quantity, movementTypeOverride: null, movement.ReasonCode, movement.InspectionLot);

            case MovementKind.LocationTransfer:
                {
                    if (movement.ToCategory is { } toCategory && toCategory != from)
                    {
                        return CommandPlan.Refuse(ReasonCodes.TransferNotPermitted, "A location transfer keeps the stock category; use a category transfer to change it.");
                    }

                    if (movementType is null)
                    {
                        return CommandPlan.Refuse(ReasonCodes.TransferNotPermitted, $"{Name(from)} stock cannot be moved between locations here.");
                    }

                    var target = new StockSlot(from, movement.FromOwnership, movement.ToLocation);
                    return Decide(state, movement, out var next) ?? PlanDeltas(state, movement, next, movementType, $"location move {movement.FromLocation}→{movement.ToLocation}", [(source, -quantity), (target, quantity)]);
                }

            case MovementKind.PlantTransferOut:
                {
                    if (InTransferProblem(movement.ToCategory) is { } unsupported)
                    {
                        return unsupported;
                    }

                    if (Decide(state, movement, out var next) is { } refused)
                    {
                        return refused;
                    }

                    var transfer = movement.ToCategory ?? StockCategory.InTransit;
                    return PlanDeltas(state, movement, next, movementType!, $"transfer out to {Name(transfer)} stock", [(source, -quantity), (new StockSlot(transfer, StockOwnership.Own, null), quantity)]);
                }

            case MovementKind.PlantTransferIn:
                {
                    if (InTransferProblem(movement.FromCategory) is { } unsupported)
                    {
                        return unsupported;
                    }

                    // Stock in transfer is kept at plant level; stock in transit where the transfer out left it.
                    var inTransit = movement.FromCategory == StockCategory.InTransfer
                        ? new StockSlot(StockCategory.InTransfer, movement.FromOwnership, null)
                        : new StockSlot(StockCategory.InTransit, movement.FromOwnership, movement.FromLocation);
                    var target = new StockSlot(movement.ToCategory ?? StockCategory.Unrestricted, movement.ToOwnership, movement.ToLocation);
                    if (movementType is null)
                    {
                        return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"Stock in transit is received into unrestricted, quality-inspection or blocked stock, not {Name(target.Category)}.");
                    }

                    if (Decide(state, movement, out var next) is { } refused)
                    {
                        return refused;
                    }

                    target = target with { Category = Landing(next, target.Category) };
                    return PlanDeltas(state, movement, next, movementType, $"receipt from {Name(inTransit.Category)} into {Name(target.Category)}", [(inTransit, -quantity), (target, quantity)]);
                }

            case MovementKind.Consumption:
            case MovementKind.GoodsIssue:
                {
                    // Only from unrestricted own stock, not on hold, not expired, not reworked before re-inspection: the lot machine's rules.
                    if (Decide(state, movement, out var next) is { } refused)
                    {
                        return refused;
                    }

                    OrderState? order = null;
                    if (movement.Order is { } orderId)
                    {
                        if (!_orders.TryGetValue(orderId, out order))
                        {
                            return CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Order {orderId} is not known to the ERP.");
                        }

                        lock (order.Gate)
                        {
                            if (PostingProblem(order.Order) is { } orderProblem)
                            {
                                return orderProblem;
                            }
                        }
                    }

                    return PlanDeltas(state, movement, next, movementType!, movement.Kind == MovementKind.Consumption ? $"consumption by {movement.Order}" : "goods issue", [(source, -quantity)], order: movement.Order?.Value);
                }

            case MovementKind.Scrap:
                if (movementType is null)
                {
                    return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"Scrap is posted from unrestricted, quality-inspection or blocked stock, not {Name(from)}.");
                }

                return Decide(state, movement, out var scrapped) ?? PlanDeltas(state, movement, scrapped, movementType, $"scrap from {Name(from)}", [(source, -quantity)]);

            case MovementKind.Sample:
                if (movementType is null)
                {
                    return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"A sample is taken from unrestricted, quality-inspection or blocked stock, not {Name(from)}.");
                }

                return Decide(state, movement, out var sampled) ?? PlanDeltas(state, movement, sampled, movementType, $"sample from {Name(from)}", [(source, -quantity)]);

            case MovementKind.CountDifference:
                {
                    var category = movement.FromCategory ?? movement.ToCategory ?? StockCategory.Unrestricted;
                    var type = SapMovementTypes.ForCountDifference(category, movement.IsIncrease);
                    if (type is null)
                    {
                        return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"Count differences are posted to unrestricted, quality-inspection or blocked stock, not {Name(category)}.");
                    }

                    if (Decide(state, movement, out var next) is { } refused)
                    {
                        return refused;
                    }

                    var slot = new StockSlot(movement.IsIncrease ? Landing(next, category) : category, movement.FromOwnership, movement.FromLocation ?? movement.ToLocation);
                    return PlanDeltas(state, movement, next, type, $"count {(movement.IsIncrease ? "surplus" : "shortage")} in {Name(slot.Category)}", [(slot, movement.IsIncrease ? quantity : -quantity)]);
                }

            case MovementKind.ConsignmentToOwn:
                {
                    var consignment = new StockSlot(from, StockOwnership.VendorConsignment, movement.FromLocation);
                    var own = new StockSlot(from, StockOwnership.Own, movement.FromLocation);
                    if (movementType is null)
                    {
                        return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"Vendor consignment becomes own stock from unrestricted stock, not {Name(from)}.");
                    }

                    // The movement kind says the ownership change: vendor consignment becomes own stock (SAP 411 K).
                    var withdrawal = movement with { FromOwnership = StockOwnership.VendorConsignment, ToOwnership = StockOwnership.Own };
                    return Decide(state, withdrawal, out var next) ?? PlanDeltas(state, withdrawal, next, movementType, "consignment withdrawn to own stock", [(consignment, -quantity), (own, quantity)]);
                }

            case MovementKind.ReturnToSupplier:
                {
                    // Not from stock in transit (not received yet) nor customer-owned stock: the lot machine's rules.
                    if (Decide(state, movement, out var next) is { } refused)
                    {
                        return refused;
                    }

                    if (movementType is null)
                    {
                        return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"A return to the supplier leaves unrestricted, restricted-use, quality-inspection or blocked stock, not {Name(from)}.");
                    }

                    return PlanDeltas(state, movement, next, movementType, $"return to supplier from {Name(from)}", [(source, -quantity)]);
                }

            default:
                return CommandPlan.Refuse(ReasonCodes.OutOfRange, $"Movement kind {movement.Kind} is not supported.");
        }
    }

    private CommandPlan PlanReversal(ReverseGoodsMovementRequest request)
    {
        if (!_documents.TryGetValue(request.DocumentNumber ?? string.Empty, out var document) || document.Lot != request.Lot)
        {
            return CommandPlan.Refuse(ReasonCodes.ReversalInvalid, $"Document {request.DocumentNumber} is not a movement of lot {request.Lot}.");
        }

        if (document.IsReversal)
        {
            return CommandPlan.Refuse(ReasonCodes.ReversalInvalid, $"Document {document.Number} is itself a reversal.");
        }

        if (document.ReversedBy is not null)
        {
            return CommandPlan.Refuse(ReasonCodes.ReversalInvalid, $"Document {document.Number} was already reversed by {document.ReversedBy}.");
        }

        var state = _lots[document.Lot];
        var inverse = new (StockSlot, decimal)[document.Deltas.Length];
        for (var i = 0; i < inverse.Length; i++)
        {
            inverse[i] = (document.Deltas[i].Slot, -document.Deltas[i].Quantity);
        }

        if (!SapMovementTypes.TryGetReversal(document.MovementType, out var reversalType))
        {
            return CommandPlan.Refuse(ReasonCodes.ReversalInvalid, $"Movement type {document.MovementType} of document {document.Number} has no reversal type.");
        }

        // The lot machine reverses the original movement: scrapped and consumed quantities come back to the bucket they left.
        var reversal = document.Movement with { ReversalOf = document.Number, ReasonCode = request.ReasonCode ?? document.Movement.ReasonCode };
        if (Decide(state, reversal, out var next) is { } refused)
        {
            return refused;
        }

        return PlanDeltas(state, reversal, next, reversalType, $"reversal of {document.Number}", inverse, reversalOf: document);
    }

    private CommandPlan PlanSetBatchStatus(SetBatchStatusRequest request)
    {
        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return UnknownLot(request.Lot);
        }

        var summary = new List<string>(4);
        var restrictedBatch = request.IsRestrictedBatch;
        string? blockingDisposition = null;
        if (request.BatchDisposition is { } code)
        {
            if (Profile != ErpSimulatorProfile.D365Like)
            {
                return CommandPlan.Refuse(ReasonCodes.OperationNotSupported, $"SAP has no batch disposition codes ('{code}'); set the batch status (restricted or unrestricted) instead.");
            }

            if (D365Statuses.IsBlocking(code))
            {
                blockingDisposition = code;
            }
            else if (string.Equals(code, D365Statuses.AvailableBatchDisposition, StringComparison.OrdinalIgnoreCase) || string.Equals(code, D365Statuses.RestrictedBatchDisposition, StringComparison.OrdinalIgnoreCase))
            {
                restrictedBatch ??= string.Equals(code, D365Statuses.RestrictedBatchDisposition, StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                return CommandPlan.Refuse(ReasonCodes.BatchDispositionUnknown, $"Batch disposition '{code}' is not configured; known: {D365Statuses.AvailableBatchDisposition}, {D365Statuses.RestrictedBatchDisposition}, {string.Join(", ", D365Statuses.BlockingBatchDispositions)}.");
            }

            summary.Add($"batch disposition {code}{(blockingDisposition is null ? string.Empty : " (blocking: out of planning and ATP)")}");
        }

        if (restrictedBatch is { } restricted)
        {
            summary.Add(restricted ? "batch restricted" : "batch unrestricted");
        }

        if (request.Disposition is { } disposition)
        {
            summary.Add($"disposition {disposition}");
        }

        if (request.QualityDecision is { } decision)
        {
            summary.Add($"quality decision {decision}");
        }

        return CommandPlan.Apply(
            summary.Count == 0 ? "batch status unchanged" : string.Join(", ", summary),
            () =>
            {
                if (request.BatchDisposition is not null)
                {
                    // One disposition per batch: a blocking code holds the whole batch (no usable stock, no ATP) until another code replaces it.
                    state.Holds.RemoveAll(static h => h.StartsWith(BatchDispositionHoldPrefix, StringComparison.Ordinal));
                    if (blockingDisposition is not null)
                    {
                        state.Holds.Add(BatchDispositionHoldPrefix + blockingDisposition);
                    }
                }

                if (restrictedBatch is { } r && r != state.IsRestrictedBatch)
                {
                    // SAP batch status management: restricting moves unrestricted stock to restricted-use (341), lifting it moves it back (342).
                    var (from, to) = r ? (StockCategory.Unrestricted, StockCategory.RestrictedUse) : (StockCategory.RestrictedUse, StockCategory.Unrestricted);
                    var moved = new List<(StockSlot Slot, decimal Quantity)>();
                    foreach (var (slot, quantity) in state.Stock.ToArray())
                    {
                        if (slot.Category == from && quantity > 0)
                        {
                            state.Stock.Remove(slot);
                            var target = slot with { Category = to };
                            state.Stock[target] = state.Stock.GetValueOrDefault(target) + quantity;
                            moved.Add((slot, -quantity));
                            moved.Add((target, quantity));
                        }
                    }

                    state.IsRestrictedBatch = r;
                    var movementType = SapMovementTypes.ForCategoryChange(from, to)!;
                    Publish(state, movementType, document: null, $"{movementType} {(r ? "batch restricted" : "batch restriction lifted")}", [.. moved]);
                }

                state.Disposition = request.Disposition ?? state.Disposition;
                state.QualityDecision = request.QualityDecision ?? state.QualityDecision;
                state.Version++;
            },
            lot: state.Id.Value);
    }

    private CommandPlan PlanReevaluateAllocations(ReevaluateAllocationsRequest request)
    {
        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return UnknownLot(request.Lot);
        }

        var available = Usable(state);
        var kept = new List<Allocation>(state.Allocations.Count);
        var dropped = new List<Allocation>();
        foreach (var allocation in state.Allocations.OrderBy(a => a.RequiredBy ?? DateTimeOffset.MaxValue))
        {
            if (allocation.Quantity.Value <= available)
            {
                available -= allocation.Quantity.Value;
                kept.Add(allocation);
            }
            else
            {
                dropped.Add(allocation);
            }
        }

        var summary = dropped.Count == 0
            ? $"{kept.Count} allocation(s) still covered"
            : $"dropped {dropped.Count} of {state.Allocations.Count} allocation(s): {string.Join(", ", dropped.Select(a => a.Order.Value))}";
        return CommandPlan.Apply(
            summary,
            () =>
            {
                state.Allocations.Clear();
                state.Allocations.AddRange(kept);
                foreach (var allocation in dropped)
                {
                    if (_orders.TryGetValue(allocation.Order, out var order))
                    {
                        lock (order.Gate)
                        {
                            order.Order = order.Order with { Allocations = [.. order.Order.Allocations.Where(a => a.Lot != allocation.Lot)] };
                        }
                    }
                }
            },
            lot: state.Id.Value);
    }

    private CommandPlan PlanUpdateAtp(UpdateAtpRequest request)
    {
        decimal atp = 0;
        foreach (var state in _lots.Values)
        {
            if (state.Material != request.Material || state.Site != request.Site)
            {
                continue;
            }

            lock (state.Gate)
            {
                var usable = Usable(state);
                foreach (var allocation in state.Allocations)
                {
                    usable -= allocation.Quantity.Value;
                }

                atp += Math.Max(0, usable);
            }
        }

        return CommandPlan.Apply(
            $"ATP of {request.Material} at {request.Site} = {atp.ToString(CultureInfo.InvariantCulture)}",
            () => _atp[(request.Material, request.Site)] = atp,
            lot: request.Lot?.Value);
    }

    private CommandPlan PlanShipmentHold(LotId lot, bool hold)
    {
        if (!_lots.TryGetValue(lot, out var state))
        {
            return UnknownLot(lot);
        }

        return CommandPlan.Apply(hold ? "shipment hold placed" : "shipment hold released", () => state.ShipmentHold = hold, lot: lot.Value);
    }

    private CommandPlan PlanCountAdjustment(PostCountAdjustmentRequest request)
    {
        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return UnknownLot(request.Lot);
        }

        if (QuantityProblem(state, request.Difference) is { } problem)
        {
            return problem;
        }

        var type = SapMovementTypes.ForCountDifference(request.Category, request.IsIncrease);
        if (type is null)
        {
            return CommandPlan.Refuse(ReasonCodes.CategoryDoesNotAllowMovement, $"Count differences are posted to unrestricted, quality-inspection or blocked stock, not {Name(request.Category)}.");
        }

        // A surplus counted in unrestricted stock of a restricted batch lands in restricted-use, as the lot machine puts it.
        // A shortage names no storage location: the lot machine takes it from the category's stock wherever it lies.
        var slot = request.IsIncrease
            ? FindSlot(state, Landing(state.IsRestrictedBatch, request.Category), request.Ownership)
            : new StockSlot(request.Category, request.Ownership, null);
        var movement = new GoodsMovement
        {
            Kind = MovementKind.CountDifference,
            Lot = state.Id,
            Material = state.Material,
            Site = state.Site,
            Quantity = request.Difference,
            FromCategory = request.Category,
            ToCategory = request.Category,
            FromOwnership = request.Ownership,
            ToOwnership = request.Ownership,
            FromLocation = slot.Location,
            ToLocation = slot.Location,
            IsIncrease = request.IsIncrease,
        };
        if (Decide(state, movement, out var next) is { } refused)
        {
            return refused;
        }

        var description = $"count {request.Count} {(request.IsIncrease ? "surplus" : "shortage")} in {Name(slot.Category)}";
        if (request.IsIncrease)
        {
            return PlanDeltas(state, movement, next, type, description, [(slot, request.Difference.Value)]);
        }

        if (next is null)
        {
            return CommandPlan.RefuseAsStale(
                ReasonCodes.InsufficientQuantity,
                $"Lot {state.Id} holds {Held(state, request.Category, request.Ownership).ToString(CultureInfo.InvariantCulture)} {state.Unit} in {Name(request.Category)} ({request.Ownership}), less than the counted shortage of {request.Difference}.");
        }

        return PlanDeltas(state, movement, next, type, description, Withdrawn(state, next, request.Category, request.Ownership));
    }

    /// <summary>A lot's stock of a category and ownership, across storage locations.</summary>
    private static decimal Held(LotState state, StockCategory category, StockOwnership ownership)
    {
        decimal held = 0;
        foreach (var (slot, quantity) in state.Stock)
        {
            if (slot.Category == category && slot.Ownership == ownership)
            {
                held += quantity;
            }
        }

        return held;
    }

    /// <summary>What the lot machine took out of a category and ownership, per storage location, as negative deltas.</summary>
    private static (StockSlot Slot, decimal Quantity)[] Withdrawn(LotState state, MaterialLot decided, StockCategory category, StockOwnership ownership)
    {
        var deltas = new List<(StockSlot Slot, decimal Quantity)>(2);
        foreach (var (slot, quantity) in state.Stock)
        {
            if (slot.Category != category || slot.Ownership != ownership)
            {
                continue;
            }

            decimal left = 0;
            foreach (var bucket in decided.Buckets)
            {
                if (bucket.Category == category && bucket.Ownership == ownership && bucket.Location == slot.Location)
                {
                    left += bucket.Quantity.Value;
                }
            }

            if (left != quantity)
            {
                deltas.Add((slot, left - quantity));
            }
        }

        return [.. deltas];
    }

    private CommandPlan PlanProductionConfirmation(PostProductionConfirmationRequest request)
    {
        if (!_orders.TryGetValue(request.Order, out var order))
        {
            return CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Order {request.Order} is not known to the ERP.");
        }

        // The order machine decides: not before release, not while held, not after closing; late confirmations on TECO.
        var result = ProductionOrderMachine.Confirm(order.Order, request.Yield, request.Scrap, request.IsFinal);
        if (result.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, $"Order {request.Order} is {order.Order.Status}: {rejection.Message}");
        }

        var next = result.Value!;
        var reference = NextReference("CONF");
        return CommandPlan.Apply(
            $"confirmation of {request.Yield} yield{(request.Scrap is { } s ? $", {s} scrap" : string.Empty)}{(request.IsFinal ? " (final)" : string.Empty)}",
            () => order.Order = next,
            lot: request.ProducedLot?.Value,
            order: request.Order.Value,
            externalReference: reference);
    }

    private CommandPlan PlanScrapDestruction(ConfirmScrapDestructionRequest request)
    {
        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return UnknownLot(request.Lot);
        }

        var result = LotStockMachine.ConfirmDestruction(Snapshot(state), request.Quantity);
        if (result.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, rejection.Message);
        }

        var destroyed = result.Value!.DestroyedQuantity;
        var reference = NextReference("DISP");
        return CommandPlan.Apply(
            $"destruction of {request.Quantity} scrapped{(request.DisposalReference is { } proof ? $" ({proof})" : string.Empty)}",
            () =>
            {
                state.Destroyed = destroyed;
                state.Version++;
            },
            lot: state.Id.Value,
            externalReference: reference);
    }

    private CommandPlan PlanCreateQuarantineOrder(CreateQuarantineOrderRequest request)
    {
        if (Profile != ErpSimulatorProfile.D365Like)
        {
            return CommandPlan.Refuse(ReasonCodes.OperationNotSupported, "SAP has no quarantine order: block the stock (344) and move it to a quarantine storage location instead.");
        }

        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return UnknownLot(request.Lot);
        }

        if (_quarantineOrders.ContainsKey(request.Order))
        {
            return CommandPlan.Refuse(ReasonCodes.Duplicate, $"Quarantine order {request.Order} already exists.");
        }

        QuarantineOrder order;
        try
        {
            order = new QuarantineOrder(request.Order, state.Id, state.Material, state.Site, request.Quantity, request.RegularLocation, request.QuarantineLocation) { ReasonCode = request.ReasonCode };
        }
        catch (ManufacturingOrchestrationException ex)
        {
            return CommandPlan.Refuse(ex.ReasonCode, ex.Message);
        }

        return CommandPlan.Apply($"quarantine order {order.Id} created for {order.Quantity}", () => _quarantineOrders[order.Id] = order, lot: state.Id.Value, externalReference: order.Id.Value);
    }

    /// <summary>Moves a quarantine order on through its machine and posts the warehouse move the step implies.</summary>
    private CommandPlan PlanChangeQuarantineOrder(ChangeQuarantineOrderRequest request)
    {
        if (!_quarantineOrders.TryGetValue(request.Order, out var order))
        {
            return CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Quarantine order {request.Order} is not known to the ERP.");
        }

        if ((request.Status is null) == (request.ScrapQuantity is null))
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A quarantine order change names either a status or a scrap quantity, not both or neither.");
        }

        TransitionResult<QuarantineOrderStep> step;
        if (request.ScrapQuantity is { } scrap)
        {
            step = QuarantineOrderMachine.Scrap(order, scrap);
        }
        else
        {
            QuarantineOrderTrigger? trigger = request.Status switch
            {
                QuarantineOrderStatus.Started => QuarantineOrderTrigger.Start,
                QuarantineOrderStatus.ReportedAsFinished => QuarantineOrderTrigger.ReportAsFinished,
                QuarantineOrderStatus.Ended => QuarantineOrderTrigger.End,
                QuarantineOrderStatus.Cancelled => QuarantineOrderTrigger.Cancel,
                _ => null,
            };
            if (trigger is null)
            {
                return CommandPlan.Refuse(ReasonCodes.TransitionNotPermitted, $"A quarantine order is not moved to {request.Status}.");
            }

            step = QuarantineOrderMachine.Fire(order, trigger.Value, QuarantineOrderTriggerArgs.None);
        }

        if (step.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, $"Quarantine order {order.Id}: {rejection.Message}");
        }

        var next = step.Value!.Order;
        var summary = $"quarantine order {order.Id} {order.Status}→{next.Status}";
        if (step.Value.Movements.Count == 0)
        {
            return CommandPlan.Apply(summary, () => _quarantineOrders[order.Id] = next, lot: order.Lot.Value, externalReference: order.Id.Value);
        }

        // Each step moves at most one quantity: into the quarantine warehouse, back out of it, or scrapped from it.
        var movement = step.Value.Movements[0];
        var state = RequireLot(order.Lot);
        if (Decide(state, movement, out var decided) is { } refused)
        {
            return refused;
        }

        var source = new StockSlot(movement.FromCategory ?? StockCategory.Blocked, StockOwnership.Own, movement.FromLocation);
        var (movementType, deltas) = movement.Kind == MovementKind.Scrap
            ? (SapMovementTypes.TryGetPosting(movement, out var scrapPosting) ? scrapPosting.MovementType : "555", new[] { (source, -movement.Quantity.Value) })
            : (SapMovementTypes.ForCategoryChange(source.Category, movement.ToCategory!.Value)!, new[] { (source, -movement.Quantity.Value), (new StockSlot(Landing(decided, movement.ToCategory!.Value), StockOwnership.Own, movement.ToLocation), movement.Quantity.Value) });
        return PlanDeltas(state, movement, decided, movementType, summary, deltas, alsoApply: () => _quarantineOrders[order.Id] = next);
    }

    // ---- Helpers ---------------------------------------------------------------------------------

    /// <summary>
    /// Asks the lot machine whether <paramref name="movement"/> may be posted on the lot as it is now (optionally marked
    /// reworked first) and returns its refusal, or <see langword="null"/> with the lot the machine computed. A shortage is
    /// left to <see cref="PlanDeltas"/>, which refuses it per stock slot.
    /// </summary>
    private CommandPlan? Decide(LotState state, GoodsMovement movement, out MaterialLot? next, bool reworked = false)
    {
        var lot = Snapshot(state);
        if (reworked)
        {
            lot = LotStockMachine.MarkReworked(lot);
        }

        var result = LotStockMachine.Apply(lot, movement, LotPolicy, Today(state.Site));
        next = result.Value;
        if (result.Rejection is not { } rejection || rejection.ReasonCode == ReasonCodes.InsufficientQuantity)
        {
            return null;
        }

        return Refusal(state, rejection);
    }

    /// <summary>
    /// The category stock asked into <paramref name="requested"/> lands in, as the lot machine books it: stock of a
    /// restricted batch entering unrestricted stock (receipt, receipt from transit, count surplus, release) lands in
    /// restricted-use (SAP batch status management).
    /// </summary>
    private static StockCategory Landing(MaterialLot? decided, StockCategory requested) => Landing(decided?.IsRestrictedBatch == true, requested);

    private static StockCategory Landing(bool restrictedBatch, StockCategory requested) =>
        requested == StockCategory.Unrestricted && restrictedBatch ? StockCategory.RestrictedUse : requested;

    /// <summary>A refusal of the lot machine as the ERP's answer, naming the lot.</summary>
    private static CommandPlan Refusal(LotState state, TransitionRejection rejection) =>
        CommandPlan.Refuse(rejection.ReasonCode, $"Lot {state.Id}: {rejection.Message}");

    /// <summary>
    /// Opens a new inspection lot (SAP) or quality order (D365) on <paramref name="quantity"/> of the lot's
    /// quality-inspection stock; the lot machine's refusal, or <see langword="null"/> with the lot it computed.
    /// </summary>
    private CommandPlan? OpenInspectionLot(LotState state, MaterialLot lot, Quantity quantity, out MaterialLot? opened, out InspectionLotId inspectionLot)
    {
        inspectionLot = new InspectionLotId(NextReference(Profile == ErpSimulatorProfile.SapLike ? "IL-" : "QO-"));
        var result = LotStockMachine.OpenInspection(lot, inspectionLot, quantity);
        opened = result.Value;
        return result.Rejection is { } rejection ? Refusal(state, rejection) : null;
    }

    /// <summary>
    /// A goods receipt of a material with an inspection setup at the site: the quantity to inspect goes to quality
    /// inspection under a new inspection lot, the rest (D365 sampling without full blocking) to unrestricted stock.
    /// </summary>
    private CommandPlan PlanInspectedReceipt(LotState state, GoodsMovement movement, QualityInspectionSetup setup, string movementType)
    {
        var inspected = Profile == ErpSimulatorProfile.SapLike ? movement.Quantity : setup.QuantityToInspect(movement.Quantity);
        var free = movement.Quantity.Value - inspected.Value;
        var today = Today(state.Site);
        var lot = Snapshot(state);
        var intoInspection = LotStockMachine.Apply(lot, movement with { ToCategory = StockCategory.QualityInspection, Quantity = inspected }, LotPolicy, today);
        if (intoInspection.Rejection is { } rejected)
        {
            return Refusal(state, rejected);
        }

        var received = intoInspection.Value!;
        if (free > 0)
        {
            var rest = LotStockMachine.Apply(received, movement with { ToCategory = StockCategory.Unrestricted, Quantity = new Quantity(free, state.Unit) }, LotPolicy, today);
            if (rest.Rejection is { } refusedRest)
            {
                return Refusal(state, refusedRest);
            }

            received = rest.Value!;
        }

        if (OpenInspectionLot(state, received, inspected, out var opened, out var inspectionLot) is { } notOpened)
        {
            return notOpened;
        }

        var deltas = new List<(StockSlot Slot, decimal Quantity)> { (new StockSlot(StockCategory.QualityInspection, movement.ToOwnership, movement.ToLocation), inspected.Value) };
        if (free > 0)
        {
            deltas.Add((new StockSlot(Landing(opened, StockCategory.Unrestricted), movement.ToOwnership, movement.ToLocation), free));
        }

        var what = Profile == ErpSimulatorProfile.SapLike ? "inspection lot" : "quality order";
        return PlanDeltas(state, movement, opened, movementType, $"receipt under {what} {inspectionLot} ({inspected} to inspect)", [.. deltas]);
    }

    /// <summary>Stock in transfer (303/305) is SAP's: Dynamics 365 moves stock between sites through an in-transit warehouse.</summary>
    private CommandPlan? InTransferProblem(StockCategory? category) =>
        category == StockCategory.InTransfer && Profile != ErpSimulatorProfile.SapLike
            ? CommandPlan.Refuse(ReasonCodes.OperationNotSupported, "Dynamics 365 moves stock between sites by transfer order through an in-transit warehouse; stock in transfer (SAP 303/305) is not supported.")
            : null;

    private DateOnly Today(SiteId site) =>
        (_sites.TryGetValue(site, out var profile) ? profile : new SiteProfile { Id = site }).DateAt(TimeProvider.GetUtcNow());

    private CommandPlan PlanDeltas(LotState state, GoodsMovement movement, MaterialLot? decided, string movementType, string description, (StockSlot Slot, decimal Quantity)[] deltas, string? order = null, Document? reversalOf = null, Action? alsoApply = null)
    {
        foreach (var (slot, quantity) in deltas)
        {
            if (quantity < 0 && state.Stock.GetValueOrDefault(slot) < -quantity)
            {
                // Stale, not a business refusal: the orchestrator's copy of the lot promised stock that has since gone.
                return CommandPlan.RefuseAsStale(
                    ReasonCodes.InsufficientQuantity,
                    $"Lot {state.Id} holds {state.Stock.GetValueOrDefault(slot).ToString(CultureInfo.InvariantCulture)} {state.Unit} in {Name(slot.Category)} ({slot.Ownership}{(slot.Location is { } l ? $", {l}" : string.Empty)}), less than {(-quantity).ToString(CultureInfo.InvariantCulture)}.");
            }
        }

        var number = NextReference("49");
        var moved = 0m;
        foreach (var (_, quantity) in deltas)
        {
            moved = Math.Max(moved, Math.Abs(quantity));
        }

        var document = new Document(number, state.Id, movementType, movement, deltas, reversalOf is not null);
        var summary = $"{movementType} {description} {moved.ToString(CultureInfo.InvariantCulture)} {state.Unit}";
        return CommandPlan.Apply(
            summary,
            () =>
            {
                // Re-entrant: a goods receipt that created the lot runs under the unknown-lot gate, and adds the lot now.
                using var scope = state.Gate.EnterScope();
                _lots.TryAdd(state.Id, state);
                foreach (var (slot, quantity) in deltas)
                {
                    var updated = state.Stock.GetValueOrDefault(slot) + quantity;
                    if (updated == 0)
                    {
                        state.Stock.Remove(slot);
                    }
                    else
                    {
                        state.Stock[slot] = updated;
                    }
                }

                state.Version++;
                if (decided is not null)
                {
                    // What the posting did to the lot beyond its stock, as the lot machine computed it.
                    state.Scrapped = decided.ScrappedQuantity;
                    state.Consumed = decided.ConsumedQuantity;
                    state.RequiresReinspection = decided.RequiresReinspection;
                    state.Inspections.Clear();
                    state.Inspections.AddRange(decided.Inspections);
                    state.QualityDecision = decided.QualityDecision;
                }

                if (reversalOf is not null)
                {
                    reversalOf.ReversedBy = number;
                }

                _documents[number] = document;
                alsoApply?.Invoke();
                Publish(state, movementType, number, summary, deltas);
            },
            lot: state.Id.Value,
            order: order,
            externalReference: number);
    }

    /// <summary>Passes a posting's net change per category and ownership to the observer; location moves net out.</summary>
    private void Publish(LotState state, string movementType, string? document, string description, (StockSlot Slot, decimal Quantity)[] deltas)
    {
        if (PostingObserver is not { } observer)
        {
            return;
        }

        var lines = new List<ErpStockPostingLine>(deltas.Length);
        foreach (var (slot, quantity) in deltas)
        {
            var index = -1;
            for (var i = 0; i < lines.Count; i++)
            {
                if (lines[i].Category == slot.Category && lines[i].Ownership == slot.Ownership)
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                lines.Add(new ErpStockPostingLine { Category = slot.Category, Ownership = slot.Ownership, Change = quantity });
            }
            else
            {
                lines[index] = lines[index] with { Change = lines[index].Change + quantity };
            }
        }

        lines.RemoveAll(static l => l.Change == 0);
        if (lines.Count == 0)
        {
            return;
        }

        observer(new ErpStockPosting
        {
            Lot = state.Id,
            Material = state.Material,
            Site = state.Site,
            Unit = state.Unit,
            MovementType = movementType,
            Document = document,
            Description = description,
            Lines = lines,
            PostedAt = TimeProvider.GetUtcNow(),
        });
    }

    /// <summary>Whether the order machine accepts a goods movement against the order as it is now (a check; the order is not changed).</summary>
    private static CommandPlan? PostingProblem(ProductionOrder order) =>
        ProductionOrderMachine.Fire(order, ProductionOrderTrigger.PostGoodsMovement, ProductionOrderTriggerArgs.None).Rejection is { } rejection
            ? CommandPlan.Refuse(rejection.ReasonCode, $"Order {order.Id} is {order.Status}: it accepts no goods movement ({rejection.Message}).")
            : null;

    private static CommandPlan? QuantityProblem(LotState state, Quantity quantity)
    {
        if (quantity.Value <= 0)
        {
            return CommandPlan.Refuse(ReasonCodes.NonPositiveQuantity, "The quantity must be greater than zero.");
        }

        return quantity.Unit != state.Unit
            ? CommandPlan.Refuse(ReasonCodes.UnitMismatch, $"Lot {state.Id} is kept in {state.Unit}, not {quantity.Unit}.")
            : null;
    }

    private static StockSlot FindSlot(LotState state, StockCategory category, StockOwnership ownership)
    {
        foreach (var slot in state.Stock.Keys)
        {
            if (slot.Category == category && slot.Ownership == ownership)
            {
                return slot;
            }
        }

        return new StockSlot(category, ownership, null);
    }

    /// <summary>
    /// The lot's unrestricted own stock when the lot machine would let it be consumed now (no hold, not expired at the
    /// site's date, no re-inspection pending), otherwise zero: what allocations and the available-to-promise can count on.
    /// </summary>
    private decimal Usable(LotState state)
    {
        var lot = Snapshot(state);
        var unrestricted = lot.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own);
        if (unrestricted.Value <= 0)
        {
            return 0;
        }

        var consumption = new GoodsMovement
        {
            Kind = MovementKind.Consumption,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = unrestricted,
            FromCategory = StockCategory.Unrestricted,
            FromOwnership = StockOwnership.Own,
        };
        return LotStockMachine.Apply(lot, consumption, LotPolicy, Today(state.Site)).IsAccepted ? unrestricted.Value : 0;
    }

    private static CommandPlan UnknownLot(LotId lot) => CommandPlan.Refuse(ReasonCodes.LotUnknown, $"Lot {lot} is not known to the ERP.");

    private static string Name(StockCategory category) => category switch
    {
        StockCategory.Unrestricted => "unrestricted",
        StockCategory.QualityInspection => "quality-inspection",
        StockCategory.Blocked => "blocked",
        StockCategory.RestrictedUse => "restricted-use",
        StockCategory.InTransit => "in-transit",
        StockCategory.InTransfer => "in-transfer",
        _ => category.ToString(),
    };

    private Lock GateFor(LotId? lot) => lot is { } id && _lots.TryGetValue(id, out var state) ? state.Gate : _unknownLotGate;

    private Lock GateForReceipt(GoodsMovement? movement) => GateFor(movement?.Lot);

    private LotState RequireLot(LotId lot) =>
        _lots.TryGetValue(lot, out var state) ? state : throw new ManufacturingOrchestrationException(ReasonCodes.LotUnknown, $"Lot {lot} is not known to the ERP.");

    private MaterialLot Snapshot(LotState state)
    {
        lock (state.Gate)
        {
            return new MaterialLot
            {
                Id = state.Id,
                Material = state.Material,
                Site = state.Site,
                Supplier = state.Supplier,
                Unit = state.Unit,
                Buckets = Buckets(state),
                Disposition = state.Disposition,
                QualityDecision = state.QualityDecision,
                IsRestrictedBatch = state.IsRestrictedBatch,
                RequiresReinspection = state.RequiresReinspection,
                ExpiryDate = state.ExpiryDate,
                Holds = [.. state.Holds],
                Inspections = [.. state.Inspections],
                ScrappedQuantity = state.Scrapped,
                DestroyedQuantity = state.Destroyed,
                ConsumedQuantity = state.Consumed,
                Version = state.Version,
            };
        }
    }

    private static List<StockBucket> Buckets(LotState state)
    {
        var buckets = new List<StockBucket>(state.Stock.Count);
        foreach (var (slot, quantity) in state.Stock)
        {
            if (quantity != 0)
            {
                buckets.Add(new StockBucket { Category = slot.Category, Ownership = slot.Ownership, Location = slot.Location, Quantity = new Quantity(quantity, state.Unit) });
            }
        }

        buckets.Sort(static (a, b) => a.Category != b.Category ? a.Category.CompareTo(b.Category) : a.Ownership.CompareTo(b.Ownership));
        return buckets;
    }

    private readonly record struct StockSlot(StockCategory Category, StockOwnership Ownership, StorageLocationId? Location);

    private sealed class LotState(LotId id, MaterialId material, SiteId site, UnitOfMeasure unit)
    {
        public Lock Gate { get; } = new();

        public LotId Id { get; } = id;

        public MaterialId Material { get; } = material;

        public SiteId Site { get; } = site;

        public UnitOfMeasure Unit { get; } = unit;

        public SupplierId? Supplier { get; init; }

        public Dictionary<StockSlot, decimal> Stock { get; } = [];

        public List<Allocation> Allocations { get; } = [];

        public List<string> Holds { get; } = [];

        public List<LotInspection> Inspections { get; } = [];

        public LotDisposition Disposition { get; set; } = LotDisposition.Restricted;

        public QualityDecision QualityDecision { get; set; }

        public bool IsRestrictedBatch { get; set; }

        public bool RequiresReinspection { get; set; }

        public DateOnly? ExpiryDate { get; set; }

        public decimal Scrapped { get; set; }

        public decimal Consumed { get; set; }

        public decimal Destroyed { get; set; }

        public long Version { get; set; }

        public bool ShipmentHold { get; set; }
    }

    private sealed class OrderState(ProductionOrder order)
    {
        public Lock Gate { get; } = new();

        /// <summary>Held for a whole <see cref="ChangeOrder"/>: the order's status and its lots' reservations change together.</summary>
        public Lock ChangeGate { get; } = new();

        public ProductionOrder Order { get; set; } = order;

        /// <summary>The reservations technical completion or closing released, restored when that is revoked.</summary>
        public IReadOnlyList<Allocation> ReleasedReservations { get; set; } = [];
    }

    private sealed class Document(string number, LotId lot, string movementType, GoodsMovement movement, (StockSlot Slot, decimal Quantity)[] deltas, bool isReversal)
    {
        public string Number { get; } = number;

        public LotId Lot { get; } = lot;

        public string MovementType { get; } = movementType;

        /// <summary>The movement as posted (for a reversal, the original with <see cref="GoodsMovement.ReversalOf"/>).</summary>
        public GoodsMovement Movement { get; } = movement;

        public (StockSlot Slot, decimal Quantity)[] Deltas { get; } = deltas;

        public bool IsReversal { get; } = isReversal;

        public string? ReversedBy { get; set; }
    }

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ChangeStockCategoryRequest>.ExecuteAsync(ChangeStockCategoryRequest command, CancellationToken cancellationToken) => ChangeStockCategoryAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PostGoodsMovementRequest>.ExecuteAsync(PostGoodsMovementRequest command, CancellationToken cancellationToken) => PostGoodsMovementAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReverseGoodsMovementRequest>.ExecuteAsync(ReverseGoodsMovementRequest command, CancellationToken cancellationToken) => ReverseGoodsMovementAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<SetBatchStatusRequest>.ExecuteAsync(SetBatchStatusRequest command, CancellationToken cancellationToken) => SetBatchStatusAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ConfirmScrapDestructionRequest>.ExecuteAsync(ConfirmScrapDestructionRequest command, CancellationToken cancellationToken) => ConfirmScrapDestructionAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<CreateQuarantineOrderRequest>.ExecuteAsync(CreateQuarantineOrderRequest command, CancellationToken cancellationToken) => CreateQuarantineOrderAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ChangeQuarantineOrderRequest>.ExecuteAsync(ChangeQuarantineOrderRequest command, CancellationToken cancellationToken) => ChangeQuarantineOrderAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReevaluateAllocationsRequest>.ExecuteAsync(ReevaluateAllocationsRequest command, CancellationToken cancellationToken) => ReevaluateAllocationsAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<UpdateAtpRequest>.ExecuteAsync(UpdateAtpRequest command, CancellationToken cancellationToken) => UpdateAtpAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PlaceShipmentHoldRequest>.ExecuteAsync(PlaceShipmentHoldRequest command, CancellationToken cancellationToken) => PlaceShipmentHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReleaseShipmentHoldRequest>.ExecuteAsync(ReleaseShipmentHoldRequest command, CancellationToken cancellationToken) => ReleaseShipmentHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PostCountAdjustmentRequest>.ExecuteAsync(PostCountAdjustmentRequest command, CancellationToken cancellationToken) => PostCountAdjustmentAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PostProductionConfirmationRequest>.ExecuteAsync(PostProductionConfirmationRequest command, CancellationToken cancellationToken) => PostProductionConfirmationAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<MaterialLot?> IQueryHandler<GetLotQuery, MaterialLot?>.QueryAsync(GetLotQuery query, CancellationToken cancellationToken) => GetLotAsync(query.Lot, cancellationToken);

    /// <inheritdoc />
    ValueTask<MaterialDefinition?> IQueryHandler<GetMaterialQuery, MaterialDefinition?>.QueryAsync(GetMaterialQuery query, CancellationToken cancellationToken) => GetMaterialAsync(query.Material, cancellationToken);

    /// <inheritdoc />
    ValueTask<IReadOnlyList<Allocation>> IQueryHandler<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>.QueryAsync(GetOpenAllocationsQuery query, CancellationToken cancellationToken) => GetOpenAllocationsAsync(query.Lot, cancellationToken);

    /// <inheritdoc />
    ValueTask<LotStockSnapshot?> IQueryHandler<GetErpStockQuery, LotStockSnapshot?>.QueryAsync(GetErpStockQuery query, CancellationToken cancellationToken) => GetStockAsync(query.Lot, cancellationToken);

    /// <inheritdoc />
    ValueTask<ProductionOrder?> IQueryHandler<GetProductionOrderQuery, ProductionOrder?>.QueryAsync(GetProductionOrderQuery query, CancellationToken cancellationToken) => GetProductionOrderAsync(query.Order, cancellationToken);
}
