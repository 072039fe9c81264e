using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Traceability;

public class TraceabilityRepositoryAdapterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishGenealogy_NewKey_SucceedsWithTheCommandsKeyAndCorrelation()
    {
        var repository = new RecordingRepository(TraceabilityPublishStatus.Published);
        var sut = new TraceabilityRepositoryAdapter(repository);

        var result = await sut.ExecuteAsync(Request(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        repository.Last!.IdempotencyKey.Should().Be("idem-1");
        repository.Last.CorrelationId.Should().Be("corr-1");
        repository.Last.Links.Should().ContainSingle();
    }

    [Fact]
    public async Task PublishGenealogy_KeySeenBefore_IsAlreadyApplied()
    {
        var sut = new TraceabilityRepositoryAdapter(new RecordingRepository(TraceabilityPublishStatus.AlreadyPublished));

        (await sut.ExecuteAsync(Request(), Ct)).Status.Should().Be(AdapterResultStatus.AlreadyApplied);
    }

    [Fact]
    public async Task PublishGenealogy_IoFailure_IsTransient()
    {
        var sut = new TraceabilityRepositoryAdapter(new RecordingRepository(new IOException("disk full")));

        var result = await sut.ExecuteAsync(Request(), Ct);

        result.IsTransient.Should().BeTrue();
        result.Message.Should().Contain("disk full");
    }

    [Fact]
    public async Task PublishGenealogy_UnreadableRepository_IsPermanent()
    {
        var sut = new TraceabilityRepositoryAdapter(new RecordingRepository(new ManufacturingOrchestrationException(ReasonCodes.MalformedJson, "damaged")));

        var result = await sut.ExecuteAsync(Request(), Ct);

        result.IsPermanent.Should().BeTrue();
        result.Reason.Should().Be(ReasonCodes.MalformedJson);
    }

    [Fact]
    public async Task AdapterSet_RoutesPublishGenealogyToTheTraceabilityAdapter()
    {
        var repository = new RecordingRepository(TraceabilityPublishStatus.Published);
        var adapters = new AdapterSet().Add(CommandKinds.TraceabilitySystem, new TraceabilityRepositoryAdapter(repository));

        (await adapters.ExecuteAsync(Request(), Ct)).IsSuccess.Should().BeTrue();
        repository.Last.Should().NotBeNull();
        (await new AdapterSet().ExecuteAsync(Request(), Ct)).Reason.Should().Be(ReasonCodes.AdapterNotConfigured);
    }

    private static PublishGenealogyRequest Request() => new()
    {
        Context = new CommandContext { IdempotencyKey = "idem-1", CorrelationId = "corr-1" },
        Lot = new LotId("FG-1"),
        Material = new MaterialId("PCB-1"),
        Site = new SiteId("P1"),
        Links = [new GenealogyLink { ComponentLot = new LotId("L-1"), Order = new OrderId("WO-1"), Quantity = Quantity.Each(1) }],
    };

    private sealed class RecordingRepository : ITraceabilityRepository
    {
        private readonly TraceabilityPublishStatus _status;
        private readonly Exception? _failure;

        public RecordingRepository(TraceabilityPublishStatus status) => _status = status;

        public RecordingRepository(Exception failure) => _failure = failure;

        public GenealogyPublication? Last { get; private set; }

        public ValueTask<TraceabilityPublishStatus> PublishAsync(GenealogyPublication publication, CancellationToken cancellationToken)
        {
            Last = publication;
            return _failure is null ? ValueTask.FromResult(_status) : ValueTask.FromException<TraceabilityPublishStatus>(_failure);
        }

        public ValueTask<TraceabilityRecord?> GetAsync(LotId lot, CancellationToken cancellationToken) => ValueTask.FromResult<TraceabilityRecord?>(null);

        public ValueTask<IReadOnlyList<GenealogyLink>> GetConsumersAsync(LotId componentLot, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<GenealogyLink>>([]);
    }
}
