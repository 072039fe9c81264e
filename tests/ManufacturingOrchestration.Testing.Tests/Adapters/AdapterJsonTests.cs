using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class AdapterJsonTests
{
    private static readonly OperationRegistry Registry = OperationRegistry.CreateDefault();

    private static string Serialize(AdapterCommand command) => System.Text.Encoding.UTF8.GetString(Registry.Serialize(command));

    private static AdapterCommand Deserialize(string kind, string json) => Registry.Deserialize(kind, System.Text.Encoding.UTF8.GetBytes(json));

    public static TheoryData<AdapterCommand> Commands() =>
    [
        Change(12.5m, StockCategory.Unrestricted, StockCategory.Blocked) with { ReasonCode = ReasonCode.Parse("qm.inspection-failed"), Location = new StorageLocationId("0001") },
        Movement(MovementKind.Consumption, 3, from: StockCategory.Unrestricted, order: Order),
        new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = "4900000001", Lot = Lot },
        new SetBatchStatusRequest { Context = Context(), Lot = Lot, IsRestrictedBatch = true, Disposition = LotDisposition.Restricted, QualityDecision = QualityDecision.AcceptedRestricted },
        new ReevaluateAllocationsRequest { Context = Context(), Lot = Lot },
        new UpdateAtpRequest { Context = Context(), Material = Capacitor, Site = Plant, Lot = Lot },
        new PlaceShipmentHoldRequest { Context = Context(), Lot = Lot },
        new ReleaseShipmentHoldRequest { Context = Context(), Lot = Lot, Deliveries = ["80001234"] },
        new PostCountAdjustmentRequest { Context = Context(), Count = new CycleCountId("CC-9"), Lot = Lot, Material = Capacitor, Site = Plant, Difference = Ea(4), IsIncrease = true, ApprovedBy = new ActorId("sup.1") },
        new PostProductionConfirmationRequest { Context = Context(), Order = Order, Yield = Ea(90), Scrap = Ea(10), IsFinal = true },
        new ConfirmScrapDestructionRequest { Context = Context(), Lot = Lot, Quantity = Ea(7), DisposalReference = "DC-1" },
        new CreateQuarantineOrderRequest { Context = Context(), Order = new QuarantineOrderId("QO-1"), Lot = Lot, Quantity = Ea(20), RegularLocation = new StorageLocationId("WH-1"), QuarantineLocation = new StorageLocationId("QW-1") },
        new ChangeQuarantineOrderRequest { Context = Context(), Order = new QuarantineOrderId("QO-1"), Status = QuarantineOrderStatus.ReportedAsFinished },
        new HoldWorkOrderRequest { Context = Context(), Order = Order, Lot = Lot },
        new ReleaseWorkOrderRequest { Context = Context(), Order = Order },
        new RequestContainmentCheckRequest { Context = Context(), Lot = Lot, Orders = [Order] },
        new RecordProductionConfirmationRequest { Context = Context(), Order = Order, Yield = Ea(5), Consumed = [new MaterialActual { Order = Order, Lot = Lot, Material = Capacitor, Quantity = Ea(5), Use = MaterialUse.Consumed }] },
        new CreateInspectionLotRequest { Context = Context(), Lot = Lot, Material = Capacitor, Site = Plant, Quantity = Ea(50) },
        new OpenNonconformanceRequest { Context = Context(), Problem = "Capacitance low", Site = Plant, Lots = [Lot], Severity = DefectSeverity.Major, Evidence = [new EvidenceReference { Location = new Uri("https://files.example/e.jpg") }] },
        new UpdateNonconformanceStatusRequest { Context = Context(), Nonconformance = new NonconformanceId("NC-1"), Status = NonconformanceStatus.Approved },
        new RecordCorrectionRequest { Context = Context(), Nonconformance = new NonconformanceId("NC-1"), Description = "Sorted" },
        new RecordDispositionRequest
        {
            Context = Context(),
            Nonconformance = new NonconformanceId("NC-1"),
            Line = new MrbDispositionLine
            {
                Disposition = MrbDisposition.UseAsIs,
                Lot = Lot,
                Quantity = Ea(10),
                Justification = "Within margin",
                Signature = new ElectronicSignature { Signer = new ActorId("mrb.chair"), Role = Role.MrbMember, Meaning = SignatureMeaning.Approve, SignedAt = DateTimeOffset.UnixEpoch, Reason = "MRB" },
            },
        },
        new OpenSupplierCaseRequest { Context = Context(), Supplier = Supplier, Problem = "Capacitance low" },
        new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, TargetCategory = StockCategory.Blocked },
        new PlaceHoldRequest { Context = Context(), Scope = WmsHoldScope.Location, Site = Plant, Bin = Rack },
        new ReleaseHoldRequest { Context = Context(), Scope = WmsHoldScope.Lot, Site = Plant, Lot = Lot },
        new PausePicksRequest { Context = Context(), Lot = Lot, Site = Plant },
        new ResumePicksRequest { Context = Context(), Lot = Lot, Site = Plant },
        new RequestAlternateSupplyRequest { Context = Context(), Material = Capacitor, Site = Plant, Quantity = Ea(500), ExcludedSupplier = Supplier, PreferredSuppliers = [new SupplierId("SUP-BETA")] },
        new NotifySupplierRequest { Context = Context(), Supplier = Supplier, Subject = "SCAR", Message = "See case" },
        new SendNotificationRequest { Context = Context() with { CausationId = "evt-1" }, Roles = [Role.Planner, Role.Buyer], Site = Plant, Severity = NotificationSeverity.Alert, Subject = "Lot blocked" },
        new PublishGenealogyRequest { Context = Context(), Lot = Lot, Material = Capacitor, Site = Plant, ProducedBy = new OrderId("WO-9"), Links = [new GenealogyLink { ComponentLot = Lot, Order = new OrderId("WO-9"), Quantity = Ea(40) }] },
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void SerializeThenDeserialize_ByKind_RoundTripsEveryCommand(AdapterCommand command)
    {
        var json = Serialize(command);

        var back = Deserialize(command.Kind, json);

        back.Should().BeOfType(command.GetType());
        back.Kind.Should().Be(command.Kind);
        Serialize(back).Should().Be(json);
        back.Should().BeEquivalentTo(command, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void CommandTypes_CoverEveryCommandKind()
    {
        Registry.Operations.Where(o => o.Type == OperationType.Command).Select(o => o.Kind).Should().BeEquivalentTo(CommandKinds.All);
        Commands().Select(row => row.Data.Kind).Should().BeEquivalentTo(CommandKinds.All);
    }

    [Fact]
    public void Serialize_UsesCamelCaseAndStringEnums()
    {
        var json = Serialize(Change(1, StockCategory.QualityInspection, StockCategory.Unrestricted, key: "k-json"));

        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("context").GetProperty("idempotencyKey").GetString().Should().Be("k-json");
        document.RootElement.GetProperty("fromCategory").GetString().Should().Be("qualityInspection");
        document.RootElement.TryGetProperty("kind", out _).Should().BeFalse();
    }

    [Fact]
    public void Deserialize_UnknownKind_ThrowsWithReasonCode()
    {
        var read = () => Deserialize("erp.teleport-stock", "{}");

        read.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.UnknownCommandKind);
    }

    [Fact]
    public void Deserialize_MissingRequiredMember_Throws()
    {
        var read = () => Deserialize(CommandKinds.ErpPlaceShipmentHold, "{\"lot\":\"L1\"}");

        read.Should().Throw<JsonException>();
    }
}
