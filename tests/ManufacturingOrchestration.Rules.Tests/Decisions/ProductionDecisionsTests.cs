using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules.Tests.Decisions;

public sealed class ProductionDecisionsTests
{
    private static readonly MaterialId M1 = new("M-1");
    private static readonly SiteId P1 = new("P1");
    private static readonly LotId L1 = new("L-1");

    private static ReevaluateAllocations Reevaluate(string lot = "L-1", params string[] orders) => new()
    {
        Lot = new LotId(lot), Site = P1, Orders = orders.Select(o => new OrderId(o)).ToArray(),
    };

    private static ContainWorkOrders Contain(string lot = "L-1", int orders = 2, int producedLots = 1) => new()
    {
        Lot = new LotId(lot), Site = P1,
        Orders = Enumerable.Range(1, orders).Select(i => new OrderId($"WO-{i}")).ToArray(),
        ProducedLots = Enumerable.Range(1, producedLots).Select(i => new LotId($"FG-{i}")).ToArray(),
    };

    private static PublishGenealogy Publish(string lot = "L-1", int links = 1) => new()
    {
        Lot = new LotId(lot), Site = P1,
        Links = Enumerable.Range(1, links).Select(i => new GenealogyLink { ComponentLot = L1, Order = new OrderId($"WO-{i}"), Quantity = Quantity.Each(i) }).ToArray(),
    };

    private static ConfirmProduction Confirm(string order = "WO-1", bool final = false, decimal yield = 40) => new()
    {
        Order = new OrderId(order), Material = M1, Site = P1, Yield = Quantity.Each(yield), IsFinal = final,
    };

    private static HandleOrderRemainder Remainder(string order = "WO-1", decimal remaining = 60, bool release = false, bool complete = false, int reservations = 0) => new()
    {
        Order = new OrderId(order), Site = P1, RemainingQuantity = remaining, ReleaseReservations = release, TechnicallyComplete = complete,
        ReservationsToRelease = Enumerable.Range(1, reservations)
            .Select(i => new Allocation { Order = new OrderId(order), Lot = new LotId($"C-{i}"), Material = M1, Quantity = Quantity.Each(i) }).ToArray(),
    };

    [Fact]
    public void Describe_ReevaluateAllocations_CountsAndNamesTheOrders()
    {
        var reevaluate = Reevaluate("L-1", "WO-1", "WO-2");

        reevaluate.Describe().Should().Be("Re-evaluate allocations of lot L-1 for 2 order(s): WO-1, WO-2");
        reevaluate.Kind.Should().Be(DecisionKind.ReevaluateAllocations);
        new ReevaluateAllocations { Lot = L1, Site = P1 }.Orders.Should().BeEmpty();
    }

    [Fact]
    public void IsSameActionAs_ReevaluateAllocations_SameLotWhateverTheOrders()
    {
        var reevaluate = Reevaluate("L-1", "WO-1");

        reevaluate.IsSameActionAs(Reevaluate("L-1", "WO-2", "WO-3")).Should().BeTrue();
        reevaluate.IsSameActionAs(Reevaluate("L-2", "WO-1")).Should().BeFalse();
        reevaluate.IsSameActionAs(Contain()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ContainWorkOrders_CountsOrdersAndProducedLots()
    {
        var contain = Contain(orders: 3, producedLots: 2);

        contain.Describe().Should().Be("Contain 3 work order(s) and 2 produced lot(s) that used lot L-1");
        contain.Kind.Should().Be(DecisionKind.ContainWorkOrders);
        var empty = new ContainWorkOrders { Lot = L1, Site = P1 };
        empty.Orders.Should().BeEmpty();
        empty.ProducedLots.Should().BeEmpty();
    }

    [Fact]
    public void IsSameActionAs_ContainWorkOrders_SameLotWhateverTheOrders()
    {
        var contain = Contain();

        contain.IsSameActionAs(Contain(orders: 5, producedLots: 0)).Should().BeTrue();
        contain.IsSameActionAs(Contain(lot: "L-2")).Should().BeFalse();
        contain.IsSameActionAs(Publish()).Should().BeFalse();
    }

    [Fact]
    public void Describe_PublishGenealogy_CountsTheLinks()
    {
        var publish = Publish(links: 3);

        publish.Describe().Should().Be("Publish genealogy of lot L-1 (3 link(s))");
        publish.Kind.Should().Be(DecisionKind.PublishGenealogy);
        new PublishGenealogy { Lot = L1, Site = P1 }.Links.Should().BeEmpty();
    }

    [Fact]
    public void IsSameActionAs_PublishGenealogy_SameLotWhateverTheLinks()
    {
        var publish = Publish();

        publish.IsSameActionAs(Publish(links: 0)).Should().BeTrue();
        publish.IsSameActionAs(Publish(lot: "L-2")).Should().BeFalse();
        publish.IsSameActionAs(Contain()).Should().BeFalse();
    }

    [Fact]
    public void Describe_ConfirmProduction_SaysPartialOrFinal()
    {
        var partial = Confirm();

        partial.Describe().Should().Be("Confirm 40 EA on order WO-1 (partial)");
        Confirm(final: true, yield: 12.5m).Describe().Should().Be("Confirm 12.5 EA on order WO-1 (final)");
        partial.Kind.Should().Be(DecisionKind.ConfirmProduction);
    }

    [Fact]
    public void IsSameActionAs_ConfirmProduction_SameOrderWhateverTheQuantity()
    {
        var confirm = Confirm();

        confirm.IsSameActionAs(Confirm(final: true, yield: 1)).Should().BeTrue();
        confirm.IsSameActionAs(Confirm(order: "WO-2")).Should().BeFalse();
        confirm.IsSameActionAs(Remainder()).Should().BeFalse();
    }

    [Fact]
    public void Describe_HandleOrderRemainderPartial_KeepsReservations()
    {
        var remainder = Remainder(remaining: 12.5m);

        remainder.Describe().Should().Be("Order WO-1: 12.5 remaining; keep reservations");
        remainder.Kind.Should().Be(DecisionKind.HandleOrderRemainder);
        remainder.ReservationsToRelease.Should().BeEmpty();
    }

    [Fact]
    public void Describe_HandleOrderRemainderFinal_ReleasesReservationsAndCompletes()
    {
        Remainder(remaining: 0, release: true, complete: true, reservations: 2).Describe()
            .Should().Be("Order WO-1: 0 remaining; release 2 reservation(s), technically complete");
        Remainder(remaining: 0, release: true, reservations: 1).Describe()
            .Should().Be("Order WO-1: 0 remaining; release 1 reservation(s)");
        Remainder(remaining: 3, complete: true).Describe()
            .Should().Be("Order WO-1: 3 remaining; keep reservations, technically complete");
    }

    [Fact]
    public void IsSameActionAs_HandleOrderRemainder_SameOrderWhateverTheRest()
    {
        var remainder = Remainder();

        remainder.IsSameActionAs(Remainder(remaining: 0, release: true, complete: true, reservations: 1)).Should().BeTrue();
        remainder.IsSameActionAs(Remainder(order: "WO-2")).Should().BeFalse();
        remainder.IsSameActionAs(Confirm()).Should().BeFalse();
    }
}
