using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

public class AuthorityReviewTests
{
    private static readonly ActorId Supervisor = new("sup-sara");

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
}
