using System.Diagnostics;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>
/// A node killed mid-shift: its power is cut (<see cref="SampleHost.KillNode"/>), and from then on the other nodes are
/// watched until they hold every bucket it held — the time that took is the takeover time, read off the nodes'
/// <c>Orchestrator.Cluster</c> every 25 ms.
/// </summary>
internal sealed class NodeKill
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<(TimeSpan Time, Dictionary<string, IReadOnlyList<int>> TakenOver)?> _watch;

    private NodeKill(SampleHost host, SampleNode node, int afterEvents, long[] processedAtKill, Stopwatch stopwatch)
    {
        NodeId = node.Id;
        AfterEvents = afterEvents;
        ProcessedAtKill = processedAtKill;
        Buckets = node.Orchestrator.Cluster!.OwnedBuckets;
        var killedAt = stopwatch.Elapsed;
        host.KillNode(host.Nodes.ToList().IndexOf(node));
        _watch = Task.Run(() => WatchAsync(host, Buckets, killedAt, stopwatch, _stop.Token));
    }

    public string NodeId { get; }

    public int AfterEvents { get; }

    /// <summary>The buckets the node held when its power was cut.</summary>
    public IReadOnlyList<int> Buckets { get; }

    /// <summary>Each node's processed events when the power was cut, in the order of <see cref="SampleHost.Nodes"/>.</summary>
    public IReadOnlyList<long> ProcessedAtKill { get; }

    /// <summary>Of the killed node's buckets, those each other node held once all were taken over (filled by <see cref="FinishAsync"/>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> TakenOver { get; private set; } = new Dictionary<string, IReadOnlyList<int>>();

    public static NodeKill Start(SampleHost host, int index, int afterEvents, Stopwatch stopwatch)
    {
        var processed = host.Nodes.Select(n => n.Meters.Total("mo.events.processed")).ToArray();
        return new NodeKill(host, host.Nodes[index], afterEvents, processed, stopwatch);
    }

    /// <summary>Stops watching (the run has settled, so the takeover is over or will not come) and says how it went.</summary>
    public async Task<PlantFloorKillReport> FinishAsync(SampleHost host)
    {
        await _stop.CancelAsync();
        var result = await _watch;
        _stop.Dispose();
        TakenOver = result?.TakenOver ?? [];
        var killed = host.Nodes.Select((n, i) => (Node: n, Index: i)).Where(x => !x.Node.IsAlive).Select(x => x.Index).ToHashSet();
        return new PlantFloorKillReport
        {
            NodeId = NodeId,
            AfterEvents = AfterEvents,
            Buckets = Buckets,
            TakeoverTime = result?.Time,
            EventsProcessedBySurvivorsAfterKill = host.Nodes.Select((n, i) => killed.Contains(i) ? 0 : n.Meters.Total("mo.events.processed") - ProcessedAtKill[i]).Sum(),
        };
    }

    private static async Task<(TimeSpan, Dictionary<string, IReadOnlyList<int>>)?> WatchAsync(SampleHost host, IReadOnlyList<int> buckets, TimeSpan killedAt, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var owned = host.Nodes.Where(n => n.IsAlive).ToDictionary(n => n.Id, n => n.Orchestrator.Cluster!.OwnedBuckets, StringComparer.Ordinal);
                if (buckets.All(b => owned.Values.Any(o => o.Contains(b))))
                {
                    return (stopwatch.Elapsed - killedAt, owned.ToDictionary(p => p.Key, p => (IReadOnlyList<int>)[.. p.Value.Where(buckets.Contains)], StringComparer.Ordinal));
                }

                await Task.Delay(25, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
