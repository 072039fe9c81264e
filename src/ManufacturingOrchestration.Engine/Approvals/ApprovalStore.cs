using System.Text.Json;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>How pending approvals and their SLA timers are kept in partition state and timer data.</summary>
internal static class ApprovalStore
{
    public const string SlaPurpose = "sla";

    public static string Write(PendingApproval pending) => JsonSerializer.Serialize(pending, EngineJsonContext.Default.PendingApproval);

    public static PendingApproval Read(string json) =>
        JsonSerializer.Deserialize(json, EngineJsonContext.Default.PendingApproval) ?? throw new JsonException("An approval instance has no data.");

    public static string SlaTimerId(string requestId, int level) => $"sla:{requestId}:{level}";

    public static string WriteTimer(string requestId, int level) =>
        JsonSerializer.Serialize(new SlaTimerData { RequestId = requestId, Level = level }, EngineJsonContext.Default.SlaTimerData);

    public static SlaTimerData ReadTimer(string json) =>
        JsonSerializer.Deserialize(json, EngineJsonContext.Default.SlaTimerData) ?? throw new JsonException("An SLA timer has no data.");
}
