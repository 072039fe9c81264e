using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class MesSimulatorTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;

    private static MesSimulator CreateSut()
    {
        var mes = new MesSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider() });
        mes.AddWorkOrder(OrderIn(ProductionOrderStatus.InProgress));
        mes.AddWorkOrder(OrderIn(ProductionOrderStatus.Released, new OrderId("WO-1002")));
        mes.AddGenealogy(new GenealogyLink { ComponentLot = Lot, ProducedLot = new LotId("FG-1"), Order = Order, Quantity = Ea(120) });
        return mes;
    }

    private static RecordProductionConfirmationRequest Confirmation(OrderId order) => new()
    {
        Context = Context(),
        Order = order,
        Yield = Ea(10),
        ProducedLot = new LotId("FG-2"),
        Consumed = [new MaterialActual { Order = order, Lot = Lot, Material = Capacitor, Quantity = Ea(30), Use = MaterialUse.Consumed }],
    };

    [Fact]
    public async Task GetConsumersAsync_ReportsWhichOrdersConsumedTheLotAndHowMuch()
    {
        var mes = CreateSut();
        await mes.RecordProductionConfirmationAsync(Confirmation(new OrderId("WO-1002")), s_ct);

        var consumers = await mes.GetConsumersAsync(Lot, s_ct);

        consumers.Select(l => (l.Order.Value, l.Quantity.Value)).Should().BeEquivalentTo(new[] { ("WO-1001", 120m), ("WO-1002", 30m) });
        (await mes.GetComponentsAsync(new LotId("FG-2"), s_ct)).Should().ContainSingle().Which.ComponentLot.Should().Be(Lot);
    }

    [Fact]
    public async Task RecordProductionConfirmationAsync_HeldWorkOrder_IsRefusedUntilReleased()
    {
        var mes = CreateSut();
        await mes.HoldWorkOrderAsync(new HoldWorkOrderRequest { Context = Context(), Order = Order, Lot = Lot, ReasonCode = ReasonCode.Parse("lot.on-hold") }, s_ct);

        var refused = await mes.RecordProductionConfirmationAsync(Confirmation(Order), s_ct);
        await mes.ReleaseWorkOrderAsync(new ReleaseWorkOrderRequest { Context = Context(), Order = Order }, s_ct);
        var accepted = await mes.RecordProductionConfirmationAsync(Confirmation(Order), s_ct);

        refused.Reason.Should().Be(ReasonCodes.OrderHeld);
        accepted.IsSuccess.Should().BeTrue();
        mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.InProgress);
        mes.GetWorkOrder(Order)!.ConfirmedQuantity.Should().Be(10);
    }

    [Fact]
    public async Task RecordProductionConfirmationAsync_AfterTheFinalConfirmation_IsRefusedAsTheOrderMachineRefusesIt()
    {
        var mes = CreateSut();
        var final = await mes.RecordProductionConfirmationAsync(Confirmation(Order) with { IsFinal = true }, s_ct);

        var another = await mes.RecordProductionConfirmationAsync(Confirmation(Order), s_ct);

        final.IsSuccess.Should().BeTrue(final.Message);
        another.Reason.Should().Be(ReasonCodes.TransitionNotPermitted);
        mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Completed, "a completed order does not fall back to in progress");
        mes.GetWorkOrder(Order)!.ConfirmedQuantity.Should().Be(10);
    }

    [Fact]
    public async Task RecordProductionConfirmationAsync_ScrapInAnotherUnit_IsRefusedAsUnitMismatch()
    {
        var mes = CreateSut();

        var result = await mes.RecordProductionConfirmationAsync(Confirmation(Order) with { Scrap = new Quantity(1, UnitOfMeasure.Kilogram) }, s_ct);

        result.Reason.Should().Be(ReasonCodes.UnitMismatch);
    }

    [Fact]
    public async Task RequestContainmentCheckAsync_KnownOrders_RecordsCheck()
    {
        var mes = CreateSut();

        var result = await mes.RequestContainmentCheckAsync(new RequestContainmentCheckRequest { Context = Context(), Lot = Lot, Orders = [Order] }, s_ct);

        result.IsSuccess.Should().BeTrue();
        mes.ContainmentChecks.Should().ContainSingle().Which.Orders.Should().Equal(Order);
    }

    [Fact]
    public async Task HoldWorkOrderAsync_UnknownOrder_IsRefused()
    {
        var mes = CreateSut();

        var result = await mes.HoldWorkOrderAsync(new HoldWorkOrderRequest { Context = Context(), Order = new OrderId("WO-404") }, s_ct);

        result.Reason.Should().Be(ReasonCodes.ReferenceUnknown);
    }
}
