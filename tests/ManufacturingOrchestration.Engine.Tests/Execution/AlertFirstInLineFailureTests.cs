using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Approvals;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// An approval's SLA escalation alert is the only command of its key, so first in line, when its send fails for good or
/// runs out of attempts: it is dead-lettered as an alert behind a waiting command is — without parking the key — so the
/// signature that answers the request, and the commands it plans, go on.
/// </summary>
public sealed class AlertFirstInLineFailureTests
{
    private const string Lot = "L-AF1";

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Theory]
    [InlineData(AdapterResultStatus.PermanentFailure, "adapter.permanent")]
    [InlineData(AdapterResultStatus.TransientFailure, "adapter.retries-exhausted")]
    public async Task EscalationAlertFirstInLineFails_IsDeadLetteredWithoutParkingAndTheKeysNextCommandsGoOn(AdapterResultStatus failure, string reason)
    {
        await using var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(1), Jitter = 0, MaxAttempts = 1 };
                o.Actors = new InMemoryActorDirectory(GatedRelease.Actors);
            },
            workflows: [GatedRelease.Workflow()],
            adapters: plant => TestWorkflows.WithNotification(plant, new EscalationsFail(plant.Notification, failure))).StartAsync();
        var requestId = await GatedRelease.RequestAsync(host, Lot);
        (await host.Store.ReadPendingCommandsAsync(Lot, Ct)).Should().BeEmpty("the request waits for a signature, not for a command");

        host.Time.Advance(new ApprovalOptions().DefaultDeadline + TimeSpan.FromMinutes(1));
        await host.WaitForIdleAsync();

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Subject;
        deadLetter.Command!.Step.Should().Be("sla-escalation-1");
        deadLetter.ReasonCode.Code.Should().Be(reason);
        (await host.Orchestrator.GetPartitionAsync(Lot, Ct))!.IsParked.Should().BeFalse("the key's effects do not wait for an alert, first in line or not");
        (await host.Orchestrator.GetAuditTrailAsync(Lot, Ct)).Should().ContainSingle(r => r.Action == "dead-lettered").Which.After.Should().NotBe("parked");
        host.Orchestrator.OpenDeadLetters.Should().Be(1);

        var signed = await GatedRelease.SignAsync(host, Lot, requestId, GatedRelease.Supervisor);

        signed.Succeeded.Should().BeTrue(signed.Message);
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle("the approval's command went on")
            .Which.Request.Subject.Should().Be("approved " + Lot);
        (await host.Store.ReadPendingCommandsAsync(Lot, Ct)).Should().BeEmpty();
        (await host.Orchestrator.Audit.VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
    }

    /// <summary>Every approval escalation fails with <paramref name="failure"/>; the other notifications are delivered.</summary>
    private sealed class EscalationsFail(ICommandHandler<SendNotificationRequest> inner, AdapterResultStatus failure) : ICommandHandler<SendNotificationRequest>
    {
        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
        {
            if (!request.Subject.StartsWith("Approval overdue:", StringComparison.Ordinal))
            {
                return inner.ExecuteAsync(request, cancellationToken);
            }

            return ValueTask.FromResult(failure == AdapterResultStatus.PermanentFailure
                ? AdapterResult.Permanent(ReasonCodes.AdapterPermanent, "No such distribution list.")
                : AdapterResult.Transient("The notification service is busy."));
        }
    }
}
