using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Operations;

/// <summary>
/// The store fails for a moment while an operator acts on a dead letter (looking it up, reading what the action needs, or
/// committing it): the operator is told the store was unavailable
/// and the action can be tried again — not that the action itself failed — and nothing of it is applied, so trying it
/// again carries it out once.
/// </summary>
public sealed class OperatorActionStoreFailureTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    /// <summary>
    /// A read the action makes fails once: looking up the dead letter it names (before the action reaches its partition),
    /// or, for a compensation, reading the event's commands.
    /// </summary>
    [Theory]
    [InlineData(OperatorActionKind.Compensate, nameof(IOrchestrationStore.ReadCommandsCausedByAsync), "operator-compensate")]
    [InlineData(OperatorActionKind.Skip, nameof(IOrchestrationStore.ReadDeadLettersAsync), "operator-skip")]
    public async Task StoreFailsAReadOfTheAction_IsRefusedAsStoreUnavailableNothingAppliedAndATryAgainSucceeds(OperatorActionKind kind, string failingRead, string audited)
    {
        ClusterTakeoverFailureTests.FlakyStore? flaky = null;
        await using var host = await OrchestratorDeadLetterTests.CreateParkedHostAsync(o =>
        {
            (o.Store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(o.Store);
            o.Settings.Parallelism = 1;
        });
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        var request = OrchestratorDeadLetterTests.Request(deadLetter, kind, "handled by phone");

        flaky!.FailNext(failingRead);
        var refused = await host.ActAsync(request);
        await host.WaitForIdleAsync();

        flaky.Failed.Should().BeTrue();
        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreUnavailable, "the store failed, not the action");
        refused.Message.Should().Contain("try it again");
        await AssertNothingAppliedAsync(host, deadLetter);

        var done = await host.ActAsync(request);
        await host.WaitForIdleAsync();
        done.Succeeded.Should().BeTrue(done.ToString());
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().ContainSingle(r => r.Action == audited);
        (await host.Orchestrator.Audit.VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Skip_StoreRefusesTheActionsCommit_IsRefusedAsStoreUnavailableNothingAppliedAndATryAgainSucceeds()
    {
        CommandPathFailureTests.FaultyStore? faults = null;
        await using var host = await OrchestratorDeadLetterTests.CreateParkedHostAsync(o =>
        {
            (o.Store, faults) = CommandPathFailureTests.FaultyStore.Wrap(o.Store);
            o.Settings.Parallelism = 1;
        });
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        var request = OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Skip, "notice sent by phone");

        faults!.RefuseCommitOnce = commits => commits.Any(c => c.DeadLetters.Count > 0);
        var refused = await host.ActAsync(request);

        faults.RefuseCommitOnce.Should().BeNull("the action's commit was refused");
        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreUnavailable, "the store failed, not the action, and no one changed the key meanwhile");
        await AdvanceUntilIdleAsync(host);
        await AssertNothingAppliedAsync(host, deadLetter);

        var done = await host.ActAsync(request);
        await AdvanceUntilIdleAsync(host);
        done.Succeeded.Should().BeTrue(done.ToString());
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a2", "a3");
    }

    private static async Task AssertNothingAppliedAsync(EngineTestHost host, DeadLetter deadLetter)
    {
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Which.Id.Should().Be(deadLetter.Id);
        host.Orchestrator.OpenDeadLetters.Should().Be(1);
        (await host.Orchestrator.GetPartitionAsync("a", Ct))!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().NotContain(r => r.Action.StartsWith("operator-", StringComparison.Ordinal));
        (await host.Store.ReadCommandAsync(deadLetter.Command!.IdempotencyKey, Ct))!.Status.Should().Be(OutboxStatus.DeadLettered);
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, Ct)).Select(e => e.Key.Id).Should().Equal("a2", "a3");
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
    }

    /// <summary>Waits until idle while the clock moves past the short wait after a refused commit (bounded).</summary>
    private static async Task AdvanceUntilIdleAsync(EngineTestHost host)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (host.Orchestrator.Backlog > 0)
        {
            waited.Elapsed.Should().BeLessThan(EngineTestHost.IdleTimeout, "the orchestrator should be idle long before");
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, Ct);
        }

        await host.WaitForIdleAsync();
    }
}
