using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>JSON for the engine's own persisted values, with the model's settings.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PendingApproval))]
[JsonSerializable(typeof(SlaTimerData))]
[JsonSerializable(typeof(Execution.StepDeadlineData))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;

/// <summary>What an SLA timer carries.</summary>
internal sealed record SlaTimerData
{
    public required string RequestId { get; init; }

    public required int Level { get; init; }
}
