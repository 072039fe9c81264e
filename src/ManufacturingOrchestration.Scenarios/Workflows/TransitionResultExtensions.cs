using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>Turns a state machine's answer into a workflow step's outcome.</summary>
public static class TransitionResultExtensions
{
    /// <summary>
    /// Takes an accepted transition's new value, or records its rejection on the step
    /// (<see cref="StepContext.Reject"/>: audited with the machine's reason code, current state and permitted triggers;
    /// nothing the step planned is executed).
    /// </summary>
    /// <typeparam name="T">The machine's state (a lot, an order, a nonconformance).</typeparam>
    /// <param name="ctx">The step.</param>
    /// <param name="result">The machine's answer.</param>
    /// <param name="value">The new value when accepted; <see langword="null"/> otherwise.</param>
    /// <returns><see langword="true"/> when the transition was accepted.</returns>
    public static bool Accept<T>(this StepContext ctx, TransitionResult<T> result, out T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Rejection is { } rejection)
        {
            ctx.Reject(rejection.ReasonCode, rejection.Message, rejection.CurrentState, rejection.PermittedTriggers);
            value = null!;
            return false;
        }

        value = result.Value!;
        return true;
    }
}
