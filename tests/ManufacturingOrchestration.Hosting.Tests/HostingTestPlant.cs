using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Hosting.Tests;

/// <summary>A plant simulator with one site, one material and lots in quality inspection, plus events for it.</summary>
internal static class HostingTestPlant
{
    public static readonly SiteId Site = new("P1");
    public static readonly MaterialId Capacitor = new("CAP-100UF");
    public static readonly SupplierId Supplier = new("S-ACME");

    public static PlantSimulator Create(TimeProvider time, params string[] lots)
    {
        var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = time, Seed = 11 });
        plant.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Supplier });
        foreach (var lot in lots)
        {
            plant.AddLot(new MaterialLot
            {
                Id = new LotId(lot),
                Material = Capacitor,
                Site = Site,
                Supplier = Supplier,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(50) }],
            }, new BinId("RCV-P1"));
        }

        return plant;
    }

    public static EventEnvelope Failed(string lot, string id) => new()
    {
        Id = id,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionFailed,
        Site = Site,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot),
            Lot = new LotId(lot),
            Material = Capacitor,
            Site = Site,
            Supplier = Supplier,
            Severity = DefectSeverity.Major,
            DefectDescription = "Out of tolerance",
        },
    };
}
