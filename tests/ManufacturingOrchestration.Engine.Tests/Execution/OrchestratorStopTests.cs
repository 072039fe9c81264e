using ManufacturingOrchestration.Engine.Audit;

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

    [Fact]
    public async Task StopAsync_WhileTheStartIsUnderWay_WaitsForItThenStopsWhatItStarted()
    {
        // The start signs a first audit checkpoint for a new store: the signer holds it there.
        using var signer = new HeldSigner();
        await using var host = new EngineTestHost(o => o.AuditCheckpointSigner = signer);
        var start = Task.Run(() => host.StartAsync(), Ct);
        signer.Entered.Wait(EngineTestHost.IdleTimeout, Ct).Should().BeTrue("the start reaches its first checkpoint");

        var stop = host.Orchestrator.StopAsync(Ct);

        stop.IsCompleted.Should().BeFalse("a stop during the start waits for it, or the start would go on running after it");
        signer.Open();
        await start.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        await stop.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        host.Orchestrator.IsRunning.Should().BeFalse();
    }

    /// <summary>A checkpoint signer that holds its first signature until the test opens it.</summary>
    private sealed class HeldSigner : IAuditCheckpointSigner, IDisposable
    {
        private readonly HmacAuditCheckpointSigner _inner = new(Enumerable.Repeat((byte)7, 32).ToArray());
        private readonly ManualResetEventSlim _open = new();

        public ManualResetEventSlim Entered { get; } = new();

        public void Open() => _open.Set();

        public string Sign(ReadOnlySpan<byte> payload)
        {
            Entered.Set();
            _open.Wait(EngineTestHost.IdleTimeout);
            return _inner.Sign(payload);
        }

        public void Dispose()
        {
            _open.Dispose();
            Entered.Dispose();
        }
    }
}
