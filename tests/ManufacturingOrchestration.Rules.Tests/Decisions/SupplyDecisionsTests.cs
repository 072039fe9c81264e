using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class SupplyDecisionsTests
{
    private static readonly MaterialId M1 = new("M-1");
    private static readonly SiteId P1 = new("P1");
    private static readonly LotId L1 = new("L-1");
    private static readonly SupplierId S1 = new("S1");
    private static readonly NonconformanceId Ncr = new("NC-1");

    private static NotifyProcurement Notify(string material = "M-1", string site = "P1", string? lot = "L-1", bool expedite = true, string message = "replace it") => new()
    {
        Material = new MaterialId(material), Site = new SiteId(site), Lot = lot is null ? null : new LotId(lot), Supplier = S1, Expedite = expedite, Message = message,
    };

    private static RequestAlternateSupply Alternate(string material = "M-1", string site = "P1", Quantity? quantity = null, params SupplierId[] suppliers) => new()
    {
        Material = new MaterialId(material), Site = new SiteId(site), Quantity = quantity, AlternateSuppliers = suppliers,
    };

    private static OpenSupplierCase SupplierCase(string supplier = "S1", string lot = "L-1", DefectSeverity severity = DefectSeverity.Critical, int evidence = 2) => new()
    {
        Supplier = new SupplierId(supplier), Lot = new LotId(lot), Material = M1, Site = P1, Severity = severity,
        Evidence = Enumerable.Range(1, evidence).Select(i => new EvidenceReference { Location = new Uri($"https://qms.example/evidence/{i}.jpg") }).ToArray(),
    };

    private static ReturnToSupplier Return(string lot = "L-1", string ncr = "NC-1", string? supplier = "S1", decimal quantity = 100) => new()
    {
        Lot = new LotId(lot), Site = P1, Nonconformance = new NonconformanceId(ncr), Quantity = Quantity.Each(quantity), Supplier = supplier is null ? null : new SupplierId(supplier),
    };

    [Fact]
    public void Describe_NotifyProcurementWithLotAndExpedite_NamesBoth()
    {
        var notify = Notify();

        notify.Describe().Should().Be("Notify procurement about M-1 lot L-1 at P1 (expedite): replace it");
        notify.ToString().Should().Be("Notify procurement about M-1 lot L-1 at P1 (expedite): replace it");
        notify.Kind.Should().Be(DecisionKind.NotifyProcurement);
        notify.Governance.Should().Be(GovernedAction.None);
    }

    [Fact]
    public void Describe_NotifyProcurementWithoutLotOrExpedite_LeavesBothOut()
    {
        Notify(lot: null, expedite: false).Describe().Should().Be("Notify procurement about M-1 at P1: replace it");
    }

    [Fact]
    public void IsSameActionAs_NotifyProcurement_SameMaterialSiteAndLotWhateverTheMessage()
    {
        var notify = Notify();

        notify.IsSameActionAs(Notify(expedite: false, message: "other words")).Should().BeTrue();
        notify.IsSameActionAs(Notify(material: "M-2")).Should().BeFalse();
        notify.IsSameActionAs(Notify(site: "P2")).Should().BeFalse();
        notify.IsSameActionAs(Notify(lot: "L-2")).Should().BeFalse();
        notify.IsSameActionAs(Notify(lot: null)).Should().BeFalse();
        notify.IsSameActionAs(Alternate()).Should().BeFalse();
    }

    [Fact]
    public void Describe_RequestAlternateSupplyWithQuantity_NamesQuantityAndSuppliersInOrder()
    {
        var request = Alternate(quantity: Quantity.Each(512.5m), suppliers: [new SupplierId("S2"), new SupplierId("S3")]);

        request.Describe().Should().Be("Request alternate supply of M-1 at P1, 512.5 EA from S2, S3");
        request.Kind.Should().Be(DecisionKind.RequestAlternateSupply);
    }

    [Fact]
    public void Describe_RequestAlternateSupplyWithoutQuantity_LeavesTheQuantityOut()
    {
        Alternate(suppliers: [new SupplierId("S2")]).Describe().Should().Be("Request alternate supply of M-1 at P1 from S2");
        new RequestAlternateSupply { Material = M1, Site = P1 }.AlternateSuppliers.Should().BeEmpty();
    }

    [Fact]
    public void IsSameActionAs_RequestAlternateSupply_SameMaterialAndSiteWhateverTheQuantity()
    {
        var request = Alternate(quantity: Quantity.Each(5));

        request.IsSameActionAs(Alternate(quantity: Quantity.Each(7), suppliers: [S1])).Should().BeTrue();
        request.IsSameActionAs(Alternate(material: "M-2")).Should().BeFalse();
        request.IsSameActionAs(Alternate(site: "P2")).Should().BeFalse();
        request.IsSameActionAs(Notify()).Should().BeFalse();
    }

    [Fact]
    public void Describe_OpenSupplierCase_NamesSupplierLotSeverityAndEvidenceCount()
    {
        var supplierCase = SupplierCase();

        supplierCase.Describe().Should().Be("Open supplier case against S1 for lot L-1 (Critical, 2 evidence item(s))");
        SupplierCase(severity: DefectSeverity.Minor, evidence: 0).Describe().Should().Be("Open supplier case against S1 for lot L-1 (Minor, 0 evidence item(s))");
        supplierCase.Kind.Should().Be(DecisionKind.OpenSupplierCase);
        new OpenSupplierCase { Supplier = S1, Lot = L1, Material = M1, Site = P1 }.Evidence.Should().BeEmpty();
    }

    [Fact]
    public void IsSameActionAs_OpenSupplierCase_SameSupplierAndLotWhateverTheSeverity()
    {
        var supplierCase = SupplierCase();

        supplierCase.IsSameActionAs(SupplierCase(severity: DefectSeverity.Minor, evidence: 0)).Should().BeTrue();
        supplierCase.IsSameActionAs(SupplierCase(supplier: "S2")).Should().BeFalse();
        supplierCase.IsSameActionAs(SupplierCase(lot: "L-2")).Should().BeFalse();
        supplierCase.IsSameActionAs(Return()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ReturnToSupplier_NamesQuantityLotSupplierAndNonconformance()
    {
        var returned = Return();

        returned.Describe().Should().Be("Return 100 EA of lot L-1 to supplier S1 (NCR NC-1)");
        returned.Kind.Should().Be(DecisionKind.ReturnToSupplier);
        returned.Governance.Should().Be(GovernedAction.None);
    }

    [Fact]
    public void Describe_ReturnToSupplierWithoutSupplier_SaysTheLotsSupplier()
    {
        Return(supplier: null).Describe().Should().Be("Return 100 EA of lot L-1 to supplier (of the lot) (NCR NC-1)");
    }

    [Fact]
    public void IsSameActionAs_ReturnToSupplier_SameLotAndNonconformanceWhateverTheQuantity()
    {
        var returned = Return();

        returned.IsSameActionAs(Return(supplier: null, quantity: 5)).Should().BeTrue();
        returned.IsSameActionAs(Return(lot: "L-2")).Should().BeFalse();
        returned.IsSameActionAs(Return(ncr: "NC-2")).Should().BeFalse();
        returned.IsSameActionAs(SupplierCase()).Should().BeFalse();
        returned.Nonconformance.Should().Be(Ncr);
        returned.Lot.Should().Be(L1);
    }
}
