using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Model.Tests;

/// <summary>One realistic instance of every payload type, shared by the tests.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Now = new(2026, 5, 12, 8, 30, 0, TimeSpan.Zero);

    public static ElectronicSignature Signature(SignatureMeaning meaning = SignatureMeaning.Approve) => new()
    {
        Signer = new ActorId("qm-anna"),
        Role = Role.QualityManager,
        Meaning = meaning,
        SignedAt = Now,
        Reason = "Reviewed evidence",
    };

    public static GoodsReceived GoodsReceived() => new()
    {
        Lot = new LotId("CAP-2026-0042"),
        Material = new MaterialId("CAP-100UF"),
        Site = new SiteId("plant-1"),
        Quantity = Quantity.Each(5000),
        Supplier = new SupplierId("SUP-17"),
        Location = new StorageLocationId("0001"),
        PurchaseOrder = "4500001234",
        ExpiryDate = new DateOnly(2028, 1, 31),
    };

    public static InspectionFailed InspectionFailed() => new()
    {
        InspectionLot = new InspectionLotId("IL-890000000123"),
        Lot = new LotId("CAP-2026-0042"),
        Material = new MaterialId("CAP-100UF"),
        Site = new SiteId("plant-1"),
        Supplier = new SupplierId("SUP-17"),
        Severity = DefectSeverity.Major,
        RejectedQuantity = Quantity.Each(5000),
        Results =
        [
            new CharacteristicResult { Characteristic = "capacitance", MeasuredValue = 87.5m, LowerLimit = 90, UpperLimit = 110, Unit = "uF", Valuation = Valuation.Rejected, Severity = DefectSeverity.Major },
        ],
        DefectDescription = "Capacitance below tolerance on 12 of 50 samples",
        Evidence = [new EvidenceReference { Location = new Uri("https://qms.example/evidence/1.jpg"), MediaType = "image/jpeg" }],
        Inspector = new ActorId("qe-bob"),
    };

    public static IEnumerable<EventPayload> AllPayloads()
    {
        yield return GoodsReceived();
        yield return new InspectionPassed
        {
            InspectionLot = new InspectionLotId("IL-1"),
            Lot = new LotId("FG-77"),
            Material = new MaterialId("ASSY-9"),
            Site = new SiteId("plant-1"),
            Quantity = Quantity.Each(200),
            Origin = InspectionOrigin.Production,
            Results = [new CharacteristicResult { Characteristic = "visual", Valuation = Valuation.Accepted }],
        };
        yield return InspectionFailed();
        yield return new NonconformanceRaised
        {
            Nonconformance = new Nonconformance
            {
                Id = new NonconformanceId("NCR-1001"),
                Type = NonconformanceType.Supplier,
                Problem = "Capacitance out of tolerance",
                Site = new SiteId("plant-1"),
                Material = new MaterialId("CAP-100UF"),
                Lots = [new LotId("CAP-2026-0042")],
                Quantity = Quantity.Each(5000),
                Severity = DefectSeverity.Major,
                Supplier = new SupplierId("SUP-17"),
                Status = NonconformanceStatus.New,
            },
            RaisedBy = new ActorId("qe-bob"),
        };
        yield return new MrbDispositionDecided
        {
            Nonconformance = new NonconformanceId("NCR-1001"),
            Lot = new LotId("CAP-2026-0042"),
            Material = new MaterialId("CAP-100UF"),
            Site = new SiteId("plant-1"),
            Lines =
            [
                new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = new LotId("CAP-2026-0042"), Quantity = Quantity.Each(4000) },
                new MrbDispositionLine { Disposition = MrbDisposition.UseAsIs, Lot = new LotId("CAP-2026-0042"), Quantity = Quantity.Each(1000), Justification = "Within design margin", Authorizer = new ActorId("qm-anna"), Signature = Signature() },
            ],
            DecidedBy = new ActorId("qm-anna"),
        };
        yield return new ApprovalGiven { RequestId = "apr-1", PartitionKey = "CAP-2026-0042", Signature = Signature() };
        yield return new ApprovalRefused { RequestId = "apr-2", PartitionKey = "CAP-2026-0042", Signature = Signature(SignatureMeaning.Reject) };
        yield return new LotReleased
        {
            Lot = new LotId("FG-77"),
            Material = new MaterialId("ASSY-9"),
            Site = new SiteId("plant-1"),
            Quantity = Quantity.Each(200),
            ReleasedBy = new ActorId("qm-anna"),
            ProducedBy = new OrderId("1000123"),
            Backorders = ["SO-1", "SO-2"],
        };
        yield return new LotConsumed
        {
            Lot = new LotId("CAP-2026-0041"),
            Material = new MaterialId("CAP-100UF"),
            Site = new SiteId("plant-1"),
            Order = new OrderId("1000123"),
            Quantity = Quantity.Each(400),
            ProducedLot = new LotId("FG-77"),
        };
        yield return new ProductionConfirmed
        {
            Order = new OrderId("1000123"),
            Material = new MaterialId("ASSY-9"),
            Site = new SiteId("plant-1"),
            Yield = Quantity.Each(190),
            Scrap = Quantity.Each(10),
            ProducedLot = new LotId("FG-77"),
            Operation = "0020",
            ConfirmedBy = new ActorId("op-carl"),
        };
        yield return new CycleCountRecorded
        {
            Count = new CycleCount
            {
                Id = new CycleCountId("CC-55"),
                Material = new MaterialId("CAP-100UF"),
                Lot = new LotId("CAP-2026-0041"),
                Site = new SiteId("plant-1"),
                Bin = new BinId("A-01-03"),
                BookQuantity = Quantity.Each(1000),
                CountedQuantity = Quantity.Each(0),
                CountedBy = new ActorId("op-carl"),
            },
        };
        yield return new ScrapReported
        {
            Site = new SiteId("plant-1"),
            Line = "SMT-2",
            Material = new MaterialId("PCB-3"),
            Quantity = new Quantity(12.5m, UnitOfMeasure.Kilogram),
            GoodQuantity = new Quantity(400, UnitOfMeasure.Kilogram),
            ReasonCode = ReasonCode.Parse("solder-bridge"),
        };
        yield return new StockMoved
        {
            Movement = new GoodsMovement
            {
                Kind = MovementKind.CategoryTransfer,
                Lot = new LotId("CAP-2026-0042"),
                Material = new MaterialId("CAP-100UF"),
                Site = new SiteId("plant-1"),
                Quantity = Quantity.Each(5000),
                FromCategory = StockCategory.QualityInspection,
                ToCategory = StockCategory.Blocked,
                ExternalReferences = new Dictionary<string, string> { ["sap:material-document"] = "4900001111" },
            },
        };
        yield return new SupplierUpdated { Supplier = new SupplierId("SUP-17"), Change = "probation", Note = "Third major failure this quarter" };
        yield return new LotContainmentRequested
        {
            Lot = new LotId("FG-77"),
            Site = new SiteId("plant-1"),
            OriginLot = new LotId("CAP-2026-0041"),
            Path = [new LotId("CAP-2026-0041"), new LotId("FG-77")],
            ProducedBy = new OrderId("1000123"),
            Reason = "inspection IL-9 failed (critical)",
        };
        yield return new WorkOrderHeld { Order = new OrderId("1000123"), Site = new SiteId("plant-1"), Lot = new LotId("CAP-2026-0041"), Reason = "containment of failed lot CAP-2026-0041" };
        yield return new WorkOrderHoldReleased { Order = new OrderId("1000123"), Site = new SiteId("plant-1"), ReleasedBy = new ActorId("qm-anna"), Reason = "containment check passed" };
        yield return new TimerElapsed { TimerId = "inspection-result-overdue", Purpose = "escalate", DueAt = Now.AddHours(48), Data = "{\"inspectionLot\":\"IL-9\"}", Workflow = "acme-inspection", WorkflowVersion = 1, PartitionKey = "CAP-2026-0042" };
    }

    public static EventEnvelope Envelope(EventPayload payload) => new()
    {
        Id = "evt-1",
        Source = "qms://plant-1",
        Type = payload.EventType,
        Subject = payload.DefaultPartitionKey,
        Time = Now,
        PartitionKey = payload.DefaultPartitionKey,
        Sequence = 42,
        CorrelationId = "case-7",
        CausationId = "evt-0",
        TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        Site = new SiteId("plant-1"),
        Data = payload,
    };
}
