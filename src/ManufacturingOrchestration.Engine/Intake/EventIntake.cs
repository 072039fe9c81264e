using System.Text;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>
/// The intake for raw input: reads CloudEvents JSON with an <see cref="EventSerializer"/> and publishes the event, or
/// records the rejection with every problem (JSON path and reason code) and an excerpt of the input, so malformed
/// input from a webhook, a queue or a file is always queryable (<c>IOrchestrationStore.ReadRejectionsAsync</c>).
/// Thread-safe.
/// </summary>
public sealed class EventIntake : IEventSink
{
    /// <summary>The most characters of raw input kept with a rejection, whoever records it (this intake, a file drop, a
    /// direct call of <see cref="Orchestrator.RecordRejectionAsync(string, IReadOnlyList{ValidationError}, string?, string?, string?, CancellationToken)"/>): a longer excerpt keeps its start, cut on a whole
    /// character.</summary>
    public const int ExcerptLength = 512;

    private readonly Orchestrator _orchestrator;
    private readonly EventSerializer _serializer;

    /// <summary>Creates the intake.</summary>
    /// <param name="orchestrator">The orchestrator events are published to.</param>
    /// <param name="serializer">Reads events; <see cref="EventSerializer.Default"/> when <see langword="null"/>.</param>
    public EventIntake(Orchestrator orchestrator, EventSerializer? serializer = null)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        _orchestrator = orchestrator;
        _serializer = serializer ?? EventSerializer.Default;
    }

    /// <summary>The serializer used to read events.</summary>
    public EventSerializer Serializer => _serializer;

    /// <inheritdoc />
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the channel before the token, so a call is never ambiguous.")]
    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        _orchestrator.PublishBatchAsync(envelopes, cancellationToken);

    /// <inheritdoc />
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the channel before the token, so a call is never ambiguous.")]
    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, string channel, CancellationToken cancellationToken = default)
    {
        IntakeChannel.ThrowIfInvalid(channel);
        return _orchestrator.PublishBatchAsync(envelopes, channel, cancellationToken);
    }

    /// <summary>Publishes one typed event.</summary>
    /// <param name="envelope">The event.</param>
    /// <param name="cancellationToken">Cancels the wait for capacity.</param>
    /// <returns>Accepted, duplicate or rejected.</returns>
    public ValueTask<PublishResult> PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken = default) =>
        _orchestrator.PublishAsync(envelope, cancellationToken);

    /// <inheritdoc />
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter (UTF-8 bytes or text), so a call is never ambiguous.")]
    public async ValueTask<PublishResult> PublishJsonAsync(ReadOnlyMemory<byte> utf8Json, string channel, CancellationToken cancellationToken = default)
    {
        IntakeChannel.ThrowIfInvalid(channel);
        var parsed = _serializer.Parse(utf8Json);
        if (parsed.IsSuccess)
        {
            return (await _orchestrator.PublishBatchAsync([parsed.Envelope], channel, cancellationToken).ConfigureAwait(false))[0];
        }

        return await _orchestrator.RecordRejectionAsync(channel, parsed.Errors, Excerpt(utf8Json.Span), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one CloudEvents JSON event from a string and publishes it; unreadable input is rejected and recorded.</summary>
    /// <param name="json">The raw event.</param>
    /// <param name="channel">Where it came from. A channel follows the identifier rules, at most <see cref="Model.Identifier.MaxKeyLength"/> characters (no control characters); another one throws <see cref="ArgumentException"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for capacity.</param>
    /// <returns>Accepted, duplicate or rejected.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of their first parameter (UTF-8 bytes or text), so a call is never ambiguous.")]
    public async ValueTask<PublishResult> PublishJsonAsync(string json, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        IntakeChannel.ThrowIfInvalid(channel);
        var parsed = _serializer.Parse(json);
        if (parsed.IsSuccess)
        {
            return (await _orchestrator.PublishBatchAsync([parsed.Envelope], channel, cancellationToken).ConfigureAwait(false))[0];
        }

        return await _orchestrator.RecordRejectionAsync(channel, parsed.Errors, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads CloudEvents JSON lines and publishes the readable ones in one batch; each unreadable one is recorded.</summary>
    /// <param name="lines">The raw events.</param>
    /// <param name="channel">Where they came from. A channel follows the identifier rules, at most <see cref="Model.Identifier.MaxKeyLength"/> characters (no control characters); another one throws <see cref="ArgumentException"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for capacity.</param>
    /// <returns>One result per line, in order.</returns>
    public async ValueTask<IReadOnlyList<PublishResult>> PublishJsonBatchAsync(IReadOnlyList<string> lines, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        IntakeChannel.ThrowIfInvalid(channel);
        var results = new PublishResult[lines.Count];
        var envelopes = new List<EventEnvelope>(lines.Count);
        var indexes = new List<int>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var parsed = _serializer.Parse(lines[i] ?? string.Empty);
            if (parsed.IsSuccess)
            {
                envelopes.Add(parsed.Envelope);
                indexes.Add(i);
            }
            else
            {
                results[i] = await _orchestrator.RecordRejectionAsync(channel, parsed.Errors, lines[i] ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }
        }

        if (envelopes.Count > 0)
        {
            var published = await _orchestrator.PublishBatchAsync(envelopes, channel, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < published.Count; i++)
            {
                results[indexes[i]] = published[i];
            }
        }

        return results;
    }

    /// <inheritdoc />
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the source and event id before the token, so a call is never ambiguous.")]
    public ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, CancellationToken cancellationToken = default) =>
        RecordRejectionAsync(channel, errors, excerpt, null, null, cancellationToken);

    /// <inheritdoc />
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the source and event id before the token, so a call is never ambiguous.")]
    public ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, string? source, string? eventId, CancellationToken cancellationToken = default)
    {
        IntakeChannel.ThrowIfInvalid(channel);
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A rejection needs at least one error.", nameof(errors));
        }

        return _orchestrator.RecordRejectionAsync(channel, errors, excerpt, source, eventId, cancellationToken);
    }

    /// <summary>A source or an event id given with refused input, as a rejection records it: <see langword="null"/> when
    /// blank; otherwise printable, well-formed text (<see cref="FreeText.Escape"/>) of at most
    /// <see cref="Identifier.MaxKeyLength"/> characters, a longer one cut on a whole character and ending with <c>…</c>.
    /// A valid key is returned unchanged, so a rejection is found under the key its sender gave.</summary>
    internal static string? RefusedKey(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Shortened(FreeText.Escape(value), Identifier.MaxKeyLength);
    }

    /// <summary>
    /// Text of at most <paramref name="maxLength"/> characters: a longer one is cut on a whole character (never between
    /// the halves of a surrogate pair), without the white space it would end with, and ends with <c>…</c>.
    /// </summary>
    internal static string Shortened(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[maxLength - 2]) ? maxLength - 2 : maxLength - 1;
        return string.Concat(text.AsSpan(0, cut).TrimEnd(), "…");
    }

    /// <summary>The start of raw input kept with a rejection: at most <see cref="ExcerptLength"/> characters, never cut
    /// inside a surrogate pair (a character outside the BMP is kept whole or not at all).</summary>
    internal static string Excerpt(string raw)
    {
        if (raw.Length <= ExcerptLength)
        {
            return raw;
        }

        var cut = char.IsHighSurrogate(raw[ExcerptLength - 1]) ? ExcerptLength - 1 : ExcerptLength;
        return raw[..cut];
    }

    internal static string Excerpt(ReadOnlySpan<byte> raw)
    {
        // Decode a little more than needed so a multi-byte character at the cut is not mangled; invalid UTF-8 becomes U+FFFD.
        var slice = raw.Length <= ExcerptLength * 4 ? raw : raw[..(ExcerptLength * 4)];
        return Excerpt(Encoding.UTF8.GetString(slice));
    }
}
