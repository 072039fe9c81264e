using System.Collections.Concurrent;
using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>The status of a simulated warehouse task.</summary>
public enum WarehouseTaskStatus
{
    /// <summary>Open: waiting to be carried out.</summary>
    Open = 0,

    /// <summary>Paused: picks of the lot are paused; it stays paused until picks are resumed.</summary>
    Paused = 1,

    /// <summary>Carried out.</summary>
    Completed = 2,
}

/// <summary>A move task in the simulated WMS.</summary>
public sealed record MoveTask
{
    /// <summary>The task id.</summary>
    public required string Id { get; init; }

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The source bin, or <see langword="null"/> for every bin holding the lot.</summary>
    public BinId? FromBin { get; init; }

    /// <summary>The target bin.</summary>
    public required BinId ToBin { get; init; }

    /// <summary>The quantity, or <see langword="null"/> for all the lot's stock in the source bins.</summary>
    public decimal? Quantity { get; init; }

    /// <summary>The category the stock is taken from, or <see langword="null"/> for every category.</summary>
    public StockCategory? SourceCategory { get; init; }

    /// <summary>The category the stock has on arrival, when the move changes it.</summary>
    public StockCategory? TargetCategory { get; init; }

    /// <summary>The status.</summary>
    public required WarehouseTaskStatus Status { get; init; }
}

/// <summary>A pick task in the simulated WMS.</summary>
public sealed record PickTask
{
    /// <summary>The task id.</summary>
    public required string Id { get; init; }

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The bin picked from.</summary>
    public required BinId Bin { get; init; }

    /// <summary>The quantity.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The status.</summary>
    public required WarehouseTaskStatus Status { get; init; }
}

