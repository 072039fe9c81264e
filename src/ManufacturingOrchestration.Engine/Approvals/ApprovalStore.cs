using System.Text.Json;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>How pending approvals and their SLA timers are kept in partition state and timer data.</summary>
internal static class ApprovalStore
{
    public const string SlaPurpose = "sla";

    /// <summary>The partition value that remembers withdrawn requests (JSON array, newest last).</summary>
    public const string WithdrawnValue = "approvals-withdrawn";

    /// <summary>How many withdrawn requests a partition remembers; older ones are answered as unknown.</summary>
    public const int WithdrawnKept = 32;

    /// <summary>Whether an instance is a waiting approval request: it waits for an approval and carries the request.</summary>
    public static bool IsWaitingRequest(WorkflowInstanceState instance) =>
        instance.WaitingFor == ApprovalRequest.WaitingFor && instance.Data is not null;

    public static string Write(PendingApproval pending) => JsonSerializer.Serialize(pending, EngineJsonContext.Default.PendingApproval);

    public static PendingApproval Read(string json) =>
        JsonSerializer.Deserialize(json, EngineJsonContext.Default.PendingApproval) ?? throw new JsonException("An approval instance has no data.");

    public static string SlaTimerId(string requestId, int level) => $"sla:{requestId}:{level}";

    public static string WriteTimer(string requestId, int level) =>
        JsonSerializer.Serialize(new SlaTimerData { RequestId = requestId, Level = level }, EngineJsonContext.Default.SlaTimerData);

    public static SlaTimerData ReadTimer(string json) =>
        JsonSerializer.Deserialize(json, EngineJsonContext.Default.SlaTimerData) ?? throw new JsonException("An SLA timer has no data.");

    /// <summary>The SLA timers that may still be scheduled for a request: the current escalation level's and the next.</summary>
    public static IEnumerable<string> SlaTimerIds(PendingApproval pending)
    {
        for (var level = Math.Max(1, pending.EscalationLevel); level <= pending.EscalationLevel + 1; level++)
        {
            yield return SlaTimerId(pending.RequestId, level);
        }
    }

    /// <summary>Removes a waiting request from the state and remembers why it was withdrawn.</summary>
    public static PartitionState Withdraw(PartitionState state, WorkflowInstanceState instance, WithdrawnApproval withdrawn)
    {
        var remembered = FindAllWithdrawn(state).Where(w => !string.Equals(w.RequestId, withdrawn.RequestId, StringComparison.Ordinal)).Append(withdrawn).TakeLast(WithdrawnKept).ToArray();
        var values = new Dictionary<string, string>(state.Values, StringComparer.Ordinal)
        {
            [WithdrawnValue] = JsonSerializer.Serialize(remembered, EngineJsonContext.Default.WithdrawnApprovalArray),
        };
        return state with { Instances = state.InstancesWithout(instance), Values = values };
    }

    /// <summary>The withdrawal of a request, when the partition remembers one.</summary>
    public static WithdrawnApproval? FindWithdrawn(PartitionState state, string requestId) =>
        FindAllWithdrawn(state).LastOrDefault(w => string.Equals(w.RequestId, requestId, StringComparison.Ordinal));

    private static WithdrawnApproval[] FindAllWithdrawn(PartitionState state) =>
        state.Values.TryGetValue(WithdrawnValue, out var json)
            ? JsonSerializer.Deserialize(json, EngineJsonContext.Default.WithdrawnApprovalArray) ?? []
            : [];
}
