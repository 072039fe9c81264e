using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>
/// Where an <see cref="IEventSource"/> delivers events. Every call completes only when the events are durably accepted,
/// recognised as duplicates, or rejected and recorded; when the orchestrator's queues are full the call waits
/// (back-pressure), so a source that awaits each call never reads faster than the plant is processed.
/// </summary>
public interface IEventSink
{
    /// <summary>Publishes typed events in one store round trip.</summary>
    /// <param name="envelopes">The events.</param>
    /// <param name="cancellationToken">Cancels the wait for capacity.</param>
    /// <returns>One result per event, in order.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the channel before the token, so a call is never ambiguous.")]
    ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken = default);

    /// <summary>Publishes typed events read from <paramref name="channel"/> in one store round trip; an event refused by
    /// validation or authentication is recorded with that channel, so the rejection names where it came from.</summary>
    /// <param name="envelopes">The events.</param>
    /// <param name="channel">Where they came from (such as <c>file:counts.jsonl</c>), recorded with a rejection. A channel follows the identifier rules, at most <see cref="Model.Identifier.MaxKeyLength"/> characters (no control characters); another one throws <see cref="ArgumentException"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for capacity.</param>
    /// <returns>One result per event, in order.</returns>
    /// <remarks>The default implementation publishes with <see cref="PublishBatchAsync(IReadOnlyList{EventEnvelope}, CancellationToken)"/>,
    /// without the channel; <see cref="EventIntake"/> records it.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the channel before the token, so a call is never ambiguous.")]
    ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, string channel, CancellationToken cancellationToken = default) =>
        PublishBatchAsync(envelopes, cancellationToken);

    /// <summary>Reads one CloudEvents JSON event and publishes it; unreadable input is rejected and recorded, never dropped.</summary>
    /// <param name="utf8Json">The raw event.</param>
    /// <param name="channel">Where it came from (such as <c>webhook:qms</c> or <c>file:counts.jsonl</c>), recorded with a rejection. A channel follows the identifier rules, at most <see cref="Model.Identifier.MaxKeyLength"/> characters (no control characters); another one throws <see cref="ArgumentException"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for capacity.</param>
    /// <returns>Accepted, duplicate or rejected.</returns>
    ValueTask<PublishResult> PublishJsonAsync(ReadOnlyMemory<byte> utf8Json, string channel, CancellationToken cancellationToken = default);

    /// <summary>Records input refused before it became an event (such as a CSV row that cannot be mapped).</summary>
    /// <param name="channel">Where it came from. A channel follows the identifier rules, at most <see cref="Model.Identifier.MaxKeyLength"/> characters (no control characters); another one throws <see cref="ArgumentException"/>.</param>
    /// <param name="errors">Every problem found; at least one.</param>
    /// <param name="excerpt">The start of the raw input.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejected result.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the source and event id before the token, so a call is never ambiguous.")]
    ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, CancellationToken cancellationToken = default);

    /// <summary>Records input refused before it became an event under the source and event id its sender gave it (such as a
    /// CSV row with its own <c>event_id</c> that cannot be mapped), so an operator finds the rejection by them.</summary>
    /// <param name="channel">Where it came from. A channel follows the identifier rules, at most <see cref="Model.Identifier.MaxKeyLength"/> characters (no control characters); another one throws <see cref="ArgumentException"/>.</param>
    /// <param name="errors">Every problem found; at least one.</param>
    /// <param name="excerpt">The start of the raw input.</param>
    /// <param name="source">The event source the sender gave, or <see langword="null"/> when unknown.</param>
    /// <param name="eventId">The event id the sender gave, or <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejected result.</returns>
    /// <remarks><para>The source and the event id are refused input: one that is not a valid key never fails the call,
    /// it is recorded printable and bounded (see <see cref="Orchestrator.RecordRejectionAsync(string, IReadOnlyList{ValidationError}, string?, string?, string?, CancellationToken)"/>).</para>
    /// <para>The default implementation records with <see cref="RecordRejectionAsync(string, IReadOnlyList{ValidationError}, string?, CancellationToken)"/>,
    /// without the source and the event id; <see cref="EventIntake"/> records them.</para></remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the source and event id before the token, so a call is never ambiguous.")]
    ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, string? source, string? eventId, CancellationToken cancellationToken = default) =>
        RecordRejectionAsync(channel, errors, excerpt, cancellationToken);
}

/// <summary>
/// A producer of plant events outside the API: a webhook endpoint, a message-stream consumer, a file drop. A host
/// runs each registered source with <see cref="RunAsync"/> after the orchestrator starts and cancels it first at
/// shutdown (intake stops before in-flight work drains).
/// </summary>
/// <remarks>
/// A source acknowledges its input (commits an offset, deletes a message, moves a file) only after the sink's call
/// returned: then every event is durable, a known duplicate or a recorded rejection. Re-delivery after a crash is
/// harmless when event ids are stable, because intake de-duplicates on (source, id).
/// </remarks>
public interface IEventSource
{
    /// <summary>The source's name, for logs and health reports.</summary>
    string Name { get; }

    /// <summary>Reads events and delivers them to <paramref name="sink"/> until <paramref name="stoppingToken"/> fires.</summary>
    /// <param name="sink">Where to deliver events.</param>
    /// <param name="stoppingToken">Fires when intake stops.</param>
    /// <returns>A task that completes when the source has stopped.</returns>
    Task RunAsync(IEventSink sink, CancellationToken stoppingToken = default);
}
