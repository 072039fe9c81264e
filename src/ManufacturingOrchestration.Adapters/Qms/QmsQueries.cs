using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>QMS (<see cref="QueryKinds.QmsGetInspectionLot"/>): an inspection lot; <see langword="null"/> when unknown.</summary>
/// <param name="InspectionLot">The inspection lot.</param>
public sealed record GetInspectionLotQuery(InspectionLotId InspectionLot) : AdapterQuery<InspectionLot?>;

/// <summary>QMS (<see cref="QueryKinds.QmsGetNonconformance"/>): a nonconformance; <see langword="null"/> when unknown.</summary>
/// <param name="Nonconformance">The nonconformance.</param>
public sealed record GetNonconformanceQuery(NonconformanceId Nonconformance) : AdapterQuery<Nonconformance?>;

/// <summary>QMS (<see cref="QueryKinds.QmsGetSupplierQualityHistory"/>): a supplier's quality history over a window; <see langword="null"/> when the supplier is unknown.</summary>
/// <param name="Supplier">The supplier.</param>
/// <param name="WindowStart">The start of the window.</param>
/// <param name="WindowEnd">The end of the window.</param>
public sealed record GetSupplierQualityHistoryQuery(SupplierId Supplier, DateTimeOffset WindowStart, DateTimeOffset WindowEnd) : AdapterQuery<SupplierQualityHistory?>;

/// <summary>
/// QMS (<see cref="QueryKinds.QmsGetCertificatesOfAnalysis"/>): the certificates of analysis on file for a lot; empty when
/// the QMS holds none (or does not know the lot).
/// </summary>
/// <param name="Lot">The lot.</param>
public sealed record GetCertificatesOfAnalysisQuery(LotId Lot) : AdapterQuery<IReadOnlyList<CertificateOfAnalysis>>;
