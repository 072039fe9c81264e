using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// JSON of the values the shipped scenario workflows keep in partition state and with pending approvals — the one
/// context for all of them.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ScrapWindowState))]
[JsonSerializable(typeof(YieldMetrics))]
[JsonSerializable(typeof(CycleCountWorkflow.Adjustment))]
[JsonSerializable(typeof(IncomingInspectionWorkflow.GatedRelease))]
[JsonSerializable(typeof(FinishedGoodsReleaseWorkflow.GatedFinishedGoodsRelease))]
[JsonSerializable(typeof(DriftCorrectionWorkflow.GatedCorrection))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;
