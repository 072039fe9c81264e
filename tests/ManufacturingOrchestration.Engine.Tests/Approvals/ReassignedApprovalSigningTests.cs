using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

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

    private static Task<EngineTestHost> CreateHostAsync() =>
        GatedRelease.StartHostAsync(configure: o => o.Settings.Approvals.TwoPersonGates.Add("ReleaseLot"));

    private static Task<string> RequestAsync(EngineTestHost host, string lot) => GatedRelease.RequestAsync(host, lot);

    private static Task<OperatorActionResult> SignAsync(EngineTestHost host, string lot, string requestId, ActorId signer) => GatedRelease.SignAsync(host, lot, requestId, signer);
}
