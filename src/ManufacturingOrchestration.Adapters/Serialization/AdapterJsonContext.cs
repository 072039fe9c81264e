using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Serialization;

/// <summary>
/// The source-generated System.Text.Json context for every adapter command request and query result, with the
/// model's JSON settings: camelCase member names, enums as camelCase strings (numbers refused), <c>null</c> members
/// omitted, C# <c>required</c> members and nullable annotations respected. Use <see cref="AdapterJson"/> to reach it.
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
// Command context.
[JsonSerializable(typeof(CommandContext))]
// ERP commands.
[JsonSerializable(typeof(ChangeStockCategoryRequest))]
[JsonSerializable(typeof(PostGoodsMovementRequest))]
[JsonSerializable(typeof(ReverseGoodsMovementRequest))]
[JsonSerializable(typeof(SetBatchStatusRequest))]
[JsonSerializable(typeof(ConfirmScrapDestructionRequest))]
[JsonSerializable(typeof(CreateQuarantineOrderRequest))]
[JsonSerializable(typeof(ChangeQuarantineOrderRequest))]
[JsonSerializable(typeof(ReevaluateAllocationsRequest))]
[JsonSerializable(typeof(UpdateAtpRequest))]
[JsonSerializable(typeof(PlaceShipmentHoldRequest))]
[JsonSerializable(typeof(ReleaseShipmentHoldRequest))]
[JsonSerializable(typeof(PostCountAdjustmentRequest))]
[JsonSerializable(typeof(PostProductionConfirmationRequest))]
// MES commands.
[JsonSerializable(typeof(HoldWorkOrderRequest))]
[JsonSerializable(typeof(ReleaseWorkOrderRequest))]
[JsonSerializable(typeof(RequestContainmentCheckRequest))]
[JsonSerializable(typeof(RecordProductionConfirmationRequest))]
// QMS commands.
[JsonSerializable(typeof(CreateInspectionLotRequest))]
[JsonSerializable(typeof(OpenNonconformanceRequest))]
[JsonSerializable(typeof(UpdateNonconformanceStatusRequest))]
[JsonSerializable(typeof(RecordCorrectionRequest))]
[JsonSerializable(typeof(RecordDispositionRequest))]
[JsonSerializable(typeof(OpenSupplierCaseRequest))]
// WMS commands.
[JsonSerializable(typeof(CreateMoveTaskRequest))]
[JsonSerializable(typeof(PlaceHoldRequest))]
[JsonSerializable(typeof(ReleaseHoldRequest))]
[JsonSerializable(typeof(PausePicksRequest))]
[JsonSerializable(typeof(ResumePicksRequest))]
// Procurement and notification commands.
[JsonSerializable(typeof(RequestAlternateSupplyRequest))]
[JsonSerializable(typeof(NotifySupplierRequest))]
[JsonSerializable(typeof(SendNotificationRequest))]
// Traceability commands.
[JsonSerializable(typeof(PublishGenealogyRequest))]
// Query results a connector may receive as JSON.
[JsonSerializable(typeof(LotStockSnapshot))]
[JsonSerializable(typeof(WmsStock))]
[JsonSerializable(typeof(MaterialLot))]
[JsonSerializable(typeof(MaterialDefinition))]
[JsonSerializable(typeof(IReadOnlyList<Allocation>))]
[JsonSerializable(typeof(IReadOnlyList<GenealogyLink>))]
[JsonSerializable(typeof(ProductionOrder))]
[JsonSerializable(typeof(InspectionLot))]
[JsonSerializable(typeof(Nonconformance))]
[JsonSerializable(typeof(SupplierQualityHistory))]
[JsonSerializable(typeof(IReadOnlyList<CertificateOfAnalysis>))]
public sealed partial class AdapterJsonContext : JsonSerializerContext
{
}
