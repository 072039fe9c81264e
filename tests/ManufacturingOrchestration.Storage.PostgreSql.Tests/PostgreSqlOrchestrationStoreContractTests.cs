using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Testing.StoreContract;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL store runs the store contract unchanged on a real server: a fresh schema per store, reopened over the
/// same schema; the tamper cases edit the rows through a connection of their own.
/// </summary>
public sealed class PostgreSqlOrchestrationStoreContractTests : OrchestrationStoreContractTests
{
    private readonly PostgreSqlCluster _cluster;

    public PostgreSqlOrchestrationStoreContractTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    protected override async ValueTask<IOrchestrationStore> CreateStoreAsync()
    {
        _cluster.SkipWhenUnavailable();
        return await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(PostgreSqlCluster.NewSchema("contract")), cancellationToken: Ct);
    }

    protected override async ValueTask<IOrchestrationStore> ReopenStoreAsync(IOrchestrationStore store)
    {
        var postgres = (PostgreSqlOrchestrationStore)store;
        var schema = postgres.Schema;
        await postgres.DisposeAsync();
        return await PostgreSqlOrchestrationStore.OpenAsync(_cluster.NewOptions(schema), cancellationToken: Ct);
    }

    protected override async ValueTask<bool> TamperAuditColumnAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditColumn column, object value)
    {
        var name = column switch
        {
            AuditColumn.PartitionKey => "partition_key",
            AuditColumn.Sequence => "sequence",
            AuditColumn.Action => "action",
            AuditColumn.RecordedAt => "recorded_at",
            _ => "id",
        };
        await TamperAsync($"UPDATE {Schema(store)}.audit SET {name} = $1 WHERE partition_key = $2 AND sequence = $3", value, partitionKey, sequence);
        return true;
    }

    protected override async ValueTask<bool> ReplaceAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditRecord record)
    {
        await TamperAsync($"UPDATE {Schema(store)}.audit SET record = $1 WHERE partition_key = $2 AND sequence = $3", StoredRecordJson.Write(record), partitionKey, sequence);
        return true;
    }

    protected override async ValueTask<bool> DeleteAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence)
    {
        await TamperAsync($"DELETE FROM {Schema(store)}.audit WHERE partition_key = $1 AND sequence = $2", partitionKey, sequence);
        return true;
    }

    protected override async ValueTask<bool> DeleteCheckpointsAsync(IOrchestrationStore store, IReadOnlyCollection<long> numbers)
    {
        foreach (var number in numbers)
        {
            await TamperAsync($"DELETE FROM {Schema(store)}.audit_checkpoints WHERE number = $1", number);
        }

        return true;
    }

    protected override async ValueTask<bool> ReplaceCheckpointAsync(IOrchestrationStore store, long number, AuditCheckpoint checkpoint)
    {
        await TamperAsync($"UPDATE {Schema(store)}.audit_checkpoints SET record = $1 WHERE number = $2", StoredRecordJson.Write(checkpoint), number);
        return true;
    }

    private static string Schema(IOrchestrationStore store) => ((PostgreSqlOrchestrationStore)store).Schema;

    private async Task TamperAsync(string sql, params object[] parameters) =>
        (await _cluster.ExecuteAsync(sql, parameters)).Should().BeGreaterThan(0, "the tamper statement must change a row");
}
