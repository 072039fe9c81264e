using System.Net.Http.Json;
using ManufacturingOrchestration.Engine.Audit;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

/// <summary>
/// The SIEM sink of docs/extending.md ("Audit sinks"), as written there: each batch is one POST of a JSON array to the
/// SIEM's event collector; the event id is the record's (partition key, sequence), so the collector stores a
/// redelivered record once.
/// </summary>
public sealed class SiemAuditSink(HttpClient http, Uri collector) : IAuditSink
{
    public string Name => "siem";

    public async ValueTask WriteAsync(IReadOnlyList<AuditRecord> batch, CancellationToken cancellationToken = default)
    {
        var events = batch.Select(r => new SiemEvent(
            Id: $"{r.PartitionKey}#{r.Sequence}",   // the same record always has the same id: the SIEM drops a redelivery
            Time: r.RecordedAt,
            Source: "manufacturing-orchestration",
            Key: r.PartitionKey,
            Sequence: r.Sequence,
            Actor: r.Actor,
            Action: r.Action,
            Reason: r.Reason,
            Hash: r.Hash)).ToArray();
        using var response = await http.PostAsJsonAsync(collector, events, cancellationToken);
        response.EnsureSuccessStatusCode();       // throwing delivers the same records again after a backoff
    }

    public sealed record SiemEvent(string Id, DateTimeOffset Time, string Source, string Key, long Sequence, string Actor, string Action, string Reason, string Hash);
}
