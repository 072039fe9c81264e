using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

/// <summary>
/// A release gated by a supervisor's approval: an inspector's passed inspection requests it (the inspector is the
/// requester); an approval notifies the planners, a refusal quality. Two supervisors and the inspector are known to
/// the directory.
/// </summary>
internal static class GatedRelease
{
    public static readonly ActorId Inspector = new("qe-ian");
    public static readonly ActorId Supervisor = new("sup-sara");
    public static readonly ActorId SecondSupervisor = new("sup-sam");

    /// <summary>The actors, with the inspector also a supervisor (so only segregation of duties keeps them from signing).</summary>
    public static readonly Actor[] Actors =
    [
        new Actor { Id = Inspector, Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = EngineTestHost.Site }, new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
        new Actor { Id = Supervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
        new Actor { Id = SecondSupervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
    ];

    /// <summary>A started host running the gated release, with <paramref name="directory"/> (the actors in memory when null).</summary>
    public static Task<EngineTestHost> StartHostAsync(IActorDirectory? directory = null, Action<OrchestratorOptions>? configure = null) =>
        new EngineTestHost(
            o =>
            {
                o.Actors = directory ?? new InMemoryActorDirectory(Actors);
                configure?.Invoke(o);
            },
            workflows: [Workflow()]).StartAsync();

    /// <summary>The workflow: with <paramref name="justification"/>, a signature needs a justification; a refusal notifies quality.</summary>
    public static WorkflowDefinition Workflow(bool justification = false) =>
        new WorkflowBuilder("gated-release", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .Step("request", WorkflowStepKind.Approve, ctx =>
            {
                var passed = (InspectionPassed)ctx.Event.Data;
                ctx.RequestApproval(new ApprovalRequest
                {
                    Role = Role.Supervisor,
                    Site = passed.Site,
                    Gate = "ReleaseLot",
                    Subject = $"release {passed.Lot}",
                    ReasonCode = ReasonCodes.ApprovalRequired,
                    Requester = passed.Inspector,
                    JustificationRequired = justification,
                    Payload = passed.Lot.Value,
                });
            })
            .NotifyingOutcomes()
            .Build();

    /// <summary>An approval notifies the planners, a refusal quality, each naming the request's payload.</summary>
    public static WorkflowBuilder NotifyingOutcomes(this WorkflowBuilder builder) => builder
        .OnApproved("notify-planner", (outcome, ctx) => ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Planner],
            Site = outcome.Request.Site,
            Subject = $"approved {outcome.Payload}",
        }))
        .OnRefused("notify-quality", (outcome, ctx) => ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.QualityEngineer],
            Site = outcome.Request.Site,
            Subject = $"refused {outcome.Payload}",
        }));

    /// <summary>The inspector passes <paramref name="lot"/>; the id of the approval request that is then waiting.</summary>
    public static async Task<string> RequestAsync(EngineTestHost host, string lot)
    {
        var passed = EngineTestHost.Passed(lot, "req-" + lot);
        passed = passed with { Data = ((InspectionPassed)passed.Data) with { Inspector = Inspector } };
        await host.PublishAndWaitAsync(passed);
        return (await host.Orchestrator.GetPendingApprovalsAsync(lot, EngineTestHost.Ct)).Should().ContainSingle().Subject.RequestId;
    }

    /// <summary><paramref name="signer"/> approves the request, and the host settles.</summary>
    public static async Task<OperatorActionResult> SignAsync(EngineTestHost host, string lot, string requestId, ActorId signer)
    {
        var answer = new ApprovalAnswer { PartitionKey = lot, RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right" };
        var result = await host.Orchestrator.SignApprovalAsync(answer, host.Identity(signer), EngineTestHost.Ct);
        await host.WaitForIdleAsync();
        return result;
    }
}
