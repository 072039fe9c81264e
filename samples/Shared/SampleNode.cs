using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Samples;

/// <summary>One orchestrator node of a <see cref="SampleHost"/>: its orchestrator, what it measured, its power switch.</summary>
public sealed class SampleNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IOrchestrationStore? _ownStore;
    private long _accepted;

    internal SampleNode(string id, ServiceProvider provider, NodePowerSwitch? power, IOrchestrationStore? ownStore)
    {
        Id = id;
        _provider = provider;
        _ownStore = ownStore;
        Power = power;
        Orchestrator = provider.GetRequiredService<Orchestrator>();
        Meters = new OrchestratorMeters(Orchestrator.Telemetry);
    }

    /// <summary>The node id (<c>sample</c> for a single node; <c>node-1</c>, <c>node-2</c>… in a cluster).</summary>
    public string Id { get; }

    /// <summary>The node's orchestrator.</summary>
    public Orchestrator Orchestrator { get; }

    /// <summary>What this node measured.</summary>
    public OrchestratorMeters Meters { get; }

    /// <summary>The node's power switch, in a cluster; <see langword="null"/> for a single node.</summary>
    public NodePowerSwitch? Power { get; }

    /// <summary>Whether the node has power (a single node always has).</summary>
    public bool IsAlive => Power?.IsOn ?? true;

    /// <summary>Of the sample's events, those this node accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!IsAlive && Orchestrator.IsRunning)
        {
            // A killed node cannot drain, checkpoint or give its leases back (every call fails): stop its loops without a
            // drain, and let whatever it still tries fail. Bounded, so a loop that does not end holds nothing up.
            try
            {
                await Orchestrator.StopAsync(new CancellationToken(canceled: true)).WaitAsync(TimeSpan.FromSeconds(10));
            }
#pragma warning disable CA1031 // The node is dead: whatever its stop throws is what a dead node does.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        Meters.Dispose();
        await _provider.DisposeAsync();
        switch (_ownStore)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
