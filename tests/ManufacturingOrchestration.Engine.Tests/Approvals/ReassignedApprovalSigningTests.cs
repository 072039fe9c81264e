using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

/// <summary>
/// A reassignment clears a request's signatures and starts a new round of signing: whoever signed the earlier round may
/// sign again, and each signature is recorded under an id of its own that a run repeats.
/// </summary>
public class ReassignedApprovalSigningTests
{
    private static readonly ActorId Supervisor = GatedRelease.Supervisor;
    private static readonly ActorId SecondSupervisor = GatedRelease.SecondSupervisor;

    [Fact]
    public async Task Reassign_ToTheSameRole_TheEarlierSignerSignsTheNewRoundAndTheRequestIsApproved()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-RS1");

        (await SignAsync(host, "L-RS1", requestId, Supervisor)).Succeeded.Should().BeTrue();
        var reassigned = await host.Orchestrator.ReassignApprovalAsync("L-RS1", requestId, Role.Supervisor, "shift change: sign again", host.Identity(Supervisor), EngineTestHost.Ct);
        reassigned.Succeeded.Should().BeTrue(reassigned.Message);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-RS1", EngineTestHost.Ct)).Should().ContainSingle().Which.Signatures.Should().BeEmpty();

        var again = await SignAsync(host, "L-RS1", requestId, Supervisor);

