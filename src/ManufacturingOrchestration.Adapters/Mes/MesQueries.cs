using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>MES (<see cref="QueryKinds.MesGetConsumers"/>): the genealogy links where a lot was consumed; empty when none.</summary>
/// <param name="ComponentLot">The consumed lot.</param>
public sealed record GetConsumersQuery(LotId ComponentLot) : AdapterQuery<IReadOnlyList<GenealogyLink>>;

/// <summary>MES (<see cref="QueryKinds.MesGetComponents"/>): the genealogy links of the components of a produced lot; empty when none.</summary>
/// <param name="ProducedLot">The produced lot.</param>
public sealed record GetComponentsQuery(LotId ProducedLot) : AdapterQuery<IReadOnlyList<GenealogyLink>>;

/// <summary>
/// MES (<see cref="QueryKinds.MesTraceForward"/>): what was made from a lot, over up to <paramref name="MaxDepth"/> levels
/// (component → intermediate → finished good), walked by <see cref="GenealogyTracer"/>; a lot with no consumers answers a
/// trace of the lot alone. SAP batch where-used list (MB56, top-down), D365 forward batch tracing. The Engine's
/// <c>TraceabilityRepositoryAdapter</c> answers it from published genealogy.
/// </summary>
/// <param name="Lot">The lot to start from.</param>
/// <param name="MaxDepth">How many levels to walk (0: the lot alone); <see cref="GenealogyTrace.IsCutAtMaxDepth"/> says when genealogy goes on beyond.</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="MaxDepth"/> is negative.</exception>
public sealed record TraceForwardQuery(LotId Lot, int MaxDepth) : AdapterQuery<GenealogyTrace>
{
    /// <summary>How many levels to walk (0: the lot alone); never negative.</summary>
    public int MaxDepth { get; init => field = TraceDepth.Check(value); } = TraceDepth.Check(MaxDepth);
}

/// <summary>
/// MES (<see cref="QueryKinds.MesTraceBackward"/>): what a lot was made of, over up to <paramref name="MaxDepth"/> levels
/// (finished good → intermediate → component), walked by <see cref="GenealogyTracer"/>. SAP batch where-used list (MB56,
/// bottom-up), D365 backward batch tracing. The Engine's <c>TraceabilityRepositoryAdapter</c> answers it from published
/// genealogy.
/// </summary>
/// <param name="Lot">The lot to start from.</param>
/// <param name="MaxDepth">How many levels to walk (0: the lot alone); <see cref="GenealogyTrace.IsCutAtMaxDepth"/> says when genealogy goes on beyond.</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="MaxDepth"/> is negative.</exception>
public sealed record TraceBackwardQuery(LotId Lot, int MaxDepth) : AdapterQuery<GenealogyTrace>
{
    /// <summary>How many levels to walk (0: the lot alone); never negative.</summary>
    public int MaxDepth { get; init => field = TraceDepth.Check(value); } = TraceDepth.Check(MaxDepth);
}

/// <summary>MES (<see cref="QueryKinds.MesGetWorkOrder"/>): a work order; <see langword="null"/> when unknown.</summary>
/// <param name="Order">The order.</param>
public sealed record GetWorkOrderQuery(OrderId Order) : AdapterQuery<ProductionOrder?>;

/// <summary>The one check of a trace query's depth.</summary>
internal static class TraceDepth
{
    public static int Check(int maxDepth) => maxDepth >= 0 ? maxDepth : throw new ArgumentOutOfRangeException(nameof(maxDepth), maxDepth, "A trace walks zero or more levels.");
}
