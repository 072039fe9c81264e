using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// Deciding an event again after a target refused one of its commands as stale
/// (<see cref="Adapters.AdapterResultStatus.Stale"/>): the event is put back in its partition as a redecision — the same
/// payload under a derived id, marked with two extension attributes the orchestrator reserves — and processed as a new
/// step with the lot or order read again from the ERP.
/// </summary>
/// <remarks>
/// The commands the first decision (or an earlier redecision) already carried out are not sent again: a step of a
/// redecision plans them, but the engine recognises each one by workflow, step, kind and occurrence and only audits it.
/// </remarks>
internal static class Redecisions
{
    /// <summary>The extension attribute naming the redecision's number (1, 2, …).</summary>
    public const string AttemptExtension = "moredecision";

    /// <summary>The extension attribute naming the id of the event first decided.</summary>
    public const string OriginalExtension = "moredecisionof";

    /// <summary>Whether an envelope carries one of the reserved attributes (intake refuses them from outside).</summary>
    public static bool CarriesReservedAttribute(EventEnvelope envelope) =>
        envelope.Extensions.ContainsKey(AttemptExtension) || envelope.Extensions.ContainsKey(OriginalExtension);

    /// <summary>Reads the redecision marks of an envelope: 0 and its own id for an event decided the first time.</summary>
    public static (int Attempt, string OriginalId) Read(EventEnvelope envelope)
    {
        if (envelope.Extensions.TryGetValue(AttemptExtension, out var attempt) && attempt.ValueKind == JsonValueKind.Number && attempt.TryGetInt32(out var number)
            && envelope.Extensions.TryGetValue(OriginalExtension, out var original) && original.ValueKind == JsonValueKind.String && original.GetString() is { Length: > 0 } originalId)
        {
            return (number, originalId);
        }

        return (0, envelope.Id);
    }

    /// <summary>The id of the <paramref name="attempt"/>-th redecision of an event.</summary>
    public static string IdOf(string originalId, int attempt) => string.Create(CultureInfo.InvariantCulture, $"{originalId}~redecision-{attempt}");

    /// <summary>The redecision that follows <paramref name="decided"/> (the event first decided or its latest redecision).</summary>
    public static InboxEvent Next(InboxEvent decided, string partitionKey, DateTimeOffset now)
    {
        var (attempt, originalId) = Read(decided.Envelope);
        var next = attempt + 1;
        var extensions = new Dictionary<string, JsonElement>(decided.Envelope.Extensions, StringComparer.Ordinal)
        {
            [AttemptExtension] = JsonSerializer.SerializeToElement(next, EngineJsonContext.Default.Int32),
            [OriginalExtension] = JsonSerializer.SerializeToElement(originalId, EngineJsonContext.Default.String),
        };
        var envelope = decided.Envelope with
        {
            Id = IdOf(originalId, next),
            CausationId = originalId,

            // Not a newer message of its source: it must not move (or be refused by) the source's sequence.
            Sequence = null,
            PartitionKey = partitionKey,
            Extensions = extensions,
        };
        return new InboxEvent { Key = new EventKey(envelope.Source, envelope.Id), PartitionKey = partitionKey, AcceptedAt = now, Envelope = envelope };
    }

    /// <summary>The keys of the event first decided and of every redecision before <paramref name="envelope"/>.</summary>
    public static IEnumerable<EventKey> EarlierDecisions(EventEnvelope envelope)
    {
        var (attempt, originalId) = Read(envelope);
        yield return new EventKey(envelope.Source, originalId);
        for (var i = 1; i < attempt; i++)
        {
            yield return new EventKey(envelope.Source, IdOf(originalId, i));
        }
    }

    /// <summary>
    /// The commands of earlier decisions that took effect, each as (workflow, step, kind, occurrence): the occurrence is
    /// the command's rank among the commands of the same workflow, step and kind its event planned.
    /// </summary>
    public static void AddDone(HashSet<(string Workflow, string Step, string Kind, int Occurrence)> done, IReadOnlyList<OutboxEntry> commands)
    {
        var occurrences = new Dictionary<(string, string, string), int>();
        foreach (var command in commands.OrderBy(c => c.Ordinal))
        {
            var group = (command.Workflow, command.Step, command.Kind);
            occurrences.TryGetValue(group, out var occurrence);
            occurrences[group] = occurrence + 1;
            if (command.Status == OutboxStatus.Completed)
            {
                done.Add((command.Workflow, command.Step, command.Kind, occurrence));
            }
        }
    }
}
