using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>Writes partition state (and audit records) straight into a store, as if earlier events had been processed.</summary>
internal static class StoreSeed
{
    public static MaterialLot Lot(string id, params (StockCategory Category, decimal Quantity)[] buckets) => new()
    {
        Id = new LotId(id),
        Material = EngineTestHost.Capacitor,
        Site = EngineTestHost.Site,
        Supplier = EngineTestHost.Supplier,
        Unit = UnitOfMeasure.Each,
        Buckets = buckets.Select(b => new StockBucket { Category = b.Category, Quantity = Quantity.Each(b.Quantity) }).ToArray(),
        Version = 3,
    };

    public static async Task<PartitionState> SeedAsync(IOrchestrationStore store, PartitionState state, params (string Action, string Reason, string? Workflow, DateTimeOffset At)[] audit)
    {
        var existing = await store.LoadPartitionAsync(state.Key, EngineTestHost.Ct);
        var head = existing?.AuditHead ?? AuditHead.Genesis;
        var records = new List<AuditRecord>();
        foreach (var (action, reason, workflow, at) in audit)
        {
            var draft = new AuditRecord
            {
                PartitionKey = state.Key,
                Sequence = 0,
                RecordedAt = at,
                Actor = "system:test",
                Action = action,
                Reason = reason,
                Workflow = workflow,
                PreviousHash = string.Empty,
                Hash = string.Empty,
            };
            records.Add(AuditHashes.Chain(head, draft, out head));
        }

        var version = (existing?.Version ?? 0) + 1;
        var next = state with { Version = version, AuditHead = head };
        await store.CommitAsync([new StepCommit { PartitionKey = state.Key, ExpectedVersion = version - 1, NewState = next, Audit = records }], EngineTestHost.Ct);
        return next;
    }
}
