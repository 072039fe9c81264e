namespace ManufacturingOrchestration.Model;

/// <summary>
/// The one walk behind every genealogy trace: breadth-first from a lot over a source's one-level genealogy (where a
/// lot was consumed, or what it was made of), each lot visited once (so a cycle ends the walk and is reported), at
/// most a given number of levels deep (and whether genealogy went on beyond). Each level's links are taken in a
/// fixed order (far lot, then order, ordinal), so two sources holding the same links answer the same trace.
/// </summary>
public static class GenealogyTracer
{
    /// <summary>Walks the genealogy of a lot.</summary>
    /// <param name="root">The lot to start from.</param>
    /// <param name="direction">
    /// <see cref="GenealogyDirection.Forward"/>: <paramref name="oneLevel"/> answers the links that consumed a lot (its
    /// <see cref="GenealogyLink.ComponentLot"/>), and the walk goes on to their produced lots;
    /// <see cref="GenealogyDirection.Backward"/>: it answers the links of a produced lot's components, and the walk goes on to
    /// their component lots.
    /// </param>
    /// <param name="maxDepth">How many levels to walk (0: the root only). The lots at the last level are still read once, to tell whether the trace is cut.</param>
    /// <param name="oneLevel">One level of genealogy from a lot, called once per lot reached.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDepth"/> is negative.</exception>
    public static async ValueTask<GenealogyTrace> TraceAsync(
        LotId root,
        GenealogyDirection direction,
        int maxDepth,
        Func<LotId, CancellationToken, ValueTask<IReadOnlyList<GenealogyLink>>> oneLevel,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        ArgumentNullException.ThrowIfNull(oneLevel);
        var forward = direction == GenealogyDirection.Forward;
        var nodes = new List<GenealogyTraceNode> { new() { Lot = root, Depth = 0, Path = [root] } };
        var index = new Dictionary<LotId, int> { [root] = 0 };
        var edges = new List<GenealogyLink>();
        var cut = false;
        for (var i = 0; i < nodes.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var node = nodes[i];
            var links = (await oneLevel(node.Lot, cancellationToken).ConfigureAwait(false) ?? [])
                .Where(l => l is not null && (forward ? l.ComponentLot == node.Lot : l.ProducedLot == node.Lot))
                .OrderBy(l => FarEnd(l, forward)?.Value, StringComparer.Ordinal)
                .ThenBy(l => l.Order.Value, StringComparer.Ordinal)
                .ToList();
            if (!forward && links.Count > 0 && node.Order is null)
            {
                nodes[i] = node = node with { Order = links[0].Order };
            }

            foreach (var link in links)
            {
                var far = FarEnd(link, forward);
                if (far is not { } lot || index.ContainsKey(lot))
                {
                    edges.Add(link);
                }
                else if (node.Depth >= maxDepth)
                {
                    cut = true;
                }
                else
                {
                    edges.Add(link);
                    index[lot] = nodes.Count;
                    nodes.Add(new GenealogyTraceNode { Lot = lot, Depth = node.Depth + 1, Order = forward ? link.Order : null, Path = [.. node.Path, lot] });
                }
            }
        }

        return new GenealogyTrace
        {
            Root = root,
            Direction = direction,
            MaxDepth = maxDepth,
            Nodes = nodes,
            Edges = edges,
            IsCutAtMaxDepth = cut,
            HasCycle = HasCycle(nodes.Count, index, edges, forward),
        };
    }

    private static LotId? FarEnd(GenealogyLink link, bool forward) => forward ? link.ProducedLot : link.ComponentLot;

    /// <summary>Kahn's algorithm over the walked links between reached lots: a cycle leaves some lot with links into it that never drain.</summary>
    private static bool HasCycle(int count, Dictionary<LotId, int> index, List<GenealogyLink> edges, bool forward)
    {
        var incoming = new int[count];
        var outgoing = new List<int>[count];
        foreach (var edge in edges)
        {
            if (edge.ProducedLot is not { } produced)
            {
                continue;
            }

            var (from, to) = forward ? (index[edge.ComponentLot], index[produced]) : (index[produced], index[edge.ComponentLot]);
            (outgoing[from] ??= []).Add(to);
            incoming[to]++;
        }

        var ready = new Queue<int>(Enumerable.Range(0, count).Where(n => incoming[n] == 0));
        var drained = 0;
        while (ready.TryDequeue(out var n))
        {
            drained++;
            foreach (var to in outgoing[n] ?? [])
            {
                if (--incoming[to] == 0)
                {
                    ready.Enqueue(to);
                }
            }
        }

        return drained < count;
    }
}
