using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Operations;

/// <summary>
/// A command the store kept can no longer be read back (its JSON damaged) when an operator's action needs it: the action
/// is refused as unreadable stored data naming the command, not as a failed action, and nothing of it is applied.
/// </summary>
public sealed class OperatorActionUnreadableCommandTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task ReplayEdited_TheDeadLetteredCommandCannotBeReadBack_IsRefusedAsUnreadableNamingItNothingApplied()
    {
        DamagingStore? damaging = null;
        await using var host = await OrchestratorDeadLetterTests.CreateParkedHostAsync(o => (o.Store, damaging) = DamagingStore.Wrap(o.Store));
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        var original = (SendNotificationRequest)deadLetter.Command!.Payload.ToCommand(deadLetter.Command.Kind, host.Orchestrator.Adapters.Operations);

        damaging!.DamageDeadLetteredCommands = true;
        var refused = await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.ReplayEdited, "wrong distribution list", original with { Subject = "a:a1-corrected" }));
        await host.WaitForIdleAsync();

        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreDataUnreadable, "the stored command is damaged, the action did not fail");
        refused.Message.Should().Contain(deadLetter.Command.IdempotencyKey).And.Contain(deadLetter.Command.Kind);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Which.Id.Should().Be(deadLetter.Id);
        (await host.Orchestrator.GetPartitionAsync("a", Ct))!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().NotContain(r => r.Action.StartsWith("operator-", StringComparison.Ordinal));
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
    }

    [Fact]
    public async Task Compensate_ACompensationCannotBeReadBack_IsRefusedAsUnreadableNamingItNothingApplied()
    {
        DamagingStore? damaging = null;
        await using var host = await new EngineTestHost(
            o => (o.Store, damaging) = DamagingStore.Wrap(o.Store),
            workflows: [AnnounceThenNotify()],
            adapters: plant => TestWorkflows.WithNotification(plant, new BuyerUnreachable(plant.Notification))).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        var announced = (await host.Store.ReadCommandsCausedByAsync(deadLetter.Command!.CausedBy, Ct)).Should().ContainSingle(c => c.Step == "announce").Subject;
        announced.Status.Should().Be(OutboxStatus.Completed);

        damaging!.DamageCompensations = true;
        var refused = await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Compensate, "order cancelled"));
        await host.WaitForIdleAsync();

        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreDataUnreadable, "the stored compensation is damaged, the action did not fail");
        refused.Message.Should().Contain("compensation").And.Contain(announced.IdempotencyKey);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Which.Id.Should().Be(deadLetter.Id);
        (await host.Orchestrator.GetPartitionAsync("a", Ct))!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        (await host.Store.ReadCommandsCausedByAsync(deadLetter.Command.CausedBy, Ct)).Should().NotContain(c => c.Step.EndsWith(":compensate", StringComparison.Ordinal));
        (await host.Orchestrator.GetAuditTrailAsync("a", Ct)).Should().NotContain(r => r.Action.StartsWith("operator-", StringComparison.Ordinal));
    }

    /// <summary>Announces the signal (compensated by a withdrawal), then notifies the buyer.</summary>
    private static WorkflowDefinition AnnounceThenNotify() =>
        new WorkflowBuilder("announce-then-notify", 1)
            .TriggeredBy(EventTypes.SupplierUpdated)
            .Step("announce", WorkflowStepKind.Plan, ctx => ctx.Plan(
                CommandKinds.NotificationSend,
                c => new SendNotificationRequest { Context = c, Roles = [Role.Planner], Site = EngineTestHost.Site, Subject = "announced" },
                c => new SendNotificationRequest { Context = c, Roles = [Role.Planner], Site = EngineTestHost.Site, Subject = "withdrawn" }))
            .Step("notify", WorkflowStepKind.Notify, ctx => ctx.Plan(
                CommandKinds.NotificationSend,
                c => new SendNotificationRequest { Context = c, Roles = [Role.Buyer], Site = EngineTestHost.Site, Subject = "notified" }))
            .Build();

    /// <summary>Every notification to the buyers fails for good; the others are delivered.</summary>
    private sealed class BuyerUnreachable(ICommandHandler<SendNotificationRequest> inner) : ICommandHandler<SendNotificationRequest>
    {
        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken) =>
            request.Roles.Contains(Role.Buyer)
                ? ValueTask.FromResult(AdapterResult.Permanent(ReasonCodes.AdapterPermanent, "No such distribution list."))
                : inner.ExecuteAsync(request, cancellationToken);
    }

    /// <summary>A store whose commands read back damaged when asked to: JSON cut short, as a damaged row would be.</summary>
    public class DamagingStore : DispatchProxy
    {
        private static readonly CommandPayload Damaged = new("{\"subject\":\"cut sh"u8.ToArray());

        private IOrchestrationStore _inner = null!;

        /// <summary>Whether the dead letters read carry a damaged command.</summary>
        public bool DamageDeadLetteredCommands { get; set; }

        /// <summary>Whether the commands read by their event carry damaged compensations.</summary>
        public bool DamageCompensations { get; set; }

        public static (IOrchestrationStore Store, DamagingStore Damaging) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, DamagingStore>();
            var proxy = (DamagingStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            object? result;
            try
            {
                result = targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }

            return targetMethod.Name switch
            {
                nameof(IOrchestrationStore.ReadDeadLettersAsync) when DamageDeadLetteredCommands =>
                    DamagedAsync((ValueTask<IReadOnlyList<DeadLetter>>)result!, d => d.Command is null ? d : d with { Command = d.Command with { Payload = Damaged } }),
                nameof(IOrchestrationStore.ReadCommandsCausedByAsync) when DamageCompensations =>
                    DamagedAsync((ValueTask<IReadOnlyList<OutboxEntry>>)result!, c => c.Compensation is null ? c : c with { Compensation = c.Compensation with { Payload = Damaged } }),
                _ => result,
            };
        }

        private static async ValueTask<IReadOnlyList<T>> DamagedAsync<T>(ValueTask<IReadOnlyList<T>> read, Func<T, T> damage) =>
            (await read.ConfigureAwait(false)).Select(damage).ToArray();
    }
}
