using MassTransit;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>
/// One lot's saga instance: its state, and the message ids it has handled, so a re-sent message (same message id)
/// has no effect. MassTransit 8.5's in-memory inbox (<c>AddInMemoryInboxOutbox</c>) is documented as for testing
/// only; a saga that remembers what it handled needs nothing beyond the saga repository the baseline already uses.
/// </summary>
public sealed class LotSaga : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = string.Empty;

    public string? Lot { get; set; }

    public string? Outcome { get; set; }

    public List<Guid> HandledMessageIds { get; set; } = [];
}
