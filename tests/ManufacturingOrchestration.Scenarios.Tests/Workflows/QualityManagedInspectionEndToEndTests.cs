using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>
/// The same incoming-inspection scenario against the SAP-like and the D365-like ERP: a receipt of a QM-managed material
/// opens an inspection lot (quality order), and the shipped workflow's release or block is posted as that inspection
/// lot's usage decision — the only way the ERP lets the stock leave quality inspection.
/// </summary>
public sealed class QualityManagedInspectionEndToEndTests
{
    private const string LotId = "L-QM1";

    private static async Task<(ScenarioTestHost Host, InspectionLotId InspectionLot)> ReceiveAsync(ErpSimulatorProfile profile)
    {
        var host = await ScenarioTestHost.StartAsync(erpProfile: profile);
        host.Plant.Erp.AddInspectionSetup(new QualityInspectionSetup { Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site });
        var receipt = await host.Plant.Erp.PostGoodsMovementAsync(new PostGoodsMovementRequest
        {
            Context = new CommandContext { IdempotencyKey = "gr-" + LotId, CorrelationId = "receiving" },
            Movement = new GoodsMovement
            {
                Kind = MovementKind.GoodsReceipt,
                Lot = new LotId(LotId),
                Material = EngineTestHost.Capacitor,
                Site = EngineTestHost.Site,
                Quantity = Quantity.Each(100),
                ToCategory = StockCategory.Unrestricted,
            },
        }, ScenarioTestHost.Ct);
        receipt.IsSuccess.Should().BeTrue(receipt.Message);

        // The warehouse put the received goods away in receiving; the ERP's later postings reach it through the interface.
        host.Plant.Wms.AddStock(new LotId(LotId), new BinId("RCV-P1"), Quantity.Each(100), StockCategory.QualityInspection);
        return (host, host.Plant.Erp.GetLot(new LotId(LotId))!.Inspections.Should().ContainSingle().Subject.Id);
    }

    private static EventEnvelope Passed(InspectionLotId inspectionLot) =>
        EngineTestHost.Passed(LotId, "qi-pass") with { Data = ((InspectionPassed)EngineTestHost.Passed(LotId, "qi-pass").Data!) with { InspectionLot = inspectionLot } };

    private static EventEnvelope Failed(InspectionLotId inspectionLot) =>
        EngineTestHost.Failed(LotId, "qi-fail") with { Data = ((InspectionFailed)EngineTestHost.Failed(LotId, "qi-fail").Data!) with { InspectionLot = inspectionLot } };

    [Theory]
    [InlineData(ErpSimulatorProfile.SapLike)]
    [InlineData(ErpSimulatorProfile.D365Like)]
    public async Task PassedInspection_IsPostedAsTheInspectionLotsUsageDecision(ErpSimulatorProfile profile)
    {
        var (host, inspectionLot) = await ReceiveAsync(profile);
        await using var _ = host;

        await host.PublishAndWaitAsync(Passed(inspectionLot));

        var erpLot = host.Plant.Erp.GetLot(new LotId(LotId))!;
        erpLot.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
        erpLot.Inspections.Should().BeEmpty("the decision is posted: the inspection lot is complete");
        erpLot.QualityDecision.Should().Be(QualityDecision.Accepted);
        var copy = (await host.Host.Store.LoadPartitionAsync(LotId, ScenarioTestHost.Ct))!.Lot!;
        copy.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
        copy.Inspections.Should().BeEmpty();
        host.ErpMovements("321").Should().Be(1);
        await host.ShouldHaveNoDeadLettersAsync();
        await host.ShouldHaveValidAuditAsync();
    }

    [Theory]
    [InlineData(ErpSimulatorProfile.SapLike)]
    [InlineData(ErpSimulatorProfile.D365Like)]
    public async Task FailedInspection_IsPostedAsARejectingDecision_AndTheStockCannotBeReleasedPastIt(ErpSimulatorProfile profile)
    {
        var (host, inspectionLot) = await ReceiveAsync(profile);
        await using var _ = host;

        await host.PublishAndWaitAsync(Failed(inspectionLot));

        var erpLot = host.Plant.Erp.GetLot(new LotId(LotId))!;
        erpLot.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(100));
        erpLot.QualityDecision.Should().Be(QualityDecision.Rejected);
        erpLot.Inspections.Should().BeEmpty();
        host.ErpMovements("350").Should().Be(1);
        await host.ShouldHaveNoDeadLettersAsync();
    }

    [Theory]
    [InlineData(ErpSimulatorProfile.SapLike)]
    [InlineData(ErpSimulatorProfile.D365Like)]
    public async Task PassNamingAnotherInspectionLot_IsRefusedByTheLotMachine_AndNothingIsReleased(ErpSimulatorProfile profile)
    {
        var (host, _) = await ReceiveAsync(profile);
        await using var __ = host;

        await host.PublishAndWaitAsync(Passed(new InspectionLotId("IL-FOREIGN")));

        host.Plant.Erp.GetLot(new LotId(LotId))!.QuantityIn(StockCategory.Unrestricted).IsZero.Should().BeTrue();
        host.ErpMovements("321").Should().Be(0);
        var audit = await host.AuditOfAsync(LotId);
        audit.Should().Contain(r => r.Reason != null && r.Reason.Contains("lot.usage-decision-required", StringComparison.Ordinal), "the refusal is recorded with its reason");
    }
}
