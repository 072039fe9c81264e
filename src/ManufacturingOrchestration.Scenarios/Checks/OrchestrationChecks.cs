using System.Globalization;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios.Checks;

/// <summary>
/// Synchronous, side-effect-free checks that another system asks before it commits a transaction: "may 40 EA of
/// lot X be goods-issued to order Y now?", "may this lot ship?". The answer comes from the orchestrator's current
/// state of the lot (and of the order, when the orchestrator keeps it), by simulating the movement on the lot state
/// machine against a copy of the lot, and from the key's parked flag and pending approvals.
/// </summary>
/// <remarks>
/// <para>Nothing is written: no state, no audit record, no command, no adapter call. A check reads the store twice at
/// most (the lot's key, then <c>order/&lt;id&gt;</c>), so it is cheap enough to call before every goods issue.</para>
/// <para>The answer is a snapshot: an event processed right after the check can change it. <see cref="CheckResult.LotVersion"/>
/// names the state the answer is based on. Lots the orchestrator has never seen are refused with <c>lot.unknown</c>;
/// the check never falls back to asking the ERP.</para>
/// <para>Thread-safe: any number of checks may run at once, also while the orchestrator processes events.</para>
/// </remarks>
public sealed class OrchestrationChecks
{
    /// <summary>The <see cref="CheckResult.Check"/> name of <see cref="CanGoodsIssueAsync"/>.</summary>
    public const string GoodsIssueCheck = "goods-issue";

    /// <summary>The <see cref="CheckResult.Check"/> name of <see cref="CanShipAsync"/>.</summary>
    public const string ShipCheck = "ship";

    private readonly IOrchestrationStore _store;
    private readonly ScenarioServices _services;
    private readonly TimeProvider _time;
    private readonly OrchestrationCheckOptions _options;

    /// <summary>Creates the checks over an orchestrator's store and clock, with the default options.</summary>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="services">The scenario services (their <see cref="ScenarioServices.LotPolicy"/> decides expiry).</param>
    public OrchestrationChecks(Orchestrator orchestrator, ScenarioServices services)
        : this(orchestrator, services, null)
    {
    }

    /// <summary>Creates the checks over an orchestrator's store and clock.</summary>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="services">The scenario services (their <see cref="ScenarioServices.LotPolicy"/> decides expiry).</param>
    /// <param name="options">What blocks besides stock; defaults when <see langword="null"/>.</param>
    public OrchestrationChecks(Orchestrator orchestrator, ScenarioServices services, OrchestrationCheckOptions? options)
        : this((orchestrator ?? throw new ArgumentNullException(nameof(orchestrator))).Store, services, orchestrator.TimeProvider, options)
    {
    }

    /// <summary>Creates the checks over a store.</summary>
    /// <param name="store">The orchestrator's store.</param>
    /// <param name="services">The scenario services (their <see cref="ScenarioServices.LotPolicy"/> decides expiry).</param>
    /// <param name="time">The clock that decides "today" for expiry.</param>
    /// <param name="options">What blocks besides stock; defaults when <see langword="null"/>.</param>
    public OrchestrationChecks(IOrchestrationStore store, ScenarioServices services, TimeProvider time, OrchestrationCheckOptions? options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _services = services;
        _time = time;
        _options = options ?? new OrchestrationCheckOptions();
    }

    /// <summary>
    /// May <paramref name="quantity"/> of <paramref name="lot"/> be goods-issued (consumed) to <paramref name="order"/> now?
    /// Simulates an SAP 261 consumption on a copy of the lot: only unrestricted own stock, not on hold, not expired;
    /// the order, when the orchestrator keeps it, must accept goods movements.
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity, in the lot's unit.</param>
    /// <param name="order">The consuming order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer; nothing is written.</returns>
    public async ValueTask<CheckResult> CanGoodsIssueAsync(LotId lot, Quantity quantity, OrderId order, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var state = await _store.LoadPartitionAsync(lot.Value, cancellationToken).ConfigureAwait(false);
        if (state?.Lot is not { } current)
        {
            return Unknown(GoodsIssueCheck, lot, quantity, now);
        }

        var reasons = new List<CheckReason>();
        var notes = new List<string>();
        AddPartitionReasons(state, reasons, "Lot " + lot.Value);
        var today = ScenarioFacts.Today(_services, now, current.Site);
        AddLotReasons(current, quantity, today, reasons);
        var simulated = LotStockMachine.Consume(current, order, quantity, _services.LotPolicy, today);
        AddRejection(simulated, reasons);

        var orderState = await _store.LoadPartitionAsync(OrderKey(order), cancellationToken).ConfigureAwait(false);
        if (orderState?.Order is { } known)
        {
            AddPartitionReasons(orderState, reasons, "Order " + order.Value);
            var posting = ProductionOrderMachine.Fire(known, ProductionOrderTrigger.PostGoodsMovement, ProductionOrderTriggerArgs.None);
            if (posting.Rejection is { } refused)
            {
                Add(reasons, new CheckReason(refused.ReasonCode, refused.Message));
            }

            if (known.Site != current.Site)
            {
                notes.Add($"Order {order} is at site {known.Site}; lot {lot} is at site {current.Site}.");
            }
        }
        else
        {
            notes.Add($"Order {order} is not kept by the orchestrator; its status was not checked.");
        }

        return Result(GoodsIssueCheck, current, quantity, now, reasons, notes);
    }

