using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Serialization;

/// <summary>
/// The source-generated System.Text.Json context for every adapter command request and query result, with the
/// model's JSON settings: camelCase member names, enums as camelCase strings (numbers refused), <c>null</c> members
/// omitted, C# <c>required</c> members and nullable annotations respected. Use <see cref="AdapterJson.Options"/>, which
/// also resolves the model types whose converters the generator cannot reach (such as <see cref="Role"/>).
/// </summary>
// Role's converter is internal to the model, so no metadata is generated for it here;
// ModelFallbackTypeInfoResolver (chained by AdapterJson.Options) serves Role instead.
#pragma warning disable SYSLIB1030, SYSLIB1220
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    PropertyNameCaseInsensitive = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    Converters =
    [
        typeof(CamelCaseEnumConverter<SignatureMeaning>), typeof(CamelCaseEnumConverter<StockCategory>),
        typeof(CamelCaseEnumConverter<StockOwnership>), typeof(CamelCaseEnumConverter<LotDisposition>),
        typeof(CamelCaseEnumConverter<QualityDecision>), typeof(CamelCaseEnumConverter<MovementKind>),
        typeof(CamelCaseEnumConverter<CriticalityClass>), typeof(CamelCaseEnumConverter<AbcClass>),
        typeof(CamelCaseEnumConverter<ProductionOrderStatus>), typeof(CamelCaseEnumConverter<MaterialUse>),
        typeof(CamelCaseEnumConverter<AssemblyType>), typeof(CamelCaseEnumConverter<AssemblyRelationship>),
        typeof(CamelCaseEnumConverter<DefectSeverity>), typeof(CamelCaseEnumConverter<InspectionOrigin>),
        typeof(CamelCaseEnumConverter<InspectionLotStatus>), typeof(CamelCaseEnumConverter<UsageDecision>),
        typeof(CamelCaseEnumConverter<Valuation>), typeof(CamelCaseEnumConverter<NonconformanceType>),
        typeof(CamelCaseEnumConverter<NonconformanceStatus>), typeof(CamelCaseEnumConverter<MrbDisposition>),
        typeof(CamelCaseEnumConverter<CorrectiveActionKind>), typeof(CamelCaseEnumConverter<CorrectiveActionStage>),
        typeof(CamelCaseEnumConverter<WmsHoldScope>), typeof(CamelCaseEnumConverter<NotificationSeverity>),
    ])]
// Command context.
[JsonSerializable(typeof(CommandContext))]
// ERP commands.
[JsonSerializable(typeof(ChangeStockCategoryRequest))]
[JsonSerializable(typeof(PostGoodsMovementRequest))]
[JsonSerializable(typeof(ReverseGoodsMovementRequest))]
[JsonSerializable(typeof(SetBatchStatusRequest))]
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
public sealed partial class AdapterJsonContext : JsonSerializerContext
{
}
#pragma warning restore SYSLIB1030, SYSLIB1220

/// <summary>Writes an enum as its camelCase name and refuses numbers, as the model's JSON does.</summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
internal sealed class CamelCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public CamelCaseEnumConverter()
        : base(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    {
    }
}

/// <summary>Reads and writes a <see cref="Role"/> as its name, refusing names that are not valid identifiers.</summary>
internal sealed class RoleJsonConverter : JsonConverter<Role>
{
    public override Role Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (!Identifier.IsValid(value, out var problem))
        {
            throw new JsonException($"A role {problem}.");
        }

        return new Role(value);
    }

    public override void Write(Utf8JsonWriter writer, Role value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}

/// <summary>Resolves the model types whose JSON converters are not reachable from this assembly's generated context.</summary>
internal sealed class ModelFallbackTypeInfoResolver : IJsonTypeInfoResolver
{
    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
        type == typeof(Role) ? JsonMetadataServices.CreateValueInfo<Role>(options, new RoleJsonConverter()) : null;
}
