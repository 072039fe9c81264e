using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorDeadLetterTests
{
    private static readonly ActorId Engineer = new("qe-bob");
    private static readonly ActorId OtherSiteOperator = new("op-p2");

    [Fact]
    public async Task PermanentFailure_DeadLetteredWithContext_KeyParkedLaterEventsWaitOtherKeysRun()
    {
        await using var host = await CreateParkedHostAsync();

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.PartitionKey.Should().Be("a");
        deadLetter.ReasonCode.Should().Be(ReasonCodes.AdapterPermanent);
        deadLetter.Message.Should().Contain("permanent");
        deadLetter.Site.Should().Be(EngineTestHost.Site.Value);
        deadLetter.At.Should().Be(host.Time.GetUtcNow());
        deadLetter.Command!.Kind.Should().Be(CommandKinds.NotificationSend);
        deadLetter.Command.CausedBy.Should().Be(new EventKey(TestWorkflows.Source, "a1"));
        deadLetter.Command.Workflow.Should().Be("notify@1");
        deadLetter.Command.Step.Should().Be("notify");
        deadLetter.Command.Status.Should().Be(OutboxStatus.DeadLettered);
        deadLetter.Command.Attempts.Should().Be(1);

        var state = await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct);
        state!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        state.Parked.ReasonCode.Should().Be(ReasonCodes.AdapterPermanent);
        (await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct)).Select(r => r.Action).Should().Equal("processed", "dead-lettered");
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("a2", "a3");
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1", "b2");
        host.Orchestrator.OpenDeadLetters.Should().Be(1);
    }

    [Fact]
    public async Task Replay_AfterFaultCleared_SameIdempotencyKeyThenWaitingEventsInOrder()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Replay, "supplier portal back up"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue(result.ToString());
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2", "a3");
        host.Plant.Effects.Records.Should().ContainSingle(r => r.IdempotencyKey == deadLetter.Command!.IdempotencyKey);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        (await host.Store.ReadCommandAsync(deadLetter.Command!.IdempotencyKey, EngineTestHost.Ct))!.Status.Should().Be(OutboxStatus.Completed);
        await AssertResolvedAsync(host, deadLetter, "replay", "operator-replay", "supplier portal back up");
    }

    [Fact]
    public async Task Replay_FaultStillThere_DeadLettersAgainAndKeyStaysParked()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Replay, "try again"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue();
        var again = await SingleOpenAsync(host);
        again.Command!.IdempotencyKey.Should().Be(deadLetter.Command!.IdempotencyKey);
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.IsParked.Should().BeTrue();
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, EngineTestHost.Ct)).Should().HaveCount(2);

        // A second replay, now that the target accepts it, finishes the key.
        (await host.ActAsync(Request(again, OperatorActionKind.Replay, "fixed for real"))).Succeeded.Should().BeTrue();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2", "a3");
    }

    [Fact]
    public async Task ReplayEdited_NewRevisionKeyOriginalSupersededAuditedAsManualCorrection()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);
        var original = (SendNotificationRequest)deadLetter.Command!.Payload.ToCommand(deadLetter.Command.Kind, host.Orchestrator.Adapters.Operations);
        var edited = original with { Subject = "a:a1-corrected", Roles = [Role.Buyer, Role.SupplierQuality] };

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.ReplayEdited, "wrong distribution list", edited));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue(result.ToString());
        var revisionKey = IdempotencyKeys.DeriveRevision(deadLetter.Command.IdempotencyKey, 1);
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1-corrected", "a2", "a3");
        host.Plant.Notification.Sent[^3].Request.Roles.Should().Equal(Role.Buyer, Role.SupplierQuality);
        host.Plant.Effects.Records.Should().ContainSingle(r => r.IdempotencyKey == revisionKey);
        host.Plant.Effects.Records.Should().NotContain(r => r.IdempotencyKey == deadLetter.Command.IdempotencyKey);
        (await host.Store.ReadCommandAsync(deadLetter.Command.IdempotencyKey, EngineTestHost.Ct))!.Status.Should().Be(OutboxStatus.Superseded);
        var revision = await host.Store.ReadCommandAsync(revisionKey, EngineTestHost.Ct);
        revision!.Status.Should().Be(OutboxStatus.Completed);
        revision.RevisionOf.Should().Be(deadLetter.Command.IdempotencyKey);
        var record = await AssertResolvedAsync(host, deadLetter, "replay-edited", "operator-replay-edited", "wrong distribution list");
        record.Reason.Should().Contain("manual correction").And.Contain(revisionKey);
    }

    [Fact]
    public async Task ReplayEdited_ChangingTheSiteTheCommandIsFor_RefusedAsNoCorrectionNothingSent()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);
        var original = (SendNotificationRequest)deadLetter.Command!.Payload.ToCommand(deadLetter.Command.Kind, host.Orchestrator.Adapters.Operations);
        var edited = original with { Subject = "a:a1-corrected", Site = new SiteId("P2") };

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.ReplayEdited, "send it to the other plant", edited));

        await AssertRefusedAsync(host, result, ReasonCodes.CorrectionNotPermitted);
        result.Message.Should().Contain("SendNotificationRequest.Site");
        (await host.Store.ReadCommandAsync(IdempotencyKeys.DeriveRevision(deadLetter.Command.IdempotencyKey, 1), EngineTestHost.Ct)).Should().BeNull();
        (await host.Store.ReadCommandAsync(deadLetter.Command.IdempotencyKey, EngineTestHost.Ct))!.Status.Should().NotBe(OutboxStatus.Superseded);
    }

    [Fact]
    public async Task ReplayEdited_CommandOfAnotherKind_Refused()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);
        var wrongKind = new PlaceShipmentHoldRequest { Context = deadLetter.Command!.Payload.ToCommand(deadLetter.Command.Kind, host.Orchestrator.Adapters.Operations).Context, Lot = new LotId("L-1") };

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.ReplayEdited, "oops", wrongKind));

        result.Succeeded.Should().BeFalse();
        result.Refusal.Should().Be(ReasonCodes.UnknownCommandKind);
        (await SingleOpenAsync(host)).Id.Should().Be(deadLetter.Id);
    }

    [Fact]
    public async Task Skip_WithReason_CommandSkippedWaitingEventsRun()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Skip, "notification no longer relevant"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue();
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a2", "a3");
        (await host.Store.ReadCommandAsync(deadLetter.Command!.IdempotencyKey, EngineTestHost.Ct))!.Status.Should().Be(OutboxStatus.Skipped);
        host.Plant.Effects.Records.Should().NotContain(r => r.IdempotencyKey == deadLetter.Command.IdempotencyKey);
        await AssertResolvedAsync(host, deadLetter, "skip", "operator-skip", "notification no longer relevant");
    }

    [Fact]
    public async Task ResolveManually_CommandMarkedResolvedWaitingEventsRun()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.ResolveManually, "phoned the buyer"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue();
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a2", "a3");
        (await host.Store.ReadCommandAsync(deadLetter.Command!.IdempotencyKey, EngineTestHost.Ct))!.Status.Should().Be(OutboxStatus.ResolvedManually);
        var record = await AssertResolvedAsync(host, deadLetter, "resolve-manually", "operator-resolve-manually", "phoned the buyer");
        record.Reason.Should().Contain("manually");
    }

    [Fact]
    public async Task ActAsync_UnknownActor_RefusedAndKeyStaysParked()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Replay, "x"), new ActorId("nobody"));

        await AssertRefusedAsync(host, result, ReasonCodes.ActorUnknown);
    }

    [Fact]
    public async Task ActAsync_ActorWithoutOperatorRole_Refused()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Skip, "x"), Engineer);

        await AssertRefusedAsync(host, result, ReasonCodes.OperatorRoleRequired);
    }

    [Fact]
    public async Task ActAsync_OperatorOfAnotherSite_Refused()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Skip, "x"), OtherSiteOperator);

        await AssertRefusedAsync(host, result, ReasonCodes.OperatorRoleRequired);
    }

    [Fact]
    public async Task ActAsync_WithoutReason_Refused()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);

        var result = await host.ActAsync(Request(deadLetter, OperatorActionKind.Skip, "  "));

        await AssertRefusedAsync(host, result, ReasonCodes.Required);
    }

    [Fact]
    public async Task ActAsync_UnknownDeadLetter_Refused()
    {
        await using var host = await CreateParkedHostAsync();

        var result = await host.ActAsync(new OperatorRequest { DeadLetterId = "dl-nope", Action = OperatorActionKind.Skip, Reason = "x" }, EngineTestHost.OperatorId);

        await AssertRefusedAsync(host, result, ReasonCodes.ReferenceUnknown);
    }

    [Fact]
    public async Task ActAsync_AlreadyResolvedDeadLetter_RefusedAndNothingRunsTwice()
    {
        await using var host = await CreateParkedHostAsync();
        var deadLetter = await SingleOpenAsync(host);
        (await host.ActAsync(Request(deadLetter, OperatorActionKind.Replay, "first"))).Succeeded.Should().BeTrue();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        var second = await host.ActAsync(Request(deadLetter, OperatorActionKind.Replay, "second"));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        second.Succeeded.Should().BeFalse();
        second.Refusal.Should().Be(ReasonCodes.TransitionNotPermitted);
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2", "a3");
        (await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct)).Count(r => r.Action.StartsWith("operator-", StringComparison.Ordinal)).Should().Be(1);
    }

    internal static async Task<EngineTestHost> CreateParkedHostAsync(Action<Engine.Execution.OrchestratorOptions>? configure = null)
    {
        var host = await TestWorkflows.NotifyHost(o =>
        {
            o.Actors = new InMemoryActorDirectory(
            [
                new Actor { Id = EngineTestHost.OperatorId, Roles = [new RoleAssignment { Role = Role.OrchestrationOperator }] },
                new Actor { Id = Engineer, Roles = [new RoleAssignment { Role = Role.QualityEngineer, Site = EngineTestHost.Site }] },
                new Actor { Id = OtherSiteOperator, Roles = [new RoleAssignment { Role = Role.OrchestrationOperator, Site = new SiteId("P2") }] },
            ]);
            configure?.Invoke(o);
        }).StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a2"), TestWorkflows.Signal("b", "b1"), TestWorkflows.Signal("a", "a3"), TestWorkflows.Signal("b", "b2"));
        return host;
    }

    internal static async Task<DeadLetter> SingleOpenAsync(EngineTestHost host) =>
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;

    internal static OperatorRequest Request(DeadLetter deadLetter, OperatorActionKind action, string reason, AdapterCommand? edited = null) => new()
    {
        DeadLetterId = deadLetter.Id,
        Action = action,
        Reason = reason,
        EditedCommand = edited,
    };

    private static async Task<AuditRecord> AssertResolvedAsync(EngineTestHost host, DeadLetter deadLetter, string action, string auditAction, string reason)
    {
        var stored = (await host.Orchestrator.GetDeadLettersAsync(new DeadLetterQuery { Id = deadLetter.Id, OnlyOpen = false, MaxCount = 1 }, EngineTestHost.Ct)).Single();
        stored.IsOpen.Should().BeFalse();
        stored.Resolution!.Action.Should().Be(action);
        stored.Resolution.Operator.Should().Be(EngineTestHost.OperatorId.Value);
        stored.Resolution.Reason.Should().Be(reason);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Orchestrator.GetPartitionAsync(deadLetter.PartitionKey, EngineTestHost.Ct))!.IsParked.Should().BeFalse();
        (await host.Store.ReadPendingEventsAsync(deadLetter.PartitionKey, 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
        host.Orchestrator.OpenDeadLetters.Should().Be(0);
        var audit = await host.Orchestrator.GetAuditTrailAsync(deadLetter.PartitionKey, EngineTestHost.Ct);
        var record = audit.Should().ContainSingle(r => r.Action == auditAction).Subject;
        record.Actor.Should().Be(EngineTestHost.OperatorId.Value);
        record.Reason.Should().StartWith(reason).And.Contain(deadLetter.Id);
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
        return record;
    }

    private static async Task AssertRefusedAsync(EngineTestHost host, OperatorActionResult result, ReasonCode expected)
    {
        result.Succeeded.Should().BeFalse();
        result.Refusal.Should().Be(expected);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.IsParked.Should().BeTrue();
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct)).Should().NotContain(r => r.Action.StartsWith("operator-", StringComparison.Ordinal));
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
    }
}