        again.Succeeded.Should().BeTrue(again.Message);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-RS1", EngineTestHost.Ct)).Should().ContainSingle()
            .Which.Signatures.Should().ContainSingle().Which.Signer.Should().Be(Supervisor, "the signature of the new round is recorded");
        host.Plant.Notification.Sent.Should().BeEmpty("the gate needs two distinct signers in the new round");
        (await SignAsync(host, "L-RS1", requestId, SecondSupervisor)).Succeeded.Should().BeTrue();
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Be("approved L-RS1");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-RS1", EngineTestHost.Ct);
        audit.Where(a => a.Action == "e-signature:approve").Select(a => a.Actor).Should().Equal(Supervisor.Value, Supervisor.Value, SecondSupervisor.Value);
        audit.Should().NotContain(a => a.Action == "approval-refused-invalid");
    }

    [Fact]
    public async Task Reassign_TwiceToTheSameRole_EachSignatureHasItsOwnIdAndARunRepeatsThem()
    {
        var first = await SignThroughThreeRoundsAsync();
        var second = await SignThroughThreeRoundsAsync();

        first.Should().HaveCount(4).And.OnlyHaveUniqueItems("every signature of every round is an event of its own");
        second.Should().Equal(first, "the ids derive from the request, signer, role, meaning and round, not from when or where the run happens");
    }

    [Fact]
    public async Task Sign_SignatureCheckedInTheFirstRoundReachesThePartitionAfterAReassignment_IsRefusedAsStaleAndCountsForNothing()
    {
        HeldSignatureStore? held = null;
        await using var host = await GatedRelease.StartHostAsync(configure: o =>
        {
            o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot");
            (o.Store, held) = HeldSignatureStore.Wrap(o.Store);
        });
        var requestId = await RequestAsync(host, "L-RS3");

        // The signature is checked against round 0, then held on its way into the inbox while the request is reassigned.
        held!.Hold();
        var signing = host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = "L-RS3", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right" },
            host.Identity(Supervisor),
            EngineTestHost.Ct);
        await held.Reached.WaitAsync(EngineTestHost.IdleTimeout, EngineTestHost.Ct);
        var reassigned = await host.Orchestrator.ReassignApprovalAsync("L-RS3", requestId, Role.Supervisor, "shift change: sign again", host.Identity(SecondSupervisor), EngineTestHost.Ct);
        reassigned.Succeeded.Should().BeTrue(reassigned.Message);
        held.Release();
        (await signing.WaitAsync(EngineTestHost.IdleTimeout, EngineTestHost.Ct)).Succeeded.Should().BeTrue("the signature was accepted for the partition, where its round is checked");
        await host.WaitForIdleAsync();

        (await host.Orchestrator.GetPendingApprovalsAsync("L-RS3", EngineTestHost.Ct)).Should().ContainSingle()
            .Which.Signatures.Should().BeEmpty("a signature counts only in the round it was made for");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-RS3", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should()
            .StartWith(ReasonCodes.SignatureStale.Code).And.Contain("round 0").And.Contain("round 1");
        audit.Should().NotContain(a => a.Action == "e-signature:approve");

        (await SignAsync(host, "L-RS3", requestId, Supervisor)).Succeeded.Should().BeTrue("the signer of the earlier round signs the new one");
        host.Plant.Notification.Sent.Should().BeEmpty("one signature of the new round counts, the gate needs two");
        (await SignAsync(host, "L-RS3", requestId, SecondSupervisor)).Succeeded.Should().BeTrue();
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
    }

    [Fact]
    public async Task Sign_AnswerForTheRoundTheSignerSawBeforeAReassignment_IsRefusedAsStaleAndAudited()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-RS4");
        var seen = (await host.Orchestrator.GetPendingApprovalsAsync("L-RS4", EngineTestHost.Ct)).Should().ContainSingle().Subject;
        (await host.Orchestrator.ReassignApprovalAsync("L-RS4", requestId, Role.Supervisor, "shift change: sign again", host.Identity(SecondSupervisor), EngineTestHost.Ct)).Succeeded.Should().BeTrue();

        var stale = await host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = "L-RS4", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right", SignatureRound = seen.SignatureRound },
            host.Identity(Supervisor),
            EngineTestHost.Ct);
        await host.WaitForIdleAsync();

        stale.Refusal.Should().Be(ReasonCodes.SignatureStale, stale.Message);
        stale.Message.Should().Contain("round 0").And.Contain("round 1");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-RS4", EngineTestHost.Ct)).Should().ContainSingle().Which.Signatures.Should().BeEmpty();
        (await host.Orchestrator.GetAuditTrailAsync("L-RS4", EngineTestHost.Ct)).Should().ContainSingle(a => a.Action == "approval-refused-invalid")
            .Which.Reason.Should().StartWith(ReasonCodes.SignatureStale.Code);

        var current = await host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = "L-RS4", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right", SignatureRound = 1 },
            host.Identity(Supervisor),
            EngineTestHost.Ct);
        await host.WaitForIdleAsync();
        current.Succeeded.Should().BeTrue(current.Message);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-RS4", EngineTestHost.Ct)).Should().ContainSingle().Which.Signatures.Should().ContainSingle();
    }

    [Fact]
    public void PendingApproval_StoredWithoutARound_ReadsAsTheFirstRoundAndALaterRoundIsKept()
    {
        var request = new PendingApproval
        {
            RequestId = "r-1",
            Role = Role.Supervisor,
            Site = EngineTestHost.Site,
            Subject = "release L-1",
            ReasonCode = ReasonCodes.ApprovalRequired,
            Gate = "ReleaseLot",
            RequestedAt = new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero),
        };

        var firstRound = request.ToJson();
        var thirdRound = (request with { SignatureRound = 2 }).ToJson();

        firstRound.Should().NotContain("signatureRound", "the first round is what a request stored without the field reads as");
        PendingApproval.FromJson(firstRound).Should().BeEquivalentTo(request);
        PendingApproval.FromJson(thirdRound).SignatureRound.Should().Be(2);
    }

    /// <summary>The same person signs three rounds (two reassignments), then a second person completes the last: the ids of the signature events.</summary>
    private static async Task<List<EventKey?>> SignThroughThreeRoundsAsync()
    {
        await using var host = await CreateHostAsync();
        var requestId = await RequestAsync(host, "L-RS2");
        for (var round = 0; round < 3; round++)
        {
            if (round > 0)
            {
                var reassigned = await host.Orchestrator.ReassignApprovalAsync("L-RS2", requestId, Role.Supervisor, "sign again", host.Identity(SecondSupervisor), EngineTestHost.Ct);
                reassigned.Succeeded.Should().BeTrue(reassigned.Message);
            }

            var signed = await SignAsync(host, "L-RS2", requestId, Supervisor);
            signed.Succeeded.Should().BeTrue($"round {round}: {signed.Message}");
        }

        (await SignAsync(host, "L-RS2", requestId, SecondSupervisor)).Succeeded.Should().BeTrue();
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        return (await host.Orchestrator.GetAuditTrailAsync("L-RS2", EngineTestHost.Ct)).Where(a => a.Action == "e-signature:approve").Select(a => a.Event).ToList();
    }

    /// <summary>A store that, once told to, holds the next signature on its way into the inbox until released.</summary>
    public class HeldSignatureStore : DispatchProxy
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private IOrchestrationStore _inner = null!;
        private int _holding;

        /// <summary>Completes when the held signature reached the store.</summary>
        public Task Reached => _reached.Task;

        public static (IOrchestrationStore Store, HeldSignatureStore Held) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, HeldSignatureStore>();
            var proxy = (HeldSignatureStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        public void Hold() => Volatile.Write(ref _holding, 1);

        public void Release() => _released.TrySetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationStore.AcceptAsync)
                && ((IReadOnlyList<InboxEvent>)args![0]!).Any(e => e.Envelope.Data is ApprovalGiven)
                && Interlocked.Exchange(ref _holding, 0) == 1)
            {
                return new ValueTask<IReadOnlyList<InboxEvent>>(HeldAsync(args));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }

        private async Task<IReadOnlyList<InboxEvent>> HeldAsync(object?[] args)
        {
            _reached.TrySetResult();
            await _released.Task.WaitAsync(EngineTestHost.IdleTimeout);
            return await _inner.AcceptAsync((IReadOnlyList<InboxEvent>)args[0]!, (bool[])args[1]!, (CancellationToken)args[2]!);
        }
    }

    private static Task<EngineTestHost> CreateHostAsync() =>
        GatedRelease.StartHostAsync(configure: o => o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot"));

    private static Task<string> RequestAsync(EngineTestHost host, string lot) => GatedRelease.RequestAsync(host, lot);

    private static Task<OperatorActionResult> SignAsync(EngineTestHost host, string lot, string requestId, ActorId signer) => GatedRelease.SignAsync(host, lot, requestId, signer);
}
