using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Serialization;

/// <summary>
/// Serializes adapter commands as (kind, payload JSON) for the engine's outbox, and reads them back by kind,
/// using the source-generated <see cref="AdapterJsonContext"/> (no reflection).
/// </summary>
public static class AdapterJson
{
    private static readonly FrozenDictionary<string, JsonTypeInfo> s_byKind = BuildKindMap();

    /// <summary>The source-generated context.</summary>
    public static AdapterJsonContext Context { get; } = AdapterJsonContext.Default;

    /// <summary>Read-only options for every adapter request and query result, resolved by <see cref="Context"/>.</summary>
    public static JsonSerializerOptions Options => Context.Options;

    /// <summary>Every command kind this version can read, with its request type.</summary>
    public static IReadOnlyDictionary<string, Type> CommandTypes { get; } =
        s_byKind.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Type, StringComparer.Ordinal);

    /// <summary>Serializes a command to JSON (its kind is not part of the JSON: store <see cref="AdapterCommand.Kind"/> beside it).</summary>
    /// <param name="command">The command.</param>
    /// <returns>The JSON payload.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The command type is not registered in the context.</exception>
    public static string Serialize(AdapterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return JsonSerializer.Serialize(command, TypeInfoFor(command));
    }

    /// <summary>Serializes a command to UTF-8 JSON.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The UTF-8 JSON payload.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The command type is not registered in the context.</exception>
    public static byte[] SerializeToUtf8Bytes(AdapterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return JsonSerializer.SerializeToUtf8Bytes(command, TypeInfoFor(command));
    }

    /// <summary>Reads a command back from its kind and JSON payload.</summary>
    /// <param name="kind">The command kind stored beside the payload.</param>
    /// <param name="json">The JSON payload.</param>
    /// <returns>The command.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The kind is unknown (<see cref="ReasonCodes.UnknownCommandKind"/>).</exception>
    /// <exception cref="JsonException">The JSON does not describe a valid command of that kind.</exception>
    public static AdapterCommand Deserialize(string kind, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var typeInfo = TypeInfoForKind(kind);
        return (AdapterCommand?)JsonSerializer.Deserialize(json, typeInfo)
            ?? throw new JsonException($"The payload of a '{kind}' command is null.");
    }

    /// <summary>Reads a command back from its kind and UTF-8 JSON payload.</summary>
    /// <param name="kind">The command kind stored beside the payload.</param>
    /// <param name="utf8Json">The UTF-8 JSON payload.</param>
    /// <returns>The command.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The kind is unknown (<see cref="ReasonCodes.UnknownCommandKind"/>).</exception>
    /// <exception cref="JsonException">The JSON does not describe a valid command of that kind.</exception>
    public static AdapterCommand Deserialize(string kind, ReadOnlySpan<byte> utf8Json)
    {
        var typeInfo = TypeInfoForKind(kind);
        return (AdapterCommand?)JsonSerializer.Deserialize(utf8Json, typeInfo)
            ?? throw new JsonException($"The payload of a '{kind}' command is null.");
    }

    /// <summary>Finds the request type of a command kind.</summary>
    /// <param name="kind">The command kind.</param>
    /// <param name="type">The request type, when the kind is known.</param>
    /// <returns><see langword="true"/> when the kind is known.</returns>
    public static bool TryGetCommandType(string kind, [NotNullWhen(true)] out Type? type)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (s_byKind.TryGetValue(kind, out var info))
        {
            type = info.Type;
            return true;
        }

        type = null;
        return false;
    }

    private static JsonTypeInfo TypeInfoFor(AdapterCommand command) =>
        s_byKind.TryGetValue(command.Kind, out var info) && info.Type == command.GetType()
            ? info
            : throw new ManufacturingOrchestrationException(ReasonCodes.UnknownCommandKind, $"The command type {command.GetType().Name} ('{command.Kind}') is not registered in {nameof(AdapterJsonContext)}.");

    private static JsonTypeInfo TypeInfoForKind(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return s_byKind.TryGetValue(kind, out var info)
            ? info
            : throw new ManufacturingOrchestrationException(ReasonCodes.UnknownCommandKind, $"The command kind '{kind}' is not known to this version of the adapter contracts.");
    }

    private static FrozenDictionary<string, JsonTypeInfo> BuildKindMap()
    {
        var types = new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            [CommandKinds.ErpChangeStockCategory] = typeof(ChangeStockCategoryRequest),
            [CommandKinds.ErpPostGoodsMovement] = typeof(PostGoodsMovementRequest),
            [CommandKinds.ErpReverseGoodsMovement] = typeof(ReverseGoodsMovementRequest),
            [CommandKinds.ErpSetBatchStatus] = typeof(SetBatchStatusRequest),
            [CommandKinds.ErpReevaluateAllocations] = typeof(ReevaluateAllocationsRequest),
            [CommandKinds.ErpUpdateAtp] = typeof(UpdateAtpRequest),
            [CommandKinds.ErpPlaceShipmentHold] = typeof(PlaceShipmentHoldRequest),
            [CommandKinds.ErpReleaseShipmentHold] = typeof(ReleaseShipmentHoldRequest),
            [CommandKinds.ErpPostCountAdjustment] = typeof(PostCountAdjustmentRequest),
            [CommandKinds.ErpPostProductionConfirmation] = typeof(PostProductionConfirmationRequest),
            [CommandKinds.MesHoldWorkOrder] = typeof(HoldWorkOrderRequest),
            [CommandKinds.MesReleaseWorkOrder] = typeof(ReleaseWorkOrderRequest),
            [CommandKinds.MesRequestContainmentCheck] = typeof(RequestContainmentCheckRequest),
            [CommandKinds.MesRecordProductionConfirmation] = typeof(RecordProductionConfirmationRequest),
            [CommandKinds.QmsCreateInspectionLot] = typeof(CreateInspectionLotRequest),
            [CommandKinds.QmsOpenNonconformance] = typeof(OpenNonconformanceRequest),
            [CommandKinds.QmsUpdateNonconformanceStatus] = typeof(UpdateNonconformanceStatusRequest),
            [CommandKinds.QmsRecordCorrection] = typeof(RecordCorrectionRequest),
            [CommandKinds.QmsRecordDisposition] = typeof(RecordDispositionRequest),
            [CommandKinds.QmsOpenSupplierCase] = typeof(OpenSupplierCaseRequest),
            [CommandKinds.WmsCreateMoveTask] = typeof(CreateMoveTaskRequest),
            [CommandKinds.WmsPlaceHold] = typeof(PlaceHoldRequest),
            [CommandKinds.WmsReleaseHold] = typeof(ReleaseHoldRequest),
            [CommandKinds.WmsPausePicks] = typeof(PausePicksRequest),
            [CommandKinds.WmsResumePicks] = typeof(ResumePicksRequest),
            [CommandKinds.ProcurementRequestAlternateSupply] = typeof(RequestAlternateSupplyRequest),
            [CommandKinds.ProcurementNotifySupplier] = typeof(NotifySupplierRequest),
            [CommandKinds.NotificationSend] = typeof(SendNotificationRequest),
            [CommandKinds.TraceabilityPublishGenealogy] = typeof(PublishGenealogyRequest),
        };
        return types.ToFrozenDictionary(pair => pair.Key, pair => AdapterJsonContext.Default.GetTypeInfo(pair.Value)!, StringComparer.Ordinal);
    }
}
