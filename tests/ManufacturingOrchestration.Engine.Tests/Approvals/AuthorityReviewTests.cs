using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

public class AuthorityReviewTests
{
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
}
