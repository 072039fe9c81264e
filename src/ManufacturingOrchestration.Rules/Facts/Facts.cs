using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// Scrap against production on one line over a time window, with the line's baseline yield: the fact scrap-spike rules
/// reason on. The caller aggregates it (the rules never aggregate events themselves).
/// </summary>
public sealed class ScrapWindow
{
    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The line or work centre.</summary>
    public required string Line { get; init; }

    /// <summary>The material, when the window is per material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The start of the window.</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>The end of the window.</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>The quantity scrapped in the window.</summary>
    public required decimal ScrapQuantity { get; init; }

    /// <summary>The good quantity produced in the window.</summary>
    public required decimal GoodQuantity { get; init; }

    /// <summary>The line's baseline yield (good ÷ produced), between 0 and 1, such as 0.98.</summary>
    public required decimal BaselineYield { get; init; }

    /// <summary>How many times the baseline scrap rate counts as a spike. Default 2.</summary>
    public decimal SpikeFactor { get; init; } = 2m;

    /// <summary>The produced quantity below which a window is too small to call a spike. Default 0.</summary>
    public decimal MinimumQuantity { get; init; }

    /// <summary>Scrap plus good quantity.</summary>
    public decimal ProducedQuantity => ScrapQuantity + GoodQuantity;

    /// <summary>The scrap rate over the window (0 when nothing was produced).</summary>
    public decimal ScrapRate => ProducedQuantity == 0 ? 0 : ScrapQuantity / ProducedQuantity;

    /// <summary>The yield over the window (1 when nothing was produced).</summary>
    public decimal Yield => 1 - ScrapRate;

    /// <summary>The baseline scrap rate (1 − baseline yield).</summary>
    public decimal BaselineScrapRate => 1 - BaselineYield;

    /// <summary>Whether the scrap rate is above <see cref="SpikeFactor"/> times the baseline scrap rate on a window of at least <see cref="MinimumQuantity"/>.</summary>
    public bool IsSpike => ProducedQuantity > 0 && ProducedQuantity >= MinimumQuantity && ScrapRate > BaselineScrapRate * SpikeFactor;
}

/// <summary>The kind of a recommendation.</summary>
public enum RecommendationKind
{
    /// <summary>The failure is likely to escalate into a supplier corrective action.</summary>
    SupplierEscalationRisk = 0,

    /// <summary>An inventory anomaly (mis-scan, leakage).</summary>
    InventoryAnomaly = 1,

    /// <summary>A classification of a defect narrative.</summary>
    DefectClassification = 2,

    /// <summary>A suggested MRB disposition.</summary>
    DispositionSuggestion = 3,

    /// <summary>Anything else.</summary>
    Other = 4,
}

/// <summary>
/// A recommendation from a model: a fact like any other. Rules may use it to raise priority or to suggest an action,
/// but policy constraints make sure a release, scrap or use-as-is that a recommendation led to always needs a human approval.
/// </summary>
public sealed class Recommendation
{
    /// <summary>The kind.</summary>
    public required RecommendationKind Kind { get; init; }

    /// <summary>The lot the recommendation is about, when it is about a lot.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The subject, such as a supplier or count document, when not a lot.</summary>
    public string? Subject { get; init; }

    /// <summary>The suggested action, for people.</summary>
    public required string SuggestedAction { get; init; }

    /// <summary>The suggested MRB disposition, for <see cref="RecommendationKind.DispositionSuggestion"/>.</summary>
    public MrbDisposition? SuggestedDisposition { get; init; }

    /// <summary>The model's confidence, between 0 and 1.</summary>
    public required decimal Confidence { get; init; }

    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The model version.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The model's explanation, for people and the audit trail.</summary>
    public string? Explanation { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"Recommendation {{ Kind = {Kind}, Lot = {Lot?.Value}, SuggestedAction = {SuggestedAction}, Confidence = {Confidence}, Model = {Model}@{ModelVersion} }}");
}

/// <summary>
/// What a counter may post without approval: the role they count in and their limits, per item (quantity and
/// percentage of book) and per count document (domain notes §5: SAP keeps a maximum difference per document and per
/// item for each user group; D365 a maximum quantity and percentage per worker). A variance inside every limit (and
/// inside the ABC tolerance band, which applies as well) may be posted by them; beyond any limit it needs a cycle-count
/// supervisor's approval.
/// </summary>
public sealed class CountAuthority
{
    /// <summary>The counter.</summary>
    public required ActorId Actor { get; init; }

    /// <summary>The role the counter acts in (such as operator, or cycle-count supervisor).</summary>
    public required Role Role { get; init; }

    /// <summary>The largest absolute variance of one item, in the base unit, the counter may post.</summary>
    public required decimal MaxAdjustmentQuantity { get; init; }

    /// <summary>The largest variance of one item, as a percentage of book quantity, the counter may post.</summary>
    public required decimal MaxAdjustmentPercent { get; init; }

    /// <summary>
    /// The largest total absolute difference of one count document, in the base unit, the counter may post; a document
    /// over it needs approval whole. <see langword="null"/> (the default) sets no document limit. A
    /// <see cref="CycleCount"/> is one count document of one item, so its document difference is its absolute variance.
    /// </summary>
    public decimal? MaxDocumentDifference { get; init; }

