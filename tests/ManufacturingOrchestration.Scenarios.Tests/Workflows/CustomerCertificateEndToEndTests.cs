using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>
/// A release of a lot allocated to a customer whose requirements ask for a certificate of analysis: the shipped workflows
/// read the lot's allocations from the ERP and its certificates from the QMS, so the release waits without one and goes
/// through with one.
/// </summary>
public class CustomerCertificateEndToEndTests
{
    private static readonly CustomerId NeedsCertificate = new("C1");
    private static readonly CustomerId WithoutRequirements = new("C2");
    private static readonly CustomerId NoConcessions = new("C3");
    private static readonly LotId FinishedLot = new("FG-C");

    private static readonly Lazy<DecisionEngine> Rules = new(() => new DecisionEngineBuilder()
        .AddStandardRules()
        .AddCustomerRequirements(new CustomerQualityRequirements { Customer = NeedsCertificate, RequiresCertificateOfAnalysis = true })
        .AddCustomerRequirements(new CustomerQualityRequirements { Customer = NoConcessions, ForbidsUseAsIs = true })
        .Build());

    [Fact]
    public async Task FinishedGoods_ForCustomerRequiringCertificate_NoneInTheQms_WaitsForApprovalAndReleasesNothing()
    {
        await using var host = await StartWithFinishedLotAsync(NeedsCertificate);

        await host.PublishAndWaitAsync(Released("rel-c1"));

        await host.ShouldHaveNoDeadLettersAsync();
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync(FinishedLot.Value, ScenarioTestHost.Ct)).Should().ContainSingle().Subject;
        pending.ReasonCode.Should().Be(ReasonCodes.CustomerCertificateRequired);
        pending.Role.Should().Be(Role.QualityManager);
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(50);
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(0);
        host.ErpMovements("321").Should().Be(0);
        host.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeTrue();
        host.Plant.Qms.Calls.Should().Contain(c => c.Operation == QueryKinds.QmsGetCertificatesOfAnalysis);
        (await host.Traceability.GetAsync(FinishedLot, ScenarioTestHost.Ct)).Should().BeNull("the genealogy is published with the release");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task FinishedGoods_ForCustomerRequiringCertificate_CertificateInTheQms_IsReleased()
    {
        await using var host = await StartWithFinishedLotAsync(NeedsCertificate);
        host.Plant.AddCertificateOfAnalysis(Certificate(FinishedLot));

        await host.PublishAndWaitAsync(Released("rel-c1-coa"));

        await host.ShouldHaveNoDeadLettersAsync();
        (await host.Orchestrator.GetPendingApprovalsAsync(FinishedLot.Value, ScenarioTestHost.Ct)).Should().BeEmpty();
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(50);
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.QualityInspection).Should().Be(0);
        host.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeFalse();
    }

    [Theory]
    [InlineData("C2")]
    [InlineData("C3")]
    public async Task FinishedGoods_ForCustomerNotRequiringCertificate_IsReleasedWithoutAskingTheQms(string customer)
    {
        await using var host = await StartWithFinishedLotAsync(new CustomerId(customer));

        await host.PublishAndWaitAsync(Released("rel-" + customer));

        await host.ShouldHaveNoDeadLettersAsync();
        (await host.Orchestrator.GetPendingApprovalsAsync(FinishedLot.Value, ScenarioTestHost.Ct)).Should().BeEmpty();
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(50);
        host.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeFalse();
        host.Plant.Erp.Calls.Should().Contain(c => c.Operation == QueryKinds.ErpGetOpenAllocations);
        host.Plant.Qms.Calls.Should().NotContain(c => c.Operation == QueryKinds.QmsGetCertificatesOfAnalysis);
    }

    [Fact]
    public async Task FinishedGoods_WaitingForCertificate_ApprovedOnceOnFile_ReleasesStockAndLiftsTheShipmentHold()
    {
        await using var host = await StartWithFinishedLotAsync(NeedsCertificate);
        await host.PublishAndWaitAsync(Released("rel-c1-wait"));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync(FinishedLot.Value, ScenarioTestHost.Ct)).Should().ContainSingle().Subject;

        var signature = new ElectronicSignature
        {
            Signer = ScenarioTestHost.QualityManagerId,
            Role = Role.QualityManager,
            Meaning = SignatureMeaning.Approve,
            SignedAt = host.Host.Time.GetUtcNow(),
            Reason = "certificate of analysis received",
        };
        var result = await host.Host.SignAsync(EngineTestHost.Attempt(FinishedLot.Value, pending.RequestId, signature));

        result.Succeeded.Should().BeTrue(result.Message);
        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(50);
        host.Plant.Erp.HasShipmentHold(FinishedLot).Should().BeFalse("the shipment hold gated with the release is lifted by the release's approval");
        (await host.Traceability.GetAsync(FinishedLot, ScenarioTestHost.Ct)).Should().NotBeNull();
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task FinishedGoods_QmsServingNoCertificates_WaitsForApprovalInsteadOfFailing()
    {
        await using var host = await StartWithFinishedLotAsync(NeedsCertificate, plant => new AdapterSet()
            .Add(CommandKinds.ErpSystem, plant.Erp)
            .Add(CommandKinds.MesSystem, plant.Mes)
            .Add(CommandKinds.QmsSystem, new QmsWithoutCertificates(plant.Qms))
            .Add(CommandKinds.WmsSystem, plant.Wms)
            .Add(CommandKinds.ProcurementSystem, plant.Procurement)
            .Add(CommandKinds.NotificationSystem, plant.Notification));
        host.Plant.AddCertificateOfAnalysis(Certificate(FinishedLot));

        await host.PublishAndWaitAsync(Released("rel-c1-no-query"));

        await host.ShouldHaveNoDeadLettersAsync();
        (await host.Orchestrator.GetPendingApprovalsAsync(FinishedLot.Value, ScenarioTestHost.Ct)).Should().ContainSingle()
            .Which.ReasonCode.Should().Be(ReasonCodes.CustomerCertificateRequired, "without a QMS that serves certificates none is on file for the rules");
        host.Plant.Erp.QuantityIn(FinishedLot, StockCategory.Unrestricted).Should().Be(0);
        host.Plant.Qms.Calls.Should().NotContain(c => c.Operation == QueryKinds.QmsGetCertificatesOfAnalysis);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IncomingInspectionPassed_ForCustomerRequiringCertificate_ReleasedOnlyWithCertificateInTheQms(bool certificateOnFile)
    {
        await using var host = await ScenarioTestHost.StartAsync(rules: Rules.Value);
        host.Host.AddLotInInspection("L-C1", 40);
        host.Plant.Erp.AddAllocation(new Allocation { Order = new OrderId("SO-C1"), Lot = new LotId("L-C1"), Material = EngineTestHost.Capacitor, Quantity = Quantity.Each(40), Customer = NeedsCertificate });
        if (certificateOnFile)
        {
            host.Plant.AddCertificateOfAnalysis(Certificate(new LotId("L-C1")));
        }

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-C1", "pass-c1"));

        await host.ShouldHaveNoDeadLettersAsync();
        var pending = await host.Orchestrator.GetPendingApprovalsAsync("L-C1", ScenarioTestHost.Ct);
        if (certificateOnFile)
        {
            pending.Should().BeEmpty();
            host.Plant.Erp.QuantityIn(new LotId("L-C1"), StockCategory.Unrestricted).Should().Be(40);
        }
        else
        {
            pending.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.CustomerCertificateRequired);
            host.Plant.Erp.QuantityIn(new LotId("L-C1"), StockCategory.Unrestricted).Should().Be(0);
            host.Plant.Erp.QuantityIn(new LotId("L-C1"), StockCategory.QualityInspection).Should().Be(40);
        }
    }

    [Fact]
    public async Task Release_WithoutCustomerRequirementsInTheRules_ReadsNeitherAllocationsNorCertificates()
    {
        await using var host = await ScenarioTestHost.StartAsync();
        host.Host.AddLotInInspection("L-PLAIN", 10);
        host.Plant.Erp.AddAllocation(new Allocation { Order = new OrderId("SO-P"), Lot = new LotId("L-PLAIN"), Material = EngineTestHost.Capacitor, Quantity = Quantity.Each(10), Customer = NeedsCertificate });

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-PLAIN", "pass-plain"));

        host.Plant.Erp.QuantityIn(new LotId("L-PLAIN"), StockCategory.Unrestricted).Should().Be(10);
        host.Plant.Erp.Calls.Should().NotContain(c => c.Operation == QueryKinds.ErpGetOpenAllocations);
        host.Plant.Qms.Calls.Should().NotContain(c => c.Operation == QueryKinds.QmsGetCertificatesOfAnalysis);
    }

    private static async Task<ScenarioTestHost> StartWithFinishedLotAsync(CustomerId customer, Func<PlantSimulator, AdapterSet>? adapters = null)
    {
        var host = await ScenarioTestHost.StartAsync(rules: Rules.Value, adapters: adapters);
        host.AddLot(FinishedLot.Value, 50, StockCategory.QualityInspection, ScenarioTestHost.Board);
        (await host.Plant.Erp.PlaceShipmentHoldAsync(new PlaceShipmentHoldRequest
        {
            Context = new CommandContext { IdempotencyKey = "seed-hold", CorrelationId = "seed" },
            Lot = FinishedLot,
        }, ScenarioTestHost.Ct)).IsSuccess.Should().BeTrue();
        host.Plant.Erp.AddAllocation(new Allocation { Order = new OrderId("SO-" + customer.Value), Lot = FinishedLot, Material = ScenarioTestHost.Board, Quantity = Quantity.Each(50), Customer = customer });
        return host;
    }

    private static CertificateOfAnalysis Certificate(LotId lot) =>
        new() { Lot = lot, Document = new EvidenceReference { Location = new Uri("https://qms.example/coa/" + lot.Value + ".pdf"), MediaType = "application/pdf" } };

    private static EventEnvelope Released(string eventId) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.LotReleased, new LotReleased
        {
            Lot = FinishedLot,
            Material = ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            ReleasedBy = ScenarioTestHost.QualityManagerId,
        }, source: "qms://plant-1");

    /// <summary>A QMS connector that offers everything the simulator does except certificates of analysis, as a QMS composed before the query existed.</summary>
    private sealed class QmsWithoutCertificates(QmsSimulator qms) :
        ICommandHandler<CreateInspectionLotRequest>,
        ICommandHandler<OpenNonconformanceRequest>,
        ICommandHandler<UpdateNonconformanceStatusRequest>,
        ICommandHandler<RecordCorrectionRequest>,
        ICommandHandler<RecordDispositionRequest>,
        ICommandHandler<OpenSupplierCaseRequest>,
        IQueryHandler<GetInspectionLotQuery, InspectionLot?>,
        IQueryHandler<GetNonconformanceQuery, Nonconformance?>,
        IQueryHandler<GetSupplierQualityHistoryQuery, SupplierQualityHistory?>
    {
        public ValueTask<AdapterResult> ExecuteAsync(CreateInspectionLotRequest command, CancellationToken cancellationToken = default) => qms.CreateInspectionLotAsync(command, cancellationToken);

        public ValueTask<AdapterResult> ExecuteAsync(OpenNonconformanceRequest command, CancellationToken cancellationToken = default) => qms.OpenNonconformanceAsync(command, cancellationToken);

        public ValueTask<AdapterResult> ExecuteAsync(UpdateNonconformanceStatusRequest command, CancellationToken cancellationToken = default) => qms.UpdateNonconformanceStatusAsync(command, cancellationToken);

        public ValueTask<AdapterResult> ExecuteAsync(RecordCorrectionRequest command, CancellationToken cancellationToken = default) => qms.RecordCorrectionAsync(command, cancellationToken);

        public ValueTask<AdapterResult> ExecuteAsync(RecordDispositionRequest command, CancellationToken cancellationToken = default) => qms.RecordDispositionAsync(command, cancellationToken);

        public ValueTask<AdapterResult> ExecuteAsync(OpenSupplierCaseRequest command, CancellationToken cancellationToken = default) => qms.OpenSupplierCaseAsync(command, cancellationToken);

        public ValueTask<InspectionLot?> QueryAsync(GetInspectionLotQuery query, CancellationToken cancellationToken = default) => qms.GetInspectionLotAsync(query.InspectionLot, cancellationToken);

        public ValueTask<Nonconformance?> QueryAsync(GetNonconformanceQuery query, CancellationToken cancellationToken = default) => qms.GetNonconformanceAsync(query.Nonconformance, cancellationToken);

        public ValueTask<SupplierQualityHistory?> QueryAsync(GetSupplierQualityHistoryQuery query, CancellationToken cancellationToken = default) =>
            qms.GetSupplierQualityHistoryAsync(query.Supplier, query.WindowStart, query.WindowEnd, cancellationToken);
    }
}
