using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

public class ApprovalTests
{
    private static readonly ActorId Inspector = new("qe-ian");
    private static readonly ActorId Supervisor = new("sup-sara");
    private static readonly ActorId SecondSupervisor = new("sup-sam");
    private static readonly ActorId Planner = new("plan-pia");
    private static readonly ActorId OtherSiteSupervisor = new("sup-olga");
    private static readonly ActorId Machine = new("svc-mes");

    [Fact]
    public async Task Approve_ByRightRoleAtSite_RunsApprovedStepsAndSignsTheAuditTrail()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-1");

        await host.PublishAndWaitAsync(Answer("L-1", requestId, Supervisor, approve: true, "a1"));

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Be("approved L-1");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-1", EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-1", EngineTestHost.Ct);
        var signature = audit.Should().ContainSingle(a => a.Action == "e-signature:approve").Subject;
        signature.Actor.Should().Be(Supervisor.Value);
        signature.Reason.Should().Contain("as supervisor").And.Contain("looks right");
        audit.Select(a => a.Action).Should().ContainInOrder("approval-requested", "e-signature:approve", "approved-steps");
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Theory]
    [InlineData("qe-ian", "approval.self-approval")]
    [InlineData("plan-pia", "approval.role-not-held")]
    [InlineData("sup-olga", "approval.role-not-held")]
    [InlineData("nobody", "approval.actor-unknown")]
    [InlineData("svc-mes", "approval.role-not-held")]
    public async Task Approve_ByRequesterWrongRoleWrongSiteUnknownOrSystem_IsRefusedAndAudited(string signer, string code)
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-2");

        await host.PublishAndWaitAsync(Answer("L-2", requestId, new ActorId(signer), approve: true, "a2", role: Role.Supervisor));

        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-2", EngineTestHost.Ct)).Should().ContainSingle();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-2", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith(code);
    }

    [Fact]
    public async Task Refuse_ByRightRole_RunsTheRefusalPath()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-3");

        await host.PublishAndWaitAsync(Answer("L-3", requestId, Supervisor, approve: false, "r1"));

        host.Plant.Notification.SentTo(Role.QualityEngineer, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Be("refused L-3");
        (await host.Orchestrator.GetAuditTrailAsync("L-3", EngineTestHost.Ct)).Should().Contain(a => a.Action == "e-signature:reject");
    }

    [Fact]
    public async Task TwoPersonRule_NeedsTwoDistinctSigners()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot"));
        var requestId = await RequestAsync(host, "L-4");

        await host.PublishAndWaitAsync(Answer("L-4", requestId, Supervisor, approve: true, "t1"));
        host.Plant.Notification.Sent.Should().BeEmpty();
        await host.PublishAndWaitAsync(Answer("L-4", requestId, Supervisor, approve: true, "t2"));
        host.Plant.Notification.Sent.Should().BeEmpty();
        await host.PublishAndWaitAsync(Answer("L-4", requestId, SecondSupervisor, approve: true, "t3"));

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-4", EngineTestHost.Ct);
        audit.Count(a => a.Action == "e-signature:approve").Should().Be(2);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith("approval.second-approver-required");
    }

    [Fact]
    public async Task Delegation_LetsADelegateSignAndIsAudited()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-5");

        var delegated = await host.Orchestrator.DelegateApprovalAsync("L-5", requestId, Supervisor, Planner, "on leave", EngineTestHost.Ct);
        delegated.Succeeded.Should().BeTrue(delegated.Message);
        var toRequester = await host.Orchestrator.DelegateApprovalAsync("L-5", requestId, Supervisor, Inspector, "nope", EngineTestHost.Ct);
        toRequester.Refusal.Should().Be(ReasonCodes.SelfApproval);

        await host.PublishAndWaitAsync(Answer("L-5", requestId, Planner, approve: true, "d1", role: Role.Supervisor));

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-5", EngineTestHost.Ct)).Should().ContainSingle(a => a.Action == "approval-delegated").Which.Actor.Should().Be(Supervisor.Value);
    }

    [Fact]
    public async Task Answer_SignatureReasonWithControlCharacterOrBlank_IsRejectedAndNeverRecordedAsASignature()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-T1");
        var results = new List<PublishResult>();

        foreach (var (reason, index) in new[] { "\u0000", "  ", "ok\u001B[2J", "ok\uD800" }.Select((r, i) => (r, i)))
        {
            var answer = Answer("L-T1", requestId, Supervisor, approve: true, "bad-reason-" + index);
            var given = (ApprovalGiven)answer.Data;
            results.Add(await host.Orchestrator.PublishAsync(answer with { Data = given with { Signature = given.Signature with { Reason = reason } } }, EngineTestHost.Ct));
        }

        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        results.Should().OnlyContain(r => r.Status == PublishStatus.Rejected);
        results.Select(r => r.Errors.Single(e => e.Path == "$.data.signature.reason").ReasonCode).Should().Equal(
            ReasonCodes.InvalidText, ReasonCodes.Required, ReasonCodes.InvalidText, ReasonCodes.InvalidEncoding);
        (await host.Orchestrator.GetAuditTrailAsync("L-T1", EngineTestHost.Ct)).Should().NotContain(a => a.Action.StartsWith("e-signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DelegationAndReassignment_ReasonWithControlCharacterOrBlank_AreRefusedWithTheTextRules()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-T2");

        var nul = await host.Orchestrator.DelegateApprovalAsync("L-T2", requestId, Supervisor, Planner, "\u0000", EngineTestHost.Ct);
        var blank = await host.Orchestrator.DelegateApprovalAsync("L-T2", requestId, Supervisor, Planner, " ", EngineTestHost.Ct);
        var reassigned = await host.Orchestrator.ReassignApprovalAsync("L-T2", requestId, Role.QualityManager, Supervisor, "moved\u0007", EngineTestHost.Ct);

        nul.Refusal.Should().Be(ReasonCodes.InvalidText);
        blank.Refusal.Should().Be(ReasonCodes.Required);
        reassigned.Refusal.Should().Be(ReasonCodes.InvalidText);
        (await host.Orchestrator.GetAuditTrailAsync("L-T2", EngineTestHost.Ct)).Should().NotContain(a => a.Action == "approval-delegated" || a.Action == "approval-reassigned");
    }

    [Fact]
    public async Task Reassignment_ChangesTheRoleThatMustSign()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-6");

        (await host.Orchestrator.ReassignApprovalAsync("L-6", requestId, Role.QualityManager, Supervisor, "needs QM", EngineTestHost.Ct)).Succeeded.Should().BeTrue();
        await host.PublishAndWaitAsync(Answer("L-6", requestId, SecondSupervisor, approve: true, "re1"));
        host.Plant.Notification.Sent.Should().BeEmpty();
        await host.PublishAndWaitAsync(Answer("L-6", requestId, new ActorId("qm-quinn"), approve: true, "re2", role: Role.QualityManager));

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
    }

    [Fact]
    public async Task PendingApproval_SurvivesARestartOnTheSameStore()
    {
        var store = new InMemoryOrchestrationStore();
        string requestId;
        await using (var first = await CreateHostAsync(store: store))
        {
            requestId = await RequestAsync(first, "L-7");
            await first.Orchestrator.StopAsync(EngineTestHost.Ct);
        }

        await using var second = await CreateHostAsync(store: store);
        (await second.Orchestrator.GetPendingApprovalsAsync("L-7", EngineTestHost.Ct)).Should().ContainSingle().Which.RequestId.Should().Be(requestId);

        await second.PublishAndWaitAsync(Answer("L-7", requestId, Supervisor, approve: true, "rs1"));

        second.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
    }

    [Fact]
    public async Task Deadline_Breached_EscalatesThenChainsToTheSecondLevel()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.DefaultDeadline = TimeSpan.FromHours(1));
        await RequestAsync(host, "L-8");

        host.Time.Advance(TimeSpan.FromMinutes(61));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.SentTo(Role.QualityManager, EngineTestHost.Site).Should().ContainSingle().Which.Request.ReasonCode.Should().Be(ReasonCodes.SlaBreached);
        host.Plant.Notification.SentTo(Role.Supervisor, EngineTestHost.Site).Should().BeEmpty();

        host.Time.Advance(TimeSpan.FromHours(2));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.SentTo(Role.Supervisor, EngineTestHost.Site).Should().ContainSingle().Which.Request.Severity.Should().Be(NotificationSeverity.Alarm);

        var audit = await host.Orchestrator.GetAuditTrailAsync("L-8", EngineTestHost.Ct);
        audit.Count(a => a.Action == "sla-breached").Should().Be(2);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-8", EngineTestHost.Ct)).Single().EscalationLevel.Should().Be(2);
    }

    [Fact]
    public async Task Approval_BeforeTheDeadline_CancelsTheEscalation()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.DefaultDeadline = TimeSpan.FromHours(1));
        var requestId = await RequestAsync(host, "L-9");

        await host.PublishAndWaitAsync(Answer("L-9", requestId, Supervisor, approve: true, "c1"));
        host.Time.Advance(TimeSpan.FromHours(5));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        host.Plant.Notification.SentTo(Role.QualityManager, EngineTestHost.Site).Should().BeEmpty();
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Approve_WithoutRequiredJustification_IsRefused()
    {
        await using var host = await CreateHostAsync(justification: true);
        var requestId = await RequestAsync(host, "L-10");

        await host.PublishAndWaitAsync(Answer("L-10", requestId, Supervisor, approve: true, "j1"));
        host.Plant.Notification.Sent.Should().BeEmpty();
        await host.PublishAndWaitAsync(Answer("L-10", requestId, Supervisor, approve: true, "j2", justification: "Within customer deviation D-12"));

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
    }

    private static async Task<EngineTestHost> CreateHostAsync(Action<OrchestratorOptions>? configure = null, IOrchestrationStore? store = null, bool justification = false)
    {
        var host = new EngineTestHost(
            o =>
            {
                var directory = new InMemoryActorDirectory([
                    new Actor { Id = Inspector, Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = EngineTestHost.Site }, new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
                    new Actor { Id = Supervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
                    new Actor { Id = SecondSupervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
                    new Actor { Id = Planner, Roles = [new RoleAssignment { Role = Role.Planner, Site = EngineTestHost.Site }] },
                    new Actor { Id = OtherSiteSupervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = new SiteId("P2") }] },
                    new Actor { Id = new ActorId("qm-quinn"), Roles = [new RoleAssignment { Role = Role.QualityManager, Site = EngineTestHost.Site }] },
                    new Actor { Id = Machine, IsSystem = true, Roles = [new RoleAssignment { Role = Role.Supervisor }] },
                ]);
                o.Actors = directory;
                configure?.Invoke(o);
            },
            store,
            [GatedReleaseWorkflow(justification)]);
        return await host.StartAsync();
    }

    private static WorkflowDefinition GatedReleaseWorkflow(bool justification) =>
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
            }))
            .Build();

    private static async Task<string> RequestAsync(EngineTestHost host, string lot)
    {
        var passed = EngineTestHost.Passed(lot, "req-" + lot);
        passed = passed with { Data = ((InspectionPassed)passed.Data) with { Inspector = Inspector } };
        await host.PublishAndWaitAsync(passed);
        return (await host.Orchestrator.GetPendingApprovalsAsync(lot, EngineTestHost.Ct)).Should().ContainSingle().Subject.RequestId;
    }

    private static EventEnvelope Answer(string lot, string requestId, ActorId signer, bool approve, string eventId, Role? role = null, string? justification = null)
    {
        var signature = new ElectronicSignature
        {
            Signer = signer,
            Role = role ?? (signer == new ActorId("qm-quinn") ? Role.QualityManager : Role.Supervisor),
            Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject,
            SignedAt = new DateTimeOffset(2026, 11, 2, 7, 0, 0, TimeSpan.Zero),
            Reason = approve ? "looks right" : "not convinced",
            Justification = justification,
        };
        return EngineTestHost.ApprovalAnswer(lot, requestId, signature, eventId);
    }
}
