using System.Collections.Concurrent;
using System.Collections.Frozen;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// A plant that keeps four bytes a lot instead of the simulators' stock, documents and effects log: it answers the
/// queries from the scenario's definition (lot k in quality inspection, the material master, no allocations, no
/// supplier history, no consumers), checks every command against what the scenario makes due for its lot (the ERP
/// change between the right categories for the whole quantity, the move to the site's hold bin, the buyer notification,
/// the supplier case with the material's supplier), and records which of those each lot has had. A command due
/// nowhere, a second one of a kind for a lot, or one that acts on a lot before its ERP change is a violation.
/// What a remote ERP, WMS and QMS are to a host, a million-lot burst can run against it: the process then holds
/// what the orchestrator holds, not a simulated plant's memory.
/// </summary>
public sealed class CountingPlant :
    IScenarioPlant,
    IQueryHandler<GetLotQuery, MaterialLot?>,
    IQueryHandler<GetMaterialQuery, MaterialDefinition?>,
    IQueryHandler<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>,
    IQueryHandler<GetSupplierQualityHistoryQuery, SupplierQualityHistory?>,
    IQueryHandler<GetConsumersQuery, IReadOnlyList<GenealogyLink>>,
    ICommandHandler<ChangeStockCategoryRequest>,
    ICommandHandler<CreateMoveTaskRequest>,
    ICommandHandler<SendNotificationRequest>,
    ICommandHandler<OpenSupplierCaseRequest>,
    ICommandHandler<ReevaluateAllocationsRequest>,
    ICommandHandler<HoldWorkOrderRequest>,
    ICommandHandler<ReleaseWorkOrderRequest>,
    ICommandHandler<RequestContainmentCheckRequest>,
    ICommandHandler<RequestAlternateSupplyRequest>
{
    /// <summary>How many violations are kept word for word; the rest are counted.</summary>
    public const int KeptViolations = 20;

    private const int Blocked = 1;
    private const int Released = 2;
    private const int Moved = 4;
    private const int BuyerNotified = 8;
    private const int SupplierCase = 16;
    private const int ErpChanged = Blocked | Released;

    private readonly InspectionScenario _scenario;
    private readonly FrozenDictionary<MaterialId, MaterialDefinition> _materials;
    private readonly int[] _effects;
    private readonly ConcurrentQueue<string> _violations = new();
    private int _violationCount;

    /// <summary>Creates the plant of a scenario.</summary>
    /// <param name="scenario">The scenario.</param>
    public CountingPlant(InspectionScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _materials = scenario.Materials.ToFrozenDictionary(m => m.Id);
        _effects = new int[scenario.Lots];
        Adapters = new AdapterSet()
            .Add(CommandKinds.ErpSystem, this)
            .Add(CommandKinds.WmsSystem, this)
            .Add(CommandKinds.QmsSystem, this)
            .Add(CommandKinds.MesSystem, this)
            .Add(CommandKinds.ProcurementSystem, this)
            .Add(CommandKinds.NotificationSystem, this);
    }

    /// <inheritdoc />
    public AdapterSet Adapters { get; }

    /// <summary>The violations so far.</summary>
    public int ViolationCount => Volatile.Read(ref _violationCount);

    /// <inheritdoc />
    public void VerifyEffects(Func<int, bool> includes, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(includes);
        ArgumentNullException.ThrowIfNull(failures);
        foreach (var violation in _violations)
        {
            failures.Add(violation);
        }

        if (ViolationCount > KeptViolations)
        {
            failures.Add($"{ViolationCount:N0} commands violated the scenario in all");
        }

        for (var k = 0; k < _effects.Length && failures.Count <= EffectVerifier.MaxFailures; k++)
        {
            var due = includes(k) ? Due(k) : 0;
            var had = Volatile.Read(ref _effects[k]);
            if (had != due)
            {
                failures.Add($"{InspectionScenario.LotId(k)}: expected {Describe(due)}, had {Describe(had)}");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    ValueTask<MaterialLot?> IQueryHandler<GetLotQuery, MaterialLot?>.QueryAsync(GetLotQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryLot(query.Lot, out var k) ? _scenario.LotAt(k) : null);

    ValueTask<MaterialDefinition?> IQueryHandler<GetMaterialQuery, MaterialDefinition?>.QueryAsync(GetMaterialQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_materials.GetValueOrDefault(query.Material));

    ValueTask<IReadOnlyList<Allocation>> IQueryHandler<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>.QueryAsync(GetOpenAllocationsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<Allocation>>([]);

    ValueTask<SupplierQualityHistory?> IQueryHandler<GetSupplierQualityHistoryQuery, SupplierQualityHistory?>.QueryAsync(GetSupplierQualityHistoryQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SupplierQualityHistory?>(null);

    ValueTask<IReadOnlyList<GenealogyLink>> IQueryHandler<GetConsumersQuery, IReadOnlyList<GenealogyLink>>.QueryAsync(GetConsumersQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<GenealogyLink>>([]);

    ValueTask<AdapterResult> ICommandHandler<ChangeStockCategoryRequest>.ExecuteAsync(ChangeStockCategoryRequest command, CancellationToken cancellationToken)
    {
        if (!TryLot(command.Lot, out var k))
        {
            return Refuse(command, "an unknown lot");
        }

        var target = InspectionScenario.IsFailed(k) ? StockCategory.Blocked : StockCategory.Unrestricted;
        if (command.Material != _scenario.MaterialOf(k).Id || command.Site != _scenario.SiteOf(k).Id
            || command.Quantity != Quantity.Each(InspectionScenario.LotQuantity) || command.FromCategory != StockCategory.QualityInspection || command.ToCategory != target)
        {
            return Refuse(command, $"not {InspectionScenario.LotQuantity} EA of {_scenario.MaterialOf(k).Id} at {_scenario.SiteOf(k).Id} from quality inspection to {target}");
        }

        return Apply(command, k, target == StockCategory.Blocked ? Blocked : Released, afterErp: false);
    }

    ValueTask<AdapterResult> ICommandHandler<CreateMoveTaskRequest>.ExecuteAsync(CreateMoveTaskRequest command, CancellationToken cancellationToken) =>
        !TryLot(command.Lot, out var k) || !InspectionScenario.IsFailed(k) ? Refuse(command, "not a failed lot of the scenario")
        : command.Site != _scenario.SiteOf(k).Id || command.ToBin != _scenario.SiteOf(k).HoldLocation ? Refuse(command, $"not to {_scenario.SiteOf(k).HoldLocation}")
        : Apply(command, k, Moved, afterErp: true);

    ValueTask<AdapterResult> ICommandHandler<SendNotificationRequest>.ExecuteAsync(SendNotificationRequest command, CancellationToken cancellationToken) =>
        command.Lot is not { } lot || !command.Roles.Contains(Role.Buyer) || !TryLot(lot, out var k) || !InspectionScenario.IsFailed(k) ? Refuse(command, "not a buyer notification of a failed lot")
        : command.Site != _scenario.SiteOf(k).Id ? Refuse(command, $"not at {_scenario.SiteOf(k).Id}")
        : Apply(command, k, BuyerNotified, afterErp: true);

    ValueTask<AdapterResult> ICommandHandler<OpenSupplierCaseRequest>.ExecuteAsync(OpenSupplierCaseRequest command, CancellationToken cancellationToken) =>
        command.Lots is not [var lot] || !TryLot(lot, out var k) || !_scenario.NeedsSupplierCase(k) ? Refuse(command, "not for one lot that needs a supplier case")
        : command.Supplier != _scenario.MaterialOf(k).Supplier ? Refuse(command, $"not with {_scenario.MaterialOf(k).Supplier}")
        : Apply(command, k, SupplierCase, afterErp: true);

    ValueTask<AdapterResult> ICommandHandler<ReevaluateAllocationsRequest>.ExecuteAsync(ReevaluateAllocationsRequest command, CancellationToken cancellationToken) => Refuse(command, "due nowhere in the scenario");

    ValueTask<AdapterResult> ICommandHandler<HoldWorkOrderRequest>.ExecuteAsync(HoldWorkOrderRequest command, CancellationToken cancellationToken) => Refuse(command, "due nowhere in the scenario");

    ValueTask<AdapterResult> ICommandHandler<ReleaseWorkOrderRequest>.ExecuteAsync(ReleaseWorkOrderRequest command, CancellationToken cancellationToken) => Refuse(command, "due nowhere in the scenario");

    ValueTask<AdapterResult> ICommandHandler<RequestContainmentCheckRequest>.ExecuteAsync(RequestContainmentCheckRequest command, CancellationToken cancellationToken) => Refuse(command, "due nowhere in the scenario");

    ValueTask<AdapterResult> ICommandHandler<RequestAlternateSupplyRequest>.ExecuteAsync(RequestAlternateSupplyRequest command, CancellationToken cancellationToken) => Refuse(command, "due nowhere in the scenario");

    /// <summary>The effects due to lot k.</summary>
    private int Due(int k) => !InspectionScenario.IsFailed(k) ? Released
        : Blocked | Moved | BuyerNotified | (_scenario.NeedsSupplierCase(k) ? SupplierCase : 0);

    private static string Describe(int effects) => effects == 0 ? "no effect" : string.Join(
        ", ",
        new[] { (Blocked, "ERP block"), (Released, "ERP release"), (Moved, "hold move"), (BuyerNotified, "buyer notification"), (SupplierCase, "supplier case") }
            .Where(e => (effects & e.Item1) != 0)
            .Select(e => e.Item2));

    /// <summary>The number k of one of the scenario's lots, written exactly as <see cref="InspectionScenario.LotId(int)"/> writes it.</summary>
    private bool TryLot(LotId lot, out int k)
    {
        if (lot.Value.StartsWith("L-", StringComparison.Ordinal)
            && int.TryParse(lot.Value.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out k)
            && k < _effects.Length
            && InspectionScenario.LotId(k) == lot.Value)
        {
            return true;
        }

        k = -1;
        return false;
    }

    /// <summary>Records an effect of lot k: once, and (unless it is the ERP change itself) after the lot's ERP change.</summary>
    private ValueTask<AdapterResult> Apply(AdapterCommand command, int k, int effect, bool afterErp)
    {
        var before = Interlocked.Or(ref _effects[k], effect);
        if ((before & effect) != 0)
        {
            Violate($"{command.Kind} {command.Context.IdempotencyKey}: applied to {InspectionScenario.LotId(k)} a second time");
        }
        else if (afterErp && (before & ErpChanged) == 0)
        {
            Violate($"{command.Kind} {command.Context.IdempotencyKey}: acts on {InspectionScenario.LotId(k)} before its ERP change");
        }

        return ValueTask.FromResult(AdapterResult.Success());
    }

    /// <summary>Refuses a command the scenario does not make due, as a business refusal, and records the violation.</summary>
    private ValueTask<AdapterResult> Refuse(AdapterCommand command, string why)
    {
        var message = $"{command.Kind} {command.Context.IdempotencyKey}: {why}";
        Violate(message);
        return ValueTask.FromResult(AdapterResult.Permanent(ReasonCodes.AdapterPermanent, message));
    }

    private void Violate(string message)
    {
        if (Interlocked.Increment(ref _violationCount) <= KeptViolations)
        {
            _violations.Enqueue(message);
        }
    }
}
