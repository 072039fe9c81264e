using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Rules.Tests;

/// <summary>Representative facts for the seed's scenarios.</summary>
internal static class TestFacts
{
    public static readonly SiteId SiteId = new("plant-1");
    public static readonly LotId LotId = new("L-1");
    public static readonly MaterialId MaterialId = new("CAP-100uF");
    public static readonly SupplierId Supplier = new("acme");

    public static SiteProfile Site(bool regulated = false, IndustryProfile industry = IndustryProfile.General) =>
        new() { Id = SiteId, IsRegulated = regulated, Industry = industry, HoldLocation = new BinId("HOLD-01") };

    public static MaterialDefinition Material(CriticalityClass criticality = CriticalityClass.C, AbcClass abc = AbcClass.C, bool controlled = false, params SupplierId[] alternates) =>
        new()
        {
            Id = MaterialId, BaseUnit = UnitOfMeasure.Each, Criticality = criticality, AbcClass = abc, IsControlled = controlled,
            Supplier = Supplier, AlternateSuppliers = alternates,
        };

    public static MaterialLot Lot(bool restricted = false, decimal consumed = 0) =>
        new()
        {
            Id = LotId, Material = MaterialId, Site = SiteId, Supplier = Supplier, Unit = UnitOfMeasure.Each, IsRestrictedBatch = restricted,
            ConsumedQuantity = consumed,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(1000) }],
        };

    public static InspectionFailed Failed(DefectSeverity severity = DefectSeverity.Major) =>
        new()
        {
            InspectionLot = new InspectionLotId("IL-1"), Lot = LotId, Material = MaterialId, Site = SiteId, Supplier = Supplier,
            Severity = severity, RejectedQuantity = Quantity.Each(1000), DefectDescription = "capacitance out of tolerance",
            Evidence = [new EvidenceReference { Location = new Uri("https://qms.example/evidence/1.jpg"), MediaType = "image/jpeg" }],
        };

    public static InspectionPassed Passed(UsageDecision decision = UsageDecision.Accept) =>
        new() { InspectionLot = new InspectionLotId("IL-2"), Lot = LotId, Material = MaterialId, Site = SiteId, UsageDecision = decision };

    public static FactSet FailedFacts(DefectSeverity severity = DefectSeverity.Major, CriticalityClass criticality = CriticalityClass.C, bool regulated = false) =>
        new() { Event = Failed(severity), Lot = Lot(), Material = Material(criticality), Site = Site(regulated) };

    public static FactSet PassedFacts(bool regulated = false, bool restricted = false, UsageDecision decision = UsageDecision.Accept) =>
        new() { Event = Passed(decision), Lot = Lot(restricted), Material = Material(), Site = Site(regulated) };

    public static DecisionEngine StandardEngine() => new DecisionEngineBuilder().WithRuleSet("mo.standard", "1.0.0").AddStandardRules().Build();
}
