using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>WMS (<see cref="QueryKinds.WmsGetStock"/>): a lot's stock by category and location; <see langword="null"/> when the WMS does not know it.</summary>
/// <param name="Lot">The lot.</param>
public sealed record GetWmsStockQuery(LotId Lot) : AdapterQuery<WmsStock?>;
