using System.Text.Json;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

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

    /// <summary>The request a waiting instance of partition <paramref name="partitionKey"/> carries.</summary>
    /// <exception cref="ManufacturingOrchestrationException">
    /// <see cref="ReasonCodes.StoreDataUnreadable"/>: the stored request cannot be read back (the message names it and the partition).
    /// </exception>
    public static PendingApproval Read(WorkflowInstanceState instance, string partitionKey)
    {
        try
        {
            return Read(instance.Data ?? throw new JsonException("An approval instance has no data."));
        }
        catch (JsonException ex)
        {
            throw Unreadable($"The stored approval request '{instance.Id}' on {partitionKey} cannot be read back", ex);
        }
    }

    public static string SlaTimerId(string requestId, int level) => $"sla:{requestId}:{level}";

    public static string WriteTimer(string requestId, int level) =>
        JsonSerializer.Serialize(new SlaTimerData { RequestId = requestId, Level = level }, EngineJsonContext.Default.SlaTimerData);

    /// <summary>What an SLA timer carries.</summary>
    /// <exception cref="ManufacturingOrchestrationException">
    /// <see cref="ReasonCodes.StoreDataUnreadable"/>: the timer's data cannot be read back (the message names the timer and its partition).
    /// </exception>
    public static SlaTimerData ReadTimer(DurableTimer timer)
    {
        try
        {
            return JsonSerializer.Deserialize(timer.Data ?? "null", EngineJsonContext.Default.SlaTimerData) ?? throw new JsonException("An SLA timer has no data.");
        }
        catch (JsonException ex)
        {
            throw Unreadable($"The data of the durable timer '{timer.Id}' ({timer.Purpose}) on {timer.PartitionKey} cannot be read back", ex);
        }
    }

    /// <summary>Stored data of the engine's own that cannot be read back (<see cref="ReasonCodes.StoreDataUnreadable"/>): <paramref name="what"/> and why.</summary>
    public static ManufacturingOrchestrationException Unreadable(string what, JsonException inner) =>
        new(ReasonCodes.StoreDataUnreadable, $"{what}: {inner.Message}", inner);

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

    private static WithdrawnApproval[] FindAllWithdrawn(PartitionState state)
    {
        if (!state.Values.TryGetValue(WithdrawnValue, out var json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(json, EngineJsonContext.Default.WithdrawnApprovalArray) ?? [];
        }
        catch (JsonException ex)
        {
            throw Unreadable($"The withdrawn approval requests stored on {state.Key} ('{WithdrawnValue}') cannot be read back", ex);
        }
    }
}
