using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Testing.Tests.Harness;

public sealed class InMemoryTraceabilityRepositoryTests
{
    private static readonly LotId FinishedLot = new("FG-1");
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 6, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishAsync_SameKeyTwice_WrittenOnceAndAnsweredAlreadyPublished()
    {
        var time = new FakeTimeProvider(Start);
        var sut = new InMemoryTraceabilityRepository(time);

        var first = await sut.PublishAsync(Publication("key-1", "L-100"), Ct);
        time.Advance(TimeSpan.FromMinutes(1));
        var second = await sut.PublishAsync(Publication("key-1", "L-999"), Ct);

        first.Should().Be(TraceabilityPublishStatus.Published);
        second.Should().Be(TraceabilityPublishStatus.AlreadyPublished);
        sut.PublishedCount.Should().Be(1);
        var record = await sut.GetAsync(FinishedLot, Ct);
        record!.Links.Should().ContainSingle().Which.ComponentLot.Should().Be(new LotId("L-100"));
        record.PublishedAt.Should().Be(Start);
        record.PublicationKeys.Should().Equal("key-1");
    }

    [Fact]
    public async Task PublishAsync_NewKey_ReplacesTheGenealogyAndRemembersBothKeys()
    {
        var sut = new InMemoryTraceabilityRepository(new FakeTimeProvider(Start));

        await sut.PublishAsync(Publication("key-1", "L-100"), Ct);
        var correction = await sut.PublishAsync(Publication("key-2", "L-101"), Ct);

        correction.Should().Be(TraceabilityPublishStatus.Published);
        sut.PublishedCount.Should().Be(2);
        var record = sut.Records.Should().ContainSingle().Subject;
        record.Links.Should().ContainSingle().Which.ComponentLot.Should().Be(new LotId("L-101"));
        record.PublicationKeys.Should().Equal("key-1", "key-2");
    }

    [Fact]
    public async Task GetAsync_LotNeverPublished_ReturnsNull()
    {
        var sut = new InMemoryTraceabilityRepository();

        (await sut.GetAsync(new LotId("NONE"), Ct)).Should().BeNull();
        sut.Records.Should().BeEmpty();
    }

    private static GenealogyPublication Publication(string key, string component) => new()
    {
        IdempotencyKey = key,
        Lot = FinishedLot,
        Material = new MaterialId("PCB-1"),
        Site = new SiteId("P1"),
        Links = [new GenealogyLink { ComponentLot = new LotId(component), ProducedLot = FinishedLot, Order = new OrderId("WO-7"), Quantity = Quantity.Each(10) }],
    };
}
