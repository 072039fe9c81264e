namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorStopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DisposeAsync_WhileAnotherCallersStopDrains_WaitsForItAndNeitherFails()
    {
        GatedNotificationAdapter? gate = null;
        await using var host = new EngineTestHost(
            o => o.Settings.Parallelism = 1,
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, gate = new GatedNotificationAdapter(plant.Notification)));
        await host.StartAsync();
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a1"), Ct);
        await gate!.Entered.WaitAsync(EngineTestHost.IdleTimeout, Ct);

        // The stop drains until the command held in the adapter finishes; the disposal comes meanwhile.
        var stop = host.Orchestrator.StopAsync(Ct);
        var dispose = host.Orchestrator.DisposeAsync().AsTask();
        var secondStop = host.Orchestrator.StopAsync(Ct);

        dispose.IsCompleted.Should().BeFalse("what the stop under way uses is not disposed under it");
        secondStop.IsCompleted.Should().BeFalse("a second stop waits for the first");
        gate.Open();
        await stop.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        await dispose.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        await secondStop.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1");
        host.Orchestrator.IsRunning.Should().BeFalse();
    }
}
