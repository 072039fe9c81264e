using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Testing.StoreContract;

namespace ManufacturingOrchestration.Engine.Tests.Storage;

public sealed class InMemoryOrchestrationStoreTests : OrchestrationStoreContractTests
{
    protected override ValueTask<IOrchestrationStore> CreateStoreAsync() => ValueTask.FromResult<IOrchestrationStore>(new InMemoryOrchestrationStore());

    // No column hooks: in memory the by-action index and the feed hold the chain's own records, so there is no
    // separately stored value to edit.
    protected override ValueTask<bool> ReplaceAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence, AuditRecord record)
    {
        ((InMemoryOrchestrationStore)store).TamperWithAudit(partitionKey, chain => chain[(int)sequence - 1] = record);
        return ValueTask.FromResult(true);
    }

    protected override ValueTask<bool> DeleteAuditRecordAsync(IOrchestrationStore store, string partitionKey, long sequence)
    {
        ((InMemoryOrchestrationStore)store).TamperWithAudit(partitionKey, chain => chain.RemoveAt((int)sequence - 1));
        return ValueTask.FromResult(true);
    }

    protected override ValueTask<bool> DeleteCheckpointsAsync(IOrchestrationStore store, IReadOnlyCollection<long> numbers)
    {
        ((InMemoryOrchestrationStore)store).TamperWithCheckpoints(checkpoints => checkpoints.RemoveAll(c => numbers.Contains(c.Number)));
        return ValueTask.FromResult(true);
    }

    protected override ValueTask<bool> ReplaceCheckpointAsync(IOrchestrationStore store, long number, AuditCheckpoint checkpoint)
    {
        ((InMemoryOrchestrationStore)store).TamperWithCheckpoints(checkpoints => checkpoints[checkpoints.FindIndex(c => c.Number == number)] = checkpoint);
        return ValueTask.FromResult(true);
    }
}
