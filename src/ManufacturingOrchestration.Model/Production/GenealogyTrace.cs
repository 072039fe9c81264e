namespace ManufacturingOrchestration.Model;

/// <summary>Which way a genealogy trace walks.</summary>
public enum GenealogyDirection
{
    /// <summary>
    /// From a lot to what was made from it (component → intermediate → finished good): SAP batch where-used list
    /// (top-down), D365 forward batch tracing.
    /// </summary>
    Forward = 0,

    /// <summary>
    /// From a lot to what it was made of (finished good → intermediate → component): SAP batch where-used list
    /// (bottom-up), D365 backward batch tracing.
    /// </summary>
    Backward = 1,
}

/// <summary>
/// The genealogy reached from one lot over several levels (B2MML <c>AssemblyLot</c> edges, lot → lot), as
/// <see cref="GenealogyTracer"/> walks it: breadth-first, each lot once, at most <see cref="MaxDepth"/> levels away.
/// </summary>
public sealed record GenealogyTrace
{
    /// <summary>The lot the trace starts from.</summary>
    public required LotId Root { get; init; }

    /// <summary>Which way the trace walks.</summary>
    public required GenealogyDirection Direction { get; init; }

    /// <summary>How many levels the trace was allowed to walk.</summary>
    public required int MaxDepth { get; init; }

    /// <summary>Every lot reached, the root first (depth 0), then level by level; each lot once, on the first (shortest) path that reached it.</summary>
    public IReadOnlyList<GenealogyTraceNode> Nodes { get; init => field = value ?? []; } = [];

    /// <summary>
    /// The genealogy links walked, as the source recorded them (component → produced, whatever the direction), in the order
    /// they were met. A link whose far end is a lot not in <see cref="Nodes"/> does not appear (it lies beyond the cut);
    /// a forward link that names no produced lot does (its order consumed a reached lot).
    /// </summary>
    public IReadOnlyList<GenealogyLink> Edges { get; init => field = value ?? []; } = [];

    /// <summary>Whether genealogy goes on beyond <see cref="MaxDepth"/>: a lot at the last level has links to lots the trace left out.</summary>
    public bool IsCutAtMaxDepth { get; init; }

    /// <summary>Whether the links walked form a cycle (a lot made, directly or not, from itself); the walk still visited each lot once.</summary>
    public bool HasCycle { get; init; }

    /// <summary>The node of a lot, when the trace reached it.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>The node, or <see langword="null"/>.</returns>
    public GenealogyTraceNode? Find(LotId lot) => Nodes.FirstOrDefault(n => n.Lot == lot);
}

/// <summary>A lot reached by a <see cref="GenealogyTrace"/>.</summary>
public sealed record GenealogyTraceNode
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>How many links away from the root it is (0 for the root).</summary>
    public required int Depth { get; init; }

    /// <summary>
    /// The order that made the lot, as the links walked name it: forward, the order of the link that reached the lot
    /// (none for the root); backward, the order of the links to the lot's components (none for a lot with no components,
    /// such as a purchased one).
    /// </summary>
    public OrderId? Order { get; init; }

    /// <summary>The lots from the root (first) to this lot (last).</summary>
    public required IReadOnlyList<LotId> Path { get; init; }
}
