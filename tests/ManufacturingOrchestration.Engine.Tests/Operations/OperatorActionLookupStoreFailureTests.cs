using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Operations;

/// <summary>
/// The store fails for a moment while an operator action looks up the dead letter it names, before it reaches the
/// partition: the operator is answered that the store was unavailable, as when the partition's own read fails — not with
/// the store's exception — and the same request sent again is carried out once.
/// </summary>
public sealed class OperatorActionLookupStoreFailureTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task Skip_StoreFailsLookingUpTheDeadLetter_IsRefusedAsStoreUnavailableNothingAppliedAndATryAgainSucceeds()
    {
        ClusterTakeoverFailureTests.FlakyStore? flaky = null;
        await using var host = await OrchestratorDeadLetterTests.CreateParkedHostAsync(o =>
        {
            (o.Store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(o.Store);
            o.Settings.Parallelism = 1;
        });
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        var request = OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Skip, "notice sent by phone");

        flaky!.FailNext(nameof(IOrchestrationStore.ReadDeadLettersAsync));
        var refused = await host.ActAsync(request);
        await host.WaitForIdleAsync();

        flaky.Failed.Should().BeTrue();
        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreUnavailable, "the store failed, not the action");
        refused.Message.Should().Contain("try it again");
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Which.Id.Should().Be(deadLetter.Id);
        (await host.Orchestrator.GetPartitionAsync("a", Ct))!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().NotContain(r => r.Action.StartsWith("operator-", StringComparison.Ordinal));

        var done = await host.ActAsync(request);
        await host.WaitForIdleAsync();
        done.Succeeded.Should().BeTrue(done.ToString());
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().ContainSingle(r => r.Action == "operator-skip");
    }
}
