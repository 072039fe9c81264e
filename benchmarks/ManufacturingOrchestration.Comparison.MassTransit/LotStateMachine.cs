using MassTransit;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>
/// The incoming-inspection saga, correlated by lot: the first inspection result decides (in plain C#,
/// <see cref="InspectionHandler"/>) and carries out the decision through the plant's adapters, then the lot is
/// <see cref="Decided"/>; a message the saga has already handled (same message id) only counts as a duplicate.
/// </summary>
public sealed class LotStateMachine : MassTransitStateMachine<LotSaga>
{
    public LotStateMachine(InspectionHandler handler, RunStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(statistics);
        InstanceState(x => x.CurrentState);
        Event(() => Inspected, x => x.CorrelateById(context => context.Message.LotCorrelationId));

        Initially(
            When(Inspected)
                .ThenAsync(async context =>
                {
                    context.Saga.Lot = context.Message.Lot;
                    context.Saga.Outcome = await handler.HandleAsync(context.Message, context.CancellationToken).ConfigureAwait(false);
                    context.Saga.HandledMessageIds.Add(context.MessageId ?? Guid.Empty);
                    statistics.Handled(context.SentTime);
                })
                .TransitionTo(Decided));

        During(
            Decided,
            When(Inspected, context => context.Saga.HandledMessageIds.Contains(context.MessageId ?? Guid.Empty))
                .Then(_ => statistics.Duplicate()),
            When(Inspected, context => !context.Saga.HandledMessageIds.Contains(context.MessageId ?? Guid.Empty))
                .Then(context => statistics.Rejected($"{context.Message.Lot}: a second, different inspection result {context.MessageId}")));
    }

    public State Decided { get; private set; } = null!;

    public Event<InspectionResult> Inspected { get; private set; } = null!;
}
