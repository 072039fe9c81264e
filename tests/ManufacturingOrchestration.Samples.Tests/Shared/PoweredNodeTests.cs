using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Samples.Tests.Shared;

public class PoweredNodeTests
{
    [Fact]
    public void For_ThePlantsAdapters_SupportsExactlyWhatThePlantSupports()
    {
        using var plant = new PlantSimulator(new PlantSimulatorOptions { Seed = 1 });
        var node = PoweredAdapter.For(plant.Adapters, new NodePowerSwitch("node-1"));

        // A query of the library whose result type PoweredAdapter does not handle would be a gap here (and the
        // clustered plant floor would refuse to start), so this lists every operation the library registers.
        node.Systems.Should().BeEquivalentTo(plant.Adapters.Systems);
        foreach (var operation in plant.Adapters.Operations.Operations)
        {
            node.Supports(operation.Kind, site: null).Should().Be(plant.Adapters.Supports(operation.Kind, site: null), operation.Kind);
            node.FindGaps(operation.Kind).Should().BeEquivalentTo(plant.Adapters.FindGaps(operation.Kind), operation.Kind);
        }
    }

    [Fact]
    public async Task QueryAsync_AfterThePowerIsCut_ReachesThePlantNoMore()
    {
        using var plant = Plants.Seed(new PlantSimulator(new PlantSimulatorOptions { Seed = 1 }));
        Plants.AddLot(plant, "L-POWER-1", Plants.Capacitor, Plants.P1.Id, 10, StockCategory.Unrestricted);
        var power = new NodePowerSwitch("node-1");
        var node = PoweredAdapter.For(plant.Adapters, power);
        var query = new GetLotQuery(new LotId("L-POWER-1"));

        (await node.QueryAsync(query, Plants.P1.Id, TestContext.Current.CancellationToken)).Should().NotBeNull("with power the node reaches the plant's ERP");
        power.TurnOff().Should().BeTrue();
        power.TurnOff().Should().BeFalse("it was already off");

        var cut = async () => await node.QueryAsync(query, Plants.P1.Id, TestContext.Current.CancellationToken);
        (await cut.Should().ThrowAsync<AdapterQueryException>()).Which.InnerException.Should().BeOfType<NodePoweredOffException>();
    }

    [Fact]
    public async Task Wrap_AfterThePowerIsCut_EveryCallThrows()
    {
        var inner = new InMemoryOrchestrationStore();
        var power = new NodePowerSwitch("node-2");
        var store = PoweredStore.Wrap(inner, power);

        (await store.ReadDeadLettersAsync(DeadLetterQuery.Open, TestContext.Current.CancellationToken)).Should().BeEmpty();
        (await store.TryAcquireLeaseAsync("bucket:0", "node-2", DateTimeOffset.UnixEpoch.AddSeconds(10), DateTimeOffset.UnixEpoch, TestContext.Current.CancellationToken)).Should().BeTrue();
        power.TurnOff();

        var renew = async () => await store.TryAcquireLeaseAsync("bucket:0", "node-2", DateTimeOffset.UnixEpoch.AddSeconds(20), DateTimeOffset.UnixEpoch.AddSeconds(5), TestContext.Current.CancellationToken);
        var release = async () => await store.ReleaseLeaseAsync("bucket:0", "node-2", TestContext.Current.CancellationToken);
        (await renew.Should().ThrowAsync<NodePoweredOffException>()).Which.NodeId.Should().Be("node-2");
        await release.Should().ThrowAsync<NodePoweredOffException>("a dead node gives no lease back");
        var leases = await inner.ReadLeasesAsync("bucket:", TestContext.Current.CancellationToken);
        leases.Should().ContainSingle().Which.Owner.Should().Be("node-2", "the lease stays until it runs out, as a killed node's does");
    }
}
