using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

/// <summary>
/// The MES simulator, the in-memory and the JSON-file traceability repositories hold the same genealogy
/// (C-1 and C-2 → WO-1 → I-1; I-1 and P-1 → WO-2 → FG-1) and answer the trace queries, through an <see cref="AdapterSet"/>,
/// with the same traces.
/// </summary>
public sealed class GenealogyTraceAgreementTests : IDisposable
{
    private static readonly LotId s_component = new("C-1");
    private static readonly LotId s_intermediate = new("I-1");
    private static readonly LotId s_finished = new("FG-1");
    private static readonly SiteId s_site = new("plant-1");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mo-genealogy-trace-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GenealogyLink Link(string component, LotId produced, string order) =>
        new() { ComponentLot = new LotId(component), ProducedLot = produced, Order = new OrderId(order), Quantity = Quantity.Each(10) };

    private static List<(LotId Lot, OrderId Order, GenealogyLink[] Links)> Genealogy(bool withCycle) =>
    [
        (s_intermediate, new OrderId("WO-1"), [Link("C-1", s_intermediate, "WO-1"), Link("C-2", s_intermediate, "WO-1")]),
        (s_finished, new OrderId("WO-2"), [Link("I-1", s_finished, "WO-2"), Link("P-1", s_finished, "WO-2")]),
        .. withCycle ? new[] { (s_component, new OrderId("WO-9"), new[] { Link("FG-1", s_component, "WO-9") }) } : [],
    ];

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<IReadOnlyList<(string Source, AdapterSet Adapters)>> SourcesAsync(bool withCycle = false)
    {
        var mes = new MesSimulator(new SimulatorOptions { TimeProvider = _time });
        var memory = new InMemoryTraceabilityRepository(_time);
        var files = new JsonFileTraceabilityRepository(_directory, _time);
        foreach (var (lot, order, links) in Genealogy(withCycle))
        {
            foreach (var link in links)
            {
                mes.AddGenealogy(link);
            }

            var publication = new GenealogyPublication
            {
                IdempotencyKey = "publish/" + lot.Value,
                Lot = lot,
                Material = new MaterialId("M-" + lot.Value),
                Site = s_site,
                ProducedBy = order,
                Links = links,
            };
            await memory.PublishAsync(publication, Ct);
            await files.PublishAsync(publication, Ct);
        }

        return
        [
            ("MES simulator", new AdapterSet().Add(CommandKinds.MesSystem, mes)),
            ("in-memory repository", Repository(memory)),
            ("JSON-file repository", Repository(files)),
        ];

        static AdapterSet Repository(ITraceabilityRepository repository)
        {
            var adapter = new TraceabilityRepositoryAdapter(repository);
            return new AdapterSet().Handle(QueryKinds.MesTraceForward, adapter).Handle(QueryKinds.MesTraceBackward, adapter);
        }
    }

    [Fact]
    public async Task TraceForward_ThreeLevels_EverySourceAnswersComponentToIntermediateToFinishedGood()
    {
        foreach (var (source, adapters) in await SourcesAsync())
        {
            var trace = await adapters.QueryAsync(new TraceForwardQuery(s_component, 10), null, Ct);

            trace.Nodes.Select(n => (n.Lot, n.Depth, n.Order)).Should().Equal(
                [(s_component, 0, null), (s_intermediate, 1, new OrderId("WO-1")), (s_finished, 2, new OrderId("WO-2"))], source);
            trace.Find(s_finished)!.Path.Should().Equal([s_component, s_intermediate, s_finished], source);
            trace.IsCutAtMaxDepth.Should().BeFalse(source);
            trace.HasCycle.Should().BeFalse(source);
        }
    }

    [Fact]
    public async Task TraceBackward_FromTheFinishedGood_EverySourceReachesTheComponent()
    {
        foreach (var (source, adapters) in await SourcesAsync())
        {
            var trace = await adapters.QueryAsync(new TraceBackwardQuery(s_finished, 10), null, Ct);

            trace.Nodes.Select(n => n.Lot.Value).Should().Equal(["FG-1", "I-1", "P-1", "C-1", "C-2"], source);
            trace.Find(s_component)!.Path.Should().Equal([s_finished, s_intermediate, s_component], source);
            trace.Find(s_intermediate)!.Order.Should().Be(new OrderId("WO-1"), source);
            trace.Edges.Should().HaveCount(4, source);
        }
    }

    [Fact]
    public async Task Traces_EverySourceGivesTheSameAnswer_ForEachDirectionDepthAndCycle()
    {
        foreach (var withCycle in new[] { false, true })
        {
            var sources = await SourcesAsync(withCycle);
            foreach (var query in new AdapterQuery<GenealogyTrace>[]
                     {
                         new TraceForwardQuery(s_component, 10), new TraceForwardQuery(s_component, 1), new TraceForwardQuery(new LotId("C-2"), 0),
                         new TraceBackwardQuery(s_finished, 10), new TraceBackwardQuery(s_finished, 1), new TraceBackwardQuery(new LotId("UNKNOWN"), 3),
                     })
            {
                var mes = await sources[0].Adapters.QueryAsync(query, null, Ct);
                foreach (var (source, adapters) in sources.Skip(1))
                {
                    (await adapters.QueryAsync(query, null, Ct)).Should().BeEquivalentTo(mes, o => o.WithStrictOrdering(), $"{source} answers {query} (cycle: {withCycle}) like the MES");
                }
            }

            Dispose();
        }
    }

    [Fact]
    public async Task TraceForward_Cycle_EverySourceTerminatesAndReportsIt()
    {
        foreach (var (source, adapters) in await SourcesAsync(withCycle: true))
        {
            var trace = await adapters.QueryAsync(new TraceForwardQuery(s_component, 50), null, Ct);

            trace.HasCycle.Should().BeTrue(source);
            trace.Nodes.Select(n => n.Lot).Should().Equal([s_component, s_intermediate, s_finished], source);
        }
    }

    [Fact]
    public async Task TraceForward_MaxDepth_EverySourceCutsTheWalkAndSaysSo()
    {
        foreach (var (source, adapters) in await SourcesAsync())
        {
            var trace = await adapters.QueryAsync(new TraceForwardQuery(s_component, 1), null, Ct);

            trace.Nodes.Select(n => n.Lot).Should().Equal([s_component, s_intermediate], source);
            trace.IsCutAtMaxDepth.Should().BeTrue(source);
        }
    }

    [Fact]
    public void TraceQueries_NegativeMaxDepth_CannotBeAsked()
    {
        var forward = () => new TraceForwardQuery(s_component, -1);
        var backward = () => new TraceBackwardQuery(s_finished, 0) with { MaxDepth = -2 };

        forward.Should().Throw<ArgumentOutOfRangeException>();
        backward.Should().Throw<ArgumentOutOfRangeException>();
    }
}