    /// <summary>
    /// May <paramref name="lot"/> ship (be goods-issued to a delivery) now? Simulates the goods issue on a copy of the lot:
    /// only unrestricted own stock, not on hold, not expired, no pending approval and not parked.
    /// </summary>
    /// <param name="lot">The lot.</param>
    /// <param name="quantity">The quantity to ship, in the lot's unit; all unrestricted own stock when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer; nothing is written.</returns>
    public async ValueTask<CheckResult> CanShipAsync(LotId lot, Quantity? quantity, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var state = await _store.LoadPartitionAsync(lot.Value, cancellationToken).ConfigureAwait(false);
        if (state?.Lot is not { } current)
        {
            return Unknown(ShipCheck, lot, quantity, now);
        }

        var reasons = new List<CheckReason>();
        AddPartitionReasons(state, reasons, "Lot " + lot.Value);
        var today = ScenarioFacts.Today(_services, now, current.Site);
        var amount = quantity ?? current.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own);
        if (amount.IsZero)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.InsufficientQuantity, $"Lot {lot} holds no unrestricted own stock to ship ({Describe(current)})."));
        }
        else
        {
            AddLotReasons(current, amount, today, reasons);
            var movement = new GoodsMovement
            {
                Kind = MovementKind.GoodsIssue,
                Lot = current.Id,
                Material = current.Material,
                Site = current.Site,
                Quantity = amount,
                FromCategory = StockCategory.Unrestricted,
            };
            AddRejection(LotStockMachine.Apply(current, movement, _services.LotPolicy, today), reasons);
        }

        if (current.QualityDecision == QualityDecision.Rejected && current.QuantityIn(StockCategory.Unrestricted).IsZero)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.WithdrawalNotUnrestricted, $"Lot {lot} was rejected by quality."));
        }

        return Result(ShipCheck, current, quantity, now, reasons, []);
    }

    internal static string OrderKey(OrderId order) => "order/" + order.Value;

    private void AddPartitionReasons(PartitionState state, List<CheckReason> reasons, string what)
    {
        if (_options.BlockWhileParked && state.Parked is { } parked)
        {
            Add(reasons, new CheckReason(
                Model.ReasonCodes.PartitionParked,
                string.Create(CultureInfo.InvariantCulture, $"{what} is parked since {parked.Since:O} behind dead letter {parked.DeadLetterId} ({parked.ReasonCode.Code}); its later events wait for an operator.")));
        }

        if (_options.BlockWhileApprovalPending)
        {
            foreach (var pending in state.GetPendingApprovals())
            {
                reasons.Add(new CheckReason(
                    Model.ReasonCodes.ApprovalRequired,
                    $"{what} waits for approval of '{pending.Subject}' by {pending.Role} at {pending.Site} (request {pending.RequestId})."));
            }
        }
    }

    /// <summary>Every stock reason at once (the machine reports only the first one it meets).</summary>
    private void AddLotReasons(MaterialLot lot, Quantity quantity, DateOnly today, List<CheckReason> reasons)
    {
        if (lot.Holds.Count > 0)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.LotOnHold, $"Lot {lot.Id} is on hold: {string.Join(", ", lot.Holds)}."));
        }

        if (_services.LotPolicy.IsExpiredForUse(lot, today))
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.LotExpired, string.Create(CultureInfo.InvariantCulture, $"Lot {lot.Id} expired on {lot.ExpiryDate:yyyy-MM-dd}.")));
        }

        if (quantity.Unit != lot.Unit)
        {
            return;
        }

        var usable = lot.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own);
        if (usable >= quantity)
        {
            return;
        }

        if (lot.QuantityIn(StockCategory.Unrestricted) >= quantity)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.ConsignmentNotOwned, $"Lot {lot.Id} holds only {usable} of own unrestricted stock; the rest of its unrestricted stock is consignment and must change ownership first."));
            return;
        }

        Add(reasons, new CheckReason(Model.ReasonCodes.InsufficientQuantity, $"Lot {lot.Id} holds {usable} of usable (unrestricted own) stock; {quantity} was asked ({Describe(lot)})."));
        if (!lot.QuantityIn(StockCategory.InTransit).IsZero)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.InTransitNotUsable, $"{lot.QuantityIn(StockCategory.InTransit)} of lot {lot.Id} is in transit and not usable until goods receipt."));
        }

        if (!lot.QuantityIn(StockCategory.InTransfer).IsZero)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.InTransferNotUsable, $"{lot.QuantityIn(StockCategory.InTransfer)} of lot {lot.Id} is in transfer between plants and not usable until placed into stock at the receiving plant."));
        }

        foreach (var inspection in lot.Inspections)
        {
            if (inspection.IsPostingPending)
            {
                Add(reasons, new CheckReason(
                    Model.ReasonCodes.UsageDecisionPostingPending,
                    string.Create(CultureInfo.InvariantCulture, $"Inspection lot {inspection.Id} of lot {lot.Id} has usage decision {inspection.Decision} but its stock posting is pending: {inspection.Quantity} {lot.Unit} is still in quality inspection and not released.")));
            }
        }

        var notUnrestricted = lot.QuantityIn(StockCategory.QualityInspection) + lot.QuantityIn(StockCategory.Blocked) + lot.QuantityIn(StockCategory.RestrictedUse);
        if (!notUnrestricted.IsZero)
        {
            Add(reasons, new CheckReason(Model.ReasonCodes.WithdrawalNotUnrestricted, $"{notUnrestricted} of lot {lot.Id} is in quality-inspection, blocked or restricted-use stock, which cannot be withdrawn."));
        }
    }

    private static void AddRejection(TransitionResult<MaterialLot> simulated, List<CheckReason> reasons)
    {
        if (simulated.Rejection is { } rejection)
        {
            Add(reasons, new CheckReason(rejection.ReasonCode, rejection.Message));
        }
    }

    private static void Add(List<CheckReason> reasons, CheckReason reason)
    {
        foreach (var existing in reasons)
        {
            if (existing.Code == reason.Code && reason.Code != Model.ReasonCodes.PartitionParked)
            {
                return;
            }
        }

        reasons.Add(reason);
    }

    private static string Describe(MaterialLot lot)
    {
        var parts = new List<string>();
        foreach (var category in Enum.GetValues<StockCategory>())
        {
            var quantity = lot.QuantityIn(category);
            if (!quantity.IsZero)
            {
                parts.Add($"{category} {quantity}");
            }
        }

        return parts.Count == 0 ? "no stock" : string.Join(", ", parts);
    }

    private static CheckResult Unknown(string check, LotId lot, Quantity? quantity, DateTimeOffset now) => new()
    {
        Check = check,
        Lot = lot,
        Allowed = false,
        Reasons = [new CheckReason(Model.ReasonCodes.LotUnknown, $"Lot {lot} is not known to the orchestrator.")],
        RequestedQuantity = quantity,
        CheckedAt = now,
    };

    private static CheckResult Result(string check, MaterialLot lot, Quantity? quantity, DateTimeOffset now, List<CheckReason> reasons, List<string> notes)
    {
        var byCategory = new Dictionary<StockCategory, Quantity>();
        foreach (var bucket in lot.Buckets)
        {
            byCategory[bucket.Category] = byCategory.TryGetValue(bucket.Category, out var sum) ? sum + bucket.Quantity : bucket.Quantity;
        }

        return new CheckResult
        {
            Check = check,
            Lot = lot.Id,
            Allowed = reasons.Count == 0,
            Reasons = reasons,
            Notes = notes,
            QuantitiesByCategory = byCategory,
            UsableQuantity = lot.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own),
            RequestedQuantity = quantity,
            LotVersion = lot.Version,
            CheckedAt = now,
        };
    }
}