/// <summary>
/// A stateful in-memory WMS: stock per lot by bin, category and ownership; move tasks that complete into their target
/// (hold) location; holds on lots and locations; pick tasks that are refused from a held location or lot and that stay
/// paused until picks are resumed. Thread-safe, with a lock per lot.
/// </summary>
public sealed class WmsSimulator : AdapterSimulator,
    ICommandHandler<CreateMoveTaskRequest>,
    ICommandHandler<PlaceHoldRequest>,
    ICommandHandler<ReleaseHoldRequest>,
    ICommandHandler<PausePicksRequest>,
    ICommandHandler<ResumePicksRequest>,
    IQueryHandler<GetWmsStockQuery, WmsStock?>
{
    private readonly ConcurrentDictionary<LotId, LotState> _lots = new();
    private readonly ConcurrentDictionary<BinId, bool> _bins = new();
    private readonly ConcurrentDictionary<BinId, string> _locationHolds = new();
    private readonly ConcurrentDictionary<string, LotState> _taskOwners = new(StringComparer.Ordinal);
    private readonly Lock _unknownGate = new();
    private readonly Func<CreateMoveTaskRequest, CommandPlan> _createMove;
    private readonly Func<PlaceHoldRequest, CommandPlan> _placeHold;
    private readonly Func<ReleaseHoldRequest, CommandPlan> _releaseHold;
    private readonly Func<PausePicksRequest, CommandPlan> _pause;
    private readonly Func<ResumePicksRequest, CommandPlan> _resume;
    private long _taskNumbers;

    /// <summary>Creates an empty WMS.</summary>
    /// <param name="options">The clock, faults and effects log; defaults when <see langword="null"/>.</param>
    public WmsSimulator(SimulatorOptions? options = null)
        : base(CommandKinds.WmsSystem, options)
    {
        _createMove = PlanMoveTask;
        _placeHold = r => PlanHold(r.Scope, r.Lot, r.Bin, r.ReasonCode?.Code ?? "hold", place: true);
        _releaseHold = r => PlanHold(r.Scope, r.Lot, r.Bin, string.Empty, place: false);
        _pause = r => PlanPicks(r.Lot, pause: true);
        _resume = r => PlanPicks(r.Lot, pause: false);
    }

    /// <summary>Whether move tasks complete as soon as they are created (default), rather than on <see cref="CompleteMoveTask(string)"/>.</summary>
    public bool AutoCompleteMoveTasks { get; set; } = true;

    // ---- Seeding ---------------------------------------------------------------------------------

    /// <summary>Adds a bin; a hold location is where quarantined stock is moved.</summary>
    /// <param name="bin">The bin.</param>
    /// <param name="isHoldLocation">Whether it is a hold location.</param>
    /// <returns>This simulator.</returns>
    public WmsSimulator AddBin(BinId bin, bool isHoldLocation = false)
    {
        _bins[bin] = isHoldLocation;
        return this;
    }

    /// <summary>Adds stock of a lot to a bin (adding the bin when unknown).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="bin">The bin.</param>
    /// <param name="quantity">The quantity.</param>
    /// <param name="category">The category.</param>
    /// <param name="ownership">The ownership.</param>
    /// <returns>This simulator.</returns>
    public WmsSimulator AddStock(LotId lot, BinId bin, Quantity quantity, StockCategory category = StockCategory.Unrestricted, StockOwnership ownership = StockOwnership.Own)
    {
        _bins.TryAdd(bin, false);
        var state = _lots.GetOrAdd(lot, static (id, unit) => new LotState(id, unit), quantity.Unit);
        lock (state.Gate)
        {
            if (state.Unit != quantity.Unit)
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.UnitMismatch, $"Lot {lot} is kept in {state.Unit}, not {quantity.Unit}.");
            }

            var slot = new Slot(bin, category, ownership);
            state.Lines[slot] = state.Lines.GetValueOrDefault(slot) + quantity.Value;
            state.LastBin = bin;
        }

        return this;
    }

    /// <summary>Creates an open pick task (paused when picks of the lot are paused), as the warehouse's own planning would.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="bin">The bin to pick from.</param>
    /// <param name="quantity">The quantity.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The lot is not known.</exception>
    public string AddPickTask(LotId lot, BinId bin, decimal quantity)
    {
        var state = _lots.TryGetValue(lot, out var s) ? s : throw new ManufacturingOrchestrationException(ReasonCodes.LotUnknown, $"Lot {lot} is not known to the WMS.");
        var id = "PK-" + Interlocked.Increment(ref _taskNumbers).ToString("D6", CultureInfo.InvariantCulture);
        lock (state.Gate)
        {
            state.Picks[id] = new PickTask { Id = id, Lot = lot, Bin = bin, Quantity = quantity, Status = state.PicksPaused ? WarehouseTaskStatus.Paused : WarehouseTaskStatus.Open };
        }

        _taskOwners[id] = state;
        return id;
    }

    // ---- Shop-floor actions and inspection -------------------------------------------------------

    /// <summary>Carries out a pick task, as a picker would: refused while paused, when the bin or lot is on hold, or for a quantity that is not positive.</summary>
    /// <param name="pickTaskId">The pick task.</param>
    /// <returns>The outcome.</returns>
    public AdapterResult CompletePickTask(string pickTaskId)
    {
        if (!_taskOwners.TryGetValue(pickTaskId, out var state))
        {
            return AdapterResult.Permanent(ReasonCodes.ReferenceUnknown, $"Pick task {pickTaskId} is not known.");
        }

        lock (state.Gate)
        {
            if (!state.Picks.TryGetValue(pickTaskId, out var task))
            {
                return AdapterResult.Permanent(ReasonCodes.ReferenceUnknown, $"Pick task {pickTaskId} is not known.");
            }

            if (task.Status == WarehouseTaskStatus.Completed)
            {
                return AdapterResult.AlreadyApplied(pickTaskId);
            }

            if (task.Status == WarehouseTaskStatus.Paused)
            {
                return AdapterResult.Permanent(ReasonCodes.PicksPaused, $"Pick task {pickTaskId} is paused until picks of lot {task.Lot} are resumed.");
            }

            var refusal = PickRefusal(state, task.Bin, task.Quantity);
            if (refusal is not null)
            {
                return refusal;
            }

            Withdraw(state, task.Bin, task.Quantity);
            state.Picks[pickTaskId] = task with { Status = WarehouseTaskStatus.Completed };
            return AdapterResult.Success(pickTaskId);
        }
    }

    /// <summary>Picks unrestricted own stock of a lot from a bin directly: refused from a held location or lot, while picks are paused, or for a quantity that is not positive (<c>payload.non-positive-quantity</c>).</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="bin">The bin.</param>
    /// <param name="quantity">The quantity.</param>
    /// <returns>The outcome.</returns>
    public AdapterResult TryPick(LotId lot, BinId bin, decimal quantity)
    {
        if (!_lots.TryGetValue(lot, out var state))
        {
            return AdapterResult.Permanent(ReasonCodes.LotUnknown, $"Lot {lot} is not known to the WMS.");
        }

        lock (state.Gate)
        {
            if (state.PicksPaused)
            {
                return AdapterResult.Permanent(ReasonCodes.PicksPaused, $"Picks of lot {lot} are paused.");
            }

            var refusal = PickRefusal(state, bin, quantity);
            if (refusal is not null)
            {
                return refusal;
            }

            Withdraw(state, bin, quantity);
            return AdapterResult.Success();
        }
    }

    /// <summary>Carries out an open move task: the stock arrives in the target (hold) location.</summary>
    /// <param name="moveTaskId">The move task.</param>
    /// <returns>The outcome.</returns>
    public AdapterResult CompleteMoveTask(string moveTaskId)
    {
        if (!_taskOwners.TryGetValue(moveTaskId, out var state))
        {
            return AdapterResult.Permanent(ReasonCodes.ReferenceUnknown, $"Move task {moveTaskId} is not known.");
        }

        lock (state.Gate)
        {
            var task = state.Moves[moveTaskId];
            if (task.Status == WarehouseTaskStatus.Completed)
            {
                return AdapterResult.AlreadyApplied(moveTaskId);
            }

            var moves = PlanMoves(state, task.FromBin, task.SourceCategory, task.Quantity);
            if (moves is null)
            {
                return AdapterResult.Permanent(ReasonCodes.InsufficientQuantity, $"Lot {task.Lot} no longer holds the stock move task {moveTaskId} is for.");
            }

            ApplyMoves(state, moves, task.ToBin, task.TargetCategory);
            state.Moves[moveTaskId] = task with { Status = WarehouseTaskStatus.Completed };
            return AdapterResult.Success(moveTaskId);
        }
    }

    /// <summary>The lot's stock by bin, category and ownership, or <see langword="null"/> when unknown.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>The stock.</returns>
    public WmsStock? GetStock(LotId lot) => _lots.TryGetValue(lot, out var state) ? Snapshot(state) : null;

    /// <summary>The quantity of a lot in a bin (all categories); zero when none.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="bin">The bin.</param>
    /// <returns>The quantity.</returns>
    public decimal QuantityIn(LotId lot, BinId bin)
    {
        if (!_lots.TryGetValue(lot, out var state))
        {
            return 0;
        }

        lock (state.Gate)
        {
            decimal total = 0;
            foreach (var (slot, quantity) in state.Lines)
            {
                if (slot.Bin == bin)
                {
                    total += quantity;
                }
            }

            return total;
        }
    }

    /// <summary>Whether a location is on hold.</summary>
    /// <param name="bin">The bin.</param>
    /// <returns><see langword="true"/> when held.</returns>
    public bool IsLocationOnHold(BinId bin) => _locationHolds.ContainsKey(bin);

    /// <summary>Whether a lot is on hold.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns><see langword="true"/> when held.</returns>
    public bool IsLotOnHold(LotId lot) => _lots.TryGetValue(lot, out var state) && state.Hold is not null;

    /// <summary>Whether picks of a lot are paused.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns><see langword="true"/> when paused.</returns>
    public bool ArePicksPaused(LotId lot) => _lots.TryGetValue(lot, out var state) && state.PicksPaused;

    /// <summary>Every move task, in no particular order.</summary>
    public IReadOnlyList<MoveTask> MoveTasks => Collect(static s => s.Moves.Values);

    /// <summary>Every pick task, in no particular order.</summary>
    public IReadOnlyList<PickTask> PickTasks => Collect(static s => s.Picks.Values);

    // ---- Commands and queries --------------------------------------------------------------------

    /// <inheritdoc />
    public ValueTask<AdapterResult> CreateMoveTaskAsync(CreateMoveTaskRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _createMove, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PlaceHoldAsync(PlaceHoldRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _placeHold, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ReleaseHoldAsync(ReleaseHoldRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _releaseHold, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> PausePicksAsync(PausePicksRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _pause, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> ResumePicksAsync(ResumePicksRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, GateFor(request?.Lot), _resume, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<WmsStock?> GetStockAsync(LotId lot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.WmsGetStock, cancellationToken).ConfigureAwait(false);
        return GetStock(lot);
    }

    // ---- ERP postings (the ERP→WMS interface) -----------------------------------------------------

    /// <summary>
    /// Applies an ERP stock posting to the lot's stock, keeping bins the WMS's own business: stock changing category or
    /// ownership changes it in the bins it lies in; stock withdrawn comes out of the bins holding that category and
    /// ownership (in bin order); stock added goes to a bin already holding that category and ownership, else any bin
    /// holding the lot, else the bin the lot was last put into, else <paramref name="receivingBin"/>. All or nothing.
    /// </summary>
    /// <param name="posting">The posting.</param>
    /// <param name="receivingBin">Where stock of a lot without a bin is put away (a goods receipt of a new lot), or <see langword="null"/>.</param>
    /// <param name="reason">The refusal reason.</param>
    /// <param name="message">The refusal message.</param>
    /// <returns>What became of the posting.</returns>
    internal ErpPostingOutcome ApplyErpPosting(ErpStockPosting posting, BinId? receivingBin, out ReasonCode reason, out string? message)
    {
        reason = default;
        message = null;
        if (!_lots.TryGetValue(posting.Lot, out var state))
        {
            if (receivingBin is not { } receiving || !posting.Lines.Any(static l => l.Change > 0))
            {
                return ErpPostingOutcome.NotWarehouseManaged;
            }

            _bins.TryAdd(receiving, false);
            state = _lots.GetOrAdd(posting.Lot, static (id, unit) => new LotState(id, unit), posting.Unit);
        }

        lock (state.Gate)
        {
            if (state.Unit != posting.Unit)
            {
                reason = ReasonCodes.UnitMismatch;
                message = $"Lot {posting.Lot} is kept in {state.Unit} in the WMS, not {posting.Unit}.";
                return ErpPostingOutcome.Refused;
            }

            // Withdrawals first: what leaves a bin in one category and ownership may stay there in another. The working
            // lists are this thread's, reused from posting to posting (nothing here calls out or keeps them).
            var changes = _postingChanges ??= new List<(Slot Slot, decimal Quantity)>(4);
            var freed = _postingFreed ??= new List<(BinId Bin, decimal Quantity)>(2);
            var sources = _postingSources ??= new List<(Slot Slot, decimal Quantity)>(2);
            changes.Clear();
            freed.Clear();
            for (var l = 0; l < posting.Lines.Count; l++)
            {
                var line = posting.Lines[l];
                if (line.Change >= 0)
                {
                    continue;
                }

                var remaining = -line.Change;
                sources.Clear();
                foreach (var (slot, available) in state.Lines)
                {
                    if (slot.Category == line.Category && slot.Ownership == line.Ownership)
                    {
                        sources.Add((slot, available));
                    }
                }

                if (sources.Count > 1)
                {
                    sources.Sort(static (a, b) => string.CompareOrdinal(a.Slot.Bin.Value, b.Slot.Bin.Value));
                }

                foreach (var (slot, available) in sources)
                {
                    var take = Math.Min(available, remaining);
                    if (take <= 0)
                    {
                        continue;
                    }

                    changes.Add((slot, -take));
                    freed.Add((slot.Bin, take));
                    remaining -= take;
                    if (remaining == 0)
                    {
                        break;
                    }
                }

                if (remaining > 0)
                {
                    var held = sources.Sum(static p => p.Quantity);
                    reason = ReasonCodes.InsufficientQuantity;
                    message = $"Lot {posting.Lot} holds {held.ToString(CultureInfo.InvariantCulture)} {state.Unit} {line.Category}/{line.Ownership} in the WMS, less than the {(-line.Change).ToString(CultureInfo.InvariantCulture)} the ERP posting {posting.MovementType} {posting.Document} removes.";
                    return ErpPostingOutcome.Refused;
                }
            }

            var freedIndex = 0;
            for (var l = 0; l < posting.Lines.Count; l++)
            {
                var line = posting.Lines[l];
                if (line.Change <= 0)
                {
                    continue;
                }

                var remaining = line.Change;
                while (remaining > 0 && freedIndex < freed.Count)
                {
                    var (bin, quantity) = freed[freedIndex];
                    var take = Math.Min(quantity, remaining);
                    changes.Add((new Slot(bin, line.Category, line.Ownership), take));
                    remaining -= take;
                    if (take == quantity)
                    {
                        freedIndex++;
                    }
                    else
                    {
                        freed[freedIndex] = (bin, quantity - take);
                    }
                }

                if (remaining > 0)
                {
                    if ((PutAwayBin(state, line.Category, line.Ownership) ?? receivingBin) is not { } target)
                    {
                        reason = ReasonCodes.ReferenceUnknown;
                        message = $"Lot {posting.Lot} has no bin in the WMS to put {remaining.ToString(CultureInfo.InvariantCulture)} {state.Unit} {line.Category}/{line.Ownership} away.";
                        return ErpPostingOutcome.Refused;
                    }

                    changes.Add((new Slot(target, line.Category, line.Ownership), remaining));
                }
            }

            foreach (var (slot, quantity) in changes)
            {
                var updated = state.Lines.GetValueOrDefault(slot) + quantity;
                if (updated == 0)
                {
                    state.Lines.Remove(slot);
                }
                else
                {
                    state.Lines[slot] = updated;
                }

                if (quantity > 0)
                {
                    state.LastBin = slot.Bin;
                }
            }

            return ErpPostingOutcome.Applied;
        }
    }

    // ---- Planning --------------------------------------------------------------------------------

    private CommandPlan PlanMoveTask(CreateMoveTaskRequest request)
    {
        if (!_lots.TryGetValue(request.Lot, out var state))
        {
            return CommandPlan.Refuse(ReasonCodes.LotUnknown, $"Lot {request.Lot} is not known to the WMS.");
        }

        if (!_bins.ContainsKey(request.ToBin))
        {
            return CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Bin {request.ToBin} is not known to the WMS.");
        }

        if (request.Quantity is { } q && (q.Value <= 0 || q.Unit != state.Unit))
        {
            return CommandPlan.Refuse(q.Value <= 0 ? ReasonCodes.NonPositiveQuantity : ReasonCodes.UnitMismatch, $"The move quantity {q} is not valid for lot {request.Lot}.");
        }

        var moves = PlanMoves(state, request.FromBin, request.SourceCategory, request.Quantity?.Value);
        if (moves is null)
        {
            return CommandPlan.Refuse(ReasonCodes.InsufficientQuantity, $"Lot {request.Lot} does not hold {request.Quantity?.ToString() ?? "any stock"}{(request.SourceCategory is { } source ? $" of {source} stock" : string.Empty)} in {request.FromBin?.ToString() ?? "its bins"}.");
        }

        var id = NextReference("MT-");
        var task = new MoveTask
        {
            Id = id,
            Lot = request.Lot,
            FromBin = request.FromBin,
            ToBin = request.ToBin,
            Quantity = request.Quantity?.Value,
            SourceCategory = request.SourceCategory,
            TargetCategory = request.TargetCategory,
            Status = WarehouseTaskStatus.Open,
        };
        var autoComplete = AutoCompleteMoveTasks;
        var moved = moves.Sum(m => m.Quantity);
        return CommandPlan.Apply(
            $"move task {id}: {moved.ToString(CultureInfo.InvariantCulture)} {state.Unit} to {request.ToBin}{(_bins.GetValueOrDefault(request.ToBin) ? " (hold location)" : string.Empty)}{(autoComplete ? ", completed" : string.Empty)}",
            () =>
            {
                _taskOwners[id] = state;
                if (autoComplete)
                {
                    ApplyMoves(state, moves, request.ToBin, request.TargetCategory);
                    task = task with { Status = WarehouseTaskStatus.Completed };
                }

                state.Moves[id] = task;
            },
            lot: request.Lot.Value,
            externalReference: id);
    }

    private CommandPlan PlanHold(WmsHoldScope scope, LotId? lot, BinId? bin, string reason, bool place)
    {
        switch (scope)
        {
            case WmsHoldScope.Location:
                if (bin is not { } b)
                {
                    return CommandPlan.Refuse(ReasonCodes.Required, "A location hold needs a bin.");
                }

                if (!_bins.ContainsKey(b))
                {
                    return CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Bin {b} is not known to the WMS.");
                }

                return CommandPlan.Apply(
                    place ? $"location {b} on hold ({reason})" : $"location {b} hold released",
                    place ? () => _locationHolds[b] = reason : () => _locationHolds.TryRemove(b, out _),
                    lot: lot?.Value);

            case WmsHoldScope.Lot:
                if (lot is not { } l)
                {
                    return CommandPlan.Refuse(ReasonCodes.Required, "A lot hold needs a lot.");
                }

                if (!_lots.TryGetValue(l, out var state))
                {
                    return CommandPlan.Refuse(ReasonCodes.LotUnknown, $"Lot {l} is not known to the WMS.");
                }

                return CommandPlan.Apply(place ? $"lot on hold ({reason})" : "lot hold released", () => state.Hold = place ? reason : null, lot: l.Value);

            default:
                return CommandPlan.Refuse(ReasonCodes.OutOfRange, $"Hold scope {scope} is not supported.");
        }
    }

    private CommandPlan PlanPicks(LotId lot, bool pause)
    {
        if (!_lots.TryGetValue(lot, out var state))
        {
            return CommandPlan.Refuse(ReasonCodes.LotUnknown, $"Lot {lot} is not known to the WMS.");
        }

        var affected = 0;
        foreach (var task in state.Picks.Values)
        {
            if (task.Status == (pause ? WarehouseTaskStatus.Open : WarehouseTaskStatus.Paused))
            {
                affected++;
            }
        }

        return CommandPlan.Apply(
            pause ? $"picks paused ({affected} open pick task(s))" : $"picks resumed ({affected} paused pick task(s))",
            () =>
            {
                state.PicksPaused = pause;
                foreach (var task in state.Picks.Values.ToArray())
                {
                    if (task.Status == (pause ? WarehouseTaskStatus.Open : WarehouseTaskStatus.Paused))
                    {
                        state.Picks[task.Id] = task with { Status = pause ? WarehouseTaskStatus.Paused : WarehouseTaskStatus.Open };
                    }
                }
            },
            lot: lot.Value);
    }

    // ---- Helpers ---------------------------------------------------------------------------------

    private AdapterResult? PickRefusal(LotState state, BinId bin, decimal quantity)
    {
        if (quantity <= 0)
        {
            // A negative pick would put stock into the bin; a zero one moves nothing.
            return AdapterResult.Permanent(ReasonCodes.NonPositiveQuantity, $"A pick of lot {state.Id} from {bin} must take more than zero (was {quantity.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (_locationHolds.TryGetValue(bin, out var reason))
        {
            return AdapterResult.Permanent(ReasonCodes.LocationOnHold, $"Location {bin} is on hold ({reason}): nothing is picked from it.");
        }

        if (state.Hold is { } lotHold)
        {
            return AdapterResult.Permanent(ReasonCodes.LotOnHold, $"Lot {state.Id} is on hold ({lotHold}).");
        }

        var slot = new Slot(bin, StockCategory.Unrestricted, StockOwnership.Own);
        if (state.Lines.GetValueOrDefault(slot) < quantity)
        {
            return AdapterResult.Permanent(ReasonCodes.InsufficientQuantity, $"Lot {state.Id} holds less than {quantity.ToString(CultureInfo.InvariantCulture)} unrestricted own stock in {bin}.");
        }

        return null;
    }

    private static void Withdraw(LotState state, BinId bin, decimal quantity)
    {
        var slot = new Slot(bin, StockCategory.Unrestricted, StockOwnership.Own);
        var remaining = state.Lines[slot] - quantity;
        if (remaining == 0)
        {
            state.Lines.Remove(slot);
        }
        else
        {
            state.Lines[slot] = remaining;
        }
    }

    private static BinId? PutAwayBin(LotState state, StockCategory category, StockOwnership ownership)
    {
        BinId? same = null;
        BinId? any = null;
        foreach (var (slot, quantity) in state.Lines)
        {
            if (quantity <= 0)
            {
                continue;
            }

            if (slot.Category == category && slot.Ownership == ownership && (same is null || string.CompareOrdinal(slot.Bin.Value, same.Value.Value) < 0))
            {
                same = slot.Bin;
            }

            if (any is null || string.CompareOrdinal(slot.Bin.Value, any.Value.Value) < 0)
            {
                any = slot.Bin;
            }
        }

        return same ?? any ?? state.LastBin;
    }

    private static List<(Slot Slot, decimal Quantity)>? PlanMoves(LotState state, BinId? fromBin, StockCategory? fromCategory, decimal? quantity)
    {
        var moves = new List<(Slot, decimal)>();
        var remaining = quantity ?? decimal.MaxValue;
        var lines = new List<(Slot Slot, decimal Quantity)>(state.Lines.Count);
        foreach (var (slot, available) in state.Lines)
        {
            lines.Add((slot, available));
        }

        if (lines.Count > 1)
        {
            // In bin order, then category, then ownership order.
            lines.Sort(static (a, b) =>
                string.CompareOrdinal(a.Slot.Bin.Value, b.Slot.Bin.Value) is var byBin and not 0 ? byBin
                : a.Slot.Category != b.Slot.Category ? ((int)a.Slot.Category).CompareTo((int)b.Slot.Category)
                : ((int)a.Slot.Ownership).CompareTo((int)b.Slot.Ownership));
        }

        foreach (var (slot, available) in lines)
        {
            if (remaining <= 0)
            {
                break;
            }

            if ((fromBin is { } from && slot.Bin != from) || (fromCategory is { } category && slot.Category != category))
            {
                continue;
            }

            var take = Math.Min(available, remaining);
            if (take > 0)
            {
                moves.Add((slot, take));
                remaining -= take;
            }
        }

        return moves.Count == 0 || (quantity is not null && remaining > 0) ? null : moves;
    }

    private static void ApplyMoves(LotState state, List<(Slot Slot, decimal Quantity)> moves, BinId toBin, StockCategory? targetCategory)
    {
        foreach (var (slot, quantity) in moves)
        {
            var left = state.Lines.GetValueOrDefault(slot) - quantity;
            if (left <= 0)
            {
                state.Lines.Remove(slot);
            }
            else
            {
                state.Lines[slot] = left;
            }

            var target = new Slot(toBin, targetCategory ?? slot.Category, slot.Ownership);
            state.Lines[target] = state.Lines.GetValueOrDefault(target) + quantity;
            state.LastBin = toBin;
        }
    }

    private WmsStock Snapshot(LotState state)
    {
        lock (state.Gate)
        {
            var lines = new List<WmsStockLine>(state.Lines.Count);
            foreach (var (slot, quantity) in state.Lines)
            {
                lines.Add(new WmsStockLine { Bin = slot.Bin, Category = slot.Category, Ownership = slot.Ownership, Quantity = new Quantity(quantity, state.Unit) });
            }

            lines.Sort(static (a, b) => string.CompareOrdinal(a.Bin.Value, b.Bin.Value) is var c && c != 0 ? c : a.Category.CompareTo(b.Category));
            return new WmsStock { Lot = state.Id, Unit = state.Unit, Lines = lines, AsOf = TimeProvider.GetUtcNow() };
        }
    }

    private List<T> Collect<T>(Func<LotState, IEnumerable<T>> select)
    {
        var result = new List<T>();
        foreach (var state in _lots.Values)
        {
            lock (state.Gate)
            {
                result.AddRange(select(state));
            }
        }

        return result;
    }

    private Lock GateFor(LotId? lot) => lot is { } id && _lots.TryGetValue(id, out var state) ? state.Gate : _unknownGate;

    private readonly record struct Slot(BinId Bin, StockCategory Category, StockOwnership Ownership);

    [ThreadStatic]
    private static List<(Slot Slot, decimal Quantity)>? _postingChanges;

    [ThreadStatic]
    private static List<(BinId Bin, decimal Quantity)>? _postingFreed;

    [ThreadStatic]
    private static List<(Slot Slot, decimal Quantity)>? _postingSources;

    private sealed class LotState(LotId id, UnitOfMeasure unit)
    {
        public Lock Gate { get; } = new();

        public LotId Id { get; } = id;

        public UnitOfMeasure Unit { get; } = unit;

        public Dictionary<Slot, decimal> Lines { get; } = [];

        public Dictionary<string, MoveTask> Moves { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, PickTask> Picks { get; } = new(StringComparer.Ordinal);

        public string? Hold { get; set; }

        public bool PicksPaused { get; set; }

        /// <summary>The bin the lot's stock was last put into (where stock it gets back goes when it holds none).</summary>
        public BinId? LastBin { get; set; }
    }

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<CreateMoveTaskRequest>.ExecuteAsync(CreateMoveTaskRequest command, CancellationToken cancellationToken) => CreateMoveTaskAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PlaceHoldRequest>.ExecuteAsync(PlaceHoldRequest command, CancellationToken cancellationToken) => PlaceHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ReleaseHoldRequest>.ExecuteAsync(ReleaseHoldRequest command, CancellationToken cancellationToken) => ReleaseHoldAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<PausePicksRequest>.ExecuteAsync(PausePicksRequest command, CancellationToken cancellationToken) => PausePicksAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<ResumePicksRequest>.ExecuteAsync(ResumePicksRequest command, CancellationToken cancellationToken) => ResumePicksAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<WmsStock?> IQueryHandler<GetWmsStockQuery, WmsStock?>.QueryAsync(GetWmsStockQuery query, CancellationToken cancellationToken) => GetStockAsync(query.Lot, cancellationToken);
}

/// <summary>What became of an ERP posting the WMS was given.</summary>
internal enum ErpPostingOutcome
{
    /// <summary>Applied to the lot's stock.</summary>
    Applied = 0,

    /// <summary>The WMS does not manage the lot (and the posting adds nothing it could put away): nothing to do.</summary>
    NotWarehouseManaged = 1,

    /// <summary>Refused; nothing applied.</summary>
    Refused = 2,
}
