using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Storage.PostgreSql.NodeHost;

/// <summary>
/// An SLA timer per lot for the cluster test: a workflow with a step deadline, triggered by each lot's failed
/// inspection, plans one notification that the notification system answers late (transient, retry after
/// <see cref="RetryAfter"/>, the first time each node sees it) — so when the deadline's durable timer fires the command
/// is still open and the breach is audited (<c>sla-breached</c>). Fired once per lot, whichever node owns the lot's
/// bucket when it is due, however many nodes were killed or stopped, one breach record per lot at most.
/// </summary>
internal static class SlaProbe
{
    public const string Workflow = "cluster-sla-probe";

    public const string SubjectPrefix = "SLA probe ";

    public static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public static WorkflowDefinition Create() => new WorkflowBuilder(Workflow, 1)
        .Describe("Asks quality to look at a failed lot, within a deadline whose timer the cluster must fire once.")
        .TriggeredBy(EventTypes.InspectionFailed)
        .Requires(CommandKinds.NotificationSend)
        .WithDeadline(Deadline, Role.Supervisor)
        .Step("notify", WorkflowStepKind.Plan, ctx =>
        {
            var failed = (InspectionFailed)ctx.Event.Data;
            ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest { Context = c, Roles = [Role.QualityEngineer], Site = failed.Site, Subject = SubjectPrefix + failed.Lot, Lot = failed.Lot });
        })
        .Build();

    /// <summary>The plant's notification system, answering each probe late once.</summary>
    public sealed class LateNotifications(ICommandHandler<SendNotificationRequest> inner) : ICommandHandler<SendNotificationRequest>
    {
        private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest command, CancellationToken cancellationToken = default) =>
            command.Subject.StartsWith(SubjectPrefix, StringComparison.Ordinal) && _seen.TryAdd(command.Context.IdempotencyKey, true)
                ? ValueTask.FromResult(AdapterResult.Transient("the notification system answers late", RetryAfter))
                : inner.ExecuteAsync(command, cancellationToken);
    }
}
