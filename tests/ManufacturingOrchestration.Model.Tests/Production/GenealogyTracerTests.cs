namespace ManufacturingOrchestration.Model.Tests.Production;

public class GenealogyTracerTests
{
    private static readonly LotId s_component = new("C-1");
    private static readonly LotId s_otherComponent = new("C-2");
    private static readonly LotId s_packaging = new("P-1");
    private static readonly LotId s_intermediate = new("I-1");
    private static readonly LotId s_finished = new("FG-1");

    private static GenealogyLink Link(LotId component, LotId? produced, string order) =>
        new() { ComponentLot = component, ProducedLot = produced, Order = new OrderId(order), Quantity = Quantity.Each(1) };

    /// <summary>C-1 and C-2 → WO-1 → I-1; I-1 and P-1 → WO-2 → FG-1.</summary>
    private static List<GenealogyLink> ThreeLevels() =>
    [
        Link(s_component, s_intermediate, "WO-1"),
        Link(s_otherComponent, s_intermediate, "WO-1"),
        Link(s_intermediate, s_finished, "WO-2"),
        Link(s_packaging, s_finished, "WO-2"),
    ];

    private static Task<GenealogyTrace> TraceAsync(IReadOnlyList<GenealogyLink> links, LotId root, GenealogyDirection direction, int maxDepth, List<LotId>? reads = null) =>
        GenealogyTracer.TraceAsync(
            root,
            direction,
            maxDepth,
            (lot, _) =>
            {
                reads?.Add(lot);
                IReadOnlyList<GenealogyLink> level = [.. links.Where(l => direction == GenealogyDirection.Forward ? l.ComponentLot == lot : l.ProducedLot == lot)];
                return ValueTask.FromResult(level);
            },
            CancellationToken.None).AsTask();

    [Fact]
    public async Task TraceAsync_Forward_WalksComponentToIntermediateToFinishedGood()
    {
        var trace = await TraceAsync(ThreeLevels(), s_component, GenealogyDirection.Forward, maxDepth: 5);

        trace.Root.Should().Be(s_component);
        trace.Nodes.Select(n => (n.Lot, n.Depth, n.Order)).Should().Equal(
            (s_component, 0, (OrderId?)null),
            (s_intermediate, 1, new OrderId("WO-1")),
            (s_finished, 2, new OrderId("WO-2")));
        trace.Find(s_finished)!.Path.Should().Equal(s_component, s_intermediate, s_finished);
        trace.Edges.Select(e => (e.ComponentLot, e.ProducedLot)).Should().Equal((s_component, s_intermediate), (s_intermediate, s_finished));
        trace.IsCutAtMaxDepth.Should().BeFalse();
        trace.HasCycle.Should().BeFalse();
    }

    [Fact]
    public async Task TraceAsync_Backward_WalksFinishedGoodToEveryComponent_WithTheOrderThatMadeEachLot()
    {
        var trace = await TraceAsync(ThreeLevels(), s_finished, GenealogyDirection.Backward, maxDepth: 5);

        trace.Nodes.Select(n => (n.Lot, n.Depth, n.Order)).Should().Equal(
            (s_finished, 0, new OrderId("WO-2")),
            (s_intermediate, 1, new OrderId("WO-1")),
            (s_packaging, 1, (OrderId?)null),
            (s_component, 2, (OrderId?)null),
            (s_otherComponent, 2, (OrderId?)null));
        trace.Find(s_component)!.Path.Should().Equal(s_finished, s_intermediate, s_component);
        trace.Edges.Should().HaveCount(4).And.OnlyContain(e => e.ProducedLot != null, "edges keep the recorded direction, component → produced");
        trace.IsCutAtMaxDepth.Should().BeFalse();
        trace.HasCycle.Should().BeFalse();
    }

    [Fact]
    public async Task TraceAsync_Cycle_VisitsEachLotOnce_AndReportsTheCycle()
    {
        var links = ThreeLevels();
        links.Add(Link(s_finished, s_component, "WO-9"));
        var reads = new List<LotId>();

        var trace = await TraceAsync(links, s_component, GenealogyDirection.Forward, maxDepth: 50, reads);

        trace.HasCycle.Should().BeTrue();
        trace.Nodes.Select(n => n.Lot).Should().Equal(s_component, s_intermediate, s_finished);
        trace.Edges.Should().Contain(e => e.ComponentLot == s_finished && e.ProducedLot == s_component, "the link closing the cycle is walked");
        reads.Should().Equal(s_component, s_intermediate, s_finished);
        trace.IsCutAtMaxDepth.Should().BeFalse();
    }

