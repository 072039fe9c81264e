using System.Globalization;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Comparison.MassTransit;

/// <summary>
/// The scenario's inspection result as a MassTransit message: what the saga needs to decide, the lot's correlation id
/// and the message id (the same for an event and its re-sent copy, as the scenario's envelopes share source and id).
/// </summary>
public sealed class InspectionResult
{
    /// <summary>The saga instance: one per lot.</summary>
    public Guid LotCorrelationId { get; init; }

    /// <summary>The message id the publisher sets; a re-sent copy carries the same.</summary>
    public Guid EventMessageId { get; init; }

    /// <summary>The scenario event's id (the idempotency keys derive from it).</summary>
    public required string EventId { get; init; }

    public required string Lot { get; init; }

    public required string Material { get; init; }

    public required string Site { get; init; }

    public string? Supplier { get; init; }

    public bool Failed { get; init; }

    public bool Critical { get; init; }

    public string? DefectDescription { get; init; }

    /// <summary>Maps the scenario's events (before any timing starts).</summary>
    /// <param name="events">The events, duplicates included.</param>
    /// <returns>One message per event.</returns>
    public static InspectionResult[] From(EventEnvelope[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var messages = new InspectionResult[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            var envelope = events[i];
            var k = int.Parse(envelope.Id.AsSpan("insp-".Length), NumberStyles.None, CultureInfo.InvariantCulture);
            messages[i] = envelope.Data switch
            {
                InspectionFailed f => new InspectionResult
                {
                    LotCorrelationId = LotGuid(k),
                    EventMessageId = MessageGuid(k),
                    EventId = envelope.Id,
                    Lot = f.Lot.Value,
                    Material = f.Material.Value,
                    Site = f.Site.Value,
                    Supplier = f.Supplier?.Value,
                    Failed = true,
                    Critical = f.Severity == ManufacturingOrchestration.Model.DefectSeverity.Critical,
                    DefectDescription = f.DefectDescription,
                },
                InspectionPassed p => new InspectionResult
                {
                    LotCorrelationId = LotGuid(k),
                    EventMessageId = MessageGuid(k),
                    EventId = envelope.Id,
                    Lot = p.Lot.Value,
                    Material = p.Material.Value,
                    Site = p.Site.Value,
                },
                _ => throw new InvalidOperationException($"The scenario has no {envelope.Type} events."),
            };
        }

        return messages;
    }

    /// <summary>The saga's correlation id of lot k (<see cref="InspectionScenario.LotId(int)"/>).</summary>
    public static Guid LotGuid(int k) => new(k, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static Guid MessageGuid(int k) => new(k, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
