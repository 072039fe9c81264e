using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>ERP (<see cref="QueryKinds.ErpGetLot"/>): a lot with its stock buckets, disposition, quality decision and holds; <see langword="null"/> when the ERP does not know it.</summary>
/// <param name="Lot">The lot.</param>
public sealed record GetLotQuery(LotId Lot) : AdapterQuery<MaterialLot?>;

/// <summary>ERP (<see cref="QueryKinds.ErpGetMaterial"/>): a material definition (master data); <see langword="null"/> when unknown.</summary>
/// <param name="Material">The material.</param>
public sealed record GetMaterialQuery(MaterialId Material) : AdapterQuery<MaterialDefinition?>;

/// <summary>ERP (<see cref="QueryKinds.ErpGetOpenAllocations"/>): the open allocations (reservations) of a lot; empty when none or the lot is unknown.</summary>
/// <param name="Lot">The lot.</param>
public sealed record GetOpenAllocationsQuery(LotId Lot) : AdapterQuery<IReadOnlyList<Allocation>>;

/// <summary>ERP (<see cref="QueryKinds.ErpGetStock"/>): a lot's stock by category and ownership, for reconciliation; <see langword="null"/> when the lot is unknown.</summary>
/// <param name="Lot">The lot.</param>
public sealed record GetErpStockQuery(LotId Lot) : AdapterQuery<LotStockSnapshot?>;

/// <summary>ERP (<see cref="QueryKinds.ErpGetProductionOrder"/>): a production order; <see langword="null"/> when unknown.</summary>
/// <param name="Order">The order.</param>
public sealed record GetProductionOrderQuery(OrderId Order) : AdapterQuery<ProductionOrder?>;
