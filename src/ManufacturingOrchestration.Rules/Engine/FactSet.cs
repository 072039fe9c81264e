using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules;

namespace ManufacturingOrchestration.Rules;

/// <summary>
/// The facts one evaluation reasons on: the event and what the caller loaded for it (lot, material master, site profile,
/// allocations, supplier history, genealogy, aggregates, recommendations). Every member except the event is optional;
/// a rule whose facts are missing simply does not fire. Build one per evaluation; it is not changed by the engine.
/// </summary>
public sealed class FactSet
{
    /// <summary>The event envelope, when the caller has one. Its payload is used when <see cref="Event"/> is not set.</summary>
    public EventEnvelope? Envelope { get; init; }

    /// <summary>The event payload the decision is about.</summary>
    public EventPayload? Event { get; init; }

    /// <summary>The lot the event is about.</summary>
    public MaterialLot? Lot { get; init; }

    /// <summary>The material master of the lot or order.</summary>
    public MaterialDefinition? Material { get; init; }

    /// <summary>
    /// The site profile. Required whenever the rules may decide a release, scrap or use-as-is: without it the policy
    /// constraints refuse the decision set (<see cref="ReasonCodes.SiteProfileMissing"/>) rather than guess.
    /// </summary>
    public SiteProfile? Site { get; init; }

    /// <summary>The production order the event is about.</summary>
    public ProductionOrder? Order { get; init; }

    /// <summary>The open allocations of <see cref="Lot"/> (inserted as one <see cref="OpenAllocations"/> fact when not empty).</summary>
    public IReadOnlyList<Allocation> Allocations { get; init => field = value ?? []; } = [];

    /// <summary>
    /// The certificates of analysis on file for <see cref="Lot"/>. A release of a lot allocated to a customer that
    /// requires a certificate (<see cref="CustomerQualityRequirements.RequiresCertificateOfAnalysis"/>) waits for an
    /// approval until one is here.
    /// </summary>
    public IReadOnlyList<CertificateOfAnalysis> CertificatesOfAnalysis { get; init => field = value ?? []; } = [];

    /// <summary>The supplier's quality history.</summary>
    public SupplierQualityHistory? SupplierHistory { get; init; }

    /// <summary>The genealogy of <see cref="Lot"/> (inserted as one <see cref="LotGenealogy"/> fact when not empty).</summary>
    public IReadOnlyList<GenealogyLink> Genealogy { get; init => field = value ?? []; } = [];

    /// <summary>The scrap window of the line, for scrap events.</summary>
    public ScrapWindow? ScrapWindow { get; init; }

    /// <summary>The count tolerance profile; <see cref="CountToleranceProfile.Default"/> is used for cycle counts when absent.</summary>
    public CountToleranceProfile? CountTolerances { get; init; }

    /// <summary>What the counter may post without approval; without it every over-tolerance variance needs approval.</summary>
    public CountAuthority? CountAuthority { get; init; }

    /// <summary>Recommendations from models: facts only, they never decide a release, scrap or use-as-is.</summary>
    public IReadOnlyList<Recommendation> Recommendations { get; init => field = value ?? []; } = [];

    /// <summary>
    /// The actor directory's entries for the people the event names as deciding or authorizing (a finished-goods
    /// <c>ReleasedBy</c>, a use-as-is authorizer), as the caller resolved them. Read by the policy constraints only, never
    /// by rules: a <see cref="Decision.Claimant"/> missing here is unknown, so its release or use-as-is needs an approval.
    /// </summary>
    public IReadOnlyList<Actor> Actors { get; init => field = value ?? []; } = [];

    /// <summary>
    /// Further facts for the caller's own rules. A fact equal to one already given (the same instance, or an equal record)
    /// is one fact to the rules and is inserted once; a <see langword="null"/> entry is refused when the facts are decided.
    /// </summary>
    public IReadOnlyList<object> AdditionalFacts { get; init => field = value ?? []; } = [];

    /// <summary>The event payload: <see cref="Event"/>, else the envelope's payload.</summary>
    public EventPayload? EffectiveEvent => Event ?? Envelope?.Data;

    /// <summary>The site the evaluation is for: the site profile's id, else the envelope's site.</summary>
    public SiteId? EffectiveSite => Site?.Id ?? Envelope?.Site;

    internal LotId? LotKey => Lot?.Id;

    internal bool HasAdditionalFact<T>()
    {
        for (var i = 0; i < AdditionalFacts.Count; i++)
        {
            if (AdditionalFacts[i] is T)
            {
                return true;
            }
        }

        return false;
    }

