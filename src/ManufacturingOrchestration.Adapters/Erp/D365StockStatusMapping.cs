using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// Maps canonical stock categories to Dynamics 365 inventory status ids and batch disposition codes, and back.
/// D365 keeps an inventory status per on-hand record and a separate batch disposition code; both are
/// installation-defined, so the names are configurable.
/// </summary>
/// <remarks>
/// Defaults (<see cref="Default"/>): unrestricted → status <c>Available</c>; quality inspection → <c>QualityInspection</c>;
/// blocked → <c>Blocked</c>; in transit → <c>InTransit</c>; restricted-use → status <c>Available</c> with batch
/// disposition <c>Restricted</c> (every other category with batch disposition <c>Available</c>). Status ids compare
/// case-insensitively, as D365 ids do.
/// </remarks>
public sealed class D365StockStatusMapping
{
    private readonly Dictionary<StockCategory, string> _statusByCategory;
    private readonly Dictionary<string, StockCategory> _categoryByStatus;

    /// <summary>Creates a mapping.</summary>
    /// <param name="inventoryStatusByCategory">The inventory status id of each category; every category but restricted-use is required and must be distinct. Restricted-use defaults to the unrestricted status.</param>
    /// <param name="availableBatchDisposition">The batch disposition code of a usable batch.</param>
    /// <param name="restrictedBatchDisposition">The batch disposition code of a restricted batch.</param>
    /// <exception cref="ManufacturingOrchestrationException">A category is missing, two categories share a status, or the dispositions are equal.</exception>
    public D365StockStatusMapping(IReadOnlyDictionary<StockCategory, string> inventoryStatusByCategory, string availableBatchDisposition, string restrictedBatchDisposition)
    {
        ArgumentNullException.ThrowIfNull(inventoryStatusByCategory);
        ArgumentException.ThrowIfNullOrWhiteSpace(availableBatchDisposition);
        ArgumentException.ThrowIfNullOrWhiteSpace(restrictedBatchDisposition);
        if (string.Equals(availableBatchDisposition, restrictedBatchDisposition, StringComparison.OrdinalIgnoreCase))
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, "The available and restricted batch disposition codes must differ.");
        }

        _statusByCategory = [];
        _categoryByStatus = new Dictionary<string, StockCategory>(StringComparer.OrdinalIgnoreCase);
        foreach (var category in Enum.GetValues<StockCategory>())
        {
            if (category is StockCategory.RestrictedUse or StockCategory.InTransfer)
            {
                continue;
            }

            if (!inventoryStatusByCategory.TryGetValue(category, out var status) || string.IsNullOrWhiteSpace(status))
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.Required, $"No D365 inventory status is configured for {category}.");
            }

            if (!_categoryByStatus.TryAdd(status, category))
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"D365 inventory status '{status}' is configured for both {_categoryByStatus[status]} and {category}.");
            }

            _statusByCategory[category] = status;
        }

        _statusByCategory[StockCategory.RestrictedUse] = inventoryStatusByCategory.TryGetValue(StockCategory.RestrictedUse, out var restricted) && !string.IsNullOrWhiteSpace(restricted)
            ? restricted
            : _statusByCategory[StockCategory.Unrestricted];
        _categoryByStatus.TryAdd(_statusByCategory[StockCategory.RestrictedUse], StockCategory.RestrictedUse);

        // D365 moves stock between sites by transfer order through an in-transit warehouse: SAP's stock in transfer
        // (303/305) reads as in transit unless a status of its own is configured.
        _statusByCategory[StockCategory.InTransfer] = inventoryStatusByCategory.TryGetValue(StockCategory.InTransfer, out var inTransfer) && !string.IsNullOrWhiteSpace(inTransfer)
            ? inTransfer
            : _statusByCategory[StockCategory.InTransit];
        _categoryByStatus.TryAdd(_statusByCategory[StockCategory.InTransfer], StockCategory.InTransfer);
        AvailableBatchDisposition = availableBatchDisposition;
        RestrictedBatchDisposition = restrictedBatchDisposition;
    }

    /// <summary>The default mapping (see remarks for the names).</summary>
    public static D365StockStatusMapping Default { get; } = new(
        new Dictionary<StockCategory, string>
        {
            [StockCategory.Unrestricted] = "Available",
            [StockCategory.QualityInspection] = "QualityInspection",
            [StockCategory.Blocked] = "Blocked",
            [StockCategory.InTransit] = "InTransit",
        },
        "Available",
        "Restricted")
    {
        BlockingBatchDispositions = new HashSet<string>(["NotAvailable"], StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>
    /// The batch disposition codes configured as blocking (D365 batch disposition status "Not available"): a batch carrying
    /// one is excluded from planning and available-to-promise and reads as <see cref="StockCategory.Blocked"/> whatever
    /// its inventory status. Compared ignoring case. Default none; <see cref="Default"/> has <c>NotAvailable</c>.
    /// </summary>
    public IReadOnlySet<string> BlockingBatchDispositions { get; init => field = value ?? new HashSet<string>(); } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="batchDisposition"/> is one of <see cref="BlockingBatchDispositions"/> (ignoring case).</summary>
    /// <param name="batchDisposition">A batch disposition code, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the code blocks the batch.</returns>
    public bool IsBlocking(string? batchDisposition)
    {
        if (batchDisposition is null)
        {
            return false;
        }

        foreach (var code in BlockingBatchDispositions)
        {
            if (string.Equals(code, batchDisposition, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The batch disposition code of a usable batch.</summary>
    public string AvailableBatchDisposition { get; }

    /// <summary>The batch disposition code of a restricted batch.</summary>
    public string RestrictedBatchDisposition { get; }

    /// <summary>The inventory status id for a category.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The status id.</returns>
    public string InventoryStatusFor(StockCategory category) => _statusByCategory[category];

    /// <summary>The batch disposition code for a category.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The restricted code for restricted-use stock, otherwise the available code.</returns>
    public string BatchDispositionFor(StockCategory category) =>
        category == StockCategory.RestrictedUse ? RestrictedBatchDisposition : AvailableBatchDisposition;

    /// <summary>Reads a D365 inventory status and batch disposition as a canonical category.</summary>
    /// <param name="inventoryStatus">The inventory status id.</param>
    /// <param name="batchDisposition">The batch disposition code, if the item is batch-controlled.</param>
    /// <param name="category">The category, when the status is known.</param>
    /// <returns><see langword="true"/> when the status is configured.</returns>
    /// <remarks>
    /// A restricted batch disposition only turns usable (unrestricted) stock into restricted-use: QI, blocked and
    /// in-transit stock are independent of the batch status. A batch disposition code that is neither the available nor
    /// the restricted code is read as blocked, the most restrictive category, never as usable stock; use the overload
    /// with a problem to report it.
    /// </remarks>
    public bool TryGetCategory(string inventoryStatus, string? batchDisposition, out StockCategory category) =>
        TryGetCategory(inventoryStatus, batchDisposition, out category, out _);

    /// <summary>Reads a D365 inventory status and batch disposition as a canonical category, reporting an unknown disposition code.</summary>
    /// <param name="inventoryStatus">The inventory status id.</param>
    /// <param name="batchDisposition">The batch disposition code, if the item is batch-controlled.</param>
    /// <param name="category">The category, when the status is known.</param>
    /// <param name="problem">
    /// <see cref="ReasonCodes.BatchDispositionUnknown"/> when <paramref name="batchDisposition"/> is neither the available
    /// nor the restricted code (the stock is then read as <see cref="StockCategory.Blocked"/>); otherwise <see langword="null"/>.
    /// </param>
    /// <returns><see langword="true"/> when the status is configured.</returns>
    /// <remarks>
    /// A restricted batch disposition only turns usable (unrestricted) stock into restricted-use: QI, blocked and
    /// in-transit stock are independent of the batch status. An unknown disposition code may mean anything the
    /// installation defined, so the stock is read as blocked (the most restrictive category) until the code is configured.
    /// </remarks>
    public bool TryGetCategory(string inventoryStatus, string? batchDisposition, out StockCategory category, out ReasonCode? problem)
    {
        ArgumentNullException.ThrowIfNull(inventoryStatus);
        problem = null;
        if (!_categoryByStatus.TryGetValue(inventoryStatus, out category))
        {
            return false;
        }

        if (IsBlocking(batchDisposition))
        {
            // A blocking disposition takes the whole batch out of planning and ATP, whatever its inventory status.
            category = StockCategory.Blocked;
            return true;
        }

        var restricted = string.Equals(batchDisposition, RestrictedBatchDisposition, StringComparison.OrdinalIgnoreCase);
        if (batchDisposition is not null && !restricted && !string.Equals(batchDisposition, AvailableBatchDisposition, StringComparison.OrdinalIgnoreCase))
        {
            problem = ReasonCodes.BatchDispositionUnknown;
            category = StockCategory.Blocked;
            return true;
        }

        if (category is StockCategory.Unrestricted or StockCategory.RestrictedUse)
        {
            category = restricted ? StockCategory.RestrictedUse : StockCategory.Unrestricted;
        }

        return true;
    }
}
