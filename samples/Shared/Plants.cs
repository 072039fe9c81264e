using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// The three plants of the scenarios (electronic assemblies): P1 and P2 are general plants, P3 builds medical
/// assemblies and is regulated (releases, scrap and use-as-is there need a person's signature). The people who work
/// there and the materials they use.
/// </summary>
public static class Plants
{
    /// <summary>Plant 1.</summary>
    public static readonly SiteProfile P1 = new() { Id = new SiteId("P1"), Name = "Plant 1 (assemblies)", HoldLocation = new BinId("HOLD-P1") };

    /// <summary>Plant 2.</summary>
    public static readonly SiteProfile P2 = new() { Id = new SiteId("P2"), Name = "Plant 2 (assemblies)", HoldLocation = new BinId("HOLD-P2") };

    /// <summary>Plant 3: regulated (medical assemblies).</summary>
    public static readonly SiteProfile P3 = new() { Id = new SiteId("P3"), Name = "Plant 3 (medical)", HoldLocation = new BinId("HOLD-P3"), IsRegulated = true, Industry = IndustryProfile.MedicalDevice };

    /// <summary>All three.</summary>
    public static readonly IReadOnlyList<SiteProfile> All = [P1, P2, P3];

    /// <summary>The supplier of the capacitors.</summary>
    public static readonly SupplierId Acme = new("S-ACME");

    /// <summary>A 100 µF capacitor (critical, class A, from <see cref="Acme"/>).</summary>
    public static readonly MaterialId Capacitor = new("CAP-100UF");

    /// <summary>M3 screws (class C).</summary>
    public static readonly MaterialId Screws = new("SCR-M3");

    /// <summary>Gold bonding wire (class A, controlled).</summary>
    public static readonly MaterialId GoldWire = new("AU-WIRE");

    /// <summary>The finished board the plants build.</summary>
    public static readonly MaterialId Board = new("PCB-1");

    /// <summary>The incoming inspector (asks for releases, so never signs them).</summary>
    public static readonly ActorId Inspector = new("insp-ivy");

    /// <summary>The quality manager (signs releases at the regulated plant).</summary>
    public static readonly ActorId QualityManager = new("qm-quinn");

    /// <summary>The cycle counter (operator; also a count supervisor, but never of their own count).</summary>
    public static readonly ActorId Counter = new("cnt-carl");

    /// <summary>The cycle-count supervisor.</summary>
    public static readonly ActorId CountSupervisor = new("ccs-cleo");

    /// <summary>An MRB member.</summary>
    public static readonly ActorId MrbMember = new("mrb-mia");

    /// <summary>The orchestration operator who resolves dead letters.</summary>
    public static readonly ActorId Operator = new("op-olga");

    /// <summary>The people, with their roles at every plant.</summary>
    public static IReadOnlyList<Actor> People { get; } =
    [
        Person(Inspector, Role.QualityEngineer),
        Person(QualityManager, Role.QualityManager),
        Person(Counter, Role.Operator, Role.CycleCountSupervisor),
        Person(CountSupervisor, Role.CycleCountSupervisor),
        Person(MrbMember, Role.MrbMember),
        Person(Operator, Role.OrchestrationOperator),
    ];

    /// <summary>Who signs for a role in the samples (never the requester: the engine checks that anyway).</summary>
    /// <param name="role">The role asked for.</param>
    /// <returns>The signer.</returns>
    public static ActorId SignerFor(Role role) =>
        role == Role.QualityManager ? QualityManager
        : role == Role.CycleCountSupervisor ? CountSupervisor
        : role == Role.MrbMember ? MrbMember
        : QualityManager;

    /// <summary>Registers the plants' hold bins and the material master in the simulators.</summary>
    /// <param name="plant">The simulators.</param>
    /// <returns>The same simulators.</returns>
    public static PlantSimulator Seed(PlantSimulator plant)
    {
        ArgumentNullException.ThrowIfNull(plant);
        foreach (var site in All)
        {
            plant.AddSite(site);
        }

        plant.AddMaterial(new MaterialDefinition { Id = Capacitor, Description = "Capacitor 100 µF", BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, AbcClass = AbcClass.A, Supplier = Acme, AlternateSuppliers = [new SupplierId("S-BETA")] });
        plant.AddMaterial(new MaterialDefinition { Id = Screws, Description = "Screw M3", BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.C });
        plant.AddMaterial(new MaterialDefinition { Id = GoldWire, Description = "Gold bonding wire", BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.A, IsControlled = true });
        plant.AddMaterial(new MaterialDefinition { Id = Board, Description = "Assembled board", BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.B });
        return plant;
    }

    /// <summary>Adds a lot to the ERP and the WMS (bin <c>RCV-&lt;site&gt;</c>), all of it in one stock category.</summary>
    /// <param name="plant">The simulators.</param>
    /// <param name="lot">The lot id.</param>
    /// <param name="material">The material.</param>
    /// <param name="site">The plant.</param>
    /// <param name="quantity">How many.</param>
    /// <param name="category">The stock category.</param>
    /// <param name="consumed">How many were already consumed by production.</param>
    /// <returns>The lot.</returns>
    public static MaterialLot AddLot(PlantSimulator plant, string lot, MaterialId material, SiteId site, decimal quantity, StockCategory category, decimal consumed = 0)
    {
        ArgumentNullException.ThrowIfNull(plant);
        var added = new MaterialLot
        {
            Id = new LotId(lot),
            Material = material,
            Site = site,
            Supplier = material == Capacitor ? Acme : null,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = category, Quantity = Quantity.Each(quantity) }],
            ConsumedQuantity = consumed,
            QualityDecision = category switch
            {
                StockCategory.Unrestricted => QualityDecision.Accepted,
                StockCategory.Blocked => QualityDecision.Rejected,
                _ => QualityDecision.Pending,
            },
        };
        if (category == StockCategory.Unrestricted)
        {
            added = added with { Disposition = LotDisposition.Unrestricted };
        }

        plant.AddLot(added, new BinId("RCV-" + site.Value));
        return added;
    }

    private static Actor Person(ActorId id, params Role[] roles) => new()
    {
        Id = id,
        Roles = [.. roles.SelectMany(role => All.Select(site => new RoleAssignment { Role = role, Site = site.Id }))],
    };
}
