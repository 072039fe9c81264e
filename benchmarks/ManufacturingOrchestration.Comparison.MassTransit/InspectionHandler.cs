using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>
/// The decision in plain C#, carried out through the same adapters as the orchestrator's runs (the plant simulator's
/// <see cref="AdapterSet"/>), with the same idempotency keys (<see cref="IdempotencyKeys.Derive"/> over the event's
/// source and id and the user workflow's step names). Pass → quality inspection to unrestricted in the ERP. Fail →
/// blocked in the ERP, a move task to the site's hold bin, the buyer notified, and a supplier case when the defect is
/// critical or the material class A (the material read through the ERP adapter, cached).
/// </summary>
public sealed class InspectionHandler(AdapterSet adapters, IReadOnlyDictionary<SiteId, SiteProfile> sites, RunStatistics statistics)
{
    private readonly ConcurrentDictionary<MaterialId, MaterialDefinition?> _materials = new();

    /// <summary>Decides and carries out one inspection result.</summary>
    /// <returns>The outcome: <c>released</c> or <c>blocked</c>.</returns>
    public async Task<string> HandleAsync(InspectionResult message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lot = new LotId(message.Lot);
        var materialId = new MaterialId(message.Material);
        var site = new SiteId(message.Site);
        if (!_materials.TryGetValue(materialId, out var material))
        {
            material = await adapters.QueryAsync(new GetMaterialQuery(materialId), site, cancellationToken).ConfigureAwait(false);
            _materials[materialId] = material;
        }

        var quantity = Quantity.Each(InspectionScenario.LotQuantity);
        if (!message.Failed)
        {
            await ExecuteAsync(message, "release", CommandKinds.ErpChangeStockCategory, site, c => new ChangeStockCategoryRequest
            {
                Context = c,
                Lot = lot,
                Material = materialId,
                Site = site,
                Quantity = quantity,
                FromCategory = StockCategory.QualityInspection,
                ToCategory = StockCategory.Unrestricted,
            }, cancellationToken).ConfigureAwait(false);
            return "released";
        }

        var holdBin = sites.TryGetValue(site, out var profile) && profile.HoldLocation is { } bin ? bin : new BinId("HOLD-" + site.Value);
        await ExecuteAsync(message, "quarantine", CommandKinds.ErpChangeStockCategory, site, c => new ChangeStockCategoryRequest
        {
            Context = c,
            Lot = lot,
            Material = materialId,
            Site = site,
            Quantity = quantity,
            FromCategory = StockCategory.QualityInspection,
            ToCategory = StockCategory.Blocked,
        }, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(message, "move-to-hold", CommandKinds.WmsCreateMoveTask, site, c => new CreateMoveTaskRequest
        {
            Context = c,
            Lot = lot,
            Site = site,
            ToBin = holdBin,
            TargetCategory = StockCategory.Blocked,
        }, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(message, "notify-procurement", CommandKinds.NotificationSend, site, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Buyer],
            Site = site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Supply of {materialId} affected",
            Body = $"Lot {lot} failed incoming inspection and is blocked.",
            Lot = lot,
        }, cancellationToken).ConfigureAwait(false);

        var severity = message.Critical ? DefectSeverity.Critical : DefectSeverity.Major;
        if ((message.Critical || material?.Criticality == CriticalityClass.A) && (message.Supplier ?? material?.Supplier?.Value) is { } supplier)
        {
            await ExecuteAsync(message, "open-supplier-case", CommandKinds.QmsOpenSupplierCase, site, c => new OpenSupplierCaseRequest
            {
                Context = c,
                Supplier = new SupplierId(supplier),
                Problem = message.DefectDescription ?? $"Incoming inspection failed ({severity}).",
                Lots = [lot],
                Material = materialId,
                Severity = severity,
            }, cancellationToken).ConfigureAwait(false);
        }

        return "blocked";
    }

    private async Task ExecuteAsync<TCommand>(InspectionResult message, string step, string kind, SiteId site, Func<CommandContext, TCommand> create, CancellationToken cancellationToken)
        where TCommand : AdapterCommand
    {
        var context = new CommandContext
        {
            IdempotencyKey = IdempotencyKeys.Derive(InspectionScenario.Source, message.EventId, step, kind),
            CorrelationId = new EventKey(InspectionScenario.Source, message.EventId).ToString(),
            CausationId = message.EventId,
            Site = site,
        };
        var result = await adapters.ExecuteAsync(create(context), cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            statistics.Rejected($"{message.Lot}: {kind} failed: {result.Status} {result.Message}");
        }
    }
}
