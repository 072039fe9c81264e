using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

/// <summary><see cref="StepContext.WithdrawApproval"/> and <see cref="StepContext.PendingApprovals"/>.</summary>
public class ApprovalWithdrawalTests
{
    private static readonly ActorId Inspector = new("qe-ian");
    private static readonly ActorId Supervisor = new("sup-sara");

    [Fact]
    public async Task WithdrawApproval_PendingRequest_StopsWaitingCancelsItsSlaAndAudits()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.DefaultDeadline = TimeSpan.FromHours(1));
        var requestId = await RequestAsync(host, "L-W1");

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-W1", "fail-W1"));

        (await host.Orchestrator.GetPendingApprovalsAsync("L-W1", EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull("the request's SLA timer is cancelled with it");
        host.Time.Advance(TimeSpan.FromHours(5));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.Sent.Should().BeEmpty("a withdrawn request never escalates");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-W1", EngineTestHost.Ct);
        var withdrawn = audit.Should().ContainSingle(a => a.Action == "approval-withdrawn").Subject;
        withdrawn.Reason.Should().StartWith(ReasonCodes.CountSuperseded.Code).And.Contain(requestId).And.Contain("release L-W1");
        audit.Should().NotContain(a => a.Action == "sla-breached");
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Answer_AfterWithdrawal_IsRefusedWithTheWithdrawalReasonAndRunsNoApprovalSteps()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-W2");
        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-W2", "fail-W2"));

        await host.SignAsync(Answer("L-W2", requestId, approve: true, "late-approve"));
        await host.SignAsync(Answer("L-W2", requestId, approve: false, "late-refuse"));

        host.Plant.Notification.Sent.Should().BeEmpty("neither the approved nor the refused steps run");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-W2", EngineTestHost.Ct);
        var refusals = audit.Where(a => a.Action == "approval-refused-invalid").ToArray();
        refusals.Should().HaveCount(2);
        refusals.Should().OnlyContain(a => a.Reason.StartsWith(ReasonCodes.CountSuperseded.Code, StringComparison.Ordinal) && a.Reason.Contains(requestId, StringComparison.Ordinal) && a.Actor == Supervisor.Value);
        audit.Should().NotContain(a => a.Action.StartsWith("e-signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Answer_ToARequestNeverMade_IsStillRefusedAsUnknown()
    {
        await using var host = await CreateHostAsync();
        await RequestAsync(host, "L-W3");
        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-W3", "fail-W3"));

        await host.SignAsync(Answer("L-W3", "no-such-request", approve: true, "stray"));

        var audit = await host.Orchestrator.GetAuditTrailAsync("L-W3", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith(ReasonCodes.ReferenceUnknown.Code);
    }

    [Fact]
    public async Task Answer_OnAKeyNothingWasEverRecordedFor_IsRefusedAndCreatesNothing()
    {
        await using var host = await CreateHostAsync();

        var result = await host.SignAsync(Answer("L-NONE", "no-such-request", approve: true, "stray"));

        result.Refusal.Should().Be(ReasonCodes.ReferenceUnknown, result.Message);
        (await host.Orchestrator.GetPartitionAsync("L-NONE", EngineTestHost.Ct)).Should().BeNull();
        (await host.Orchestrator.GetAuditTrailAsync("L-NONE", EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task WithdrawApproval_RequestOfAnotherWorkflowOrUnknown_ReturnsFalseAndLeavesItWaiting()
    {
        await using var host = await CreateHostAsync(withdrawer: WithdrawerOfOthers());
        var requestId = await RequestAsync(host, "L-W4");

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-W4", "fail-W4"));

        (await host.Orchestrator.GetPendingApprovalsAsync("L-W4", EngineTestHost.Ct)).Should().ContainSingle().Which.RequestId.Should().Be(requestId);
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-W4", EngineTestHost.Ct);
        audit.Should().NotContain(a => a.Action == "approval-withdrawn");
        audit.Should().ContainSingle(a => a.Action == "withdraw-attempted").Which.Reason.Should().Be("seen 0; other workflow's False; unknown False");
    }

    [Fact]
    public async Task PendingApprovals_ListsOnlyThisWorkflowsWaitingRequests()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-W5");

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-W5", "fail-W5"));

        var audit = await host.Orchestrator.GetAuditTrailAsync("L-W5", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "pending-seen").Which.Reason.Should().Be(requestId);
    }

    private static async Task<EngineTestHost> CreateHostAsync(Action<OrchestratorOptions>? configure = null, WorkflowDefinition? withdrawer = null)
    {
        var host = new EngineTestHost(
            o =>
            {
                o.Actors = new InMemoryActorDirectory([
                    new Actor { Id = Inspector, Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = EngineTestHost.Site }] },
                    new Actor { Id = Supervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
                ]);
                configure?.Invoke(o);
            },
            null,
            withdrawer is null ? [GatedRelease(withdrawOnFailure: true)] : [GatedRelease(withdrawOnFailure: false), withdrawer]);
        return await host.StartAsync();
    }

    /// <summary>Asks for a release on a pass; a later failure of the same lot withdraws whatever release it still waits for.</summary>
    private static WorkflowDefinition GatedRelease(bool withdrawOnFailure)
    {
        var builder = new WorkflowBuilder("withdrawable-release", 1)
            .TriggeredBy(EventTypes.InspectionPassed, EventTypes.InspectionFailed)
            .Step("request", WorkflowStepKind.Approve, ctx =>
            {
                if (ctx.Event.Data is InspectionPassed passed)
                {
                    ctx.RequestApproval(new ApprovalRequest
                    {
                        Role = Role.Supervisor,
                        Site = passed.Site,
                        Gate = "ReleaseLot",
                        Subject = $"release {passed.Lot}",
                        ReasonCode = ReasonCodes.ApprovalRequired,
                        Requester = Inspector,
                        Payload = passed.Lot.Value,
                    });
                }
            });
        if (withdrawOnFailure)
        {
            builder = builder.Step("withdraw", WorkflowStepKind.Approve, ctx =>
            {
                if (ctx.Event.Data is not InspectionFailed)
                {
                    return;
                }

                ctx.Audit("pending-seen", string.Join(",", ctx.PendingApprovals.Select(p => p.RequestId)));
                foreach (var pending in ctx.PendingApprovals)
                {
                    ctx.WithdrawApproval(pending.RequestId, ReasonCodes.CountSuperseded, "a later result replaces the one it was raised for");
                }
            });
        }

        return builder
            .NotifyingOutcomes()
            .Build();
    }

    /// <summary>Another workflow that tries to withdraw the release request it does not own, and an unknown one.</summary>
    private static WorkflowDefinition WithdrawerOfOthers() =>
        new WorkflowBuilder("meddler", 1)
            .TriggeredBy(EventTypes.InspectionFailed)
            .Step("withdraw", WorkflowStepKind.Custom, ctx =>
            {
                var others = ctx.State.Instances.Single(i => i.WaitingFor == ApprovalRequest.WaitingFor).Id;
                var other = ctx.WithdrawApproval(others, ReasonCodes.CountSuperseded, "not mine");
                var unknown = ctx.WithdrawApproval("no-such-request", ReasonCodes.CountSuperseded, "never asked");
                ctx.Audit("withdraw-attempted", $"seen {ctx.PendingApprovals.Count}; other workflow's {other}; unknown {unknown}");
            })
            .Build();

    private static async Task<string> RequestAsync(EngineTestHost host, string lot)
    {
        await host.PublishAndWaitAsync(EngineTestHost.Passed(lot, "req-" + lot));
        return (await host.Orchestrator.GetPendingApprovalsAsync(lot, EngineTestHost.Ct)).Should().ContainSingle().Subject.RequestId;
    }

    private static SignatureAttempt Answer(string lot, string requestId, bool approve, string eventId)
    {
        var signature = new ElectronicSignature
        {
            Signer = Supervisor,
            Role = Role.Supervisor,
            Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject,
            SignedAt = new DateTimeOffset(2026, 11, 2, 7, 0, 0, TimeSpan.Zero),
            Reason = approve ? "looks right" : "not convinced",
        };
        return EngineTestHost.Attempt(lot, requestId, signature);
    }
}
