using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Model.Serialization;

/// <summary>
/// The source-generated System.Text.Json context for every model type and every built-in event payload:
/// camelCase member names, enums as camelCase strings (numbers refused), <c>null</c> members omitted,
/// C# <c>required</c> members and nullable annotations respected. Internal: reach it through <see cref="ModelJson"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    PropertyNameCaseInsensitive = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
// Identifiers, quantities and units.
[JsonSerializable(typeof(ActorId))]
[JsonSerializable(typeof(BinId))]
[JsonSerializable(typeof(CorrectiveActionId))]
[JsonSerializable(typeof(CustomerId))]
[JsonSerializable(typeof(CycleCountId))]
[JsonSerializable(typeof(InspectionLotId))]
[JsonSerializable(typeof(LotId))]
[JsonSerializable(typeof(MaterialId))]
[JsonSerializable(typeof(NonconformanceId))]
[JsonSerializable(typeof(OrderId))]
[JsonSerializable(typeof(QuarantineOrderId))]
[JsonSerializable(typeof(SiteId))]
[JsonSerializable(typeof(StorageLocationId))]
[JsonSerializable(typeof(SublotId))]
[JsonSerializable(typeof(SupplierId))]
[JsonSerializable(typeof(Quantity))]
[JsonSerializable(typeof(UnitOfMeasure))]
// Organization.
[JsonSerializable(typeof(Role))]
[JsonSerializable(typeof(RoleAssignment))]
[JsonSerializable(typeof(Actor))]
[JsonSerializable(typeof(ElectronicSignature))]
[JsonSerializable(typeof(SiteProfile))]
// Materials and inventory.
[JsonSerializable(typeof(MaterialDefinition))]
[JsonSerializable(typeof(MaterialLot))]
[JsonSerializable(typeof(Sublot))]
[JsonSerializable(typeof(StockBucket))]
[JsonSerializable(typeof(GoodsMovement))]
[JsonSerializable(typeof(CycleCount))]
[JsonSerializable(typeof(CountTolerance))]
[JsonSerializable(typeof(CountToleranceProfile))]
// Production.
[JsonSerializable(typeof(ProductionOrder))]
[JsonSerializable(typeof(MaterialRequirement))]
[JsonSerializable(typeof(Allocation))]
[JsonSerializable(typeof(MaterialActual))]
[JsonSerializable(typeof(GenealogyLink))]
[JsonSerializable(typeof(GenealogyTrace))]
// Quality.
[JsonSerializable(typeof(InspectionLot))]
[JsonSerializable(typeof(CharacteristicResult))]
[JsonSerializable(typeof(EvidenceReference))]
[JsonSerializable(typeof(Nonconformance))]
[JsonSerializable(typeof(MrbDispositionLine))]
[JsonSerializable(typeof(CorrectiveAction))]
[JsonSerializable(typeof(QuarantineOrder))]
[JsonSerializable(typeof(SupplierQualityHistory))]
// Event payloads.
[JsonSerializable(typeof(GoodsReceived))]
[JsonSerializable(typeof(StockMoved))]
[JsonSerializable(typeof(CycleCountRecorded))]
[JsonSerializable(typeof(LotConsumed))]
[JsonSerializable(typeof(SupplierUpdated))]
[JsonSerializable(typeof(ProductionConfirmed))]
[JsonSerializable(typeof(ScrapReported))]
[JsonSerializable(typeof(ApprovalGiven))]
[JsonSerializable(typeof(ApprovalRefused))]
[JsonSerializable(typeof(InspectionPassed))]
[JsonSerializable(typeof(InspectionFailed))]
[JsonSerializable(typeof(NonconformanceRaised))]
[JsonSerializable(typeof(MrbDispositionDecided))]
[JsonSerializable(typeof(LotReleased))]
[JsonSerializable(typeof(LotContainmentRequested))]
[JsonSerializable(typeof(WorkOrderHeld))]
[JsonSerializable(typeof(WorkOrderHoldReleased))]
[JsonSerializable(typeof(StockDriftDetected))]
[JsonSerializable(typeof(TimerElapsed))]
[JsonSerializable(typeof(StockDriftLine))]
[JsonSerializable(typeof(SystemStockQuantity))]
// Lists that stores and adapters commonly persist.
[JsonSerializable(typeof(IReadOnlyList<MaterialLot>))]
[JsonSerializable(typeof(IReadOnlyList<GenealogyLink>))]
[JsonSerializable(typeof(IReadOnlyList<GoodsMovement>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ModelJsonContext : JsonSerializerContext
{
}