    internal void InsertInto(ISession session, FactFilter filter, List<object> inserted, IReadOnlyDictionary<CustomerId, CustomerQualityRequirements> customers)
    {
        // Typed, reflection-free collection of the facts the rule set reads: context facts first, the event last. They are
        // inserted as one batch, so the network propagates each fact type once instead of once per fact.
        Collect(filter, inserted, customers);
        session.InsertAll(inserted);
    }

    /// <summary>The requirements of the customers the lot is allocated to, or <see langword="null"/> when none has any.</summary>
    internal LotCustomerRequirements? CustomerRequirements(IReadOnlyDictionary<CustomerId, CustomerQualityRequirements> customers)
    {
        List<CustomerQualityRequirements>? items = null;
        foreach (var allocation in Allocations)
        {
            if (allocation.Customer is { } customer && customers.TryGetValue(customer, out var requirements) && (items is null || !items.Contains(requirements)))
            {
                (items ??= new List<CustomerQualityRequirements>(2)).Add(requirements);
            }
        }

        if (items is null)
        {
            return null;
        }

        var lot = Lot?.Id ?? Allocations[0].Lot;
        var certificateOnFile = false;
        foreach (var certificate in CertificatesOfAnalysis)
        {
            certificateOnFile |= certificate.Lot == lot;
        }

        return new LotCustomerRequirements(lot, items, certificateOnFile);
    }

    private void Collect(FactFilter filter, List<object> inserted, IReadOnlyDictionary<CustomerId, CustomerQualityRequirements> customers)
    {
        if (Site is not null && filter.Site)
        {
            inserted.Add(Site);
        }

        if (Lot is not null && filter.Lot)
        {
            inserted.Add(Lot);
        }

        if (Material is not null && filter.Material)
        {
            inserted.Add(Material);
        }

        if (Order is not null && filter.Order)
        {
            inserted.Add(Order);
        }

        if (SupplierHistory is not null && filter.SupplierHistory)
        {
            inserted.Add(SupplierHistory);
        }

        if (Allocations.Count > 0 && filter.Allocations)
        {
            inserted.Add(new OpenAllocations(Lot?.Id ?? Allocations[0].Lot, Allocations));
        }

        if (customers.Count > 0 && filter.CustomerRequirements && CustomerRequirements(customers) is { } requirements)
        {
            inserted.Add(requirements);
        }

        if (Genealogy.Count > 0 && filter.Genealogy)
        {
            inserted.Add(new LotGenealogy(Lot?.Id ?? Genealogy[0].ComponentLot, Genealogy));
        }

        if (ScrapWindow is not null && filter.ScrapWindow)
        {
            inserted.Add(ScrapWindow);
        }

        var payload = EffectiveEvent;
        if (payload is CycleCountRecorded && filter.CountTolerances)
        {
            inserted.Add(CountTolerances ?? CountToleranceProfile.Default);
        }
        else if (CountTolerances is not null && filter.CountTolerances)
        {
            inserted.Add(CountTolerances);
        }

        if (CountAuthority is not null && filter.CountAuthority)
        {
            inserted.Add(CountAuthority);
        }

        for (var i = 0; filter.Recommendation && i < Recommendations.Count; i++)
        {
            AddDistinct(inserted, Recommendations[i] ?? throw NullFact(nameof(Recommendations), i));
        }

        for (var i = 0; i < AdditionalFacts.Count; i++)
        {
            var fact = AdditionalFacts[i] ?? throw NullFact(nameof(AdditionalFacts), i);
            if (filter.Accepts(fact.GetType()))
            {
                AddDistinct(inserted, fact);
            }
        }

        if (Envelope is not null && filter.Envelope)
        {
            inserted.Add(Envelope);
        }

        if (payload is not null)
        {
            inserted.Add(payload);
        }
    }

    // A session holds a fact once (NRules tells facts apart by equality): an equal fact given again adds nothing the
    // rules could see, so it is not inserted a second time. The facts of one evaluation are a handful: a scan, no set.
    private static void AddDistinct(List<object> inserted, object fact)
    {
        for (var i = 0; i < inserted.Count; i++)
        {
            if (ReferenceEquals(inserted[i], fact) || inserted[i].Equals(fact))
            {
                return;
            }
        }

        inserted.Add(fact);
    }

    private static ArgumentException NullFact(string list, int index) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"FactSet.{list}[{index}] is null: leave it out instead."), "facts");

    private static void Add(ISession session, List<object>? inserted, object fact)
    {
        session.Insert(fact);
        inserted?.Add(fact);
    }
}
