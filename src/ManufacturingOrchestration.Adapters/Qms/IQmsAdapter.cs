using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The QMS: inspection lots, nonconformances and MRB dispositions, supplier cases with evidence, and supplier
/// quality history. See docs/adapters.md.
/// </summary>
public interface IQmsAdapter
{
    /// <summary>Creates an inspection lot.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the inspection lot id.</returns>
    ValueTask<AdapterResult> CreateInspectionLotAsync(CreateInspectionLotRequest request, CancellationToken cancellationToken);

    /// <summary>Opens a nonconformance.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the nonconformance id.</returns>
    ValueTask<AdapterResult> OpenNonconformanceAsync(OpenNonconformanceRequest request, CancellationToken cancellationToken);

    /// <summary>Changes the status of a nonconformance.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> UpdateNonconformanceStatusAsync(UpdateNonconformanceStatusRequest request, CancellationToken cancellationToken);

    /// <summary>Records a correction on an approved nonconformance.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> RecordCorrectionAsync(RecordCorrectionRequest request, CancellationToken cancellationToken);

    /// <summary>Records an MRB disposition line.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    ValueTask<AdapterResult> RecordDispositionAsync(RecordDispositionRequest request, CancellationToken cancellationToken);

    /// <summary>Opens a supplier case with evidence.</summary>
    /// <param name="request">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome; <see cref="AdapterResult.ExternalReference"/> is the case id.</returns>
    ValueTask<AdapterResult> OpenSupplierCaseAsync(OpenSupplierCaseRequest request, CancellationToken cancellationToken);

    /// <summary>Gets an inspection lot.</summary>
    /// <param name="inspectionLot">The inspection lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The inspection lot, or <see langword="null"/> when unknown.</returns>
    ValueTask<InspectionLot?> GetInspectionLotAsync(InspectionLotId inspectionLot, CancellationToken cancellationToken);

    /// <summary>Gets a nonconformance.</summary>
    /// <param name="nonconformance">The nonconformance.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nonconformance, or <see langword="null"/> when unknown.</returns>
    ValueTask<Nonconformance?> GetNonconformanceAsync(NonconformanceId nonconformance, CancellationToken cancellationToken);

    /// <summary>Gets a supplier's quality history over a window.</summary>
    /// <param name="supplier">The supplier.</param>
    /// <param name="windowStart">The start of the window.</param>
    /// <param name="windowEnd">The end of the window.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The history, or <see langword="null"/> when the supplier is unknown.</returns>
    ValueTask<SupplierQualityHistory?> GetSupplierQualityHistoryAsync(SupplierId supplier, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken);
}
