using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

public class AuthorityEdgeCaseTests
{
    private static readonly ActorId Supervisor = GatedRelease.Supervisor;
    private static readonly ActorId SecondSupervisor = GatedRelease.SecondSupervisor;

    [Fact]
    public async Task ActAsync_RequestNamingNoDeadLetter_IsRefusedAndResolvesNone()
    {
        await using var host = await OrchestratorDeadLetterTests.CreateParkedHostAsync();

        var result = await host.ActAsync(new OperatorRequest { DeadLetterId = null!, Action = OperatorActionKind.Skip, Reason = "clearing the backlog" });
        await host.WaitForIdleAsync();

        result.Refusal.Should().Be(ReasonCodes.Required, result.Message);
        result.Message.Should().Contain("DeadLetterId");
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle();
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.IsParked.Should().BeTrue();
        (await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct)).Should().NotContain(r => r.Action.StartsWith("operator-", StringComparison.Ordinal));
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
    }

    [Theory]
    [InlineData("L-1\u0007", "r-1", "partition key")]
    [InlineData(" L-1", "r-1", "partition key")]
    [InlineData("L-1", "r-1\u0000", "request id")]
    [InlineData("L-1", "", "request id")]
    public async Task Sign_PartitionKeyOrRequestIdNotAnIdentifier_IsRefusedNamingItAndStoresNothing(string partitionKey, string requestId, string named)
    {
        await using var host = await new EngineTestHost(o => o.Actors = new InMemoryActorDirectory([
            new Actor { Id = Supervisor, Roles = [new RoleAssignment { Role = Role.Supervisor, Site = EngineTestHost.Site }] },
        ])).StartAsync();

        var result = await host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = partitionKey, RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right" },
            host.Identity(Supervisor),
            EngineTestHost.Ct);
        await host.WaitForIdleAsync();

        result.Refusal.Should().Be(requestId.Length == 0 ? ReasonCodes.Required : ReasonCodes.InvalidIdentifier, result.Message);
        result.Message.Should().StartWith("The " + named + " ");
        (await host.Orchestrator.GetPartitionAsync(partitionKey, EngineTestHost.Ct)).Should().BeNull();
        (await host.Orchestrator.GetAuditTrailAsync(partitionKey, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Sign_SecondSignatureOfTheSamePersonUnderAnotherSpellingTheDirectoryResolves_IsRefusedAsNotDistinct()
    {
        await using var host = await CreateGatedHostAsync(o => o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot"));
        var requestId = await RequestAsync(host, "L-C1");

        var first = await SignAsync(host, "L-C1", requestId, Supervisor);
        var second = await SignAsync(host, "L-C1", requestId, new ActorId("SUP-SARA"));

        first.Succeeded.Should().BeTrue(first.Message);
        second.Refusal.Should().Be(ReasonCodes.SecondApproverRequired, second.Message);
        host.Plant.Notification.Sent.Should().BeEmpty("one person signed, the gate needs two");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-C1", EngineTestHost.Ct)).Should().ContainSingle().Which.Signatures.Should().ContainSingle();
        (await SignAsync(host, "L-C1", requestId, SecondSupervisor)).Succeeded.Should().BeTrue();
        host.Plant.Notification.Sent.Should().ContainSingle();
    }

    [Fact]
    public async Task Sign_RequesterUnderAnotherSpellingTheDirectoryResolves_IsRefusedAsSelfApproval()
    {
        await using var host = await CreateGatedHostAsync();
        var requestId = await RequestAsync(host, "L-C2");

        var result = await SignAsync(host, "L-C2", requestId, new ActorId("QE-IAN"));

        result.Refusal.Should().Be(ReasonCodes.SelfApproval, result.Message);
        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-C2", EngineTestHost.Ct)).Should().ContainSingle().Which.Signatures.Should().BeEmpty();
    }

    [Fact]
    public async Task Delegate_ToTheRequesterUnderAnotherSpellingTheDirectoryResolves_IsRefusedAsSelfApproval()
    {
        await using var host = await CreateGatedHostAsync();
        var requestId = await RequestAsync(host, "L-C3");

        var result = await host.Orchestrator.DelegateApprovalAsync("L-C3", requestId, new ActorId("QE-IAN"), "covering", host.Identity(Supervisor), EngineTestHost.Ct);

        result.Refusal.Should().Be(ReasonCodes.SelfApproval, result.Message);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-C3", EngineTestHost.Ct)).Should().ContainSingle().Which.Delegations.Should().BeEmpty();
    }

    [Fact]
    public async Task Delegate_ToAPersonUnderAnotherSpelling_RecordsTheNameTheDirectoryKnowsThemBy()
    {
        await using var host = await CreateGatedHostAsync();
        var requestId = await RequestAsync(host, "L-C4");

        var result = await host.Orchestrator.DelegateApprovalAsync("L-C4", requestId, new ActorId("SUP-SAM"), "covering", host.Identity(Supervisor), EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue(result.Message);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-C4", EngineTestHost.Ct)).Should().ContainSingle().Which.Delegations.Should().ContainSingle().Which.To.Should().Be(SecondSupervisor);
    }

    private static Task<EngineTestHost> CreateGatedHostAsync(Action<Engine.Execution.OrchestratorOptions>? configure = null) =>
        GatedRelease.StartHostAsync(new CaseInsensitiveActorDirectory(GatedRelease.Actors), configure);

    private static Task<string> RequestAsync(EngineTestHost host, string lot) => GatedRelease.RequestAsync(host, lot);

    private static Task<OperatorActionResult> SignAsync(EngineTestHost host, string lot, string requestId, ActorId signer) => GatedRelease.SignAsync(host, lot, requestId, signer);

    /// <summary>A directory that, like many identity providers, finds a person whatever the case of the name they log in with.</summary>
    private sealed class CaseInsensitiveActorDirectory(params Actor[] actors) : IActorDirectory
    {
        public ValueTask<Actor?> FindAsync(ActorId actor, CancellationToken cancellationToken = default) =>
            new(actors.FirstOrDefault(a => string.Equals(a.Id.Value, actor.Value, StringComparison.OrdinalIgnoreCase)));
    }
}
