using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>MES (<see cref="QueryKinds.MesGetConsumers"/>): the genealogy links where a lot was consumed; empty when none.</summary>
/// <param name="ComponentLot">The consumed lot.</param>
public sealed record GetConsumersQuery(LotId ComponentLot) : AdapterQuery<IReadOnlyList<GenealogyLink>>;

/// <summary>MES (<see cref="QueryKinds.MesGetComponents"/>): the genealogy links of the components of a produced lot; empty when none.</summary>
/// <param name="ProducedLot">The produced lot.</param>
public sealed record GetComponentsQuery(LotId ProducedLot) : AdapterQuery<IReadOnlyList<GenealogyLink>>;

/// <summary>MES (<see cref="QueryKinds.MesGetWorkOrder"/>): a work order; <see langword="null"/> when unknown.</summary>
/// <param name="Order">The order.</param>
public sealed record GetWorkOrderQuery(OrderId Order) : AdapterQuery<ProductionOrder?>;
