using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Traceability;

public sealed class TraceabilityRecordTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_FirstPublication_RecordsItWithItsKey()
    {
        var record = TraceabilityRecord.Apply(null, Publication("k1", "L-1"), Now, 64);

        record.Should().NotBeNull();
        record!.Lot.Should().Be(new LotId("FG-1"));
        record.ProducedBy.Should().Be(new OrderId("WO-7"));
        record.Links.Should().ContainSingle().Which.ComponentLot.Should().Be(new LotId("L-1"));
        record.PublishedAt.Should().Be(Now);
        record.PublicationKeys.Should().Equal("k1");
    }

    [Fact]
    public void Apply_KeyAlreadyApplied_ReturnsNullSoNothingIsWritten()
    {
        var first = TraceabilityRecord.Apply(null, Publication("k1", "L-1"), Now, 64);

        TraceabilityRecord.Apply(first, Publication("k1", "L-9"), Now.AddHours(1), 64).Should().BeNull();
    }

    [Fact]
    public void Apply_NewKey_TakesTheLatestLinksAndKeepsOnlyTheLatestKeys()
    {
        var record = TraceabilityRecord.Apply(null, Publication("k1", "L-1"), Now, 2);
        record = TraceabilityRecord.Apply(record, Publication("k2", "L-2"), Now.AddMinutes(1), 2);
        record = TraceabilityRecord.Apply(record, Publication("k3", "L-3"), Now.AddMinutes(2), 2);

        record!.PublicationKeys.Should().Equal("k2", "k3");
        record.Links.Should().ContainSingle().Which.ComponentLot.Should().Be(new LotId("L-3"));
        record.PublishedAt.Should().Be(Now.AddMinutes(2));
        TraceabilityRecord.Apply(record, Publication("k1", "L-1"), Now.AddMinutes(3), 2).Should().NotBeNull("a key older than the remembered ones is no longer recognised");
    }

    private static GenealogyPublication Publication(string key, string component) => new()
    {
        IdempotencyKey = key,
        Lot = new LotId("FG-1"),
        Material = new MaterialId("PCB-1"),
        Site = new SiteId("P1"),
        ProducedBy = new OrderId("WO-7"),
        Links = [new GenealogyLink { ComponentLot = new LotId(component), ProducedLot = new LotId("FG-1"), Order = new OrderId("WO-7"), Quantity = Quantity.Each(5) }],
    };
}