    /// <summary>Whether the counter may post the variance of <paramref name="count"/> without approval, as far as their own limits go.</summary>
    /// <param name="count">The count.</param>
    /// <returns><see langword="true"/> when within the item quantity and percentage limits and the document limit.</returns>
    public bool Allows(CycleCount count)
    {
        ArgumentNullException.ThrowIfNull(count);
        var magnitude = Math.Abs(count.Variance);
        return magnitude <= MaxAdjustmentQuantity
            && count.VariancePercent <= MaxAdjustmentPercent
            && (MaxDocumentDifference is not { } document || magnitude <= document);
    }

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"CountAuthority {{ Actor = {Actor}, Role = {Role}, MaxAdjustmentQuantity = {MaxAdjustmentQuantity}, MaxAdjustmentPercent = {MaxAdjustmentPercent}, MaxDocumentDifference = {MaxDocumentDifference} }}");
}

/// <summary>The open allocations (reservations) of one lot, inserted as one fact so rules need no aggregation.</summary>
public sealed class OpenAllocations
{
    /// <summary>Creates the fact.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="items">The open allocations of the lot.</param>
    public OpenAllocations(LotId lot, IReadOnlyList<Allocation> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Lot = lot;
        Items = items;
    }

    /// <summary>The lot.</summary>
    public LotId Lot { get; }

    /// <summary>The open allocations.</summary>
    public IReadOnlyList<Allocation> Items { get; }

    /// <summary>The distinct orders holding the allocations, in first-seen order.</summary>
    public IReadOnlyList<OrderId> Orders => Items.Select(a => a.Order).Distinct().ToArray();

    /// <inheritdoc />
    public override string ToString() => $"OpenAllocations {{ Lot = {Lot}, Orders = [{string.Join(", ", Orders)}] }}";
}

/// <summary>The genealogy of one lot (the links where it is the component or the produced lot), inserted as one fact.</summary>
public sealed class LotGenealogy
{
    /// <summary>Creates the fact.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="links">The genealogy links that involve the lot.</param>
    public LotGenealogy(LotId lot, IReadOnlyList<GenealogyLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        Lot = lot;
        Links = links;
    }

    /// <summary>The lot.</summary>
    public LotId Lot { get; }

    /// <summary>The links.</summary>
    public IReadOnlyList<GenealogyLink> Links { get; }

    /// <summary>The orders that consumed the lot as a component.</summary>
    public IReadOnlyList<OrderId> ConsumingOrders => Links.Where(l => l.ComponentLot == Lot).Select(l => l.Order).Distinct().ToArray();

    /// <summary>The lots produced from the lot.</summary>
    public IReadOnlyList<LotId> ProducedLots =>
        Links.Where(l => l.ComponentLot == Lot && l.ProducedLot is not null).Select(l => l.ProducedLot!.Value).Distinct().ToArray();

    /// <inheritdoc />
    public override string ToString() => $"LotGenealogy {{ Lot = {Lot}, Links = {Links.Count} }}";
}

/// <summary>
/// The requirements of the customers a lot is allocated or shipped to (through <see cref="Allocation.Customer"/>), as
/// registered on the engine (<see cref="DecisionEngineBuilder.AddCustomerRequirements"/>), and whether a certificate of
/// analysis for the lot is on file. Inserted as one fact, only when at least one such customer has requirements.
/// </summary>
public sealed class LotCustomerRequirements
{
    /// <summary>Creates the fact.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="items">The requirements of the customers the lot is allocated to.</param>
    /// <param name="certificateOnFile">Whether a certificate of analysis for the lot is on file.</param>
    public LotCustomerRequirements(LotId lot, IReadOnlyList<CustomerQualityRequirements> items, bool certificateOnFile)
    {
        ArgumentNullException.ThrowIfNull(items);
        Lot = lot;
        Items = items;
        CertificateOnFile = certificateOnFile;
        ForbidsUseAsIs = items.Any(r => r.ForbidsUseAsIs);
        WaitsForCertificate = !certificateOnFile && items.Any(r => r.RequiresCertificateOfAnalysis);
    }

    /// <summary>The lot.</summary>
    public LotId Lot { get; }

    /// <summary>The requirements, one per customer.</summary>
    public IReadOnlyList<CustomerQualityRequirements> Items { get; }

    /// <summary>Whether a certificate of analysis for the lot is on file.</summary>
    public bool CertificateOnFile { get; }

    /// <summary>Whether any of the customers refuses use-as-is concessions.</summary>
    public bool ForbidsUseAsIs { get; }

    /// <summary>Whether a customer requires a certificate of analysis and none is on file: a release waits for it.</summary>
    public bool WaitsForCertificate { get; }

    /// <summary>The customers refusing use-as-is concessions.</summary>
    public IReadOnlyList<CustomerId> CustomersForbiddingUseAsIs => Items.Where(r => r.ForbidsUseAsIs).Select(r => r.Customer).ToArray();

    /// <summary>The customers requiring a certificate of analysis.</summary>
    public IReadOnlyList<CustomerId> CustomersRequiringCertificate => Items.Where(r => r.RequiresCertificateOfAnalysis).Select(r => r.Customer).ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        $"LotCustomerRequirements {{ Lot = {Lot}, Customers = [{string.Join(", ", Items.Select(r => r.Customer))}], CertificateOnFile = {CertificateOnFile} }}";
}
