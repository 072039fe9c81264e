using System.Buffers;
using System.Text;
using System.Text.Json;
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
    public void Write_StateAndRecord_WritesTheStoredFormatByteForByte()
    {
        // The stored format: what every SQLite and PostgreSQL database written so far holds, whatever path writes it.
        const string state = """
        {"key":"lot:L-1","version":3,"lot":{"id":"L-1","material":"M-1","site":"P1","unit":{"code":"EA","codeSystem":"UNECE"},"buckets":[{"category":"qualityInspection","ownership":"own","quantity":{"value":60,"unit":{"code":"EA","codeSystem":"UNECE"}}},{"category":"blocked","ownership":"own","quantity":{"value":40,"unit":{"code":"EA","codeSystem":"UNECE"}}}],"disposition":"restricted","qualityDecision":"pending","isRestrictedBatch":false,"requiresReinspection":false,"holds":[],"sublots":[],"inspections":[],"scrappedQuantity":0,"destroyedQuantity":0,"awaitingDestruction":0,"consumedQuantity":0,"version":0},"lastSequenceBySource":{},"nextCommandOrdinal":0,"auditHead":{"count":0,"hash":"0000000000000000000000000000000000000000000000000000000000000000"},"instances":[],"values":{},"isParked":false}
        """;
        const string record = """
        {"partitionKey":"lot:L-1","sequence":2,"recordedAt":"2026-03-02T06:00:00+00:00","actor":"system:plant.incoming-inspection","action":"processed","reason":"inspection.failed \u2192 decided Block, MoveToHold \u0022HOLD-P1\u0022 \u003C\u0026\u003E","explanation":"rule \u0027Quarantine\u0027 fired: lot L-1 QI 100 EA \u2192 blocked; Pr\u00FCfung nicht bestanden","workflow":"plant.incoming-inspection","workflowVersion":1,"event":{"source":"qms://plant-1","id":"evt-1"},"correlationId":"lot-L-1","before":"lot L-1: QI 100 EA","after":"lot L-1: blocked 100 EA","previousHash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
        """;

        Encoding.UTF8.GetString(StoredRecordJson.Write(State())).Should().Be(state);
        Encoding.UTF8.GetString(StoredRecordJson.Write(Record())).Should().Be(record);
        StoredRecordJson.ReadAuditRecord(Encoding.UTF8.GetBytes(record), "the record").Should().Be(Record());
        StoredRecordJson.ReadPartitionState(Encoding.UTF8.GetBytes(state), "the state").Version.Should().Be(3);
    }

    [Fact]
    public void Write_IntoBuffer_AllocatesNoSerializerStateForAStateOrAnAuditRecord()
    {
        // The serializer's source-generated path writes straight into the buffer; its generic path allocated an array of
        // stack frames per value (about 1 KB for a lot's state, 300 bytes for the event key of an audit record).
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var state = State();
        var record = Record();
        StoredRecordJson.Write(buffer, state);
        StoredRecordJson.Write(buffer, record);
        buffer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            StoredRecordJson.Write(buffer, state);
            StoredRecordJson.Write(buffer, record);
            buffer.ResetWrittenCount();
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(100 * 128);
    }

    [Theory]
    [InlineData("""{"id":"evt-1"}""", "source")]
    [InlineData("""{"source":"qms://plant-1"}""", "id")]
    [InlineData("""{"source":null,"id":"evt-1"}""", "source")]
    [InlineData("""{"source":"qms://plant-1","id":""}""", "id")]
    [InlineData("""{"source":"qms://plant-1","id":7}""", "id")]
    [InlineData("\"qms://plant-1#evt-1\"", "object")]
    public void ReadAuditRecord_EventKeyIncomplete_ReportsTheRecordUnreadable(string eventJson, string named)
    {
        var json = Encoding.UTF8.GetString(StoredRecordJson.Write(Record())).Replace("\"event\":{\"source\":\"qms://plant-1\",\"id\":\"evt-1\"}", "\"event\":" + eventJson, StringComparison.Ordinal);

        var act = () => StoredRecordJson.ReadAuditRecord(Encoding.UTF8.GetBytes(json), "the record");

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("*the record*").WithInnerException<System.Text.Json.JsonException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void ReadAuditRecord_EventKeyWithMembersItDoesNotKnow_SkipsThem()
    {
        var json = Encoding.UTF8.GetString(StoredRecordJson.Write(Record())).Replace("\"id\":\"evt-1\"}", "\"id\":\"evt-1\",\"specversion\":\"1.0\",\"extra\":{\"a\":[1,2]}}", StringComparison.Ordinal);

        StoredRecordJson.ReadAuditRecord(Encoding.UTF8.GetBytes(json), "the record").Event.Should().Be(new EventKey("qms://plant-1", "evt-1"));
    }

    [Fact]
    public void Write_CheckpointIntoBuffer_SameBytesAsTheArrayAndReadBack()
    {
        var checkpoint = new AuditCheckpoint
        {
            Number = 3,
            TakenAt = new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero),
            Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal)
            {
                ["L-1"] = new() { Count = 2, Hash = new string('b', 64) },
                ["Lot \"é\""] = new() { Count = 1, Hash = new string('c', 64) },
            },
            PreviousHash = new string('d', 64),
            Hash = new string('e', 64),
            Mac = "f0",
        };

        // Smaller than the JSON: the buffer grows as needed.
        var buffer = new ArrayBufferWriter<byte>(16);
        StoredRecordJson.Write(buffer, checkpoint);

        buffer.WrittenSpan.ToArray().Should().Equal(StoredRecordJson.Write(checkpoint));
        StoredRecordJson.ReadAuditCheckpoint(buffer.WrittenSpan.ToArray(), "the checkpoint").Should().BeEquivalentTo(checkpoint);
    }

    [Fact]
    public void Write_Checkpoint_BytesAsStoresHaveAlwaysKeptThem()
    {
        var checkpoint = new AuditCheckpoint
        {
            Number = 3,
            TakenAt = new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero),
            Heads = new Dictionary<string, AuditHead>(StringComparer.Ordinal)
            {
                ["L-2"] = new() { Count = 12, Hash = new string('b', 64) },
                ["L-1"] = new() { Count = 1, Hash = "EDITED" },
                ["Lot \"é\""] = new() { Count = 3, Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
            },
            PreviousHash = new string('d', 64),
            Hash = new string('e', 64),
            PreviousMac = "a1",
            Mac = "f0",
        };

        Encoding.UTF8.GetString(StoredRecordJson.Write(checkpoint)).Should().Be(CheckpointJson);
    }

    [Fact]
    public void Checkpoint_HeadsPacked_WrittenInKeyOrderAsTheStoresKeepThem()
    {
        var plain = StoredRecordJson.ReadAuditCheckpoint(Encoding.UTF8.GetBytes(CheckpointJson), "the checkpoint");
        var inKeyOrder = CheckpointJson.Replace(L2 + "," + L1, L1 + "," + L2, StringComparison.Ordinal);

        plain.Heads.Should().BeOfType<PackedAuditHeads>("read straight into packed heads");
        Encoding.UTF8.GetString(StoredRecordJson.Write(plain)).Should().Be(inKeyOrder);
        plain.Heads.Should().BeEquivalentTo(new Dictionary<string, AuditHead>(StringComparer.Ordinal)
        {
            ["L-1"] = new() { Count = 1, Hash = "EDITED" },
            ["L-2"] = new() { Count = 12, Hash = new string('b', 64) },
            ["Lot \"é\""] = new() { Count = 3, Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
        });
    }

    [Theory]
    [InlineData("{\"b\":{\"hash\":\"H\",\"count\":2,\"extra\":[1,{\"x\":null}]},\"a\":{\"count\":1,\"count\":3,\"hash\":\"x\"}}", "a:3:x b:2:H")]
    [InlineData("{\"a\":{\"count\":1,\"hash\":\"x\"},\"a\":{\"count\":2,\"hash\":\"y\"}}", "a:2:y")]
    [InlineData("{\"a\":{\"count\":1,\"hash\":\"\\u0030123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}", "a:1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("{}", "")]
    public void ReadAuditCheckpoint_HeadsAsTheSerializerReadsThem(string heads, string expected)
    {
        var checkpoint = StoredRecordJson.ReadAuditCheckpoint(Encoding.UTF8.GetBytes(CheckpointJson.Replace(HeadsJson, heads, StringComparison.Ordinal)), "the checkpoint");

        string.Join(' ', checkpoint.Heads.Select(h => $"{h.Key}:{h.Value.Count}:{h.Value.Hash}")).Should().Be(expected);
    }

    [Theory]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"a\":[]}", "head of partition 'a' is not a JSON object")]
    [InlineData("{\"a\":{\"hash\":\"x\"}}", "'a' has no count")]
    [InlineData("{\"a\":{\"count\":1}}", "'a' has no hash")]
    [InlineData("{\"a\":{\"count\":1,\"hash\":null}}", "hash of partition 'a' is not a string")]
    [InlineData("{\"a\":{\"count\":1,\"hash\":7}}", "hash of partition 'a' is not a string")]
    [InlineData("{\"a\":{\"count\":1.5,\"hash\":\"x\"}}", "count of partition 'a' is not a whole number")]
    [InlineData("{\"a\":{\"count\":\"1\",\"hash\":\"x\"}}", "count of partition 'a' is not a whole number")]
    [InlineData("{\"a\":{\"count\":null,\"hash\":\"x\"}}", "count of partition 'a' is not a whole number")]
    [InlineData("null", "'Heads'")]
    public void ReadAuditCheckpoint_HeadsMalformed_UnreadableNamingWhat(string heads, string problem)
    {
        var read = () => StoredRecordJson.ReadAuditCheckpoint(Encoding.UTF8.GetBytes(CheckpointJson.Replace(HeadsJson, heads, StringComparison.Ordinal)), "checkpoint 3");

        read.Should().Throw<ManufacturingOrchestrationException>().Which.Message.Should().Contain("checkpoint 3").And.Contain(problem);
    }

    [Fact]
    public void AuditHeadsConverter_HeadsCutShort_Throws()
    {
        var json = Encoding.UTF8.GetBytes("{\"a\":{\"count\":1,");
        var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
        reader.Read();

        try
        {
            new AuditHeadsJsonConverter().Read(ref reader, typeof(IReadOnlyDictionary<string, AuditHead>), JsonSerializerOptions.Default);
            Assert.Fail("the heads end before their object does");
        }
        catch (JsonException ex)
        {
            ex.Message.Should().Be("The heads of the checkpoint end before their object does.");
        }
    }

    [Fact]
    public void Write_NullArguments_Throw()
    {
        var buffer = new ArrayBufferWriter<byte>();

        FluentActions.Invoking(() => StoredRecordJson.Write(null!, State())).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => StoredRecordJson.Write(buffer, (AuditRecord)null!)).Should().Throw<ArgumentNullException>();
        buffer.WrittenCount.Should().Be(0);
    }

    private const string L1 = "\"L-1\":{\"count\":1,\"hash\":\"EDITED\"}";
    private const string L2 = "\"L-2\":{\"count\":12,\"hash\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}";
    private const string HeadsJson = "{" + L2 + "," + L1 + ",\"Lot \\u0022\\u00E9\\u0022\":{\"count\":3,\"hash\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}";

    /// <summary>A checkpoint as the stores have kept it since the first version: heads in the dictionary's order.</summary>
    private const string CheckpointJson = "{\"number\":3,\"takenAt\":\"2026-12-07T08:00:00+00:00\",\"heads\":{\"L-2\":{\"count\":12,\"hash\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"},\"L-1\":{\"count\":1,\"hash\":\"EDITED\"},\"Lot \\u0022\\u00E9\\u0022\":{\"count\":3,\"hash\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}},\"previousHash\":\"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\",\"hash\":\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"previousMac\":\"a1\",\"mac\":\"f0\"}";
}
