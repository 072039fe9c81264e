using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;

namespace ManufacturingOrchestration.Engine.Tests.Workflows;

/// <summary>Step contexts outside any orchestrator, for tests of what a step sees and plans.</summary>
internal static class StepContexts
{
    /// <summary>
    /// Step <paramref name="step"/> of <paramref name="workflow"/> (the notify workflow when none) handling signal
    /// <paramref name="eventId"/> of key <paramref name="key"/>, with no adapters and the default approval options.
    /// </summary>
    public static StepContext For(string key = "k-1", string eventId = "e-1", WorkflowDefinition? workflow = null, string? step = null)
    {
        var envelope = TestWorkflows.Signal(key, eventId);
        var context = new StepContext(
            envelope,
            new EventKey(envelope.Source, envelope.Id),
            new PartitionState { Key = key },
            workflow ?? TestWorkflows.Notify(),
            new AdapterSet(),
            TimeProvider.System,
            new ApprovalOptions());
        if (step is not null)
        {
            context.CurrentStep = step;
        }

        return context;
    }
}
