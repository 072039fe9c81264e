using System.Buffers;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Storage;

/// <summary>The stored-record JSON written into a caller's buffer is the JSON written as an array of its own.</summary>
public sealed class StoredRecordJsonTests
{
    private static PartitionState State() => new()
    {
        Key = "lot:L-1",
        Version = 3,
        Lot = new MaterialLot
        {
            Id = new LotId("L-1"),
            Material = new MaterialId("M-1"),
            Site = new SiteId("P1"),
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(60) }, new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(40) }],
        },
    };

    private static AuditRecord Record() => new()
    {
        PartitionKey = "lot:L-1",
        Sequence = 2,
        RecordedAt = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero),
        Actor = "system:plant.incoming-inspection",
        Action = "processed",
        Reason = "inspection.failed → decided Block, MoveToHold \"HOLD-P1\" <&>",
        Explanation = "rule 'Quarantine' fired: lot L-1 QI 100 EA → blocked; Prüfung nicht bestanden",
        Workflow = "plant.incoming-inspection",
        WorkflowVersion = 1,
        Event = new EventKey("qms://plant-1", "evt-1"),
        CorrelationId = "lot-L-1",
        Before = "lot L-1: QI 100 EA",
        After = "lot L-1: blocked 100 EA",
        PreviousHash = AuditHashes.GenesisHash,
        Hash = new string('a', 64),
    };

    [Fact]
    public void Write_IntoBuffer_SameBytesAsArrays()
    {
        var buffer = new ArrayBufferWriter<byte>();

        // Two values one after the other into one buffer, as a store writes a commit's state and its audit records.
        StoredRecordJson.Write(buffer, State());
        var stateLength = buffer.WrittenCount;
        StoredRecordJson.Write(buffer, Record());

        buffer.WrittenSpan[..stateLength].ToArray().Should().Equal(StoredRecordJson.Write(State()));
        buffer.WrittenSpan[stateLength..].ToArray().Should().Equal(StoredRecordJson.Write(Record()));
        StoredRecordJson.ReadAuditRecord(buffer.WrittenSpan[stateLength..].ToArray(), "the record").Should().Be(Record());
    }

    [Fact]
    public void Write_NullArguments_Throw()
    {
        var buffer = new ArrayBufferWriter<byte>();

        FluentActions.Invoking(() => StoredRecordJson.Write(null!, State())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => StoredRecordJson.Write(buffer, (AuditRecord)null!)).Should().Throw<ArgumentNullException>();
        buffer.WrittenCount.Should().Be(0);
    }
}
