using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;

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

        await SignAsync(host, "L-1", requestId, Supervisor, approve: true);

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

        await SignAsync(host, "L-2", requestId, new ActorId(signer), approve: true);

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

        await SignAsync(host, "L-3", requestId, Supervisor, approve: false);

        host.Plant.Notification.SentTo(Role.QualityEngineer, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Be("refused L-3");
        (await host.Orchestrator.GetAuditTrailAsync("L-3", EngineTestHost.Ct)).Should().Contain(a => a.Action == "e-signature:reject");
    }

    [Fact]
    public async Task TwoPersonRule_NeedsTwoDistinctSigners()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot"));
        var requestId = await RequestAsync(host, "L-4");

        await SignAsync(host, "L-4", requestId, Supervisor, approve: true);
        host.Plant.Notification.Sent.Should().BeEmpty();
        await SignAsync(host, "L-4", requestId, Supervisor, approve: true);
        host.Plant.Notification.Sent.Should().BeEmpty();
        await SignAsync(host, "L-4", requestId, SecondSupervisor, approve: true);

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-4", EngineTestHost.Ct);
        audit.Count(a => a.Action == "e-signature:approve").Should().Be(2);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith("approval.second-approver-required");
    }

    [Fact]
    public async Task Delegation_ToAHolderOfTheRole_LetsThemSignAndIsAudited()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-5");

        var delegated = await host.Orchestrator.DelegateApprovalAsync("L-5", requestId, SecondSupervisor, "on leave", host.Identity(Supervisor), EngineTestHost.Ct);
        delegated.Succeeded.Should().BeTrue(delegated.Message);
        var toRequester = await host.Orchestrator.DelegateApprovalAsync("L-5", requestId, Inspector, "nope", host.Identity(Supervisor), EngineTestHost.Ct);
        toRequester.Refusal.Should().Be(ReasonCodes.SelfApproval);

        (await SignAsync(host, "L-5", requestId, SecondSupervisor, approve: true)).Succeeded.Should().BeTrue();

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-5", EngineTestHost.Ct)).Should().ContainSingle(a => a.Action == "approval-delegated").Which.Actor.Should().Be(Supervisor.Value);
    }

    [Fact]
    public async Task Delegation_ToSomeoneWithoutTheRole_IsRefusedAsLoweringAuthority()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-5b");

        var delegated = await host.Orchestrator.DelegateApprovalAsync("L-5b", requestId, Planner, "on leave", host.Identity(Supervisor), EngineTestHost.Ct);
        var signed = await SignAsync(host, "L-5b", requestId, Planner, approve: true);

        delegated.Refusal.Should().Be(ReasonCodes.AuthorityLowered);
        signed.Refusal.Should().Be(ReasonCodes.RoleNotHeld);
        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-5b", EngineTestHost.Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Delegation_ByAnAuthenticatedPersonWithoutTheRole_IsRefused()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-5c");

        var delegated = await host.Orchestrator.DelegateApprovalAsync("L-5c", requestId, SecondSupervisor, "covering", host.Identity(Planner), EngineTestHost.Ct);

        delegated.Refusal.Should().Be(ReasonCodes.RoleNotHeld);
        (await host.Orchestrator.GetAuditTrailAsync("L-5c", EngineTestHost.Ct)).Should().NotContain(a => a.Action == "approval-delegated");
    }

    [Fact]
    public async Task Sign_ReasonWithControlCharacterOrBlank_IsRefusedAndNeverRecordedAsASignature()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-T1");
        var results = new List<Engine.Operations.OperatorActionResult>();

        foreach (var reason in new[] { "\u0000", "  ", "ok\u001B[2J", "ok\uD800" })
        {
            results.Add(await host.Orchestrator.SignApprovalAsync(new ApprovalAnswer { PartitionKey = "L-T1", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = reason }, host.Identity(Supervisor), EngineTestHost.Ct));
        }

        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        results.Select(r => r.Refusal).Should().Equal(ReasonCodes.InvalidText, ReasonCodes.Required, ReasonCodes.InvalidText, ReasonCodes.InvalidText);
        (await host.Orchestrator.GetAuditTrailAsync("L-T1", EngineTestHost.Ct)).Should().NotContain(a => a.Action.StartsWith("e-signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DelegationAndReassignment_ReasonWithControlCharacterOrBlank_AreRefusedWithTheTextRules()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-T2");

        var nul = await host.Orchestrator.DelegateApprovalAsync("L-T2", requestId, SecondSupervisor, "\u0000", host.Identity(Supervisor), EngineTestHost.Ct);
        var blank = await host.Orchestrator.DelegateApprovalAsync("L-T2", requestId, SecondSupervisor, " ", host.Identity(Supervisor), EngineTestHost.Ct);
        var reassigned = await host.Orchestrator.ReassignApprovalAsync("L-T2", requestId, Role.QualityManager, "moved\u0007", host.Identity(Supervisor), EngineTestHost.Ct);

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

        (await host.Orchestrator.ReassignApprovalAsync("L-6", requestId, Role.QualityManager, "needs QM", host.Identity(Supervisor), EngineTestHost.Ct)).Succeeded.Should().BeTrue();
        await SignAsync(host, "L-6", requestId, SecondSupervisor, approve: true);
        host.Plant.Notification.Sent.Should().BeEmpty();
        await SignAsync(host, "L-6", requestId, new ActorId("qm-quinn"), approve: true);

        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
    }

    [Fact]
    public async Task Reassignment_ToALowerRole_IsRefusedAndTheRequestKeepsItsRole()
    {
        await using var host = await CreateHostAsync(o => o.Actors = new InMemoryActorDirectory([
            new Actor { Id = Inspector, Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = EngineTestHost.Site }] },
            new Actor { Id = Supervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
            new Actor { Id = EngineTestHost.OperatorId, Roles = [new RoleAssignment { Role = Role.OrchestrationOperator, Site = EngineTestHost.Site }, new RoleAssignment { Role = Role.Operator, Site = EngineTestHost.Site }] },
        ]));
        var requestId = await RequestAsync(host, "L-R1");

        var toOperator = await host.Orchestrator.ReassignApprovalAsync("L-R1", requestId, Role.Operator, "short-staffed", host.Identity(EngineTestHost.OperatorId), EngineTestHost.Ct);
        var toPlanner = await host.Orchestrator.ReassignApprovalAsync("L-R1", requestId, Role.Planner, "short-staffed", host.Identity(Supervisor), EngineTestHost.Ct);
        var empty = await host.Orchestrator.ReassignApprovalAsync("L-R1", requestId, Role.QualityManager, "", host.Identity(Supervisor), EngineTestHost.Ct);
        var signed = await SignAsync(host, "L-R1", requestId, EngineTestHost.OperatorId, approve: true);

        toOperator.Refusal.Should().Be(ReasonCodes.AuthorityLowered);
        toPlanner.Refusal.Should().Be(ReasonCodes.AuthorityLowered);
        empty.Refusal.Should().Be(ReasonCodes.Required);
        signed.Refusal.Should().Be(ReasonCodes.RoleNotHeld);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-R1", EngineTestHost.Ct)).Should().ContainSingle().Which.Role.Should().Be(Role.Supervisor);
        host.Plant.Notification.Sent.Should().BeEmpty("nothing was released");
    }

    [Fact]
    public async Task Reassignment_ByAnAuthenticatedPersonWithoutAuthority_IsRefused()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-R2");

        var result = await host.Orchestrator.ReassignApprovalAsync("L-R2", requestId, Role.QualityManager, "escalating", host.Identity(Planner), EngineTestHost.Ct);

        result.Refusal.Should().Be(ReasonCodes.RoleNotHeld);
    }

    [Fact]
    public async Task Sign_AuthenticatedLongerAgoThanTheWindow_IsRefusedAndAudited()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.ReauthenticationWindow = TimeSpan.FromMinutes(5));
        var requestId = await RequestAsync(host, "L-A1");
        var stale = TestIdentity.At(Supervisor, host.Time.GetUtcNow() - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var fresh = TestIdentity.At(Supervisor, host.Time.GetUtcNow() - TimeSpan.FromMinutes(5));
        var answer = new ApprovalAnswer { PartitionKey = "L-A1", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "fine" };

        var refused = await host.Orchestrator.SignApprovalAsync(answer, stale, EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.Sent.Should().BeEmpty();
        var accepted = await host.Orchestrator.SignApprovalAsync(answer, fresh, EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        refused.Refusal.Should().Be(ReasonCodes.ReauthenticationRequired);
        accepted.Succeeded.Should().BeTrue(accepted.Message);
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-A1", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith("approval.reauthentication-required: 'sup-sara' authenticated at 2026-11-02T05:54:59.0000000+00:00");
        audit.Should().ContainSingle(a => a.Action == "e-signature:approve").Which.Reason.Should().Contain("authenticated by test at 2026-11-02T05:55:00.0000000+00:00");
    }

    [Fact]
    public async Task Sign_AuthenticatedInTheFuture_IsRefused()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-A2");

        var result = await host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = "L-A2", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "fine" },
            TestIdentity.At(Supervisor, host.Time.GetUtcNow().AddMinutes(2)),
            EngineTestHost.Ct);

        result.Refusal.Should().Be(ReasonCodes.ApprovalUnauthenticated);
    }

    [Fact]
    public async Task Sign_AuthenticatedWithinTheClockSkew_IsAcceptedAndJustBeyondItRefused()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-A3");
        var answer = new ApprovalAnswer { PartitionKey = "L-A3", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "fine" };

        var beyond = await host.Orchestrator.SignApprovalAsync(answer, TestIdentity.At(Supervisor, host.Time.GetUtcNow().AddMinutes(1).AddTicks(1)), EngineTestHost.Ct);
        var within = await host.Orchestrator.SignApprovalAsync(answer, TestIdentity.At(Supervisor, host.Time.GetUtcNow().AddMinutes(1)), EngineTestHost.Ct);

        beyond.Refusal.Should().Be(ReasonCodes.ApprovalUnauthenticated);
        beyond.Message.Should().Be("'sup-sara' is said to have authenticated at 2026-11-02T06:01:00.0000001+00:00, after now (2026-11-02T06:00:00.0000000+00:00).");
        within.Succeeded.Should().BeTrue(within.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" pwd")]
    [InlineData("pwd\u0000")]
    public async Task Sign_AuthenticationMethodNotAnIdentifier_IsRefused(string method)
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-A4");

        var result = await host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = "L-A4", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "fine" },
            new AuthenticatedIdentity { Actor = Supervisor, AuthenticatedAt = host.Time.GetUtcNow(), Method = method },
            EngineTestHost.Ct);

        result.Refusal.Should().Be(ReasonCodes.ApprovalUnauthenticated);
        result.Message.Should().StartWith("The authentication method of 'sup-sara' ");
    }

    [Fact]
    public async Task Sign_UnknownSigner_IsRefusedNamingThem()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-A5");

        var result = await SignAsync(host, "L-A5", requestId, new ActorId("nobody"), approve: true);

        result.Message.Should().Be("'nobody' is not known to the actor directory.");
    }

    [Fact]
    public async Task Reassign_ByAPersonWhoAuthenticatedHoursAgo_IsAllowed()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-A6");

        var result = await host.Orchestrator.ReassignApprovalAsync("L-A6", requestId, Role.QualityManager, "needs QM", TestIdentity.At(Supervisor, host.Time.GetUtcNow().AddHours(-3)), EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue("only a signature needs a recent authentication: {0}", result.Message);
    }

    [Fact]
    public void Satisfies_SuperiorRolesChainedAndCyclic_FollowsTheChainAndEnds()
    {
        var options = new ApprovalOptions();
        options.SuperiorRoles["operator"] = ["supervisor"];
        options.SuperiorRoles["supervisor"] = ["plant-manager", "operator"];
        options.SuperiorRoles["plant-manager"] = ["supervisor"];

        options.Satisfies(new Role("plant-manager"), Role.Operator).Should().BeTrue("a plant manager stands above a supervisor, who stands above an operator");
        options.Satisfies(Role.Operator, Role.Operator).Should().BeTrue();
        options.Satisfies(Role.QualityManager, Role.Operator).Should().BeFalse("the cycle ends without finding it");
        options.Satisfies(Role.Operator, new Role("plant-manager")).Should().BeTrue("the cycle leads back to the operator");
        options.Satisfies(Role.QualityEngineer, Role.QualityManager).Should().BeFalse("authority is not symmetric");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Publish_ApprovalAnswerAsAnEvent_IsRejectedAsUnauthenticatedAndReleasesNothing(bool approve)
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-F1");
        var forged = new ElectronicSignature { Signer = Supervisor, Role = Role.Supervisor, Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject, SignedAt = host.Time.GetUtcNow(), Reason = "looks right" };

        var typed = await host.Orchestrator.PublishAsync(EngineTestHost.ApprovalAnswer("L-F1", requestId, forged, "forged-1"), EngineTestHost.Ct);
        var json = await new Engine.Intake.EventIntake(host.Orchestrator).PublishJsonAsync(
            Model.Serialization.EventSerializer.Default.SerializeToUtf8Bytes(EngineTestHost.ApprovalAnswer("L-F1", requestId, forged, "forged-2")), "webhook", EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        foreach (var result in new[] { typed, json })
        {
            result.Status.Should().Be(PublishStatus.Rejected);
            result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.ApprovalUnauthenticated);
        }

        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-F1", EngineTestHost.Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task FileDrop_TwoForgedQualitySignaturesUnderTheTwoPersonRule_AreRejectedLineByLineAndReleaseNothing()
    {
        await using var host = await CreateHostAsync(o => o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot"));
        var requestId = await RequestAsync(host, "L-F3");
        var folder = Path.Combine(Path.GetTempPath(), "mo-forged-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string Line(ActorId signer, string id) => Model.Serialization.EventSerializer.Default.SerializeToString(EngineTestHost.ApprovalAnswer("L-F3", requestId, new ElectronicSignature { Signer = signer, Role = Role.Supervisor, Meaning = SignatureMeaning.Approve, SignedAt = host.Time.GetUtcNow(), Reason = "looks right" }, id));
            await File.WriteAllLinesAsync(Path.Combine(folder, "signatures.jsonl"), [Line(Supervisor, "forged-a"), Line(SecondSupervisor, "forged-b")], EngineTestHost.Ct);

            var report = (await new Engine.Intake.FileDropSource(new Engine.Intake.FileDropOptions { Directory = folder }).ProcessPendingAsync(new Engine.Intake.EventIntake(host.Orchestrator), EngineTestHost.Ct)).Single();
            await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

            report.Lines.Should().HaveCount(2).And.OnlyContain(l => l.Status == PublishStatus.Rejected && l.Errors.Single().ReasonCode == ReasonCodes.ApprovalUnauthenticated);
            host.Plant.Notification.Sent.Should().BeEmpty("nothing was released");
            (await host.Orchestrator.GetPendingApprovalsAsync("L-F3", EngineTestHost.Ct)).Should().ContainSingle().Which.Signatures.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_AnyEventFromTheReservedSignatureSource_IsRejected()
    {
        await using var host = await CreateHostAsync();

        var result = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("L-F2", "spoof-1") with { Source = "urn:manufacturing-orchestration:e-signatures" }, EngineTestHost.Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.Path.Should().Be("$.source");
    }

    /// <summary>
    /// The authority matrix of a supervisor's approval at the test site: who may sign (approve or reject), delegate it
    /// (to a second supervisor) and reassign it (to the quality manager, a superior role in this host). Every refusal
    /// names its reason; nothing is signed, delegated or reassigned when refused.
    /// </summary>
    [Theory]
    [InlineData("sign-approve", "sup-sara", null)]
    [InlineData("sign-reject", "sup-sara", null)]
    [InlineData("sign-approve", "qm-quinn", null)]
    [InlineData("sign-approve", "qe-ian", "approval.self-approval")]
    [InlineData("sign-reject", "qe-ian", "approval.self-approval")]
    [InlineData("sign-approve", "plan-pia", "approval.role-not-held")]
    [InlineData("sign-approve", "sup-olga", "approval.role-not-held")]
    [InlineData("sign-approve", "svc-mes", "approval.role-not-held")]
    [InlineData("sign-approve", "nobody", "approval.actor-unknown")]
    [InlineData("delegate", "sup-sara", null)]
    [InlineData("delegate", "qm-quinn", null)]
    [InlineData("delegate", "plan-pia", "approval.role-not-held")]
    [InlineData("delegate", "sup-olga", "approval.role-not-held")]
    [InlineData("delegate", "svc-mes", "approval.role-not-held")]
    [InlineData("delegate", "nobody", "approval.actor-unknown")]
    [InlineData("reassign", "sup-sara", null)]
    [InlineData("reassign", "qm-quinn", null)]
    [InlineData("reassign", "plan-pia", "approval.role-not-held")]
    [InlineData("reassign", "sup-olga", "approval.role-not-held")]
    [InlineData("reassign", "svc-mes", "approval.role-not-held")]
    [InlineData("reassign", "nobody", "approval.actor-unknown")]
    public async Task AuthorityMatrix_ActorAndAction_AllowedOrRefusedWithTheReason(string action, string actor, string? refusal)
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-M");
        var identity = host.Identity(new ActorId(actor));

        var result = action switch
        {
            "sign-approve" => await SignAsync(host, "L-M", requestId, new ActorId(actor), approve: true),
            "sign-reject" => await SignAsync(host, "L-M", requestId, new ActorId(actor), approve: false),
            "delegate" => await host.Orchestrator.DelegateApprovalAsync("L-M", requestId, SecondSupervisor, "covering the shift", identity, EngineTestHost.Ct),
            _ => await host.Orchestrator.ReassignApprovalAsync("L-M", requestId, Role.QualityManager, "needs the quality manager", identity, EngineTestHost.Ct),
        };

        result.Refusal?.Code.Should().Be(refusal, result.Message);
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-M", EngineTestHost.Ct);
        var recorded = action switch
        {
            "sign-approve" => "e-signature:approve",
            "sign-reject" => "e-signature:reject",
            "delegate" => "approval-delegated",
            _ => "approval-reassigned",
        };
        audit.Count(a => a.Action == recorded).Should().Be(refusal is null ? 1 : 0);
        host.Plant.Notification.Sent.Should().HaveCount(action.StartsWith("sign", StringComparison.Ordinal) && refusal is null ? 1 : 0, "only an accepted signature resumes the workflow");
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

        await SignAsync(second, "L-7", requestId, Supervisor, approve: true);

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

        await SignAsync(host, "L-9", requestId, Supervisor, approve: true);
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

        await SignAsync(host, "L-10", requestId, Supervisor, approve: true);
        host.Plant.Notification.Sent.Should().BeEmpty();
        await SignAsync(host, "L-10", requestId, Supervisor, approve: true, justification: "Within customer deviation D-12");

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
                o.Settings.Approvals.SuperiorRoles[Role.Supervisor.Name] = [Role.QualityManager.Name];
                configure?.Invoke(o);
            },
            store,
            [GatedReleaseWorkflow(justification)]);
        return await host.StartAsync();
    }

    private static WorkflowDefinition GatedReleaseWorkflow(bool justification) => GatedRelease.Workflow(justification);

    private static Task<string> RequestAsync(EngineTestHost host, string lot) => GatedRelease.RequestAsync(host, lot);

    private static async Task<Engine.Operations.OperatorActionResult> SignAsync(EngineTestHost host, string lot, string requestId, ActorId signer, bool approve, string? justification = null)
    {
        var answer = new ApprovalAnswer
        {
            PartitionKey = lot,
            RequestId = requestId,
            Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject,
            Reason = approve ? "looks right" : "not convinced",
            Justification = justification,
        };
        var result = await host.Orchestrator.SignApprovalAsync(answer, host.Identity(signer), EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        return result;
    }
}
