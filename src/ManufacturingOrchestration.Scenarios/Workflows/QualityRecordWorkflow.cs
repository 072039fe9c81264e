using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Quality records raised elsewhere: a nonconformance (<see cref="NonconformanceRaised"/>, partition
/// <c>ncr/&lt;id&gt;</c>) becomes the partition's <see cref="Engine.Storage.PartitionState.Nonconformance"/>, and a
/// supplier's status change (<see cref="SupplierUpdated"/>, partition <c>supplier/&lt;id&gt;</c>) is kept as the
/// partition's <see cref="SupplierStatusValue"/>. Nothing is sent: both are records of what the QMS or the purchasing
/// system already holds, kept so the orchestrator's picture agrees with them and each change is in the audit chain.
/// </summary>
/// <remarks>
/// A nonconformance raised again under the same id while the orchestrator already holds it is not replaced (the QMS
/// moves it on through its own lifecycle): the repeat is audited and refused with <c>state.transition-not-permitted</c>.
/// </remarks>
public static class QualityRecordWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "quality-record";

    /// <summary>The <see cref="Engine.Storage.PartitionState.Values"/> entry of a supplier partition holding its latest status change.</summary>
    public const string SupplierStatusValue = "supplier.status";

    /// <summary>Builds the workflow.</summary>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create()
    {
        return new WorkflowBuilder(Name, 1)
            .Describe("A nonconformance raised or a supplier's status changed → recorded in its own partition and audited.")
            .TriggeredBy(EventTypes.NonconformanceRaised, EventTypes.SupplierUpdated)
            .Step("record", WorkflowStepKind.Transition, Record)
            .Build();
    }

    private static void Record(StepContext ctx)
    {
        switch (ctx.Event.Data)
        {
            case NonconformanceRaised raised:
                RecordNonconformance(ctx, raised);
                break;
            case SupplierUpdated updated:
                var values = new Dictionary<string, string>(ctx.State.Values, StringComparer.Ordinal) { [SupplierStatusValue] = updated.Change };
                ctx.State = ctx.State with { Values = values };
                ctx.Audit("supplier-status", $"Supplier {updated.Supplier}: {updated.Change}{(updated.Note is { Length: > 0 } note ? " — " + note : string.Empty)}.");
                break;
            default:
                throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
        }
    }

    private static void RecordNonconformance(StepContext ctx, NonconformanceRaised raised)
    {
        var nonconformance = raised.Nonconformance;
        if (ctx.State.Nonconformance is { } known)
        {
            ctx.Reject(
                ReasonCodes.TransitionNotPermitted,
                $"Nonconformance {nonconformance.Id} is already recorded ({known.Status}); raising it again changes nothing.",
                known.Status.ToString(),
                []);
            return;
        }

        ctx.State = ctx.State with { Nonconformance = nonconformance };
        var lots = nonconformance.Lots.Count == 0 ? "no lot" : "lot(s) " + string.Join(", ", nonconformance.Lots);
        ctx.Audit("nonconformance-recorded", $"Nonconformance {nonconformance.Id} ({nonconformance.Severity}, {nonconformance.Status}) at {nonconformance.Site} for {lots}: {nonconformance.Problem}");
    }
}
