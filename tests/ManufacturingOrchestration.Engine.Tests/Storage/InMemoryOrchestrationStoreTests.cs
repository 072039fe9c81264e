using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.StoreContract;

namespace ManufacturingOrchestration.Engine.Tests.Storage;

public sealed class InMemoryOrchestrationStoreTests : OrchestrationStoreContractTests
{
    protected override ValueTask<IOrchestrationStore> CreateStoreAsync() => ValueTask.FromResult<IOrchestrationStore>(new InMemoryOrchestrationStore());
}
