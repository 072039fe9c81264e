using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Traceability;

public sealed class JsonFileTraceabilityRepositoryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mo-trace-tests-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_NewLot_WritesOneFileWithTheGenealogy()
    {
        var sut = CreateSut();

        var status = await sut.PublishAsync(Publication("key-1", "L-1", "L-2"), Ct);

        status.Should().Be(TraceabilityPublishStatus.Published);
        Directory.GetFiles(_directory).Should().ContainSingle().Which.Should().Be(sut.PathOf(new LotId("FG-1")));
        var record = await sut.GetAsync(new LotId("FG-1"), Ct);
        record!.Links.Select(l => l.ComponentLot.Value).Should().Equal("L-1", "L-2");
        record.PublishedAt.Should().Be(_time.GetUtcNow());
        record.PublicationKeys.Should().Equal("key-1");
    }

    [Fact]
    public async Task Publish_SameKeyAgain_IsAlreadyPublishedAndLeavesTheFileUnchanged()
    {
        var sut = CreateSut();
        await sut.PublishAsync(Publication("key-1", "L-1"), Ct);
        var before = await File.ReadAllTextAsync(sut.PathOf(new LotId("FG-1")), Ct);
        _time.Advance(TimeSpan.FromHours(1));

        var status = await sut.PublishAsync(Publication("key-1", "L-9"), Ct);

        status.Should().Be(TraceabilityPublishStatus.AlreadyPublished);
        (await File.ReadAllTextAsync(sut.PathOf(new LotId("FG-1")), Ct)).Should().Be(before);
    }

    [Fact]
    public async Task Publish_NewKey_ReplacesTheGenealogyAndRemembersBothKeys()
    {
        var sut = CreateSut();
        await sut.PublishAsync(Publication("key-1", "L-1"), Ct);

        await sut.PublishAsync(Publication("key-2", "L-3"), Ct);

        var record = await sut.GetAsync(new LotId("FG-1"), Ct);
        record!.Links.Should().ContainSingle().Which.ComponentLot.Should().Be(new LotId("L-3"));
        record.PublicationKeys.Should().Equal("key-1", "key-2");
        Directory.GetFiles(_directory).Should().ContainSingle("no temporary file is left behind");
    }

    [Fact]
    public async Task Publish_ConcurrentlyWithDistinctKeys_KeepsEveryKey()
    {
        var sut = CreateSut();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => sut.PublishAsync(Publication($"key-{i}", "L-1"), Ct).AsTask()));

        (await sut.GetAsync(new LotId("FG-1"), Ct))!.PublicationKeys.Should().HaveCount(20);
    }

    [Fact]
    public async Task Publish_LotIdWithPathCharacters_StaysInTheDirectory()
    {
        var sut = CreateSut();

        await sut.PublishAsync(Publication("key-1", "L-1") with { Lot = new LotId("../x/FG 1") }, Ct);

        Path.GetDirectoryName(sut.PathOf(new LotId("../x/FG 1"))).Should().Be(sut.Directory);
        Directory.GetFiles(_directory).Should().ContainSingle();
        (await sut.GetAsync(new LotId("../x/FG 1"), Ct)).Should().NotBeNull();
    }

    [Fact]
    public async Task Publish_LongNonAsciiLotIds_EachGetTheirOwnFileWithinTheFileNameLimit()
    {
        var sut = CreateSut();
        var first = new LotId(new string('\u20AC', Identifier.MaxLength));
        var second = new LotId(new string('\u20AC', Identifier.MaxLength - 1) + "x");
        var consumed = new LotId("L-1");

        await sut.PublishAsync(Publication("key-1", "L-1") with { Lot = first }, Ct);
        await sut.PublishAsync(Publication("key-2", "L-1") with { Lot = second }, Ct);

        Path.GetFileName(sut.PathOf(first)).Length.Should().BeLessThanOrEqualTo(255);
        Path.GetDirectoryName(sut.PathOf(first)).Should().Be(sut.Directory);
        sut.PathOf(first).Should().NotBe(sut.PathOf(second));
        (await sut.GetAsync(first, Ct))!.Lot.Should().Be(first);
        (await sut.GetAsync(second, Ct))!.Lot.Should().Be(second);
        (await sut.GetConsumersAsync(consumed, Ct)).Select(l => l.ComponentLot).Should().Equal(consumed, consumed);
    }

    [Fact]
    public async Task Get_UnknownLot_ReturnsNull()
    {
        var sut = CreateSut();

        (await sut.GetAsync(new LotId("nothing"), Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Get_DamagedFile_ThrowsWithMalformedJson()
    {
        var sut = CreateSut();
        await File.WriteAllTextAsync(sut.PathOf(new LotId("FG-1")), "{ not json", Ct);

        var read = async () => await sut.GetAsync(new LotId("FG-1"), Ct);

        (await read.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.ReasonCode.Should().Be(ReasonCodes.MalformedJson);
    }

    [Fact]
    public async Task GetConsumers_FileWithANullLink_ThrowsWithMalformedJson()
    {
        var sut = CreateSut();
        await sut.PublishAsync(Publication("key-1", "L-1"), Ct);
        var path = sut.PathOf(new LotId("FG-1"));
        var text = await File.ReadAllTextAsync(path, Ct);
        await File.WriteAllTextAsync(path, text.Replace("\"links\": [", "\"links\": [ null,", StringComparison.Ordinal), Ct);

        var consumers = async () => await sut.GetConsumersAsync(new LotId("L-1"), Ct);
        var get = async () => await sut.GetAsync(new LotId("FG-1"), Ct);

        (await consumers.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.ReasonCode.Should().Be(ReasonCodes.MalformedJson);
        (await get.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.ReasonCode.Should().Be(ReasonCodes.MalformedJson);
    }

    [Fact]
    public async Task Publish_NullLink_IsRefusedAndWritesNothing()
    {
        var sut = CreateSut();
        var publication = Publication("key-1", "L-1");

        var publish = async () => await sut.PublishAsync(publication with { Links = [publication.Links[0], null!] }, Ct);

        (await publish.Should().ThrowAsync<ManufacturingOrchestrationException>()).Which.ReasonCode.Should().Be(ReasonCodes.Required);
        Directory.GetFiles(_directory).Should().BeEmpty();
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private JsonFileTraceabilityRepository CreateSut() => new(_directory, _time);

    private static GenealogyPublication Publication(string key, params string[] components) => new()
    {
        IdempotencyKey = key,
        Lot = new LotId("FG-1"),
        Material = new MaterialId("PCB-1"),
        Site = new SiteId("P1"),
        ProducedBy = new OrderId("WO-7"),
        Links = [.. components.Select(c => new GenealogyLink { ComponentLot = new LotId(c), ProducedLot = new LotId("FG-1"), Order = new OrderId("WO-7"), Quantity = Quantity.Each(5) })],
    };
}
