using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>Delivers to the intake and runs an action once, when the first batch is published (while the file is being read).</summary>
internal sealed class SinkThatActsOnFirstPublish(EventIntake intake, Action onFirstPublish) : IEventSink
{
    private Action? _pending = onFirstPublish;

    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        PublishBatchAsync(envelopes, "api", cancellationToken);

    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, string channel, CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _pending, null)?.Invoke();
        return intake.PublishBatchAsync(envelopes, channel, cancellationToken);
    }

    public ValueTask<PublishResult> PublishJsonAsync(ReadOnlyMemory<byte> utf8Json, string channel, CancellationToken cancellationToken = default) =>
        intake.PublishJsonAsync(utf8Json, channel, cancellationToken);

    public ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, CancellationToken cancellationToken = default) =>
        intake.RecordRejectionAsync(channel, errors, excerpt, cancellationToken);
}