    [Fact]
    public async Task TraceAsync_CycleOffTheShortestPaths_IsReported()
    {
        // A → B, A → C, B → C, C → B: neither B nor C is on the other's shortest path, yet they form a cycle.
        LotId a = new("A"), b = new("B"), c = new("C");
        var trace = await TraceAsync([Link(a, b, "1"), Link(a, c, "2"), Link(b, c, "3"), Link(c, b, "4")], a, GenealogyDirection.Forward, maxDepth: 5);

        trace.HasCycle.Should().BeTrue();
        trace.Nodes.Should().HaveCount(3);
    }

    [Fact]
    public async Task TraceAsync_TwoBranchesMeeting_IsNoCycle_AndTheLotIsReachedOnce()
    {
        LotId a = new("A"), b = new("B"), c = new("C"), d = new("D");
        var trace = await TraceAsync([Link(a, b, "1"), Link(a, c, "2"), Link(b, d, "3"), Link(c, d, "3")], a, GenealogyDirection.Forward, maxDepth: 5);

        trace.HasCycle.Should().BeFalse();
        trace.Nodes.Select(n => n.Lot).Should().Equal(a, b, c, d);
        trace.Find(d)!.Path.Should().Equal(a, b, d);
        trace.Edges.Should().HaveCount(4);
    }

    [Fact]
    public async Task TraceAsync_MaxDepth_CutsTheWalk_AndSaysSo()
    {
        var trace = await TraceAsync(ThreeLevels(), s_component, GenealogyDirection.Forward, maxDepth: 1);

        trace.Nodes.Select(n => n.Lot).Should().Equal(s_component, s_intermediate);
        trace.Edges.Should().ContainSingle().Which.ProducedLot.Should().Be(s_intermediate);
        trace.IsCutAtMaxDepth.Should().BeTrue();
        trace.MaxDepth.Should().Be(1);
    }

    [Fact]
    public async Task TraceAsync_MaxDepthReachingTheEnd_IsNotCut()
    {
        var trace = await TraceAsync(ThreeLevels(), s_component, GenealogyDirection.Forward, maxDepth: 2);

        trace.Nodes.Should().HaveCount(3);
        trace.IsCutAtMaxDepth.Should().BeFalse("the finished good is read and has no consumers");
    }

    [Fact]
    public async Task TraceAsync_MaxDepthZero_AnswersTheRootAlone()
    {
        var trace = await TraceAsync(ThreeLevels(), s_finished, GenealogyDirection.Backward, maxDepth: 0);

        trace.Nodes.Should().ContainSingle().Which.Should().Match<GenealogyTraceNode>(n => n.Lot == s_finished && n.Order == new OrderId("WO-2"));
        trace.Edges.Should().BeEmpty();
        trace.IsCutAtMaxDepth.Should().BeTrue();
    }

    [Fact]
    public async Task TraceAsync_ConsumerWithoutProducedLot_KeepsTheEdge_AndAddsNoLot()
    {
        var trace = await TraceAsync([Link(s_component, null, "WO-7")], s_component, GenealogyDirection.Forward, maxDepth: 3);

        trace.Nodes.Should().ContainSingle();
        trace.Edges.Should().ContainSingle().Which.Order.Should().Be(new OrderId("WO-7"));
        trace.HasCycle.Should().BeFalse();
    }

    [Fact]
    public async Task TraceAsync_LinksInAnyOrder_GiveTheSameTrace()
    {
        var links = ThreeLevels();
        var reversed = Enumerable.Reverse(links).ToList();

        var one = await TraceAsync(links, s_finished, GenealogyDirection.Backward, maxDepth: 5);
        var other = await TraceAsync(reversed, s_finished, GenealogyDirection.Backward, maxDepth: 5);

        other.Should().BeEquivalentTo(one, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task TraceAsync_NegativeMaxDepth_Throws()
    {
        var act = () => TraceAsync(ThreeLevels(), s_component, GenealogyDirection.Forward, maxDepth: -1);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }
}
