using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>JSON for the engine's own persisted values, with the model's settings.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PendingApproval))]
[JsonSerializable(typeof(SlaTimerData))]
[JsonSerializable(typeof(WithdrawnApproval[]))]
[JsonSerializable(typeof(Execution.StepDeadlineData))]
[JsonSerializable(typeof(Execution.WorkflowTimerData))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;

/// <summary>What an SLA timer carries.</summary>
internal sealed record SlaTimerData
{
    public required string RequestId { get; init; }

    public required int Level { get; init; }
}

/// <summary>A pending approval its workflow withdrew, remembered so a late answer is refused with the reason.</summary>
internal sealed record WithdrawnApproval
{
    public required string RequestId { get; init; }

    public required ReasonCode ReasonCode { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset At { get; init; }
}
